"""Slash commands: the registry, dispatch (an unknown command or a bad argument is one
clear UsageError line) and what each command does to the state, printing on a Printer
over a string. Expected behaviour from README.md's command table."""

from __future__ import annotations

import errno
import json
import subprocess

import pytest

from claudechat import attachments
from claudechat.conversation import Thinking, Turn
from claudechat.errors import UsageError
from claudechat.repl import commands


def test_every_command_in_the_issue_is_registered():
    wanted = {"help", "model", "system", "think", "expand", "image", "file", "detach", "retry",
              "undo", "edit", "copy", "new", "history", "load", "save", "tokens", "set", "quit",
              "paste"}
    assert wanted <= set(commands.COMMANDS)


def test_unknown_commands_and_bad_arguments_are_one_clear_line(state, out):
    with pytest.raises(UsageError, match="did you mean /model"):
        commands.dispatch(state, "/modle x", out)
    for line in ("/think maybe", "/set temperature hot", "/set colour 1", "/detach 3", "/expand",
                 "/undo", "/retry", "/image", "/load"):
        with pytest.raises(UsageError) as info:
            commands.dispatch(state, line, out)
        assert "\n" not in str(info.value)


def test_settings_commands_change_what_the_next_request_sends(state, out):
    commands.dispatch(state, "/model claude-haiku-4-5", out)
    commands.dispatch(state, "/think 2048", out)
    assert state.conversation.params.thinking == Thinking("enabled", budget_tokens=2048)
    commands.dispatch(state, "/think off", out)
    commands.dispatch(state, "/set temperature 0.3", out)
    commands.dispatch(state, "/system Be terse.", out)
    assert state.conversation.params.model == "claude-haiku-4-5"
    assert state.conversation.params.temperature == 0.3
    assert state.conversation.system == "Be terse."
    commands.dispatch(state, "/system clear", out)
    assert state.conversation.system is None
    with pytest.raises(UsageError):
        commands.dispatch(state, "/set temperature 1.5", out)


def test_set_default_goes_back_to_not_sending_the_parameter(state, out):
    commands.dispatch(state, "/model claude-haiku-4-5", out)
    for line in ("/set temperature 0.3", "/set top_k 5", "/set max_tokens 1000"):
        commands.dispatch(state, line, out)
    for name in ("temperature", "top_k", "max_tokens"):
        commands.dispatch(state, f"/set {name} default", out)
    params = state.conversation.params
    assert (params.temperature, params.top_k, params.max_tokens) == (None, None, 8192)
    assert "max_tokens: the default (8192)" in out.console.file.getvalue()
    with pytest.raises(UsageError) as caught:
        commands.dispatch(state, "/set temperature", out)
    assert str(caught.value) == "usage: /set temperature|top_p|top_k|max_tokens|effort VALUE|default"


def test_quit_and_its_aliases(state, out):
    for line in ("/quit", "/exit", "/q"):
        state.quit = False
        commands.dispatch(state, line, out)
        assert state.quit


def test_an_editor_that_cannot_be_run_is_one_line_and_keeps_the_text(state, out, tmp_path, monkeypatch):
    editor = tmp_path / "not-a-program"
    editor.write_text("no execute bit")
    monkeypatch.setenv("VISUAL", str(editor))
    with pytest.raises(UsageError) as info:
        commands.dispatch(state, "/edit keep me", out)
    assert str(info.value) == (f"the editor ({editor}) cannot be run (Permission denied): set VISUAL "
                               f"or EDITOR to an editor that works; nothing sent")
    assert state.prefill == "keep me" and state.conversation.turns == []
    monkeypatch.setenv("VISUAL", 'vi "unclosed')
    with pytest.raises(UsageError, match="is not a command line"):
        commands.dispatch(state, "/edit", out)


