"""The interactive chat end to end: the real `claudechat` on a pseudo-terminal,
against the loopback fake server. What the user sees is read back through pyte
(a terminal emulator); what the server received is read from its request log.

Synchronisation is on visible text only (no sleeps): `Term.wait_prompt(after=...)`
waits until the cursor sits on a fresh "› " line below the given text.
"""

from __future__ import annotations

import base64
import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.fake_server import ErrorReply, Reply
from helpers.images import png
from helpers.pty_terminal import PROMPT, Term, chat_env
from helpers.received import assistant, plain, posts, texts, user, wait_for_bodies

# -- fixtures and helpers ---------------------------------------------------------------------


# -- 1. a conversation --------------------------------------------------------------------------


def test_two_turns_the_second_request_carries_the_first_exchange(server, spawn):
    server.enqueue(Reply(text="Paris is the capital."), Reply(text="About two million people."))
    term = spawn()
    term.say("What is the capital of France?")
    term.wait_prompt(after="end_turn")
    assert "Paris is the capital." in term.text()
    term.say("How many people live there?")
    term.wait_text("About two million people.")
    term.wait_prompt(after="About two million people.")

    bodies = wait_for_bodies(server, 2)
    assert plain(bodies[0]["messages"]) == [user("What is the capital of France?")]
    assert plain(bodies[1]["messages"]) == [
        user("What is the capital of France?"),
        assistant("Paris is the capital."),
        user("How many people live there?"),
    ]
    roles = [m["role"] for m in bodies[1]["messages"]]
    assert roles == ["user", "assistant", "user"]
    screen = term.text()
    assert screen.index("Paris is the capital.") < screen.index("About two million people.")
    assert screen.count(" in · ") == 2 and screen.count("end_turn") == 2


# -- 2. /system ----------------------------------------------------------------------------------


def _system_text(body: dict) -> str | None:
    system = body.get("system")
    if system is None or isinstance(system, str):
        return system
    return "".join(b.get("text", "") for b in system)


def test_system_command_sets_and_clears_the_system_prompt(server, spawn):
    # a model that binds no thinking to the prefix (docs/API-2026.md §2) and takes no system
    # messages (§3): the top-level system prompt itself changes (tests/e2e/test_append_only.py
    # has the models that keep it and append a system message instead)
    term = spawn("-m", "claude-opus-4-7")
    term.say("/system Be terse.")
    term.wait_prompt(after="/system Be terse.")
    term.say("first")
    term.wait_prompt(after="end_turn")
    term.say("/system clear")
    term.wait_prompt(after="/system clear")
    term.say("second")
    term.wait_text("second")
    term.wait(lambda: term.text().count("end_turn") == 2, "the second reply")
    term.wait_prompt(after="end_turn")

    bodies = wait_for_bodies(server, 2)
    assert _system_text(bodies[0]) == "Be terse."
    assert not _system_text(bodies[1])
    assert texts(bodies[1]["messages"][-1]) == ["second"]


# -- 3. attachments ------------------------------------------------------------------------------


def _image_blocks(message: dict) -> list[dict]:
    return [b for b in message["content"] if isinstance(b, dict) and b.get("type") == "image"]


def test_image_command_attaches_and_shows_the_pending_file(server, spawn, tmp_path):
    picture = tmp_path / "tiny-red.png"
    data = png(2, 2)
    picture.write_bytes(data)
    term = spawn()
    term.say(f"/image {picture}")
    row = term.wait_prompt(after="tiny-red.png")
    assert "tiny-red.png" in term.lines()[row - 1]  # shown just above the prompt
    assert len(posts(server)) == 0  # nothing is sent before the message
    term.say("What colour is this?")
    term.wait_prompt(after="end_turn")

    last = wait_for_bodies(server, 1)[0]["messages"][-1]
    assert last["role"] == "user"
    content = last["content"]
    assert [b["type"] for b in content] == ["image", "text"]
    image = content[0]
    assert image["source"]["type"] == "base64"
    assert image["source"]["media_type"] == "image/png"
    assert base64.b64decode(image["source"]["data"]) == data
    assert content[1]["text"] == "What colour is this?"
    after = term.wait_prompt(after="end_turn")
    assert "tiny-red.png" not in term.lines()[after - 1]  # no longer pending once sent
    # sent once: the next message carries no new attachment
    term.say("thanks")
    term.wait(lambda: term.text().count("end_turn") == 2, "the second reply")
    second = wait_for_bodies(server, 2)[1]["messages"][-1]
    assert _image_blocks(second) == [] and texts(second) == ["thanks"]


