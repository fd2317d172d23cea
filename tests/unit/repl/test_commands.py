"""Slash commands: the registry, dispatch (an unknown command or a bad argument is one
clear UsageError line) and what each command does to the state, printing on a Printer
over a string. Expected behaviour from README.md's command table."""

from __future__ import annotations

import errno
import subprocess

import pytest

from claudechat.conversation import Thinking
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
    commands.dispatch(state, "/model claude-opus-4-7", out)
    commands.dispatch(state, "/set temperature 0.3", out)
    commands.dispatch(state, "/system Be terse.", out)
    assert state.conversation.params.model == "claude-opus-4-7"
    assert state.conversation.params.temperature == 0.3
    assert state.conversation.system == "Be terse."
    commands.dispatch(state, "/system clear", out)
    assert state.conversation.system is None
    commands.dispatch(state, "/think 2048", out)
    assert state.conversation.params.thinking == Thinking("enabled", budget_tokens=2048)
    with pytest.raises(UsageError):
        commands.dispatch(state, "/set temperature 1.5", out)


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