def test_a_file_or_program_failure_no_command_foresaw_is_its_one_line(state, out, monkeypatch):
    def full_disk(state, arg, out):
        raise OSError(errno.ENOSPC, "No space left on device", "/tmp/out.md")

    def stuck(state, arg, out):
        raise subprocess.TimeoutExpired(["helper"], 5)

    monkeypatch.setitem(commands.COMMANDS, "full", commands.Command("full", full_disk, "/full", "fails"))
    monkeypatch.setitem(commands.COMMANDS, "stuck", commands.Command("stuck", stuck, "/stuck", "hangs"))
    with pytest.raises(UsageError) as info:
        commands.dispatch(state, "/full", out)
    assert str(info.value) == "/full: No space left on device (/tmp/out.md)"
    with pytest.raises(UsageError, match=r"^/stuck: .*helper.*5") as info:
        commands.dispatch(state, "/stuck", out)
    assert "\n" not in str(info.value)


def answered(state, question: str, reply: list[dict]) -> None:
    state.conversation.add_user([{"type": "text", "text": question}])
    state.conversation.turns.append(Turn("assistant", reply, model="claude-sonnet-4-6"))


def said(out) -> str:
    return out.console.file.getvalue()


def test_help_lists_every_command(state, out):
    commands.dispatch(state, "/help", out)
    assert all(f"/{name}" in said(out) for name in commands.COMMANDS)


def test_new_starts_afresh_with_the_same_settings_and_system_prompt(state, out):
    commands.dispatch(state, "/system Be terse.", out)
    commands.dispatch(state, "/model claude-opus-4-7", out)
    answered(state, "q", [{"type": "text", "text": "a"}])
    commands.dispatch(state, "/new", out)
    assert state.conversation.turns == []
    assert state.conversation.system == "Be terse." and state.conversation.params.model == "claude-opus-4-7"


def test_undo_gives_back_the_text_and_the_attachments(state, out, tmp_path):
    (tmp_path / "notes.txt").write_text("the notes")
    (tmp_path / "more.txt").write_text("more")
    state.attach(attachments.file_arg(str(tmp_path / "more.txt")))
    assert state.compose(f"read @{tmp_path / 'notes.txt'} please")
    state.conversation.turns.append(Turn("assistant", [{"type": "text", "text": "done"}]))
    commands.dispatch(state, "/undo", out)
    assert state.conversation.turns == []
    assert state.prefill == f"read @{tmp_path / 'notes.txt'} please"
    # the @path attaches its file again when the text is sent; the other attachment is pending
    assert [attachments.document_name(a.block) for a in state.pending] == ["more.txt"]


def test_a_message_that_got_no_reply_comes_back_once_and_undo_or_retry_do_not_double_it(state, out,
                                                                                          tmp_path):
    (tmp_path / "more.txt").write_text("more")
    state.attach(attachments.file_arg(str(tmp_path / "more.txt")))
    assert state.compose("summarize")  # then the request failed: no reply was added
    assert state.take_back() and state.prefill == "summarize"
    assert [attachments.document_name(a.block) for a in state.pending] == ["more.txt"]
    assert state.conversation.turns[0].unanswered  # kept, marked
    commands.dispatch(state, "/undo", out)
    assert state.conversation.turns == [] and state.prefill == "summarize"
    assert [attachments.document_name(a.block) for a in state.pending] == ["more.txt"]  # once
    assert out.console.file.getvalue().strip() == "removed your message that got no reply"
    assert state.compose("summarize") and state.take_back()
    assert commands.dispatch(state, "/retry", out) == commands.SEND
    assert state.pending == [] and not state.conversation.turns[0].unanswered  # it goes as it was


def test_edit_last_after_no_reply_sends_the_edited_message_with_its_attachment_once(state, out, tmp_path,
                                                                                    monkeypatch):
    (tmp_path / "more.txt").write_text("more")
    editor = tmp_path / "editor"
    editor.write_text('#!/bin/sh\nprintf "summarize briefly" > "$1"\n')
    editor.chmod(0o755)
    monkeypatch.setenv("VISUAL", str(editor))
    state.attach(attachments.file_arg(str(tmp_path / "more.txt")))
    assert state.compose("summarize") and state.take_back()
    assert commands.dispatch(state, "/edit-last", out) == commands.SEND
    [turn] = state.conversation.turns
    assert [b.get("text", "").startswith("<document") for b in turn.content] == [True, False]
    assert turn.content[-1] == {"type": "text", "text": "summarize briefly"}
    assert state.pending == []  # it went with the edited message, not again with the next


