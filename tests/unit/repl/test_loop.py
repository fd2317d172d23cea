"""The chat's loop, one entered line at a time: `handle()` over a ReplState whose session
talks to an httpx.MockTransport (`connect.open_session(..., transport=…)`), printing
through a Printer over a rich Console writing into a string (with ANSI colour, so that
red can be seen). What is promised (README, "The chat"; loop.py's docstring): no error
ends the chat — a ClaudechatError is its one line, any other exception one `internal
error: …` line (its traceback only with --debug); an error from the API is one line and
the conversation stays ready for /retry; a line starting with `//` is a message that
begins with `/`."""

from __future__ import annotations

import io
import json
import os
import re
import sys
import termios
from typing import Any

import httpx
import pytest
from helpers.images import png
from rich.console import Console

from claudechat import connect
from claudechat.repl import commands
from claudechat.repl.loop import Printer, handle
from claudechat.repl.state import ReplState
from claudechat.settings import load

RED = "\x1b[31m"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def sse(text: str) -> bytes:
    """A whole streamed reply, as docs/PROTOCOL.md orders its events."""
    events = [
        ("message_start", {"type": "message_start", "message": {
            "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-6",
            "content": [], "stop_reason": None, "stop_sequence": None,
            "usage": {"input_tokens": 12, "output_tokens": 1}}}),
        ("content_block_start", {"type": "content_block_start", "index": 0,
                                 "content_block": {"type": "text", "text": ""}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0,
                                 "delta": {"type": "text_delta", "text": text[:5]}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0,
                                 "delta": {"type": "text_delta", "text": text[5:]}}),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn",
                                                              "stop_sequence": None},
                           "usage": {"output_tokens": 7}}),
        ("message_stop", {"type": "message_stop"}),
    ]
    return "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events).encode()


class Server:
    """The Messages API: each POST /v1/messages gets the next answer (a reply's text, or an
    httpx.Response); GET /v1/models is a 404 (no model list). Every body is kept."""

    def __init__(self, *answers: str | httpx.Response) -> None:
        self.answers = list(answers)
        self.bodies: list[dict[str, Any]] = []
        self.echo: list[bool] = []  # whether the terminal echoed typed keys, at each request

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/models":
            return httpx.Response(404, json={"type": "error", "error": {"type": "not_found_error",
                                                                         "message": "no"}})
        assert request.url.path == "/v1/messages", request.url
        self.bodies.append(json.loads(request.content))
        self.echo.append(echoes(sys.stdin))
        assert self.answers, "an unexpected request"
        answer = self.answers.pop(0)
        if isinstance(answer, httpx.Response):
            return answer
        return httpx.Response(200, content=sse(answer), headers={"content-type": "text/event-stream"})

    def sent(self, index: int = -1) -> list[tuple[str, str]]:
        """(role, text) of each message of request `index`, texts joined."""
        out = []
        for message in self.bodies[index]["messages"]:
            content = message["content"]
            if isinstance(content, str):
                out.append((message["role"], content))
            else:
                out.append((message["role"], "".join(b.get("text", "") for b in content
                                                     if b["type"] == "text")))
        return out


def echoes(terminal) -> bool:
    return bool(termios.tcgetattr(terminal.fileno())[3] & termios.ECHO)


