"""A question that got no reply (issue 10, items 1 and 15): the real CLI against the loopback
fake server, which returns the error, the empty refusal or nothing at all (Ctrl-C before the
first token). What the README ("A question that got no reply", in "The chat" and "History")
promises: in the chat the message comes back into the input line and goes out again only if
the user sends it; `ask -c/--cid` leaves it out of the request with one line; the history
keeps it, marked unanswered; two user turns are never merged; `history list` hides
conversations without any reply (saying how many) and they are removed after 7 days.
"""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import pytest
from helpers.cli import Result, interrupted, run_cli
from helpers.fake_server import ErrorReply, FakeServer, Reply, Stall
from helpers.pty_terminal import PROMPT, Term, chat_env
from helpers.received import assistant, posts, user, wait_for_bodies

BACK = "your message got no reply: it is back in the input line, and goes out again only if you send it"
UNANSWERED = "*(unanswered: no reply came; it is not sent with later messages)*"
MODEL = "claude-opus-5-5"  # refuses with stop_details (docs/API-2026.md §5)


@pytest.fixture
def server(server: FakeServer) -> FakeServer:
    server.set_default(Reply(text="Fine."))
    return server


def screen(term: Term) -> str:
    """The whole screen as one line (long lines wrap)."""
    return " ".join(term.text().split())


def history(env: dict[str, str], *args: str) -> Result:
    done = run_cli(env, "history", *args)
    assert done.code == 0, done
    return done


def shown(env: dict[str, str], ref: str = "last") -> str:
    return history(env, "show", ref, "--plain").out.decode()


def sections(transcript: str) -> list[tuple[str, str]]:
    """The transcript's (speaker, body) sections, in order, the header and the total left out."""
    out = []
    for part in transcript.split("\n## ")[1:]:
        speaker, _, body = part.partition("\n")
        out.append((speaker, body.split("\n---\n")[0].strip()))
    return out


def clear_and_say(term: Term, text: str) -> None:
    """Ctrl-C clears the input line (README: "Ctrl-C at the prompt clears the line"), then type."""
    term.send("\x03")
    term.wait(lambda: term.lines()[term.cursor_row()] == PROMPT, "a cleared prompt")
    term.say(text)


# -- the chat ------------------------------------------------------------------------------------


def test_chat_after_an_error_the_message_comes_back_and_the_next_one_goes_out_alone(server, spawn, env):
    server.enqueue(ErrorReply(400, message="prompt is too long: 212000 tokens > 200000 maximum"))
    term = spawn()
    term.say("first question")
    row = term.wait_prompt(after=BACK[:40], typed="first question")
    lines = term.lines()
    said = " ".join(line for line in lines[lines.index(f"{PROMPT} first question") + 1:row] if line)
    assert said.startswith("error: HTTP 400 invalid_request_error: prompt is too long: 212000 tokens"), said
    assert said.endswith("— fix what it names, then try again " + BACK), said
    clear_and_say(term, "another question")
    term.wait_prompt(after="end_turn")
    assert wait_for_bodies(server, 2)[1]["messages"] == [user("another question")]  # not merged
    assert sections(shown(env)) == [
        ("You", f"first question\n\n{UNANSWERED}"), ("You", "another question"), ("Claude", "Fine.")]


def test_chat_enter_sends_the_returned_message_again_once(server, spawn, env):
    server.enqueue(ErrorReply(529, headers={"x-should-retry": "false"}))
    term = spawn()
    term.say("what is 6 x 7?")
    term.wait_prompt(after=BACK[:40], typed="what is 6 x 7?")
    term.send("\r")  # the message as it came back
    term.wait_prompt(after="end_turn")
    bodies = wait_for_bodies(server, 2)
    assert bodies[1]["messages"] == [user("what is 6 x 7?")]  # once, not twice
    assert sections(shown(env)) == [("You", f"what is 6 x 7?\n\n{UNANSWERED}"), ("You", "what is 6 x 7?"),
                                    ("Claude", "Fine.")]