def test_at_path_in_a_message_attaches_the_image_before_the_text(server, spawn, tmp_path):
    picture = tmp_path / "dot.png"
    data = png(3, 1)
    picture.write_bytes(data)
    term = spawn()
    term.say(f"look at @{picture}")
    term.wait_prompt(after="end_turn")

    content = wait_for_bodies(server, 1)[0]["messages"][-1]["content"]
    assert [b["type"] for b in content] == ["image", "text"]
    assert content[0]["source"]["media_type"] == "image/png"
    assert base64.b64decode(content[0]["source"]["data"]) == data
    assert content[1]["text"].startswith("look at")


def test_a_dropped_path_then_a_question_sends_the_file_and_only_the_question(server, spawn, tmp_path):
    picture = tmp_path / "my holiday.png"
    data = png(2, 3)
    picture.write_bytes(data)
    term = spawn()
    term.say(f"'{picture}' what is in this picture?")  # as a terminal's drag-and-drop types it
    term.wait_prompt(after="end_turn")
    content = wait_for_bodies(server, 1)[0]["messages"][-1]["content"]
    assert [b["type"] for b in content] == ["image", "text"]
    assert base64.b64decode(content[0]["source"]["data"]) == data
    assert content[1]["text"] == "what is in this picture?"


def test_an_at_path_that_is_no_file_sends_nothing_and_keeps_the_text(server, spawn, tmp_path):
    server.enqueue(Reply(text="Got both."))
    (tmp_path / "notes.txt").write_text("the notes\n", "utf-8")
    term = spawn(cols=160)
    term.say(f"compare @{tmp_path}/note.txt with @@alice")
    term.wait_prompt(after="no such file", typed=f"compare @{tmp_path}/note.txt with @@alice")
    assert len(posts(server)) == 0
    term.send("\x1b[D" * len(".txt with @@alice") + "s")  # fix the typo in place: note -> notes
    term.send("\r")
    term.wait_prompt(after="Got both.")
    content = wait_for_bodies(server, 1)[0]["messages"][-1]["content"]
    assert 'name="notes.txt"' in content[0]["text"] and "the notes" in content[0]["text"]
    assert content[1]["text"] == f"compare @{tmp_path}/notes.txt with @alice"


