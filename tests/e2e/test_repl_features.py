"""REPL features end to end: the real `claudechat` on a pseudo-terminal against the fake server.

/expand, /detach, /new, /history and /load, /save, /tokens, the toolbar, input history across
runs (Up, Ctrl-R, suggestions), vi editing mode and Tab completion. What the user sees is read
through pyte; what the server received from its request log. Synchronisation is on visible text.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

from helpers.fake_server import FakeServer, Reply
from helpers.images import png
from helpers.pty_terminal import PROMPT, Term, whole_session
from helpers.received import assistant, plain, posts, texts, user, wait_for_bodies


def finish(term: Term, n: int) -> int:
    """Wait for the n-th finished reply of this session and the prompt under it; its row."""
    term.wait(lambda: term.text().count("end_turn") >= n, f"reply {n}")
    return term.wait_prompt(after="end_turn")


def wait_line(term: Term, typed: str) -> None:
    """Wait until the line the cursor is on is the prompt with exactly `typed` in it."""
    want = f"{PROMPT} {typed}".rstrip()
    term.wait(lambda: term.lines()[term.cursor_row()] == want, repr(want))


def said(term: Term, typed: str, row: int) -> list[str]:
    """The non-blank lines between the prompt line `› typed` and `row`."""
    return [line for line in term.between(f"{PROMPT} {typed}", row) if line]


# -- /expand ------------------------------------------------------------------------------------------

THOUGHT = ["First I weigh the question about kites.", "Then the wind speed matters most.",
           "So the answer is: fly it at dawn."]


def test_expand_shows_the_whole_thinking_of_the_last_reply(server, spawn):
    server.enqueue(Reply(thinking="\n".join(THOUGHT), text="Fly it at dawn."))
    term = spawn()
    term.say("When should I fly a kite?")
    row = finish(term, 1)
    shown = "\n".join(term.lines()[:row])
    assert "Fly it at dawn." in shown
    assert "Thought for" in shown  # collapsed to one line...
    assert not any(line in shown for line in THOUGHT)  # ...so the thinking text is not there
    term.say("/expand")
    row = term.wait_prompt(after=THOUGHT[-1])
    panel = term.between(f"{PROMPT} /expand", row)
    assert "Thinking" in panel[0]
    for line in THOUGHT:
        assert sum(line in shown_line for shown_line in panel) == 1, (line, panel)
    assert len(posts(server)) == 1  # /expand sends nothing


def test_expand_n_picks_the_reply_and_says_when_there_is_no_thinking(server, spawn):
    server.enqueue(Reply(thinking="The plan for reply one.", text="Reply one."),
                   Reply(text="Reply two, no thinking."))
    term = spawn()
    term.say("one")
    finish(term, 1)
    term.say("two")
    finish(term, 2)
    term.say("/expand")
    row = term.wait_prompt(after="/expand")
    assert said(term, "/expand", row) == ["that reply has no thinking text and no tool results"]
    term.say("/expand 1")
    row = term.wait_prompt(after="The plan for reply one.")
    assert any("The plan for reply one." in line for line in term.between(f"{PROMPT} /expand 1", row))
    term.say("/expand 3")
    row = term.wait_prompt(after="/expand 3")
    assert said(term, "/expand 3", row) == ["no reply 3 (there are 2)"]


# -- /detach -------------------------------------------------------------------------------------------


def _images(message: dict) -> list[dict]:
    return [b for b in message["content"] if b.get("type") == "image"]


def test_detach_n_drops_one_attachment_and_detach_drops_them_all(server, spawn, tmp_path):
    pictures = [tmp_path / f"p{n}.png" for n in range(4)]
    for n, picture in enumerate(pictures):
        picture.write_bytes(png(n + 1, 1))
    term = spawn()
    term.say(f"/image {pictures[0]}")
    term.wait_prompt(after=f"attached {pictures[0]}")
    term.say(f"/image {pictures[1]}")
    term.wait_prompt(after=f"attached {pictures[1]}")
    term.say("/detach 1")
    row = term.wait_prompt(after=f"{PROMPT} /detach 1")
    # what it said, then the pending list above the prompt: only the second picture is left
    assert said(term, "/detach 1", row) == [f"dropped {pictures[0]}", f"📎 #1 {pictures[1]}"]
    term.say("two pictures minus one")
    finish(term, 1)
    content = wait_for_bodies(server, 1)[0]["messages"][-1]["content"]
    assert [b["type"] for b in content] == ["image", "text"]
    assert base64.b64decode(content[0]["source"]["data"]) == pictures[1].read_bytes()

    term.say(f"/image {pictures[2]}")
    term.wait_prompt(after=f"attached {pictures[2]}")
    term.say(f"/image {pictures[3]}")
    term.wait_prompt(after=f"attached {pictures[3]}")
    term.say("/detach")
    row = term.wait_prompt(after="all attachments dropped")
    assert term.lines()[row - 1] == "all attachments dropped"  # no pending list any more
    term.say("/detach")
    row = term.wait_prompt(after="nothing is attached")
    assert term.lines()[row - 1] == "nothing is attached"
    term.say("no pictures now")
    finish(term, 2)
    messages = wait_for_bodies(server, 2)[1]["messages"]
    assert _images(messages[-1]) == [] and texts(messages[-1]) == ["no pictures now"]
    assert len(_images(messages[0])) == 1  # the first message keeps its one picture
    assert len(posts(server)) == 2


def test_detach_a_number_out_of_range_keeps_the_attachments(server, spawn, tmp_path):
    picture = tmp_path / "only.png"
    picture.write_bytes(png(2, 2))
    term = spawn()
    term.say(f"/image {picture}")
    term.wait_prompt(after=f"attached {picture}")
    term.say("/detach 2")
    row = term.wait_prompt(after=f"{PROMPT} /detach 2")
    assert said(term, "/detach 2", row) == ["no attachment 2 (there is 1)", f"📎 #1 {picture}"]
    term.say("still attached?")
    finish(term, 1)
    assert len(_images(wait_for_bodies(server, 1)[0]["messages"][-1])) == 1


# -- /new ----------------------------------------------------------------------------------------------


def test_new_starts_an_empty_conversation_with_the_same_settings(server, spawn):
    server.enqueue(Reply(text="Old answer."), Reply(text="Fresh answer."))
    term = spawn()
    term.say("/system Answer in French.")
    term.wait_prompt(after="system prompt set")
    term.say("/model claude-haiku-4-5")  # the default model takes no temperature (README, Models)
    term.wait_prompt(after="model: claude-haiku-4-5")
    term.say("/set temperature 0.3")
    term.wait_prompt(after="temperature = 0.3")
    term.say("old question")
    finish(term, 1)
    term.say("/new")
    term.wait_prompt(after="new conversation")
    term.say("fresh question")
    finish(term, 2)

    old, fresh = wait_for_bodies(server, 2)
    assert plain(old["messages"]) == [user("old question")]
    assert plain(fresh["messages"]) == [user("fresh question")]
    assert fresh["temperature"] == 0.3
    assert fresh["model"] == "claude-haiku-4-5"
    assert "Answer in French." in json.dumps(fresh.get("system"))


# -- /history and /load ----------------------------------------------------------------------------------


HISTORY_ROW = re.compile(r"^([0-9a-f]{8})\s+(\d{4}-\d\d-\d\d \d\d:\d\d)\s+(\d+)\s+(.*)$")


def _history_rows(term: Term, row: int) -> list[re.Match[str]]:
    """The conversations /history listed above `row`: (id prefix, updated, replies, title)."""
    return [m for line in term.between(f"{PROMPT} /history", row) if (m := HISTORY_ROW.match(line))]


def _history_ids(term: Term, row: int) -> dict[str, str]:
    """title -> id prefix, from the /history lines above `row`."""
    return {m.group(4): m.group(1) for m in _history_rows(term, row)}


def test_history_lists_conversations_and_load_continues_one(server, spawn):
    server.enqueue(Reply(text="Answer about apples."), Reply(text="Answer about bananas."),
                   Reply(text="More on apples."))
    term = spawn()
    term.say("tell me about apples")
    finish(term, 1)
    term.say("/new")
    term.wait_prompt(after="new conversation")
    term.say("tell me about bananas")
    finish(term, 2)
    term.say("/history")
    row = term.wait_prompt(after=f"{PROMPT} /history")
    listed = _history_rows(term, row)
    assert [m.group(4) for m in listed] == ["tell me about bananas", "tell me about apples"]  # newest first
    assert [m.group(3) for m in listed] == ["1", "1"]  # one reply each
    ids = _history_ids(term, row)
    assert set(ids) == {"tell me about apples", "tell me about bananas"}

    term.say(f"/load {ids['tell me about apples']}")
    term.wait_prompt(after=f"loaded {ids['tell me about apples']}")
    term.say("and green ones?")
    term.wait_prompt(after="More on apples.")
    assert plain(wait_for_bodies(server, 3)[2]["messages"]) == [
        user("tell me about apples"), assistant("Answer about apples."), user("and green ones?"),
    ]
    # the loaded conversation grew: no third one was started
    term.say("/load nothing-like-an-id")
    row = term.wait_prompt(after=f"{PROMPT} /load nothing-like-an-id")
    assert len(said(term, "/load nothing-like-an-id", row)) == 1
    term.send("/history\r")
    term.wait(lambda: term.text().count(f"{PROMPT} /history") == 2, "the second /history")
    row = term.wait_prompt(after=f"{PROMPT} /history")
    listed = _history_rows(term, row)
    assert len(listed) == 2
    assert listed[0].group(4) == "tell me about apples" and listed[0].group(3) == "2"


def test_load_last_in_a_new_session_continues_the_latest_conversation(server, spawn):
    server.enqueue(Reply(text="Noted the colour."), Reply(text="It was teal."))
    term = spawn()
    term.say("my colour is teal")
    finish(term, 1)
    term.send("\x04")
    assert term.exit_status() == 0

    again = spawn()
    again.say("/load last")
    again.wait_prompt(after="loaded")
    again.say("what was my colour?")
    again.wait_prompt(after="It was teal.")
    assert plain(wait_for_bodies(server, 2)[1]["messages"]) == [
        user("my colour is teal"), assistant("Noted the colour."), user("what was my colour?"),
    ]


def test_history_and_load_still_read_in_a_no_save_chat(server, spawn):
    # README: --no-save keeps the exchange out of the history; reading works either way
    server.enqueue(Reply(text="Saved answer."), Reply(text="Read back."))
    whole_session(spawn, "a saved question")
    term = spawn("--no-save")
    term.say("/history")
    row = term.wait_prompt(after=f"{PROMPT} /history")
    listed = _history_rows(term, row)
    assert [m.group(4) for m in listed] == ["a saved question"]
    term.say("/load last")
    term.wait_prompt(after=f"{PROMPT} /load last")
    term.say("and now?")
    finish(term, 1)
    assert plain(wait_for_bodies(server, 2)[1]["messages"]) == [
        user("a saved question"), assistant("Saved answer."), user("and now?"),
    ]
    term.send("/history\r")
    term.wait(lambda: term.text().count(f"{PROMPT} /history") == 2, "the second /history")
    row = term.wait_prompt(after=f"{PROMPT} /history")
    listed = _history_rows(term, row)
    assert [m.group(3) for m in listed] == ["1"]  # the new exchange was not saved


# -- /save -------------------------------------------------------------------------------------------------


def test_save_writes_markdown_and_json(server, spawn, tmp_path):
    server.enqueue(Reply(thinking="Two and two make four.", text="The **answer** is 4."))
    term = spawn("-s", "Be exact.")
    term.say("What is 2 + 2?")
    finish(term, 1)
    md, js = tmp_path / "chat.md", tmp_path / "chat.json"
    term.say(f"/save {md}")
    term.wait_prompt(after=f"saved to {md}")
    term.say(f"/save {js}")
    term.wait_prompt(after=f"saved to {js}")

    # The same Markdown as `claudechat history export` (the title, the model and the message
    # count; thinking as one line), without what only a saved conversation has (id, start time).
    model = wait_for_bodies(server, 1)[0]["model"]
    assert md.read_text("utf-8") == (
        f"# What is 2 + 2?\n\n{model} · 2 messages\n\n## System\n\nBe exact.\n\n"
        "## You\n\nWhat is 2 + 2?\n\n"
        "## Claude\n\n[thinking: 5 words, not shown]\n\nThe **answer** is 4.\n")

    data = json.loads(js.read_text("utf-8"))
    assert data["system"] == "Be exact."
    turns = data["turns"]
    assert [t["role"] for t in turns] == ["user", "assistant"]
    thinking, *answer = turns[1]["content"]  # /save .json keeps every block
    assert (thinking["type"], thinking["thinking"]) == ("thinking", "Two and two make four.")
    assert plain([turns[0], {"role": "assistant", "content": answer}]) == [
        user("What is 2 + 2?"), assistant("The **answer** is 4."),
    ]
    assert len(posts(server)) == 1
    term.say(f"/save {tmp_path / 'missing' / 'chat.md'}")
    row = term.wait_prompt(after=f"{PROMPT} /save {tmp_path / 'missing'}")
    refusal = " ".join(said(term, f"/save {tmp_path / 'missing' / 'chat.md'}", row))  # may wrap
    assert refusal == f"{tmp_path / 'missing' / 'chat.md'}: cannot write it (No such file or directory)"


# -- /tokens -----------------------------------------------------------------------------------------------


def _count_requests(server: FakeServer) -> list[dict]:
    return [r.json for r in server.requests if r.path == "/v1/messages/count_tokens"]


def test_tokens_shows_the_servers_count_for_the_conversation(server, spawn):
    system = "You measure things."
    question, answer = "How long is a piece of string, exactly?", "Twice the distance from the middle."
    server.enqueue(Reply(text=answer))
    term = spawn("-s", system)
    term.say("/tokens")
    row = term.wait_prompt(after=f"{PROMPT} /tokens")
    assert said(term, "/tokens", row) == ["the conversation is empty"]
    term.say(question)
    finish(term, 1)
    term.say("/tokens")
    row = term.wait_prompt(after="input tokens in the next request")
    expected = (len(system) + len(question) + len(answer)) // 4 + 1  # the fake server: characters // 4 + 1
    # priced at Sonnet 5.5's $2 per million input tokens (docs/API-2026.md §1a): 24 x $2 = $0.000048
    assert expected == 24
    assert said(term, "/tokens", row) == [
        "24 input tokens in the next request, before your message · $0.000048 uncached"]
    counted = _count_requests(server)
    assert len(counted) == 1
    assert plain(counted[0]["messages"]) == [user(question), assistant(answer)]
    assert system in json.dumps(counted[0].get("system"))
    assert len(posts(server)) == 1


def test_tokens_counts_what_is_attached_to_the_next_message_too(server, spawn, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("a" * 400, "utf-8")
    server.enqueue(Reply(text="Seen."))
    term = spawn()
    term.say("hello")
    finish(term, 1)
    term.say(f"/file {notes}")
    term.wait_prompt(after="notes.txt")
    term.say("/tokens")
    row = term.wait_prompt(after="input tokens in the next request")
    line = " ".join(said(term, "/tokens", row))  # one line, wrapped on the screen
    assert "input tokens in the next request (with 1 attached)" in line
    [counted] = _count_requests(server)
    sent = counted["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]  # the attachment: the next turn
    assert "a" * 400 in json.dumps(sent[2]["content"])
    assert len(posts(server)) == 1  # counted, not sent


def test_an_attachment_over_confirm_tokens_is_sent_only_after_a_yes(server, config, env, spawn, tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("word " * 2000, "utf-8")  # 10,000 characters: about 2,500 tokens
    server.enqueue(Reply(text="Read it."))
    term = spawn(CLAUDECHAT_CONFIG=config(env, "confirm_tokens = 1000\n")["CLAUDECHAT_CONFIG"])
    term.say(f"/file {big}")
    term.wait_prompt(after="big.txt")
    term.say("summarise it")
    term.wait_text("Send it? [y/N]")
    assert "big.txt is about 2,5" in term.text()
    term.say("n")
    term.wait_prompt(after="nothing sent", typed="summarise it")  # the message comes back
    assert len(posts(server)) == 0
    term.say("")  # sent again: asked again
    term.wait(lambda: term.text().count("Send it? [y/N]") == 2, "the second question")
    term.say("y")
    term.wait_prompt(after="Read it.")
    [body] = wait_for_bodies(server, 1)
    assert "word word" in json.dumps(body["messages"][0]["content"]) and "summarise it" in json.dumps(body)


# -- the toolbar -------------------------------------------------------------------------------------------


def _toolbar(term: Term) -> str:
    return next((line for line in reversed(term.screen.display) if "anthropic" in line), "")  # the
    # bottom line: the chat's first line names the profile too


def test_toolbar_shows_tokens_used_and_pending_attachments(server, spawn, tmp_path):
    server.enqueue(Reply(text="Counted.", usage={"input_tokens": 1200, "output_tokens": 34,
                                                  "cache_read_input_tokens": 5000}))
    picture = tmp_path / "pic.png"
    picture.write_bytes(png(2, 2))
    term = spawn(answer_cpr=True, PROMPT_TOOLKIT_NO_CPR=None)
    term.wait(lambda: " 0 tokens" in _toolbar(term), "the toolbar with 0 tokens")
    assert "attached" not in _toolbar(term)
    term.say("count me")
    term.wait(lambda: "6,234 tokens" in _toolbar(term), "6,234 tokens in the toolbar")
    term.say(f"/image {picture}")
    term.wait(lambda: "1 attached" in _toolbar(term), "1 attached in the toolbar")
    term.say(f"/file {picture}")
    term.wait(lambda: "2 attached" in _toolbar(term), "2 attached in the toolbar")
    term.say("/detach 2")
    term.wait(lambda: "1 attached" in _toolbar(term), "back to 1 attached")
    term.say("/detach")
    term.wait(lambda: "all attachments dropped" in term.text()
              and _toolbar(term).rstrip().endswith("· 6,234 tokens · $0.0037"),
              "no attachments in the toolbar")
    # Sonnet 5.5 (§1a, §4): 1,200 x $2 + 5,000 x $0.20 read + 34 x $10 = $3,740 per million
    term.say("/new")  # the count is the conversation's
    term.wait(lambda: " 0 tokens" in _toolbar(term), "0 tokens after /new")


# -- input history across runs ---------------------------------------------------------------------------


def test_up_in_a_new_session_brings_back_the_last_session_input(server, spawn, env):
    whole_session(spawn, "the giraffe is tall", "the otter swims")
    kept = [f for f in Path(env["XDG_STATE_HOME"]).rglob("*") if f.is_file()]  # the user state directory
    assert any("the otter swims" in f.read_text("utf-8", "replace") for f in kept), kept
    term = spawn()
    term.send("\x1b[A")  # Up
    wait_line(term, "the otter swims")
    term.send("\x1b[A")
    wait_line(term, "the giraffe is tall")
    term.send("\r")
    finish(term, 1)
    assert texts(wait_for_bodies(server, 3)[2]["messages"][-1]) == ["the giraffe is tall"]


def _search_giraffe(spawn) -> Term:
    """A second session, after a first that typed two lines; Ctrl-R `gira` finds the older one."""
    whole_session(spawn, "the giraffe is tall", "the otter swims")
    term = spawn()
    term.send("\x12")  # Ctrl-R
    term.send("gira")
    term.wait(lambda: "I-search backward: gira" in term.text()
              and term.lines()[1] == f"{PROMPT} the giraffe is tall", "the search and its match")
    return term


def test_ctrl_r_finds_an_input_from_an_earlier_session(server, spawn):
    term = _search_giraffe(spawn)
    term.send("\x1b")  # Esc ends the search, keeping the match in the line
    term.wait(lambda: "I-search" not in term.text(), "the end of the search")
    wait_line(term, "the giraffe is tall")
    term.send("\r")
    finish(term, 1)
    assert texts(wait_for_bodies(server, 3)[2]["messages"][-1]) == ["the giraffe is tall"]


def test_enter_during_ctrl_r_accepts_the_match(server, spawn):
    term = _search_giraffe(spawn)
    term.send("\r")
    term.wait(lambda: "I-search" not in term.text(), "the end of the search", timeout=5)
    wait_line(term, "the giraffe is tall")
    term.send("\r")
    finish(term, 1)
    assert texts(wait_for_bodies(server, 3)[2]["messages"][-1]) == ["the giraffe is tall"]


def test_suggestion_from_history_and_right_arrow_accepts_it(server, spawn):
    whole_session(spawn, "please summarise the meeting notes")
    term = spawn()
    term.send("please sum")
    wait_line(term, "please summarise the meeting notes")  # the suggestion shows
    row = term.cursor_row() - len(term.screen.history.top)
    line = term.screen.buffer[row]
    typed_colour = line[2].fg
    suggested = [line[x].fg for x in range(2 + len("please sum"), 2 + len("please summarise"))]
    assert all(fg != typed_colour for fg in suggested)  # greyed, not typed
    assert term.screen.cursor.x == 2 + len("please sum")
    term.send("\x1b[C")  # Right
    term.wait(lambda: term.screen.cursor.x == 2 + len("please summarise the meeting notes"),
              "the cursor at the end of the accepted suggestion")
    term.send("\r")
    finish(term, 1)
    assert texts(wait_for_bodies(server, 2)[1]["messages"][-1]) == ["please summarise the meeting notes"]


# -- vi editing mode ---------------------------------------------------------------------------------------


def test_vi_editing_mode_from_the_config_file(server, spawn, tmp_path):
    config = tmp_path / "vi.toml"
    config.write_text('editing_mode = "vi"\n', "utf-8")
    term = spawn(CLAUDECHAT_CONFIG=str(config))
    term.send("Xhello world")
    wait_line(term, "Xhello world")
    end = term.screen.cursor.x
    term.send("\x1b")  # Esc: normal mode, the cursor steps back onto the last character
    term.wait(lambda: term.screen.cursor.x == end - 1, "normal mode")
    term.send("0")
    term.wait(lambda: term.screen.cursor.x == 2, "the cursor at the start")
    term.send("x")
    wait_line(term, "hello world")
    term.send("A")
    term.send("!")
    wait_line(term, "hello world!")
    term.send("\r")
    finish(term, 1)
    assert texts(wait_for_bodies(server, 1)[0]["messages"][-1]) == ["hello world!"]


def test_emacs_mode_is_the_default(server, spawn):
    term = spawn()
    term.send("hello world")
    wait_line(term, "hello world")
    term.send("\x01")  # Ctrl-A: start of line in emacs mode
    term.wait(lambda: term.screen.cursor.x == 2, "the cursor at the start")
    term.send("X")
    wait_line(term, "Xhello world")


# -- completion --------------------------------------------------------------------------------------------


def test_tab_completes_a_command(server, spawn):
    term = spawn()
    term.send("/mo\t")
    wait_line(term, "/model")
    term.send(" claude-opus-4-7\r")
    term.wait_prompt(after="model: claude-opus-4-7")
    term.send("/hist\t")
    wait_line(term, "/history")
    assert len(posts(server)) == 0


def _menu(term: Term) -> list[str]:
    """The model ids on the screen below the input line (the completion menu)."""
    below = term.screen.display[term.screen.cursor.y + 1:]
    return [m for line in below for m in re.findall(r"claude-[a-z0-9-]+", line)]


def test_tab_after_model_offers_the_servers_models(server, spawn):
    server.models = server.models[:3]  # the 2026 line-up is longer than the menu shows at once
    term = spawn()
    term.send("/model \t")
    served = sorted(m["id"] for m in server.models)
    term.wait(lambda: sorted(_menu(term)) == served, f"the menu {served}")
    assert any(r.method == "GET" and r.path == "/v1/models" for r in server.requests)
    term.send("\t")  # the first one is chosen...
    wait_line(term, f"/model {_menu(term)[0]}")
    chosen = _menu(term)[0]
    term.send("\r")  # ...Enter takes it and closes the menu, sending nothing
    term.wait(lambda: _menu(term) == [], "the menu closed")
    wait_line(term, f"/model {chosen}")
    term.send("\r")
    term.wait_prompt(after=f"model: {chosen}")
    term.say("hi")
    finish(term, 1)
    assert wait_for_bodies(server, 1)[0]["model"] == chosen


def test_tab_completes_paths_after_image_and_at(server, spawn, tmp_path):
    picture = tmp_path / "zebra-stripes.png"
    picture.write_bytes(png(2, 2))
    term = spawn()
    term.send(f"/image {tmp_path}/zeb\t")
    wait_line(term, f"/image {picture}")
    term.send("\r")
    term.wait_prompt(after=f"attached {picture}")
    term.send(f"and @{tmp_path}/zeb\t")
    wait_line(term, f"and @{picture}")
    term.send("\r")
    finish(term, 1)
    content = wait_for_bodies(server, 1)[0]["messages"][-1]["content"]
    assert [b["type"] for b in content] == ["image", "image", "text"]

