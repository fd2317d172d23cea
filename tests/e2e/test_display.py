"""What the chat and `history` show, end to end (issue 10, items 12-14): a resumed chat
shows where it stands, /history is a table that searches, reply and attachment numbers
are on screen where /expand N, /copy N and /detach N need them, /save never writes over
a file unasked, and text from outside (titles, replies, server errors, tool names) is
shown literally, never read as rich markup.

The real CLI on a pseudo-terminal against the fake server; what a person sees is read
through pyte (colours included), what was sent from the server's request log.
"""

from __future__ import annotations

import json
import re
import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from helpers.cli import run_cli
from helpers.fake_server import ErrorReply, Reply
from helpers.pty_terminal import PROMPT, Term, Terminal, chat_env, whole_session
from helpers.received import assistant, plain, user, wait_for_bodies

MARKUP = "[WIP] why does [red]this[/red] fail? arr[i] :smile:"  # a title rich would eat
ITEMS = [f"item {n}" for n in range(1, 31)]  # a reply of 30 rows


def red_rows(term: Term, text: str) -> list[str]:
    """The rows (scrollback too) that show `text` with any character of theirs in red."""
    rows = [*term.screen.history.top, *(term.screen.buffer[y] for y in range(term.rows))]
    lines = ["".join(cells[x].data for x in range(term.cols)).rstrip() for cells in rows]
    return [line for cells, line in zip(rows, lines, strict=True)
            if text in line and any(cells[x].fg == "red" for x in range(term.cols))]


# -- 12. resuming shows where the conversation stands ---------------------------------------------------


def test_continue_shows_the_last_exchange_shortened_with_its_number(server, spawn):
    server.enqueue(Reply(text="First answer."),
                   Reply(thinking="I weigh the list.", text="\n".join(f"- {i}" for i in ITEMS)),
                   Reply(text="Third answer."))
    whole_session(spawn, "first question", "second question")

    term = spawn("-c")
    row = term.cursor_row()
    start, head, *recap = [line for line in term.lines()[:row] if line]
    assert start == "anthropic · claude-sonnet-5-5 · /help for commands"  # the chat's first line
    assert re.fullmatch(r"continuing [0-9a-f]{8}: first question \(2 replies\)", head), head
    assert recap[0] == f"{PROMPT} second question"  # the last message, as the prompt showed it
    assert recap[1] == "▸ Thought (~4 tokens) · /expand 2 shows it"  # collapsed, as live
    items = [line.strip().removeprefix("• ") for line in recap[2:-2]]
    assert items == ITEMS[:len(items)] and 3 <= len(items) < len(ITEMS)  # its first rows only
    hidden = len(ITEMS) - len(items)  # the rows not shown: items left, none blank in a tight list
    assert recap[-2] == f"… {hidden} more lines · /show 2 shows it all"
    assert re.fullmatch(r"#2 · claude-\S+ · \d+ in · \d+ out · \$[\d.]+ · end_turn", recap[-1]), recap[-1]
    assert "First answer." not in term.text()

    term.say("/show")
    row = term.wait_prompt(after=f"{PROMPT} /show")
    whole = term.answer_to("/show", row)
    assert whole[0] == f"{PROMPT} second question"
    assert [line.strip().removeprefix("• ") for line in whole[2:-1]] == ITEMS
    term.say("/expand 2")
    term.wait_prompt(after="I weigh the list.")
    term.say("third question")
    term.replied(3)  # numbered on from the stored replies
    assert plain(wait_for_bodies(server, 3)[2]["messages"])[:3] == [
        user("first question"), assistant("First answer."), user("second question")]


def test_load_shows_the_last_exchange_of_the_loaded_conversation(server, spawn):
    server.enqueue(Reply(text="Answer about apples."), Reply(text="Answer about bananas."))
    whole_session(spawn, "tell me about apples")
    term = spawn()
    term.say("tell me about bananas")
    term.replied(1)
    term.say("/history apples")
    row = term.wait_prompt(after=f"{PROMPT} /history apples")
    cid = next(line.split()[0] for line in term.answer_to("/history apples", row) if "apples" in line)
    term.say(f"/load {cid}")
    row = term.wait_prompt(after=f"loaded {cid}")
    *said, status = term.answer_to(f"/load {cid}", row)
    assert said == [f"loaded {cid}: tell me about apples (1 reply)",
                    f"{PROMPT} tell me about apples", "Answer about apples."]
    assert re.fullmatch(r"#1 · claude-\S+ · \d+ in · \d+ out · \$[\d.]+ · end_turn", status), status


