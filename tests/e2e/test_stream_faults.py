"""A stream that breaks the rules, through the real CLI (`claudechat ask`, piped, the
history on) against servers in the tests that send these exact bytes: the fake server's
RawSSE (the bytes written here, sent verbatim) and, for a line that never ends,
helpers/endless.py (which generates it).

Each case: the user sees the text that arrived and one line on stderr that says what
was wrong (the event and the field), the exit code of a broken stream (1), the partial
reply is in `history show`, and the next request works (continuing sends the partial
reply back). The shapes are those of docs/PROTOCOL.md ("Streaming", "POST
/v1/chat/completions") and docs/API-2026.md §9; the README section "A stream that
breaks the rules" says what the user gets.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import CLI, KEY, TOKEN, Result, run_cli, stacks
from helpers.endless import MB, EndlessServer
from helpers.fake_server import FakeServer, RawSSE, Reply
from helpers.received import posts, text_of
from helpers.streams import sse

ARRIVED = "What arrived"
MESSAGE = {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-5-5",
           "content": [], "stop_reason": None, "stop_sequence": None,
           "usage": {"input_tokens": 3, "output_tokens": 1}}
HEAD = sse(("message_start", {"type": "message_start", "message": MESSAGE}),
           ("content_block_start", {"type": "content_block_start", "index": 0,
                                    "content_block": {"type": "text", "text": ""}}),
           ("content_block_delta", {"type": "content_block_delta", "index": 0,
                                    "delta": {"type": "text_delta", "text": ARRIVED}}))
TAIL = sse(("content_block_stop", {"type": "content_block_stop", "index": 0}),
           ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn",
                                                                 "stop_sequence": None},
                              "usage": {"output_tokens": 5}}),
           ("message_stop", {"type": "message_stop"}))
INTERRUPTED = "*(interrupted: the reply stopped here; what arrived is kept)*"


def ask(env: dict[str, str], *args: str) -> Result:
    return run_cli(env, "ask", *args, timeout=60)


def broken(result: Result, out: bytes, secret: str = KEY) -> str:
    """The one stderr line of a stream that broke (exit 1, no traceback, `out` on stdout)."""
    assert result.code == 1, result
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    assert len(result.err_lines) == 1, result.err
    assert result.out == out, result
    assert secret not in result.err
    return result.err_lines[0]


def shown(env: dict[str, str]) -> str:
    """`history show last` on a pipe: the stored transcript."""
    result = run_cli(env, "history", "show", "last")
    assert result.code == 0, result
    return result.out.decode()


def claude_section(transcript: str) -> str:
    assert "## Claude" in transcript, transcript
    return transcript.split("## Claude", 1)[1].split("\n---\n", 1)[0]


def next_request_works(env: dict[str, str], server: FakeServer, sent_back: str, *args: str) -> None:
    """`ask -c` succeeds on the same server, sending the kept partial reply back."""
    server.enqueue(Reply(text="Fine again."))
    result = ask(env, *args, "-c", "again")
    assert (result.code, result.out, result.err) == (0, b"Fine again.\n", ""), result
    body = posts(server, "/v1/chat/completions" if "ace" in args else "/v1/messages")[-1].json
    replies = [text_of(m["content"]) for m in body["messages"] if m["role"] == "assistant"]
    assert replies == [sent_back]


def delta(d: Any, index: Any = 0) -> tuple[str, dict[str, Any]]:
    return ("content_block_delta", {"type": "content_block_delta", "index": index, "delta": d})


# (id, the bad event, what the line says: the event and the field)
MALFORMED = [
    ("text-is-a-number", delta({"type": "text_delta", "text": 42}),
     "malformed content_block_delta event (delta.text is an integer, not a string)"),
    ("delta-is-a-string", delta("more text"),
     "malformed content_block_delta event (delta is a string, not an object)"),
    ("message-delta-is-a-string", ("message_delta", {"type": "message_delta", "delta": "end_turn",
                                                     "usage": {"output_tokens": 5}}),
     "malformed message_delta event (delta is a string, not an object)"),
    ("index-missing", ("content_block_delta", {"type": "content_block_delta",
                                               "delta": {"type": "text_delta", "text": "x"}}),
     "malformed content_block_delta event (index is missing)"),
    ("index-a-string", delta({"type": "text_delta", "text": "x"}, index="0"),
     "malformed content_block_delta event (index is a string, not an integer)"),
    ("index-never-started", delta({"type": "text_delta", "text": "x"}, index=3),
     "content_block_delta for block 3, which was never started"),
    ("usage-a-string", ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn"},
                                          "usage": {"output_tokens": "five"}}),
     "malformed message_delta event (usage.output_tokens is a string, not an integer or null)"),
    ("block-a-string", ("content_block_start", {"type": "content_block_start", "index": 1,
                                                "content_block": "text"}),
     "malformed content_block_start event (content_block is a string, not an object)"),
    ("error-a-string", ("error", {"type": "error", "error": "Overloaded"}),
     "malformed error event (error is a string, not an object)"),
]


@pytest.mark.parametrize(("bad", "says"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_a_malformed_event_keeps_what_arrived_says_what_was_wrong_and_the_next_request_works(
        env, server, bad, says):
    server.enqueue(RawSSE(HEAD + sse(bad) + TAIL))
    line = broken(ask(env, "hi"), out=f"{ARRIVED}\n".encode())
    assert line.startswith("claudechat: the reply is incomplete: the server sent "), line
    assert says in line and line.endswith("what arrived was kept; try again"), line
    stored = claude_section(shown(env))
    assert stored.strip().splitlines() == [ARRIVED, "", INTERRUPTED]
    next_request_works(env, server, ARRIVED)


@pytest.mark.parametrize("depth", [65, 100_000])
def test_deeply_nested_json_is_a_malformed_event_not_a_recursion_error(env, server, depth):
    nested = b"event: content_block_delta\ndata: " + b"[" * depth + b"]" * depth + b"\n\n"
    server.enqueue(RawSSE(HEAD + nested + TAIL))
    line = broken(ask(env, "hi"), out=f"{ARRIVED}\n".encode())
    assert "malformed content_block_delta event (its JSON nests deeper than 64 levels)" in line, line
    assert ARRIVED in claude_section(shown(env))
    next_request_works(env, server, ARRIVED)


def test_a_malformed_first_event_keeps_the_question_and_says_so(env, server):
    bad = sse(("message_start", {"type": "message_start", "message": {**MESSAGE, "content": "none"}}))
    server.enqueue(RawSSE(bad + TAIL))
    line = broken(ask(env, "hi"), out=b"")
    assert "malformed message_start event (message.content is a string, not an array)" in line, line
    assert "(unanswered: no reply came" in shown(env)


def test_unknown_event_block_and_delta_types_are_not_errors(env, server):
    stop0, *end = TAIL.split(b"\n\n")[:-1]
    new = sse(("content_block_start", {"type": "content_block_start", "index": 1,
                                       "content_block": {"type": "hologram", "shape": [1, 2]}}),
              ("hologram_event", {"type": "hologram_event", "anything": {"at": "all"}}),
              ("content_block_delta", {"type": "content_block_delta", "index": 1,
                                       "delta": {"type": "hologram_delta", "shape": 3}}),
              ("content_block_stop", {"type": "content_block_stop", "index": 1}))
    server.enqueue(RawSSE(HEAD + stop0 + b"\n\n" + new + b"\n\n".join(end) + b"\n\n"))
    result = ask(env, "hi")
    assert (result.code, result.err, result.out) == (0, "", f"{ARRIVED}\n".encode()), result


# -- chat completions -------------------------------------------------------------------------

CC_FIRST = {"id": "c1", "object": "chat.completion.chunk", "model": "m", "choices": [
    {"index": 0, "delta": {"role": "assistant", "content": ARRIVED}, "finish_reason": None}]}
CC_HEAD = b"data: " + json.dumps(CC_FIRST).encode() + b"\n\n"
CC_TAIL = b'data: {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}\n\ndata: [DONE]\n\n'


@pytest.mark.parametrize(("chunk", "says"), [
    ({"choices": [{"index": 0, "delta": {"content": 42}}]},
     "malformed chunk (choices[0].delta.content is an integer, not a string or null)"),
    ({"choices": [{"index": 0, "delta": "more"}]},
     "malformed chunk (choices[0].delta is a string, not an object or null)"),
    ({"choices": "none"}, "malformed chunk (choices is a string, not an array or null)"),
    ({"choices": [{"index": 0, "delta": {"tool_calls": [{"index": "0", "function": {"name": "f"}}]}}]},
     "malformed chunk (choices[0].delta.tool_calls[0].index is a string, not an integer)"),
])
def test_a_malformed_chat_completion_chunk_keeps_what_arrived(chat_env, ace, chunk, says):
    ace.enqueue(RawSSE(CC_HEAD + b"data: " + json.dumps(chunk).encode() + b"\n\n" + CC_TAIL))
    args = ("-p", "ace", "-m", "claude-sonnet-4-5")
    line = broken(ask(chat_env, *args, "hi"), out=f"{ARRIVED}\n".encode(), secret=TOKEN)
    assert says in line, line
    assert claude_section(shown(chat_env)).strip().splitlines() == [ARRIVED, "", INTERRUPTED]
    next_request_works(chat_env, ace, ARRIVED, *args)


# -- invalid UTF-8 ---------------------------------------------------------------------------------

BAD_UTF8 = (b'event: content_block_delta\ndata: {"type": "content_block_delta", "index": 0, '
            b'"delta": {"type": "text_delta", "text": " caf\xc3 cr\xe8me"}}\n\n')
REPLACED = f"{ARRIVED} caf\ufffd cr\ufffdme"


def test_invalid_utf8_is_kept_as_u_fffd_said_in_one_line_and_marked_in_the_history(env, server):
    server.enqueue(RawSSE(HEAD + BAD_UTF8 + TAIL))
    line = broken(ask(env, "hi"), out=f"{REPLACED}\n".encode())
    assert line == ("claudechat: the server sent invalid UTF-8 in the reply; the bad bytes are shown "
                    "and saved as U+FFFD — the reply is kept, marked as such")
    stored = claude_section(shown(env))
    assert stored.strip().splitlines() == [
        REPLACED, "", "*(the server sent invalid UTF-8 in this reply; replaced with U+FFFD)*"]
    exported = run_cli(env, "history", "export", "last", "--format", "json")
    assert [t.get("invalid_utf8", False) for t in json.loads(exported.out)["turns"]] == [False, True]
    next_request_works(env, server, REPLACED)


def test_invalid_utf8_split_across_writes_is_still_found(env, server):
    server.enqueue(RawSSE(HEAD + BAD_UTF8 + TAIL, chunking="bytes"))
    line = broken(ask(env, "hi"), out=f"{REPLACED}\n".encode())
    assert "invalid UTF-8" in line


def test_valid_utf8_split_across_writes_is_no_error(env, server):
    text = " Привет 😀 ёжик"
    server.enqueue(RawSSE(HEAD + sse(delta({"type": "text_delta", "text": text})) + TAIL, chunking="bytes"))
    result = ask(env, "hi")
    assert (result.code, result.err, result.out) == (0, "", f"{ARRIVED}{text}\n".encode()), result


# -- a line that never ends ---------------------------------------------------------------------------


def run_measured(env: dict[str, str], *args: str, timeout: float = 60) -> tuple[Result, int]:
    """The CLI's result and its peak memory (maxrss, bytes), from wait4 on that one child."""
    out_path, err_path = Path(env["HOME"]) / "out", Path(env["HOME"]) / "err"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        proc = subprocess.Popen([*CLI, *args], env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            raise AssertionError(f"still running after {timeout} s:\n{stacks(proc)}")
        time.sleep(0.05)  # polling the child's exit, with a deadline
    proc.returncode = os.waitstatus_to_exitcode(status)
    result = Result(proc.returncode, out_path.read_bytes(), err_path.read_text("utf-8", "replace"))
    return result, usage.ru_maxrss * 1024


def test_an_endless_line_ends_the_stream_with_one_line_in_bounded_memory(env, server):
    server.enqueue(Reply(text="Fine."))
    _, baseline = run_measured(env, "ask", "--no-save", "hi")
    again_text = sse(delta({"type": "text_delta", "text": " again"}))
    endless = EndlessServer(head=HEAD, then=HEAD + again_text + TAIL)
    endless.start()
    try:
        env = {**env, "ANTHROPIC_BASE_URL": endless.url}
        result, peak = run_measured(env, "ask", "hi")
        line = broken(result, out=f"{ARRIVED}\n".encode())
        assert line == ("claudechat: the reply is incomplete: the server sent a line over 32 MB, larger "
                        "than any real event; claudechat stopped reading there — what arrived was kept; "
                        "try again")
        assert endless.sent[0] < 64 * MB  # it hung up soon after the limit (socket buffers hold a few MB)
        assert peak - baseline < 100 * MB, (peak, baseline)  # 32 MB held at most, and a copy in flight
        assert claude_section(shown(env)).strip().splitlines() == [ARRIVED, "", INTERRUPTED]
        again = ask(env, "-c", "again")
        assert (again.code, again.out, again.err) == (0, f"{ARRIVED} again\n".encode(), ""), again
        sent = json.loads(endless.requests[-1])["messages"]
        assert [text_of(m["content"]) for m in sent if m["role"] == "assistant"] == [ARRIVED]
    finally:
        endless.stop()


# -- the chat: one line, and the chat goes on ------------------------------------------------------


def chat_said(term: Any, typed: str, row: int) -> list[str]:
    """The lines the chat printed between the prompt line `› typed` and `row`."""
    from helpers.pty_terminal import PROMPT

    return [line for line in term.between(f"{PROMPT} {typed}", row) if line]


@pytest.mark.parametrize(("bad", "says"), [
    (BAD_UTF8, "error: the server sent invalid UTF-8 in the reply; the bad bytes are shown and saved "
               "as U+FFFD — the reply is kept, marked as such"),
    (sse(delta("more text")), "error: the reply is incomplete: the server sent a malformed "
                              "content_block_delta event (delta is a string, not an object) — "
                              "what arrived was kept; try again"),
])
def test_in_the_chat_a_broken_stream_is_one_line_and_the_chat_goes_on(server, spawn, bad, says):
    server.enqueue(RawSSE(HEAD + bad + TAIL))
    term = spawn()
    term.say("hi")
    row = term.wait_prompt(after="error:")
    lines = chat_said(term, "hi", row)
    assert lines[0].startswith(ARRIVED), lines
    status = next(i for i, line in enumerate(lines) if line.startswith("#1 · "))  # the reply's status
    assert " ".join(lines[status + 1:]) == says, lines  # one line, wrapped at 80 columns
    assert "Traceback" not in term.text()
    server.enqueue(Reply(text="Fine again."))
    term.say("again")
    term.wait_prompt(after="Fine again.")
    sent = posts(server)[-1].json["messages"]
    assert [text_of(m["content"]) for m in sent if m["role"] == "assistant"] == [
        REPLACED if bad is BAD_UTF8 else ARRIVED]