def test_undo_gives_back_the_typed_text_and_the_attachments_once(server, spawn, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("line one\n", "utf-8")
    picture = tmp_path / "pic.png"
    picture.write_bytes(png(2, 2))
    term = spawn(cols=160)
    term.say(f"/image {picture}")
    term.wait_prompt(after="attached")
    term.say(f"look at @{notes} and this")
    term.wait_prompt(after="end_turn")
    first = wait_for_bodies(server, 1)[0]["messages"][-1]["content"]
    term.say("/undo")
    row = term.wait_prompt(after="/undo", typed=f"look at @{notes} and this")
    assert "image (image/png)" in term.lines()[row - 1]  # the /image one is pending again
    term.say("")
    term.wait(lambda: len(posts(server)) == 2, "the message sent again")
    term.wait_prompt(after="end_turn")
    assert wait_for_bodies(server, 2)[1]["messages"][-1]["content"] == first  # the same blocks, none twice


def test_tab_quotes_an_at_path_with_a_space_so_it_attaches(server, spawn, tmp_path):
    picture = tmp_path / "my pic.png"
    data = png(3, 3)
    picture.write_bytes(data)
    term = spawn()
    term.send(f"look @{tmp_path}/my\t")
    term.wait_text(f'look @"{picture}"')
    term.send(" closely\r")
    term.wait_prompt(after="end_turn")
    content = wait_for_bodies(server, 1)[0]["messages"][-1]["content"]
    assert [b["type"] for b in content] == ["image", "text"]
    assert base64.b64decode(content[0]["source"]["data"]) == data
    assert content[1]["text"] == f'look @"{picture}" closely'


# -- 4. pasting -----------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 15])
def test_a_pasted_block_is_one_message_with_its_newlines(server, spawn, count):
    pasted = [f"line {i} of the paste" for i in range(1, count + 1)]
    term = spawn()
    term.send("\x1b[200~" + "\r".join(pasted) + "\x1b[201~")
    term.wait_text("line 1 of the paste" if count < 12 else "pasted")
    assert len(posts(server)) == 0  # the newlines in a paste do not send it
    term.send("\r")
    term.wait_prompt(after="end_turn")

    bodies = wait_for_bodies(server, 1)
    assert len(bodies) == 1
    assert texts(bodies[0]["messages"][-1]) == ["\n".join(pasted)]
    assert len(posts(server)) == 1


def test_a_long_one_line_paste_is_a_placeholder_and_up_recalls_the_whole_text(server, spawn, env):
    pasted = "word " * 1000
    term = spawn()
    term.send("\x1b[200~" + pasted + "\x1b[201~")
    term.wait_text("[pasted 5,000 characters #1]")
    term.send("\r")
    term.wait_prompt(after="end_turn")
    assert texts(wait_for_bodies(server, 1)[0]["messages"][-1]) == [pasted]
    term.send("\x04")
    term.exit_status()

    later = spawn()  # the input history of the last session: Up brings the message back whole
    later.send("\x1b[A")
    later.wait_text("word word word")
    later.send("\r")
    later.wait(lambda: len(posts(server)) == 2, "the recalled message sent")
    assert texts(wait_for_bodies(server, 2)[1]["messages"][-1]) == [pasted]


def test_ctrl_j_adds_a_line_instead_of_sending(server, spawn):
    term = spawn()
    term.send("first line\nsecond line")
    term.wait_text("second line")
    assert len(posts(server)) == 0
    term.send("\r")
    term.wait_prompt(after="end_turn")
    assert texts(wait_for_bodies(server, 1)[0]["messages"][-1]) == ["first line\nsecond line"]


# -- 5. Ctrl-C while a reply streams ---------------------------------------------------------------


def test_ctrl_c_mid_stream_keeps_the_partial_reply_and_the_session(server, spawn):
    # events: message_start, content_block_start, then the text deltas (no pings)
    server.enqueue(Reply(text=["Alpha ", "bravo ", "charlie ", "delta ", "echo"], stall_after=4,
                         pings=False),
                   Reply(text="Carrying on."))
    term = spawn()
    term.say("Spell it")
    term.wait_text("Alpha bravo")
    term.child.sendintr()
    row = term.wait_prompt(after="interrupted")
    screen = "\n".join(term.lines()[:row])
    assert "Alpha bravo" in screen
    assert "charlie" not in screen
    term.say("go on")
    term.wait_text("Carrying on.")
    term.wait_prompt(after="Carrying on.")

    bodies = wait_for_bodies(server, 2)
    messages = bodies[1]["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    assert texts(messages[0]) == ["Spell it"]
    partial = "".join(texts(messages[1]))
    assert partial.rstrip() == "Alpha bravo"
    assert texts(messages[2]) == ["go on"]


def test_closing_the_terminal_mid_stream_saves_the_partial_reply(server, spawn, env):
    server.enqueue(Reply(text=["Alpha ", "bravo ", "charlie"], stall_after=4, pings=False))
    term = spawn()
    term.say("Spell it")
    term.wait_text("Alpha bravo")
    term.child.kill(signal.SIGHUP)  # what the kernel sends when the terminal window closes
    assert term.exit_status() == 128 + signal.SIGHUP
    done = subprocess.run([sys.executable, "-m", "claudechat", "history", "export", "last",
                           "--format", "json"], env=chat_env(env), capture_output=True, timeout=30)
    exported = json.loads(done.stdout)
    assert plain(exported["messages"]) == [user("Spell it"), assistant("Alpha bravo ")]
    assert exported["turns"][1]["interrupted"] is True


def test_ctrl_c_mid_stream_shows_the_partial_text_once(server, spawn):
    server.enqueue(Reply(text=["Alpha ", "bravo ", "charlie"], stall_after=4, pings=False))
    term = spawn()
    term.say("Spell it")
    term.wait_text("Alpha bravo")
    term.child.sendintr()
    row = term.wait_prompt(after="interrupted")
    shown = term.lines()[term.last_index(f"{PROMPT} Spell it") + 1 : row]
    assert [line for line in shown if "Alpha bravo" in line] == ["Alpha bravo"]
    assert not any("^C" in line for line in shown)


# -- 6. /retry and /undo ---------------------------------------------------------------------------


def test_retry_resends_the_last_message_and_undo_takes_back_the_exchange(server, spawn):
    server.enqueue(Reply(text="One reply."), Reply(text="Two reply."), Reply(text="Two again."),
                   Reply(text="Edited reply."))
    term = spawn()
    term.say("one")
    term.wait_prompt(after="One reply.")
    term.say("two")
    term.wait_prompt(after="Two reply.")
    term.say("/retry")
    term.wait_text("Two again.")
    term.wait_prompt(after="Two again.")

    retried = wait_for_bodies(server, 3)[2]["messages"]
    assert plain(retried) == [user("one"), assistant("One reply."), user("two")]
    assert "Two reply." not in str(retried)

    term.say("/undo")
    term.wait_prompt(after="/undo", typed="two")  # the message is back in the input line
    term.say(" more")
    term.wait_text("Edited reply.")
    term.wait_prompt(after="Edited reply.")

    edited = wait_for_bodies(server, 4)[3]["messages"]
    assert plain(edited) == [user("one"), assistant("One reply."), user("two more")]
    assert "Two again." not in str(edited)


def test_retry_with_nothing_to_retry_says_so(server, spawn):
    term = spawn()
    term.say("/retry")
    row = term.wait_prompt(after="/retry")
    assert len([line for line in term.between("/retry", row) if line]) == 1
    assert len(posts(server)) == 0


# -- 7. history across a restart ----------------------------------------------------------------


def test_continue_after_a_restart_carries_the_earlier_exchange(server, spawn):
    server.enqueue(Reply(text="Remembered answer."), Reply(text="Still here."))
    term = spawn()
    term.say("Remember the number 42")
    term.wait_prompt(after="Remembered answer.")
    term.say("/quit")
    assert term.exit_status() == 0

    again = spawn("-c")
    assert "continuing" in again.text()
    again.say("What was the number?")
    again.wait_text("Still here.")
    again.wait_prompt(after="Still here.")

    bodies = wait_for_bodies(server, 2)
    assert plain(bodies[1]["messages"]) == [
        user("Remember the number 42"), assistant("Remembered answer."), user("What was the number?"),
    ]


def test_ctrl_d_then_continue_too(server, spawn):
    server.enqueue(Reply(text="Kept."), Reply(text="Next."))
    term = spawn()
    term.say("keep this")
    term.wait_prompt(after="Kept.")
    term.send("\x04")
    assert term.exit_status() == 0

    again = spawn("-c")
    again.say("and then")
    again.wait_prompt(after="Next.")
    assert plain(wait_for_bodies(server, 2)[1]["messages"]) == [user("keep this"), assistant("Kept."),
                                                      user("and then")]


def test_no_save_leaves_nothing_to_continue(server, spawn, env):
    term = spawn("--no-save")
    term.say("forget me")
    term.wait_prompt(after="end_turn")
    term.send("\x04")
    assert term.exit_status() == 0

    again = Term(["-c"], chat_env(env))  # nothing was saved: nothing to continue
    try:
        status = again.exit_status()
        assert "continuing" not in again.text()
        assert "no conversation" in again.text()
        assert status != 0
    finally:
        again.close()


# -- 8. commands, Ctrl-C and Ctrl-D at the prompt ---------------------------------------------------


def test_unknown_command_is_one_line_and_the_session_goes_on(server, spawn):
    server.enqueue(Reply(text="Still answering."))
    term = spawn()
    term.say("/bogus")
    row = term.wait_prompt(after="/bogus")
    said = [line for line in term.between(f"{PROMPT} /bogus", row) if line]
    assert len(said) == 1 and "bogus" in said[0]
    assert len(posts(server)) == 0
    term.say("hello")
    term.wait_prompt(after="Still answering.")
    assert texts(wait_for_bodies(server, 1)[0]["messages"][-1]) == ["hello"]


def test_ctrl_c_at_the_prompt_clears_the_line_and_ctrl_d_exits_0(server, spawn):
    term = spawn()
    term.send("a draft I regret")
    term.wait_text("a draft I regret")
    term.send("\x03")
    term.wait(lambda: term.lines()[term.cursor_row()] == PROMPT
              and term.cursor_row() > term.last_index("a draft I regret"), "a cleared prompt")
    assert len(posts(server)) == 0
    term.say("the real question")
    term.wait_prompt(after="end_turn")
    assert texts(wait_for_bodies(server, 1)[0]["messages"][-1]) == ["the real question"]
    term.send("\x04")
    assert term.exit_status() == 0
    assert len(posts(server)) == 1


# -- 9. /model and the toolbar ------------------------------------------------------------------------


def test_model_command_changes_the_next_request_and_the_toolbar(server, spawn):
    # a terminal that answers cursor-position requests, so prompt_toolkit draws its toolbar
    term = spawn(answer_cpr=True, PROMPT_TOOLKIT_NO_CPR=None)
    term.wait(lambda: "anthropic" in term.text(), "the toolbar")
    toolbar = next(line for line in reversed(term.lines()) if "anthropic" in line)  # the bottom one
    assert "claude-opus-4-7" not in toolbar
    term.say("/model claude-opus-4-7")
    term.wait(lambda: any("anthropic" in line and "claude-opus-4-7" in line
                          for line in term.screen.display), "the new model in the toolbar")
    term.say("hi")
    term.wait_text("end_turn")
    body = wait_for_bodies(server, 1)[0]
    assert body["model"] == "claude-opus-4-7"


def test_a_thinking_budget_over_max_tokens_is_refused_at_once(server, spawn):
    server.enqueue(Reply(text="Fine."))
    term = spawn("-m", "claude-sonnet-4-5")
    term.say("/set max_tokens 2000")
    term.wait_prompt(after="max_tokens = 2000")
    term.say("/think 4000")
    row = term.wait_prompt(after="below max_tokens")
    assert "raise max_tokens or lower the thinking budget" in " ".join(term.lines()[row - 2:row])
    term.say("hello")
    term.wait_prompt(after="Fine.")
    body = wait_for_bodies(server, 1)[0]
    assert "thinking" not in body and body["max_tokens"] == 2000
    assert plain(body["messages"]) == [user("hello")]


def test_new_keeps_the_system_prompt_and_no_save_still_reads_the_history(server, spawn, env):
    server.enqueue(Reply(text="Saved earlier."))
    first = spawn()
    first.say("an older question")
    first.wait_prompt(after="Saved earlier.")
    first.send("\x04")
    first.exit_status()

    term = spawn("--no-save")
    term.say("/system Be terse.")
    term.wait_prompt(after="system prompt set")
    term.say("/new")
    term.wait_prompt(after="new conversation")
    term.say("hi")
    term.wait_prompt(after="end_turn")
    assert wait_for_bodies(server, 2)[1]["system"] in ("Be terse.", [{"type": "text", "text": "Be terse."}])
    term.say("/history")
    term.wait_prompt(after="an older question")
    term.say("/load last")
    term.wait_prompt(after="loaded")
    term.say("and now?")
    term.wait(lambda: len(posts(server)) == 3, "the third request")
    assert plain(wait_for_bodies(server, 3)[2]["messages"]) == [
        user("an older question"), assistant("Saved earlier."), user("and now?")]


@pytest.mark.parametrize("setting", [{"NO_COLOR": "1"}, {"TERM": "dumb"}, {}],
                         ids=["NO_COLOR", "TERM=dumb", "--plain"])
def test_no_color_dumb_terminal_or_plain_gives_plain_replies(server, spawn, setting):
    server.enqueue(Reply(text="Some **bold** words and `code`."))
    term = spawn(*([] if setting else ["--plain"]), **setting)
    term.wait_raw()  # on TERM=dumb the prompt shows before keys are read one by one
    term.say("format something")
    term.wait_prompt(after="bold")
    assert "Some **bold** words and `code`." in term.text()  # the Markdown as written
    assert re.search(r" in · \d+ out · .*end_turn · ", term.text())  # the status line too
    assert "\x1b[?2026h" not in term.raw  # no live region redrawn in place
    assert "\x1b[1m" not in term.raw and "\x1b[2m" not in term.raw  # no bold, no dim


# -- 10. an API error ----------------------------------------------------------------------------------


def test_an_api_error_is_one_line_and_retry_recovers(server, spawn):
    server.enqueue(ErrorReply(400, message="the fake server refused this"), Reply(text="Recovered."))
    term = spawn()
    term.say("please")
    row = term.wait_prompt(after="back in the input line", typed="please")  # the message comes back
    lines = term.lines()
    said = [line for line in lines[lines.index(f"{PROMPT} please") + 1:row] if line]
    errors = [line for line in said if "refused" in line]
    assert len(errors) == 1 and "error" in errors[0].lower()
    assert "Traceback" not in term.text()
    term.send("\x03")  # clear the line, and ask for the same message again
    term.wait(lambda: term.lines()[term.cursor_row()] == PROMPT, "a cleared prompt")
    term.say("/retry")
    term.wait_text("Recovered.")
    term.wait_prompt(after="Recovered.")
    bodies = wait_for_bodies(server, 2)
    assert plain(bodies[1]["messages"]) == [user("please")]


# -- 11. the editor and the clipboard ------------------------------------------------------------------


def tool(folder: Path, name: str, script: str) -> None:
    """A stand-in for a program the REPL runs (an editor, wl-copy, wl-paste): a shell script."""
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\n" + script + "\n", "utf-8")
    path.chmod(0o755)


def test_edit_sends_what_the_editor_wrote(server, spawn, tmp_path):
    server.enqueue(Reply(text="Edited and answered."))
    tool(tmp_path / "bin", "fake-editor",
         'printf "%s and a second line\\n" "$(cat "$1")" > "$1.new" && mv "$1.new" "$1"')
    term = spawn(EDITOR=str(tmp_path / "bin" / "fake-editor"), VISUAL=None)
    term.say("/edit A first line,")
    term.wait_prompt(after="Edited and answered.")
    assert texts(wait_for_bodies(server, 1)[0]["messages"][-1]) == ["A first line, and a second line"]


def test_an_editor_that_fails_sends_nothing(server, spawn, tmp_path):
    tool(tmp_path / "bin", "broken-editor", "exit 3")
    term = spawn(VISUAL=str(tmp_path / "bin" / "broken-editor"))
    term.say("/edit")
    row = term.wait_prompt(after="nothing sent")
    said = " ".join(line for line in term.between(f"{PROMPT} /edit", row) if line)
    assert said.startswith("the editor (") and said.endswith("exited with status 3; nothing sent"), said
    assert len(posts(server)) == 0


def test_ctrl_c_in_the_editor_leaves_the_chat_running(server, spawn, tmp_path):
    server.enqueue(Reply(text="Still here."))
    tool(tmp_path / "bin", "slow-editor", "echo editor-started; sleep 60")
    term = spawn(VISUAL=str(tmp_path / "bin" / "slow-editor"))
    term.say("/edit")
    term.wait_text("editor-started")
    term.send("\x03")
    term.wait_prompt(after="interrupted")
    assert len(posts(server)) == 0
    term.say("hello")
    term.wait_prompt(after="Still here.")
    assert texts(wait_for_bodies(server, 1)[0]["messages"][-1]) == ["hello"]


def test_copy_hands_the_last_reply_to_the_clipboard_tool(server, spawn, tmp_path):
    answer = "Copy **this** answer,\nall of it."
    server.enqueue(Reply(text=answer))
    clipboard = tmp_path / "clipboard.txt"
    tool(tmp_path / "bin", "wl-copy", f'cat > "{clipboard}"')
    term = spawn(PATH=f"{tmp_path / 'bin'}:/usr/bin:/bin")
    term.say("say something")
    term.wait_prompt(after="end_turn")
    term.say("/copy")
    term.wait_prompt(after="wl-copy")
    assert clipboard.read_text("utf-8") == answer  # the Markdown source, not the rendering
    assert (f"copied {len(answer)} characters to the clipboard with wl-copy "
            f"(and sent them to the terminal by OSC 52)") in term.text()
    assert f"\x1b]52;c;{base64.b64encode(answer.encode()).decode()}\x07" in term.raw


def test_copy_without_a_clipboard_tool_asks_the_terminal(server, spawn, tmp_path):
    # Over ssh there is no local clipboard program: the terminal's OSC 52 sets the clipboard.
    server.enqueue(Reply(text="Through the terminal."))
    (tmp_path / "empty").mkdir()
    term = spawn(PATH=str(tmp_path / "empty"))
    term.say("say something")
    term.wait_prompt(after="end_turn")
    term.say("/copy")
    term.wait_prompt(after="OSC 52")
    payload = base64.b64encode(b"Through the terminal.").decode()
    assert f"\x1b]52;c;{payload}\x07" in term.raw


def test_ctrl_v_and_paste_attach_the_clipboard_image(server, spawn, tmp_path):
    picture = tmp_path / "copied.png"
    data = png(4, 3)
    picture.write_bytes(data)
    tool(tmp_path / "bin", "wl-paste", f'cat "{picture}"')
    term = spawn(PATH=f"{tmp_path / 'bin'}:/usr/bin:/bin")
    term.send("\x16")  # Ctrl-V
    term.wait_prompt(after="attached clipboard image")
    term.say("/paste")
    term.wait(lambda: term.text().count("attached clipboard image") == 2, "the second image")
    term.wait_prompt(after="attached clipboard image")
    assert len(posts(server)) == 0
    term.say("what are these?")
    term.wait_prompt(after="end_turn")
    content = wait_for_bodies(server, 1)[0]["messages"][-1]["content"]
    assert [b["type"] for b in content] == ["image", "image", "text"]
    assert [base64.b64decode(b["source"]["data"]) for b in content[:2]] == [data, data]
    assert content[2]["text"] == "what are these?"


def test_ctrl_v_and_paste_with_no_image_say_so(server, spawn, tmp_path):
    tool(tmp_path / "bin", "wl-paste", 'echo "just some text"')  # text, not an image
    term = spawn(PATH=f"{tmp_path / 'bin'}:/usr/bin:/bin")
    term.send("\x16")
    term.wait_prompt(after="no image on the clipboard")
    term.say("/paste")
    term.wait(lambda: term.text().count("no image on the clipboard") == 2, "the second notice")
    term.wait_prompt(after="no image on the clipboard")
    term.say("plain question")
    term.wait_prompt(after="end_turn")
    assert _image_blocks(wait_for_bodies(server, 1)[0]["messages"][-1]) == []


# -- 12. without a terminal -----------------------------------------------------------------------------


def test_without_a_terminal_it_behaves_like_ask(server, env):
    server.enqueue(Reply(text="Piped answer."))
    done = subprocess.run([sys.executable, "-m", "claudechat"], input=b"hello", capture_output=True,
                          env=chat_env(env), timeout=30)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert done.stdout.decode().strip() == "Piped answer."
    assert plain(wait_for_bodies(server, 1)[0]["messages"]) == [user("hello")]

