"""No error ends the chat: the real `claudechat` on a pseudo-terminal, against the
loopback fake server. A command whose program or file fails says so in one line and
sends nothing; an exception nothing foresaw is one `internal error: …` line (its
traceback only with --debug); either way the next message is sent and answered.

The terminal, the fake server and the environment are the e2e suite's own
(tests/e2e/conftest.py and tests/helpers/).
"""

from __future__ import annotations

from helpers.cli import run_cli
from helpers.fake_server import Reply
from helpers.pty_terminal import PROMPT, Term
from helpers.received import posts, texts, wait_for_bodies

# a user name no system has: "~<it>/…" cannot be expanded, and pathlib raises RuntimeError
NO_USER = "claudechat-no-such-user"


def said(term: Term, typed: str, row: int) -> str:
    """What the chat printed between the prompt line `› typed` and `row`, as one line
    (a long line wraps on the screen)."""
    return " ".join(line for line in term.between(f"{PROMPT} {typed}", row) if line)


def still_chatting(server, term: Term, n: int) -> None:
    """The n-th message of the session is sent and answered, as if nothing had happened."""
    server.enqueue(Reply(text=f"Answer {n}."))
    term.say(f"question {n}")
    term.wait_prompt(after=f"Answer {n}.")
    assert texts(wait_for_bodies(server, n)[n - 1]["messages"][-1]) == [f"question {n}"]


def test_edit_with_a_missing_editor_is_one_line_sends_nothing_and_keeps_the_text(server, spawn):
    term = spawn(EDITOR="/no/such/editor", VISUAL=None)
    term.say("/edit a draft to finish")
    row = term.wait_prompt(after="nothing sent", typed="a draft to finish")
    assert said(term, "/edit a draft to finish", row) == (
        "the editor (/no/such/editor) was not found: set VISUAL or EDITOR to an editor "
        "that is installed; nothing sent")
    assert "Traceback" not in term.text()
    assert len(posts(server)) == 0
    # the text is back at the prompt: Enter sends it as it is
    server.enqueue(Reply(text="Finished."))
    term.send("\r")
    term.wait_prompt(after="Finished.")
    assert texts(wait_for_bodies(server, 1)[0]["messages"][-1]) == ["a draft to finish"]


# A failure nothing foresaw, planted in the standard library of the chat's process (a
# sitecustomize module on its PYTHONPATH): expanding a path that names "unforeseen" raises
# ZeroDivisionError, which no code of the chat maps to a message of its own. (The failure the
# tests used before, a ~user that is no user, is now one line of its own: "no such file".)
UNFORESEEN = """
import pathlib

_expand = pathlib.Path.expanduser


def expanduser(self):
    if "unforeseen" in str(self):
        raise ZeroDivisionError("a failure nothing foresaw")
    return _expand(self)


pathlib.Path.expanduser = expanduser
"""


def planted(tmp_path) -> str:
    """A PYTHONPATH that puts the failure in the chat's process."""
    import os

    (tmp_path / "plant").mkdir()
    (tmp_path / "plant" / "sitecustomize.py").write_text(UNFORESEEN, "utf-8")
    return os.pathsep.join(p for p in (str(tmp_path / "plant"), os.environ.get("PYTHONPATH")) if p)


def test_an_unexpected_exception_is_one_line_and_the_next_message_works(server, spawn, tmp_path):
    term = spawn(PYTHONPATH=planted(tmp_path))
    typed = "/file unforeseen/notes.txt"
    term.say(typed)
    row = term.wait_prompt(after="internal error")
    assert said(term, typed, row) == ("internal error: ZeroDivisionError: a failure nothing foresaw "
                                      "(run with --debug for details)")
    assert "Traceback" not in term.text()
    assert len(posts(server)) == 0
    still_chatting(server, term, 1)
    term.send("\x04")
    assert term.exit_status() == 0


def test_with_debug_an_unexpected_exception_shows_its_traceback_and_the_chat_goes_on(server, spawn, tmp_path):
    term = spawn("--debug", PYTHONPATH=planted(tmp_path))
    term.say("/file unforeseen/notes.txt")
    row = term.wait_prompt(after="internal error")
    screen = term.text()
    assert "Traceback (most recent call last):" in screen
    assert "ZeroDivisionError: a failure nothing foresaw" in screen
    assert term.lines()[row - 1] == "internal error: ZeroDivisionError: a failure nothing foresaw"
    still_chatting(server, term, 1)


def test_a_file_under_an_unknown_users_home_is_one_line(server, spawn):
    term = spawn()
    typed = f"/file ~{NO_USER}/notes.txt"
    term.say(typed)
    row = term.wait_prompt(after="no such file")
    assert said(term, typed, row) == (f"~{NO_USER}/notes.txt: no such file (~{NO_USER} is not a "
                                      f"user on this system)")
    assert len(posts(server)) == 0


def test_a_message_starting_with_an_unknown_users_home_is_sent_as_text(server, spawn):
    # "~name" at the start could be a dropped path; one that cannot be expanded is plain text
    server.enqueue(Reply(text="Noted."))
    term = spawn()
    term.say(f"~{NO_USER} said hello")
    term.wait_prompt(after="Noted.")
    assert texts(wait_for_bodies(server, 1)[0]["messages"][-1]) == [f"~{NO_USER} said hello"]
    still_chatting(server, term, 2)


def test_a_base_url_httpx_refuses_is_said_when_a_message_is_sent_and_nothing_is_kept(server, spawn, env):
    """The chat draws its prompt before its HTTP client is built (README, "Start-up"): a base
    URL that passes the standard library's check but not httpx's (a bad IDNA name) is one
    line when a message is sent, before anything is kept: the message is back in the input
    line and the history holds no conversation."""
    term = spawn(ANTHROPIC_BASE_URL="https://xn--abc")
    term.say("hello there")
    term.wait_prompt(after="--base-url", typed="hello there")
    screen = " ".join(line for line in term.lines() if line)
    assert "› hello there the base URL is not a valid URL (" in screen, screen
    assert "fix base_url in the profile, or --base-url" in screen
    assert "Traceback" not in term.text()
    assert len(posts(server)) == 0
    listed = run_cli(env, "history", "list", "--all")
    assert listed.code == 0 and listed.out == b"", listed