def test_detach_drops_one_attachment_or_all(state, out, tmp_path):
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text(name)
        state.attach(attachments.file_arg(str(tmp_path / name)))
    commands.dispatch(state, "/detach 2", out)
    assert [attachments.document_name(a.block) for a in state.pending] == ["a.txt", "c.txt"]
    commands.dispatch(state, "/detach", out)
    assert state.pending == []
    with pytest.raises(UsageError, match="nothing is attached"):
        commands.dispatch(state, "/detach", out)


def test_expand_shows_a_replys_thinking_in_full(state, out):
    answered(state, "q1", [{"type": "thinking", "thinking": "First I consider the base case.",
                            "signature": "s"}, {"type": "text", "text": "one"}])
    answered(state, "q2", [{"type": "text", "text": "two"}])
    with pytest.raises(UsageError, match="no thinking"):
        commands.dispatch(state, "/expand", out)  # the last reply has none
    commands.dispatch(state, "/expand 1", out)
    assert "First I consider the base case." in said(out) and "Thinking" in said(out)


def test_copy_puts_reply_n_on_the_clipboard(state, out, programs):
    programs.add("wl-copy", reads_stdin=True)
    answered(state, "q1", [{"type": "text", "text": "# First\n\n- a list"}])
    answered(state, "q2", [{"type": "text", "text": "second"}])
    commands.dispatch(state, "/copy 1", out)
    assert programs.stdin("wl-copy") == b"# First\n\n- a list"
    commands.dispatch(state, "/copy", out)
    assert programs.stdin("wl-copy") == b"second"
    with pytest.raises(UsageError, match="no reply 3"):
        commands.dispatch(state, "/copy 3", out)


def test_copy_says_copied_only_when_the_program_exited_0(state, out, programs):
    answered(state, "q1", [{"type": "text", "text": "second"}])
    programs.add("wl-copy", reads_stdin=True)
    commands.dispatch(state, "/copy", out)
    assert said(out).splitlines() == ["copied 6 characters to the clipboard with wl-copy"]


def test_copy_with_a_program_that_fails_is_one_line_saying_which_and_what_to_do(state, out, programs):
    answered(state, "q1", [{"type": "text", "text": "second"}])
    programs.add("wl-copy", reads_stdin=True, status=1, complains=b"Failed to connect to a Wayland server\n")
    with pytest.raises(UsageError) as info:
        commands.dispatch(state, "/copy", out)
    assert str(info.value) == ("wl-copy exited with status 1: Failed to connect to a Wayland server — "
                               "nothing was copied; check that wl-copy works in a shell")
    assert said(out) == ""  # no word of success


def test_save_writes_markdown_or_json(state, out, tmp_path):
    answered(state, "What is the capital of France?", [{"type": "text", "text": "Paris."}])
    commands.dispatch(state, f"/save {tmp_path / 'chat.md'}", out)
    markdown = (tmp_path / "chat.md").read_text("utf-8")
    you, claude = markdown.index("## You"), markdown.index("## Claude")
    assert you < markdown.index("What is the capital of France?", you) < claude < markdown.index("Paris.")
    commands.dispatch(state, f'/save "{tmp_path / "a chat.json"}"', out)
    saved = json.loads((tmp_path / "a chat.json").read_text("utf-8"))
    assert "What is the capital of France?" in json.dumps(saved) and "Paris." in json.dumps(saved)
    with pytest.raises(UsageError, match="cannot write"):
        commands.dispatch(state, f"/save {tmp_path / 'no-such-dir' / 'x.md'}", out)


def test_file_and_paste_take_resize_too(state, out, tmp_path):
    from helpers.images import plain_png

    wide = plain_png(tmp_path / "wide.png", (9000, 40))
    from claudechat.errors import ImageTooLarge

    with pytest.raises(ImageTooLarge):  # the loop says it with the chat's advice (test_loop.py)
        commands.dispatch(state, f"/file {wide}", out)
    commands.dispatch(state, f"/file --resize {wide}", out)
    assert state.pending[0].size == (1568, 7) and "resized to 1568×7 px" in out.console.file.getvalue()
    with pytest.raises(UsageError, match=r"usage: /paste \[--resize\]"):
        commands.dispatch(state, "/paste now", out)
