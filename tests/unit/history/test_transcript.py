"""transcript (and the title a conversation is listed under): what README.md's
History section says a reader sees.

Titles: the first line of the user's first message, shortened, with no API call;
the user's own words before the names of what was attached. `history show` on a
pipe and `history export --format md`: Markdown with a `## You` / `## Claude`
section per message, thinking as one line (`[thinking: 42 words, not shown]`),
attachments and tool calls one line each, an interrupted reply kept and marked.
`--format json`: `messages` exactly as the API takes them and, per message,
`turns` with its time, model, stop reason, usage and interrupted flag.
"""

from __future__ import annotations

import base64
import io
import json
from datetime import datetime
from typing import Any

import pytest
from rich.console import Console

from claudechat.attachments import text_document
from claudechat.conversation import TITLE_WIDTH, Conversation, RequestParams, Turn, title_of
from claudechat.history import transcript
from claudechat.history.store import Stored, Summary

T0 = 1_700_000_000.0
PNG_B64 = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(92)).decode("ascii")  # 100 bytes


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def document(name: str, body: str = "body\n") -> dict[str, Any]:
    """A text file as the chat and ask attach it (README: a clearly delimited document)."""
    return text_document(body, name).block


def titled(*content: dict[str, Any] | str) -> str:
    blocks = [text(c) if isinstance(c, str) else c for c in content]
    return title_of([Turn("user", blocks)])


# -- titles ------------------------------------------------------------------------------------


def test_the_title_is_the_first_line_with_words_of_the_first_user_message():
    assert titled("  \n\n   Hello   there  \nsecond line") == "Hello there"
    turns = [Turn("user", [text("first question")]), Turn("assistant", [text("an answer")]),
             Turn("user", [text("second question")])]
    assert title_of(turns) == "first question"
    assert title_of([]) == "(empty)"


def test_the_users_own_words_beat_the_names_of_attachments():
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG_B64}}
    assert titled(document("notes.txt"), image, "review this\nplease") == "review this"
    assert titled(image, document("notes.txt"), "  \n ") == "notes.txt, [image]"
    assert titled(document("a & b <c>.txt")) == "a & b <c>.txt"
    assert titled(image) == "[image]"


def test_titles_are_sanitised_to_one_plain_line():
    assert titled("\x1b[31mred\x1b[0m alert\x07\tnow") == "red alert now"
    assert titled(document("evil\x1b]0;owned\x07.txt")) == "evil.txt"
    assert titled(document("one\ntwo.txt")) == "one two.txt"


def test_long_titles_are_shortened_after_a_whole_word():
    title = titled("word " * 30)
    assert title.endswith("…") and len(title) <= TITLE_WIDTH
    assert set(title[:-1].split(" ")) == {"word"}  # only whole words before the ellipsis
    assert len(title) > TITLE_WIDTH - len("word ") - 1  # as many words as fit
    unbroken = titled("x" * 200)
    assert unbroken == "x" * (TITLE_WIDTH - 1) + "…"  # no word ends: cut at the width
    assert titled("short enough") == "short enough"


# -- notes: every block that is not plain text is one line -------------------------------------