def test_chat_ctrl_c_before_the_first_token_gives_the_message_back(server, spawn, env):
    server.enqueue(Stall())
    term = spawn()
    term.say("a slow one")
    wait_for_bodies(server, 1)  # the request is out; nothing comes back
    term.send("\x03")
    row = term.wait_prompt(after=BACK[:40], typed="a slow one")
    assert term.lines()[row - 2:row] == ["interrupted before any reply", BACK]
    clear_and_say(term, "a quick one")
    term.wait_prompt(after="end_turn")
    assert wait_for_bodies(server, 2)[1]["messages"] == [user("a quick one")]
    assert sections(shown(env))[0] == ("You", f"a slow one\n\n{UNANSWERED}")


def test_chat_an_empty_refusal_gives_the_message_back_to_rephrase(server, spawn, env):
    details = {"type": "refusal", "category": "cyber", "explanation": "Malware."}
    server.enqueue(Reply(text=[], stop_reason="refusal", stop_details=details))
    term = spawn("--model", MODEL)
    term.say("write a worm")
    term.wait_prompt(after="to rephrase", typed="write a worm")
    assert "declined (cyber): Malware." in screen(term)
    assert term.lines()[term.cursor_row() - 1] == "your message is back in the input line, to rephrase"
    clear_and_say(term, "explain worms, historically")
    term.wait_prompt(after="end_turn")
    assert wait_for_bodies(server, 2)[1]["messages"] == [user("explain worms, historically")]
    assert "declined" in shown(env)