@pytest.fixture
def keyboard(monkeypatch):
    """The chat's stdin: a real terminal (a pty), as the chat always has."""
    master, slave = os.openpty()
    stdin = open(slave, encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    yield stdin
    stdin.close()
    os.close(master)


@pytest.fixture
def chat(tmp_path, monkeypatch, keyboard):
    """chat(*answers, debug=False) -> (state, printer, server)."""
    for name in ("ANTHROPIC_API_KEY", "ACEDATA_API_TOKEN", "CLAUDECHAT_CONFIG", "CLAUDECHAT_PROFILE",
                 "CLAUDECHAT_MODEL", "CLAUDECHAT_BASE_URL", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    env = {"ANTHROPIC_API_KEY": "sk-ant-loop-key", "CLAUDECHAT_CONFIG": str(tmp_path / "none.toml"),
           "ANTHROPIC_BASE_URL": "https://api.example.test"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name in ("CONFIG", "CACHE", "DATA", "STATE"):
        monkeypatch.setenv(f"XDG_{name}_HOME", str(tmp_path / name.lower()))

    def make(*answers: str | httpx.Response, debug: bool = False):
        server = Server(*answers)
        session = connect.open_session(load({}, env), transport=httpx.MockTransport(server))
        state = ReplState(settings=session.settings, session=session,
                          conversation=session.new_conversation())
        console = Console(file=io.StringIO(), force_terminal=True, color_system="standard", width=100)
        return state, Printer(console, debug=debug), server

    return make


def lines(out: Printer) -> list[str]:
    """What is on the screen, line by line, colour taken out; the screen is emptied."""
    raw = out.console.file.getvalue()
    out.console.file.seek(0)
    out.console.file.truncate()
    return [ANSI.sub("", line) for line in raw.splitlines() if ANSI.sub("", line).strip()]


def one_line(out: Printer) -> str:
    """What is on the screen as one line (a long line wraps at 100 columns); emptied."""
    return " ".join(" ".join(lines(out)).split())


def red(out: Printer) -> bool:
    return RED in out.console.file.getvalue()


def test_a_message_is_sent_and_its_reply_drawn(chat):
    state, out, server = chat("Paris is the capital.", "About 2.1 million.")
    handle(state, out, "What is the capital of France?")
    assert server.sent() == [("user", "What is the capital of France?")]
    assert "Paris is the capital." in "\n".join(lines(out))
    assert [t.role for t in state.conversation.turns] == ["user", "assistant"]
    handle(state, out, "And how many people live there?")  # the whole conversation goes again
    assert server.sent() == [("user", "What is the capital of France?"),
                             ("assistant", "Paris is the capital."),
                             ("user", "And how many people live there?")]
    assert "About 2.1 million." in "\n".join(lines(out))


def test_typed_keys_are_not_echoed_while_a_reply_streams(chat, keyboard):
    state, out, server = chat("Quiet.")
    assert echoes(keyboard)
    handle(state, out, "hello")
    assert server.echo == [False]
    assert echoes(keyboard)  # and back once the reply has ended


def test_a_stdin_that_is_no_terminal_does_not_stop_a_message(chat, monkeypatch):
    state, out, server = chat("Sent anyway.")
    with open(os.devnull, encoding="utf-8") as nothing:
        monkeypatch.setattr(sys, "stdin", nothing)
        handle(state, out, "hello")
    assert server.sent() == [("user", "hello")]


def test_a_double_slash_sends_a_message_that_begins_with_a_slash(chat):
    state, out, server = chat("It is a folder.")
    handle(state, out, "//etc is what?")
    assert server.sent() == [("user", "/etc is what?")]
    assert not red(out)


def test_a_path_dropped_at_the_start_is_a_message_not_a_command(chat, tmp_path):
    state, out, server = chat("A red pixel.")
    shot = tmp_path / "shot.png"
    shot.write_bytes(png())
    handle(state, out, f"{shot} what is this?")
    [message] = server.bodies[0]["messages"]
    assert [b["type"] for b in message["content"]] == ["image", "text"]
    assert server.sent() == [("user", "what is this?")]
    assert "A red pixel." in "\n".join(lines(out))


def test_a_double_slash_before_a_file_path_sends_the_path_as_text_with_nothing_attached(chat, tmp_path):
    state, out, server = chat("Just a path.")
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0\n")
    handle(state, out, f"/{secret} is a path")  # //tmp/…/passwd: the escape, then the path
    assert server.bodies[0]["messages"][0]["content"] == [{"type": "text", "text": f"{secret} is a path"}]
    assert not any("attached" in line for line in lines(out))


def test_what_the_text_attaches_is_one_line_each_before_the_reply(chat, tmp_path):
    state, out, server = chat("Both seen.")
    shot = tmp_path / "shot.png"
    shot.write_bytes(png())
    (tmp_path / "notes.txt").write_text("a" * 2000)
    handle(state, out, f"{shot} and @{tmp_path}/notes.txt?")
    said = one_line(out)
    assert said.startswith(
        f"attached {shot} (image/png, {len(png())} bytes) — the path your message starts with; "
        f"start with // to send it as text attached {tmp_path}/notes.txt (text, 2.0 kB) ")
    assert said.index("(text, 2.0 kB)") < said.index("Both seen.")


def test_a_folder_at_the_start_is_no_command_and_says_how_to_reach_its_files(chat, tmp_path):
    state, out, server = chat()
    handle(state, out, f"{tmp_path} what is in here?")
    assert one_line(out) == (f"{tmp_path} is a directory, not a command: attach files from it with "
                             f"@{tmp_path}/NAME (Tab lists them), or start with // to send it as text")
    assert server.bodies == [] and state.prefill == f"{tmp_path} what is in here?"


def test_an_image_too_large_in_the_chat_names_the_chats_ways_to_resize(chat, tmp_path):
    state, out, server = chat()
    wide = tmp_path / "wide.png"
    wide.write_bytes(png(8001, 1))
    handle(state, out, f"look @{wide}")
    assert one_line(out) == ("wide.png: the image is 8001×1 px, over the API's 8000 px — shrink it, or "
                             "attach it resized with /image --resize PATH (/paste --resize for the "
                             "clipboard's), or start the chat with --resize (or set resize_images = true)")
    assert server.bodies == [] and state.prefill == f"look @{wide}"
    handle(state, out, f"/image {wide}")
    assert "/image --resize PATH" in one_line(out) and not state.pending
    handle(state, out, f"/image --resize {wide}")
    said = one_line(out)  # no transparency: sent as JPEG
    assert said.startswith(f"attached {wide} (image/jpeg, ") and said.endswith(" kB, resized to 1568×1 px)")
    handle(state, out, "/image --resize https://example.invalid/cat.png")  # the API fetches a URL itself
    assert "a URL goes to the API as it is" in one_line(out) and len(state.pending) == 1


def test_a_commands_usage_error_is_one_red_line_and_the_chat_goes_on(chat):
    state, out, server = chat("Still here.")
    handle(state, out, "/think maybe")
    assert red(out)
    [line] = lines(out)
    assert "/think on" in line
    handle(state, out, "/modle claude-opus-4-7")
    [line] = lines(out)
    assert "did you mean /model" in line
    handle(state, out, "hello")
    assert server.sent() == [("user", "hello")]
    assert "Still here." in "\n".join(lines(out))


def test_a_message_with_a_path_that_is_no_file_sends_nothing_and_comes_back(chat):
    state, out, server = chat()
    handle(state, out, "read @missing/notes.txt please")
    [line] = lines(out)
    assert "missing/notes.txt" in line and server.bodies == []
    assert state.prefill == "read @missing/notes.txt please"


def boom(state, arg, out):
    raise RuntimeError("kaput")


def test_an_unexpected_exception_in_a_command_is_one_internal_error_line(chat, monkeypatch):
    monkeypatch.setitem(commands.COMMANDS, "boom", commands.Command("boom", boom, "/boom", "fails"))
    state, out, server = chat("Fine.")
    handle(state, out, "/boom")
    assert red(out)
    [line] = lines(out)
    assert line.startswith("internal error: RuntimeError: kaput") and "--debug" in line
    handle(state, out, "still there?")  # the chat goes on
    assert "Fine." in "\n".join(lines(out))


def test_with_debug_the_internal_error_comes_with_its_traceback(chat, monkeypatch):
    monkeypatch.setitem(commands.COMMANDS, "boom", commands.Command("boom", boom, "/boom", "fails"))
    state, out, _ = chat(debug=True)
    handle(state, out, "/boom")
    shown = lines(out)
    assert shown[0] == "Traceback (most recent call last):"
    assert any('raise RuntimeError("kaput")' in line for line in shown)
    assert shown[-1] == "internal error: RuntimeError: kaput"


def test_ctrl_c_during_a_command_says_interrupted_and_the_chat_goes_on(chat, monkeypatch):
    def stopped(state, arg, out):
        raise KeyboardInterrupt

    monkeypatch.setitem(commands.COMMANDS, "slow", commands.Command("slow", stopped, "/slow", "waits"))
    state, out, server = chat("Ok.")
    handle(state, out, "/slow")
    assert lines(out) == ["interrupted"]
    handle(state, out, "next")
    assert server.sent() == [("user", "next")]


def test_an_api_error_is_one_line_and_retry_sends_the_message_again(chat):
    refused = httpx.Response(400, json={"type": "error", "error": {
        "type": "invalid_request_error", "message": "messages: text content blocks must be non-empty"}})
    state, out, server = chat(refused, "Second time lucky.")
    handle(state, out, "hello")
    assert red(out)
    shown = lines(out)
    [error] = [line for line in shown if "text content blocks must be non-empty" in line]
    assert any("back in the input line" in line for line in shown) and state.prefill == "hello"
    assert [t.role for t in state.conversation.turns] == ["user"]  # ready for /retry
    handle(state, out, "/retry")
    assert len(server.bodies) == 2 and server.sent(1) == server.sent(0) == [("user", "hello")]
    assert "Second time lucky." in "\n".join(lines(out))
    assert [t.role for t in state.conversation.turns] == ["user", "assistant"]


def test_the_printer_neutralises_what_came_from_outside():
    out = Printer(Console(file=io.StringIO(), force_terminal=True, color_system="standard", width=100))
    out.error("bad \x1b]0;owned\x07title \x1b[2Jand a clear")
    out.notice("conversation \x1b]52;c;aGk=\x07saved")
    out.say("continuing \x1b]0;owned\x07[red]this[/red] arr[i]")  # a title from the history
    raw = out.console.file.getvalue()
    assert "\x1b]" not in raw and "\x1b[2J" not in raw and "\x07" not in raw
    assert lines(out) == ["bad title and a clear", "claudechat: conversation saved",
                          "continuing [red]this[/red] arr[i]"]
    assert out.terminal is out.console.file  # where OSC 52 goes