# -- 12. /history: a header, local times, replies, a search term -----------------------------------------


def test_history_has_a_header_local_times_reply_counts_and_searches(server, spawn, env):
    server.enqueue(Reply(text="Apples are red."), Reply(text="And green."), Reply(text="Bananas bend."))
    whole_session(spawn, "tell me about apples", "any other colour?")
    whole_session(spawn, "tell me about bananas")
    zone = "Asia/Kolkata"  # UTC+05:30: a local time no UTC time can pass for
    term = spawn(TZ=zone)
    term.say("/history")
    row = term.wait_prompt(after=f"{PROMPT} /history")
    lines = term.answer_to("/history", row)
    assert lines[0].split() == ["id", "updated", "replies", "title"]
    with sqlite3.connect(Path(env["XDG_DATA_HOME"]) / "claudechat" / "history.db") as db:
        stored = db.execute("SELECT id, updated, title FROM conversations ORDER BY updated DESC").fetchall()
    want = [[cid[:8], *datetime.fromtimestamp(updated, ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M").split(),
             str(replies), *title.split()]
            for (cid, updated, title), replies in zip(stored, [1, 2], strict=True)]
    assert [line.split() for line in lines[2:4]] == want
    assert lines[4] == "/load ID continues one"

    term.say("/history BANANA")  # a title or any message text, any case
    row = term.wait_prompt(after=f"{PROMPT} /history BANANA")
    assert [line.split()[-1] for line in term.answer_to("/history BANANA", row)[2:-1]] == ["bananas"]
    term.say("/history green")  # in a reply, not the title
    row = term.wait_prompt(after=f"{PROMPT} /history green")
    assert [" ".join(line.split()[4:]) for line in term.answer_to("/history green", row)[2:-1]] == [
        "tell me about apples"]
    term.say("/history kiwi")
    row = term.wait_prompt(after=f"{PROMPT} /history kiwi")
    assert term.answer_to("/history kiwi", row) == ["no conversation matches 'kiwi'"]


# -- 12. numbers where they are used ---------------------------------------------------------------------


def test_reply_and_attachment_numbers_are_on_screen(server, spawn, tmp_path):
    server.enqueue(Reply(text="One."), Reply(text="Two."))
    notes = [tmp_path / "a.txt", tmp_path / "b.txt"]
    for path in notes:
        path.write_text(f"notes {path.name}\n")
    term = spawn()
    term.say("one")
    term.replied(1)
    term.say(f"/file {notes[0]}")
    term.wait_prompt(after="attached a.txt")
    term.say(f"/file {notes[1]}")
    row = term.wait_prompt(after="attached b.txt")
    assert term.lines()[row - 1] == "📎 #1 a.txt  #2 b.txt"
    term.say("/detach 1")
    row = term.wait_prompt(after="dropped a.txt")
    assert term.lines()[row - 1] == "📎 #1 b.txt"  # renumbered: /detach 1 is this one now
    term.say("two")
    term.replied(2)
    sent = json.dumps(wait_for_bodies(server, 2)[1]["messages"][-1]["content"])
    assert "notes b.txt" in sent and "notes a.txt" not in sent


# -- 14. /save never writes over a file unasked ------------------------------------------------------------


def test_save_refuses_an_existing_file_and_save_bang_overwrites_it(server, spawn, tmp_path):
    server.enqueue(Reply(text="Saved answer."))
    path = tmp_path / "chat.md"
    path.write_text("my notes, not to be lost\n")
    term = spawn()
    term.say("keep this")
    term.replied(1)
    term.say(f"/save {path}")
    row = term.wait_prompt(after=f"{PROMPT} /save {path}")
    assert " ".join(term.answer_to(f"/save {path}", row)) == f"{path} exists: /save! {path} overwrites it"
    assert path.read_text() == "my notes, not to be lost\n"
    term.say(f"/save! {path}")
    term.wait_prompt(after=f"overwrote {path}")
    assert path.read_text().startswith("# keep this\n") and "Saved answer." in path.read_text()
    fresh = tmp_path / "new.md"
    term.say(f"/save {fresh}")
    term.wait_prompt(after=f"saved to {fresh}")
    assert "Saved answer." in fresh.read_text()
    term.say("/help")
    row = term.wait_prompt(after="Ctrl-D or /quit leaves")
    assert any(line.startswith("/save! PATH ") for line in term.answer_to("/help", row))
    term.send("/sav\t")  # Tab offers both

    def menu() -> list[str]:
        return [line.split()[0] for line in term.screen.display[term.screen.cursor.y + 1:] if line.strip()]

    term.wait(lambda: menu()[:2] == ["/save", "/save!"], "/save and /save! offered")


# -- 13. text from outside is shown literally ---------------------------------------------------------------


def test_markup_in_a_message_a_reply_a_title_and_a_server_error_is_shown_literally(server, spawn, env):
    server.enqueue(Reply(text=MARKUP), ErrorReply(400, message=f"refused: {MARKUP}"))
    term = spawn()
    term.say(MARKUP)
    term.replied(1)
    term.say("/history")
    row = term.wait_prompt(after=f"{PROMPT} /history")
    assert term.answer_to("/history", row)[2].endswith(MARKUP)
    term.say("again")
    term.wait_prompt(after="your message got no reply", typed="again")  # the message is back
    error = f"error: HTTP 400 invalid_request_error: refused: {MARKUP}"
    # what you typed, Claude's reply, the /history row, the server's error: literal
    assert [line for line in term.lines() if line.endswith(MARKUP)] == [
        f"{PROMPT} {MARKUP}", MARKUP, term.lines()[term.last_index(f"  {MARKUP}")], error]
    # and uncoloured, but for the error line (red, all of it)
    assert [line for line in red_rows(term, "[red]this[/red]") if not line.startswith("error:")] == []
    term.send("\x03\x04")  # clear the message that came back, then leave
    term.exit_status()

    with closing(Term(["-c"], chat_env(env))) as again:  # the message that got no reply comes back
        again.wait_prompt(after="its last message got no reply", typed="again")
        assert re.search(rf"continuing [0-9a-f]{{8}}: {re.escape(MARKUP)} \(1 reply\)", again.text())
        assert red_rows(again, "[red]this[/red]") == []
        assert "no reply was saved" not in again.text()  # the recap is the last exchange that had one


def test_history_list_and_show_on_a_terminal_show_a_title_literally_and_uncoloured(server, env):
    server.enqueue(Reply(text="It fails because of arr[i]."))
    assert run_cli(env, "ask", MARKUP).code == 0
    for args in (["history", "list"], ["history", "show", "last"]):
        with Terminal(args, env, width=160, height=20) as term:
            assert term.finish() == 0
            lines = [line for line in term.lines if MARKUP in line]
            assert lines, (args, term.lines)
            for y, line in enumerate(term.display):
                if MARKUP in line:
                    x = line.index(MARKUP)
                    colours = {term.screen.buffer[y][x + i].fg for i in range(len(MARKUP))}
                    assert "red" not in colours, (args, colours)


def test_a_tool_name_with_markup_titles_its_panel_literally(server, env):
    server.enqueue(Reply(text="Calling.", tool_use=[{"name": "[red]probe[/red]", "input": {"q": "x"}}]))
    with Terminal(["ask", "use the tool"], env, width=100, height=30) as term:
        term.finish()
        assert any("tool call: [red]probe[/red]" in line for line in term.lines), term.lines


def test_a_plain_chat_resumes_with_the_reply_as_it_came(server, spawn):
    server.enqueue(Reply(text="# Heading\n\nSome *emphasis* here."))
    whole_session(spawn, "render me")
    term = spawn("-c", NO_COLOR="1")
    lines = [line for line in term.lines()[:term.cursor_row()] if line]
    assert lines[2:5] == [f"{PROMPT} render me", "# Heading", "Some *emphasis* here."]  # after the
    # chat's first line and "continuing …"


def test_a_paused_reply_and_its_continuation_each_show_their_own_number(server, spawn):
    # each part is a reply of its own in the conversation: /expand N and /copy N count it
    server.enqueue(Reply(text="Searching…", stop_reason="pause_turn"), Reply(text="Found it."))
    term = spawn()
    term.say("look it up")
    term.replied(2)
    statuses = [line for line in term.lines() if line.startswith("#")]
    assert [s.split(" · ")[0] for s in statuses] == ["#1", "#2"]
    assert "pause_turn" in statuses[0] and "end_turn" in statuses[1]
    term.say("/show 1")
    row = term.wait_prompt(after=f"{PROMPT} /show 1")
    assert term.answer_to("/show 1", row)[:2] == [f"{PROMPT} look it up", "Searching…"]
