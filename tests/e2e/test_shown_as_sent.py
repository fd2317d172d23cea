"""What the chat says is what happened (issue 10, item 11), on a pty against the fake
server: a message written in the editor is on screen as if it had been typed before it
is sent, and /copy says "copied" only when a clipboard program took the text (exit 0);
OSC 52 alone is said as sent to the terminal, which may ignore it; a program that fails
is one line saying which and what to do. (A reply cut off at max_tokens in the chat gets
ask's hint with the chat's command: tests/e2e/test_append_only.py.)"""

from __future__ import annotations

import base64
from pathlib import Path

from helpers.fake_server import Reply
from helpers.pty_terminal import COLS, PROMPT
from helpers.received import texts, wait_for_bodies

LONG = "and a long line that goes on " + "and on " * 14 + "past the width of the screen"


def program(folder: Path, name: str, script: str) -> str:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\n" + script + "\n", "utf-8")
    path.chmod(0o755)
    return str(path)


def rows_after(term, typed: str, reply: str) -> list[str]:
    """The rows from the last `› typed` line up to the reply's line."""
    lines = term.lines()
    start = max(i for i, line in enumerate(lines) if line == f"{PROMPT} {typed}")
    end = next(i for i in range(start, len(lines)) if lines[i] == reply)
    return lines[start:end]


def test_edit_shows_the_message_as_if_typed_before_it_is_sent(server, spawn, tmp_path):
    assert len(LONG) > COLS  # it wraps
    server.enqueue(Reply(text="Typed reply."), Reply(text="Edited reply."))
    # the editor adds two lines under what /edit started it with
    editor = program(tmp_path / "bin", "fake-editor",
                     f'printf "%s\\nsecond line\\n{LONG}\\n" "$(cat "$1")" > "$1.new" && mv "$1.new" "$1"')
    term = spawn(VISUAL=editor)
    term.send(f"a draft\nsecond line\n{LONG}\r")  # typed: Ctrl-J between the lines, Enter sends
    term.wait_prompt(after="Typed reply.")
    typed = rows_after(term, "a draft", "Typed reply.")
    term.say("/edit a draft")
    term.wait_prompt(after="Edited reply.")
    lines = term.lines()
    command = max(i for i, line in enumerate(lines) if line == f"{PROMPT} /edit a draft")
    assert lines[command + 1 : command + 1 + len(typed)] == typed  # the same rows as typed
    assert lines[command + 1 + len(typed)] == "Edited reply."
    assert typed[:2] == [f"{PROMPT} a draft", "  second line"] and len(typed) == 4
    sent = wait_for_bodies(server, 2)
    assert texts(sent[1]["messages"][-1]) == [f"a draft\nsecond line\n{LONG}"] == \
        texts(sent[0]["messages"][0])


def test_copy_with_a_failing_clipboard_program_says_which_failed_and_never_copied(server, spawn, tmp_path):
    server.enqueue(Reply(text="Copy me."))
    program(tmp_path / "bin", "wl-copy",
            'cat > /dev/null; echo "Failed to connect to a Wayland server" >&2; exit 1')
    term = spawn(PATH=f"{tmp_path / 'bin'}:/usr/bin:/bin")
    term.say("say something")
    term.wait_prompt(after="end_turn")
    term.say("/copy")
    row = term.wait_prompt(after="works in a shell")
    said = " ".join(line for line in term.between(f"{PROMPT} /copy", row) if line)
    assert said == ("wl-copy exited with status 1: Failed to connect to a Wayland server — the text "
                    "went to the terminal's clipboard only (OSC 52; some terminals ignore it); check "
                    "that wl-copy works in a shell")
    assert "copied" not in said


def test_copy_through_the_terminal_alone_says_it_was_sent_not_copied(server, spawn, tmp_path):
    answer = "Through the terminal, " * 60  # 1,320 characters
    server.enqueue(Reply(text=answer))
    (tmp_path / "empty").mkdir()
    term = spawn(PATH=str(tmp_path / "empty"))
    term.say("say something")
    term.wait_prompt(after="end_turn")
    term.say("/copy")
    row = term.wait_prompt(after="OSC 52")
    assert term.between(f"{PROMPT} /copy", row) == [
        "sent 1,320 characters to the terminal's clipboard (OSC 52; some terminals ignore it)"]
    assert f"\x1b]52;c;{base64.b64encode(answer.encode()).decode()}\x07" in term.raw