@pytest.mark.parametrize(("block", "note"), [
    (text("plain words"), None),
    ({"type": "thinking", "thinking": "Let me count these five words.", "signature": "s"},
     "[thinking: 6 words, not shown]"),
    ({"type": "thinking", "thinking": "", "signature": "s"}, "[thinking, not shown]"),
    ({"type": "redacted_thinking", "data": "opaque"}, "[redacted thinking]"),
    ({"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG_B64}},
     "[image: image/png, 100 bytes]"),
    ({"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}},
     "[image: https://example.com/a.png]"),
    ({"type": "document", "title": "paper", "source": {
        "type": "base64", "media_type": "application/pdf",
        "data": base64.b64encode(bytes(1536)).decode()}},
     "[document: paper (application/pdf, 1.5 KB)]"),
    ({"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "nine char"}},
     "[document: text, 9 characters]"),
    ({"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}},
     '[tool call get_weather: {"city": "Paris"}]'),
    ({"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "kites"}},
     '[tool call web_search: {"query": "kites"}]'),
    ({"type": "tool_result", "tool_use_id": "toolu_1", "content": "sunny"},
     "[tool result for toolu_1]"),
    ({"type": "tool_result", "tool_use_id": "toolu_2", "content": "no such city", "is_error": True},
     "[tool result for toolu_2 (error)]"),
    ({"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1",
      "content": [{"type": "web_search_result"}, {"type": "web_search_result"}]},
     "[web search: 2 results]"),
    ({"type": "container_upload", "file_id": "f"}, "[container_upload]"),
], ids=lambda value: value.get("type") if isinstance(value, dict) else None)
def test_each_block_kind_has_a_one_line_note(block, note):
    assert transcript.note(block) == note


def test_a_long_tool_call_is_cut_to_one_short_line():
    note = transcript.note({"type": "tool_use", "id": "t", "name": "write",
                            "input": {"text": "line\n" * 500}})
    assert note.startswith('[tool call write: {"text": "line\\nline') and note.endswith("…]")
    assert "\n" not in note and len(note) < 260


# -- a whole conversation: an interrupted reply, then a question with no reply ------------------

THINKING = {"type": "thinking", "thinking": "Compare the tenths first.", "signature": "sig"}
IMAGE = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG_B64}}
USAGE = {"input_tokens": 12, "output_tokens": 7}


def turns() -> list[Turn]:
    return [
        Turn("user", [IMAGE, text("Which is larger, 9.11 or 9.9?")]),
        Turn("assistant", [THINKING, text("**9.9** is larger.")], usage=USAGE, stop_reason="end_turn",
             model="claude-x-20250101"),
        Turn("user", [text("Explain why.")]),
        Turn("assistant", [text("Because 0.9 is")], usage=USAGE, model="claude-x-20250101",
             interrupted=True),
        Turn("user", [text("Go on?")]),
    ]


def stored() -> Stored:
    summary = Summary("0123456789ab", "Which is larger, 9.11 or 9.9?", T0, T0 + 40, "work", "claude-x", 5)
    return Stored(summary, system="Answer briefly.", settings={"max_tokens": 1000}, turns=turns(),
                  times=[T0, T0 + 10, T0 + 20, T0 + 30, T0 + 40])


BODY = """## System

Answer briefly.

## You

[image: image/png, 100 bytes]

Which is larger, 9.11 or 9.9?

## Claude

[thinking: 4 words, not shown]

**9.9** is larger.

## You

Explain why.

## Claude

Because 0.9 is

*(interrupted: the reply stopped here; what arrived is kept)*

## You

Go on?

*(no reply was saved)*
"""


def test_markdown_of_a_stored_conversation():
    started = datetime.fromtimestamp(T0).strftime("%Y-%m-%d %H:%M")
    assert transcript.markdown(stored()) == (
        "# Which is larger, 9.11 or 9.9?\n\n"
        f"0123456789ab · claude-x · profile work · started {started} · 5 messages\n\n" + BODY
        # claude-x is no model of docs/API-2026.md §1: no price, rather than a neighbour's
        + "\n---\n\ntotal: — (no price known for a model of this conversation)\n")


def test_markdown_of_a_live_conversation_is_the_same_transcript():
    """The chat's /save PATH.md: what only the history knows (id, profile, start) is left out."""
    conversation = Conversation(RequestParams(model="claude-x", max_tokens=1000),
                                system="Answer briefly.", turns=turns())
    assert transcript.markdown(conversation) == (
        "# Which is larger, 9.11 or 9.9?\n\nclaude-x · 5 messages\n\n" + BODY)


def hostile() -> Stored:
    """stored() with an escape sequence in every text that came from outside: each one alone
    (a sequence split between two of them must not swallow the transcript's own text)."""
    conversation = stored()
    # sanitising the page at once, the title's OSC would run on to the profile's BEL, header and all
    conversation.summary = Summary("0123456789ab", "Which\x1b]0;t", T0, T0 + 40, "wo\x07rk", "claude-x", 5)
    conversation.system = "Answer\x1b]52;c;aGk=\x07 briefly."
    conversation.turns[1].content = [THINKING, text("**9.9**\x9b2J is larger.")]
    conversation.turns[2].content = [text("Explain\x1b]8;;https://evil.example\x1b\\ why.")]
    return conversation


def test_markdown_for_a_terminal_sanitises_each_text_from_outside_and_a_file_keeps_it():
    started = datetime.fromtimestamp(T0).strftime("%Y-%m-%d %H:%M")
    shown = transcript.markdown(hostile(), terminal=True)
    assert shown == (  # what markdown(stored()) is, less the sequences
        "# Which0;t\n\n"  # an OSC never ended in the title: its ESC goes, not the header below
        f"0123456789ab · claude-x · profile work · started {started} · 5 messages\n\n"
        + BODY
        + "\n---\n\ntotal: — (no price known for a model of this conversation)\n")
    raw = transcript.markdown(hostile())
    assert "Answer\x1b]52;c;aGk=\x07 briefly." in raw and "**9.9**\x9b2J is larger." in raw
    assert "# Which\x1b]0;t\n" in raw and "claude-x · profile wo\x07rk" in raw


def test_json_holds_the_messages_as_the_api_takes_them_and_what_it_returned():
    data = json.loads(json.dumps(transcript.as_json(stored()), ensure_ascii=False))
    assert {k: data[k] for k in ("id", "title", "profile", "model", "system", "settings")} == {
        "id": "0123456789ab", "title": "Which is larger, 9.11 or 9.9?", "profile": "work",
        "model": "claude-x", "system": "Answer briefly.", "settings": {"max_tokens": 1000}}
    assert data["messages"] == [
        {"role": "user", "content": [IMAGE, text("Which is larger, 9.11 or 9.9?")]},
        {"role": "assistant", "content": [THINKING, text("**9.9** is larger.")]},
        {"role": "user", "content": [text("Explain why.")]},
        {"role": "assistant", "content": [text("Because 0.9 is")]},
        {"role": "user", "content": [text("Go on?")]},
    ]
    assert [(t["model"], t["stop_reason"], t["usage"], t["interrupted"]) for t in data["turns"]] == [
        (None, None, None, False),
        ("claude-x-20250101", "end_turn", USAGE, False),
        (None, None, None, False),
        ("claude-x-20250101", None, USAGE, True),
        (None, None, None, False),
    ]
    times = [data["created"], data["updated"], *(t["created"] for t in data["turns"])]
    parsed = [datetime.fromisoformat(when) for when in times]
    assert all(when.tzinfo is not None for when in parsed)  # ISO 8601 with the UTC offset
    assert [when.timestamp() for when in parsed] == [T0, T0 + 40, T0, T0 + 10, T0 + 20, T0 + 30, T0 + 40]


def test_on_a_terminal_claudes_markdown_is_rendered_and_nothing_escapes():
    conversation = stored()
    conversation.turns[2].content = [text("Explain \x1b]52;c;cHduZWQ=\x07why.")]
    out = io.StringIO()
    transcript.show_rich(conversation, Console(file=out, width=100, color_system=None))
    shown = out.getvalue()
    assert "\x1b" not in shown and "\x07" not in shown
    lines = [line.strip() for line in shown.splitlines() if line.strip()]
    assert lines[0] == "Which is larger, 9.11 or 9.9?"
    assert [line for line in lines if line in ("System", "You", "Claude")] == [
        "System", "You", "Claude", "You", "Claude", "You"]
    assert "9.9 is larger." in lines and "**9.9** is larger." not in shown  # rendered, not raw
    assert "Explain why." in lines
    assert "[thinking: 4 words, not shown]" in lines and "[image: image/png, 100 bytes]" in lines
    assert lines[-2].startswith("(no reply") and any("interrupted" in line for line in lines)
    assert lines[-1] == "total: — (no price known for a model of this conversation)"