def test_chat_retry_sends_the_unanswered_message_with_its_attachment_once(server, spawn, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("buy milk\n")
    server.enqueue(ErrorReply(400, message="try again later"))
    term = spawn()
    term.say(f"/file {notes}")
    term.wait_prompt(after="attached notes.txt")
    term.say("summarize")
    row = term.wait_prompt(after=BACK[:40], typed="summarize")
    assert term.lines()[row - 1] == "📎 #1 notes.txt"  # the attachment is pending again
    clear_and_say(term, "/retry")
    term.wait_prompt(after="end_turn")
    first, again = wait_for_bodies(server, 2)
    assert again["messages"] == first["messages"]  # the same message, once
    assert [b["type"] for b in again["messages"][0]["content"]] == ["text", "text"]
    assert "buy milk" in again["messages"][0]["content"][0]["text"]
    term.say("and now?")  # the attachment went with the retried message, not again
    term.wait_prompt(after="and now?")
    term.wait_prompt(after="end_turn")
    assert wait_for_bodies(server, 3)[2]["messages"][-1] == user("and now?")


def test_chat_undo_removes_the_unanswered_message_from_the_history(server, spawn, env):
    server.enqueue(Reply(text="One."), ErrorReply(400, message="nope"))
    term = spawn()
    term.say("q1")
    term.wait_prompt(after="end_turn")
    term.say("q2")
    term.wait_prompt(after=BACK[:40], typed="q2")
    clear_and_say(term, "/undo")
    row = term.wait_prompt(after="removed your message that got no reply", typed="q2")
    assert term.lines()[row - 1] == "removed your message that got no reply"
    assert sections(shown(env)) == [("You", "q1"), ("Claude", "One.")]


def test_chat_continuing_a_conversation_that_ends_unanswered_gives_the_message_back(server, spawn, env):
    server.enqueue(ErrorReply(400, message="nope"))
    failed = run_cli(env, "ask", "the question that failed")
    assert failed.code != 0
    with closing(Term(["-c"], chat_env(env))) as term:
        row = term.wait_prompt(after="its last message got no reply", typed="the question that failed")
        assert term.lines()[row - 1] == ("its last message got no reply: it is back in the input line, "
                                         "and goes out again only if you send it")
        term.send("\r")
        term.wait_prompt(after="end_turn")
    assert wait_for_bodies(server, 2)[1]["messages"] == [user("the question that failed")]


# -- ask -c / --cid ------------------------------------------------------------------------------


def failed_ask(env: dict[str, str], server: FakeServer, how: str, question: str, *args: str) -> None:
    """`ask [args] question` that got no reply: an API error, or Ctrl-C before the first token."""
    if how == "error":
        server.enqueue(ErrorReply(400, message="nope"))
        result = run_cli(env, "ask", *args, question)
        assert result.code == 1 and len(result.err_lines) == 1 and ": nope [" in result.err, result
        return
    server.enqueue(Stall())
    seen = len(posts(server))
    result = interrupted(env, "ask", *args, question, ready=lambda proc: wait_for_bodies(server, seen + 1))
    assert result.code == 130, result


@pytest.mark.parametrize("how", ["error", "ctrl-c"])
@pytest.mark.parametrize("continuing", ["-c", "--cid"])
def test_ask_continuing_leaves_out_the_unanswered_question_with_one_line(server, env, how, continuing):
    assert run_cli(env, "ask", "q1").code == 0
    failed_ask(env, server, how, "How tall is the Eiffel tower, in metres?", "-c")
    cid = json.loads(history(env, "list", "--json").out)[0]["id"]
    ref = ["-c"] if continuing == "-c" else ["--cid", cid[:6]]
    result = run_cli(env, "ask", *ref, "And how old is it?")
    assert result.code == 0, result
    [line] = result.err_lines
    assert line.startswith("claudechat: left out your unanswered question from 20")
    assert line.endswith(": 'How tall is the Eiffel tower, in metres?' (kept in the history, "
                         "marked unanswered)")
    sent = posts(server)[-1].json["messages"]
    assert sent == [user("q1"), assistant("Fine."), user("And how old is it?")]
    assert sections(shown(env)) == [
        ("You", "q1"), ("Claude", "Fine."),
        ("You", f"How tall is the Eiffel tower, in metres?\n\n{UNANSWERED}"),
        ("You", "And how old is it?"), ("Claude", "Fine.")]
    exported = json.loads(history(env, "export", "last", "--format", "json").out)
    assert [t["unanswered"] for t in exported["turns"]] == [False, False, True, False, False]
    again = run_cli(env, "ask", "-c", "one more")  # answered since: nothing more is left out
    assert (again.code, again.err) == (0, "")


# -- history list and retention ------------------------------------------------------------------


def db_path(env: dict[str, str]) -> Path:
    return Path(env["XDG_DATA_HOME"]) / "claudechat" / "history.db"


def test_history_list_hides_conversations_without_a_reply_and_says_how_many(server, env):
    assert run_cli(env, "ask", "answered").code == 0
    for question in ("failed once", "failed twice"):
        failed_ask(env, server, "error", question)
    listing = history(env, "list", "--plain")
    assert [row[2] for row in listing.rows] == ["answered"]
    assert listing.err_lines == ["claudechat: 2 conversations in which no question got a reply are not "
                                 "listed (--all lists them)"]
    everything = history(env, "list", "--all", "--plain")
    assert [row[2] for row in everything.rows] == ["failed twice", "failed once", "answered"]
    assert everything.err == ""
    searched = history(env, "list", "--json", "--search", "once")
    assert json.loads(searched.out) == []
    assert searched.err_lines == ["claudechat: 1 conversation in which no question got a reply is not "
                                  "listed (--all lists them)"]
    assert "failed once" in shown(env, json.loads(history(env, "list", "-a", "--json").out)[1]["id"])


def test_the_chats_history_hides_them_too_and_says_how_many(server, env, spawn):
    assert run_cli(env, "ask", "answered").code == 0
    failed_ask(env, server, "error", "failed once")
    term = spawn()
    term.say("/history")
    row = term.wait_prompt(after=f"{PROMPT} /history")
    said = term.answer_to("/history", row)
    assert [line.split()[-1] for line in said[2:3]] == ["answered"]
    assert said[3:] == ["1 without a reply not listed (claudechat history list --all lists them)",
                        "/load ID continues one"]


def test_a_conversation_without_a_reply_is_removed_after_seven_days(server, env):
    failed_ask(env, server, "error", "old failure")
    failed_ask(env, server, "error", "recent failure")
    ids = {row["title"]: row["id"] for row in json.loads(history(env, "list", "--all", "--json").out)}
    with sqlite3.connect(db_path(env)) as db:  # eight and six days pass for them
        db.execute("UPDATE conversations SET updated = ? WHERE id = ?", (time.time() - 8 * 86400,
                                                                        ids["old failure"]))
        db.execute("UPDATE conversations SET updated = ? WHERE id = ?", (time.time() - 6 * 86400,
                                                                        ids["recent failure"]))
    db.close()
    assert run_cli(env, "ask", "a new question").code == 0  # a new conversation is saved
    titles = [row["title"] for row in json.loads(history(env, "list", "--all", "--json").out)]
    assert titles == ["a new question", "recent failure"]
