"""End-to-end tests of `claudechat ask`: the real CLI in a subprocess against the
loopback fake server (tests/helpers/fake_server.py), asserting what a user sees — the
exact stdout bytes, the stderr lines, the exit code — and the request the
server recorded.

Expectations come from the README, docs/PROTOCOL.md and
tests/fixtures/README.md, never from the code under test. No mocks and no
sleeps: tests synchronise on the child's output and on the server's records.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from helpers.cli import CLI, KEY, TOKEN, Result, finish, read_until, run_cli
from helpers.fake_server import (
    EFFORTS,
    Drop,
    ErrorReply,
    FakeServer,
    RawSSE,
    Recorded,
    Reply,
    default_models,
    model_info,
)
from helpers.fixtures import fixture_bytes
from helpers.received import posts, text_of

TEXT = "Hello from the e2e server."
# Cyrillic and emoji: multi-byte UTF-8 that chunking="bytes" splits across writes.
UTF8_TEXT = ["Привет, ", "мир! ", "😀🎉 ", "ёжик 🦔 ok"]
UTF8_JOINED = "".join(UTF8_TEXT)


# -- running the CLI ---------------------------------------------------------------------


def run(env: dict[str, str], *args: str) -> Result:
    return run_cli(env, *args, timeout=30)


def ask(env: dict[str, str], *args: str) -> Result:
    return run(env, "ask", *args)


def assert_reply(result: Result, text: str, *, retried: list[str] = ()) -> None:
    """Success as a user sees it: exactly the text and one newline, exit 0, and a stderr
    that is silent but for one line per retry: `retried` (what each says after "retrying")."""
    assert result.code == 0, result
    assert result.err_lines == [f"claudechat: retrying {line}" for line in retried], result
    assert result.out == (text + "\n").encode()


def error_line(result: Result, code: int = 1, *, out: bytes = b"", secrets: tuple[str, ...] = (KEY,),
               retried: list[str] = ()) -> str:
    """The one stderr line of a failed run (no traceback, no secret, stdout as given),
    after one line per retry: `retried` (what each says after "retrying")."""
    assert result.code == code, result
    assert "Traceback" not in result.err, result.err
    assert result.err_lines[:-1] == [f"claudechat: retrying {line}" for line in retried], result.err
    assert result.out == out, result
    for secret in secrets:
        assert secret not in result.err and secret.encode() not in result.out
    return result.err_lines[-1]


def model_gets(server: FakeServer) -> list[Recorded]:
    return [r for r in server.requests if r.method == "GET" and r.path.startswith("/v1/models")]


def sent(server: FakeServer) -> dict[str, Any]:
    """The body of the one POST /v1/messages the server saw."""
    requests = posts(server)
    assert len(requests) == 1, [f"{r.method} {r.path}" for r in server.requests]
    return requests[0].json


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- fixtures ------------------------------------------------------------------------------



@pytest.fixture
def ace_env(clean_env: dict[str, str]) -> dict[str, str]:
    """Only ACEDATA_API_TOKEN set: the built-in acedata profile (point it with --base-url)."""
    return {**clean_env, "ACEDATA_API_TOKEN": TOKEN}


# -- 1. streaming --------------------------------------------------------------------------


def test_streamed_reply_is_printed_exactly_and_prompt_words_are_joined(env, server):
    server.enqueue(Reply(text=TEXT))
    assert_reply(ask(env, "what", "is", "this"), TEXT)
    body = sent(server)
    assert body["stream"] is True
    assert [m["role"] for m in body["messages"]] == ["user"]
    assert text_of(body["messages"][0]["content"]) == "what is this"
    assert body["max_tokens"] == 16384  # README: 8192, doubled while the model thinks (the default one does)


def test_no_stream_prints_the_same_and_does_not_ask_for_a_stream(env, server):
    server.enqueue(Reply(text=UTF8_TEXT))
    assert_reply(ask(env, "--no-stream", "hello"), UTF8_JOINED)
    assert sent(server).get("stream") is not True


@pytest.mark.parametrize(("chunking", "line_ending"), [
    ("bytes", "\n"), ("random", "\n"), ("event", "\r\n"), ("event", "\r"), ("bytes", "\r\n"),
    ("random", "\r"),
])
def test_any_chunking_and_line_ending_gives_the_same_output(env, server, chunking, line_ending):
    server.enqueue(Reply(text=UTF8_TEXT, chunking=chunking, line_ending=line_ending, seed=7))
    assert_reply(ask(env, "hello"), UTF8_JOINED)


# -- 2. --json -----------------------------------------------------------------------------


def test_json_streamed_equals_the_servers_non_streamed_message(env, server):
    server.set_default(Reply(
        id="msg_fixed", thinking="Let me think about Paris.", text="Checking the weather.",
        tool_use=[{"id": "toolu_fixed", "name": "get_weather", "input": {"city": "Paris", "unit": "c"}}],
    ))
    streamed = ask(env, "--json", "weather?")
    whole = ask(env, "--json", "--no-stream", "weather?")
    # What the server itself returns for the same request, not streamed.
    body = {**posts(server)[0].json, "stream": False}
    expected = httpx.post(f"{server.url}/v1/messages", json=body, timeout=10,
                          headers={"x-api-key": KEY, "anthropic-version": "2023-06-01"}).json()
    assert expected["content"][2]["input"] == {"city": "Paris", "unit": "c"}  # the fake is sane
    for result in (streamed, whole):
        assert (result.code, result.err) == (0, ""), result
        message = json.loads(result.out)
        assert message.pop("cost")["prices_checked"]  # claudechat's own field (issue 13)
        assert message == expected  # exactly one JSON document, equal to the API's


# -- 3. auth headers per profile --------------------------------------------------------------


def test_anthropic_profile_sends_x_api_key_and_version(env, server):
    assert_reply(ask(env, "hi"), "Hello from the fake server.")
    headers = posts(server)[0].headers
    assert headers["x-api-key"] == KEY
    assert headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in headers


def test_acedata_profile_sends_a_bearer_token(ace_env, ace):
    ace.enqueue(Reply(text=TEXT))
    assert_reply(ask(ace_env, "--base-url", ace.url, "hi"), TEXT)
    headers = posts(ace)[0].headers
    assert headers["authorization"] == f"Bearer {TOKEN}"
    assert "x-api-key" not in headers


def test_api_key_command_supplies_the_key(clean_env, config, servers):
    server = servers(auth="x-api-key", key="sk-cmd")
    env = config(clean_env, f"""
[profiles.cmd]
base_url = "{server.url}"
auth = "x-api-key"
api_key_command = "printf 'sk-cmd\\n'"
model = "claude-sonnet-4-5"
""")
    server.enqueue(Reply(text=TEXT))
    assert_reply(ask(env, "-p", "cmd", "hi"), TEXT)
    assert posts(server)[0].headers["x-api-key"] == "sk-cmd"


def test_anthropic_version_of_a_profile_is_the_header(env, server, config):
    env = config(env, '[profiles.anthropic]\nanthropic_version = "2026-10-21"\n')
    assert_reply(ask(env, "hi"), "Hello from the fake server.")
    assert posts(server)[0].headers["anthropic-version"] == "2026-10-21"


# -- 4. request body ---------------------------------------------------------------------------


def test_flags_land_in_the_request_body(env, server):
    result = ask(env, "-m", "claude-haiku-4-5", "-s", "Answer tersely", "--max-tokens", "321",
                 "-t", "0.25", "--top-p", "0.9", "--top-k", "7", "--stop", "END", "--stop", "###", "hi")
    assert_reply(result, "Hello from the fake server.")
    body = sent(server)
    assert body["model"] == "claude-haiku-4-5"
    assert text_of(body["system"]) == "Answer tersely"
    assert (body["max_tokens"], body["temperature"], body["top_p"], body["top_k"]) == (321, 0.25, 0.9, 7)
    assert body["stop_sequences"] == ["END", "###"]


# -- 5. thinking -------------------------------------------------------------------------------


def test_think_on_a_budget_model_sends_enabled_with_a_valid_budget(env, server):
    assert_reply(ask(env, "--think", "-m", "claude-sonnet-4-5", "hi"), "Hello from the fake server.")
    body = sent(server)
    thinking = body["thinking"]
    assert thinking["type"] == "enabled"
    assert 1024 <= thinking["budget_tokens"] < body["max_tokens"]


def test_thinking_budget_sets_the_budget(env, server):
    args = ("--think", "--thinking-budget", "2048", "-m", "claude-sonnet-4-5", "hi")
    assert_reply(ask(env, *args), "Hello from the fake server.")
    body = sent(server)
    assert body["thinking"]["type"] == "enabled"
    assert body["thinking"]["budget_tokens"] == 2048 < body["max_tokens"]


def test_effort_on_an_adaptive_model_sends_adaptive_thinking(env, server):
    result = ask(env, "--think", "-m", "claude-opus-4-7", "--effort", "high", "hi")
    assert_reply(result, "Hello from the fake server.")
    body = sent(server)
    assert body["thinking"]["type"] == "adaptive"
    assert "budget_tokens" not in body["thinking"]
    assert body["thinking"].get("display") == "summarized"  # README: so the thinking text comes back
    assert body["output_config"] == {"effort": "high"}


@pytest.mark.parametrize(("model", "mode"), [
    ("claude-opus-5", "adaptive"),  # not in the server's list: the name table
    ("claude-sonnet-4-5-20250929", "enabled"),  # the list has the bare id only; 3-7 is retired now
])
def test_models_missing_from_the_list_get_the_mode_of_their_name(env, server, model, mode):
    assert_reply(ask(env, "--think", "-m", model, "hi"), "Hello from the fake server.")
    thinking = sent(server)["thinking"]
    assert thinking["type"] == mode
    assert ("budget_tokens" in thinking) == (mode == "enabled")


def test_model_list_capabilities_win_and_are_fetched_once(clean_env, servers):
    # A name the table cannot know (an unknown family: the newest model's rules), described
    # by the server as adaptive-only: the server refuses "enabled" for it with a 400.
    models = [*default_models(), model_info("claude-nova", "Claude Nova", "2026-09-01T00:00:00Z",
                                            enabled_thinking=False, adaptive_thinking=True,
                                            efforts=EFFORTS)]
    server = servers(auth="x-api-key", key=KEY, models=models)
    env = {**clean_env, "ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": server.url}
    for _ in range(2):  # the same XDG_CACHE_HOME both times
        assert_reply(ask(env, "--think", "-m", "claude-nova", "hi"), "Hello from the fake server.")
    assert [r.json["thinking"]["type"] for r in posts(server)] == ["adaptive", "adaptive"]
    assert len(model_gets(server)) == 1


def test_sampling_parameters_with_thinking_on_an_older_model_are_refused_in_one_line(env, server):
    result = ask(env, "--think", "-m", "claude-sonnet-4-5", "-t", "0.5", "--top-k", "5", "hi")
    line = error_line(result, code=2)
    assert line == ("claudechat: claude-sonnet-4-5 does not accept temperature while thinking is on; "
                    "turn thinking off (--no-think), or leave out --temperature")
    assert posts(server) == []


@pytest.mark.parametrize("args", [
    ("--effort", "bogus", "-m", "claude-sonnet-4-5"),
    ("--effort", "bogus", "-m", "claude-opus-4-7"),
    ("--think", "-m", "claude-sonnet-4-5", "--thinking-budget", "500"),
    ("--think", "-m", "claude-sonnet-4-5", "--thinking-budget", "9000", "--max-tokens", "4000"),
    ("-t", "1.5"),
], ids=["effort-unknown-budget-model", "effort-unknown-adaptive-model", "budget-below-1024",
        "budget-above-max-tokens", "temperature-above-1"])
def test_invalid_parameters_are_refused_before_sending(env, server, args):
    error_line(ask(env, *args, "hi"), code=2)
    assert posts(server) == []
    if "500" in args or "1.5" in args or "bogus" in args:
        assert server.requests == []  # nothing at all was sent


@pytest.mark.parametrize(("where", "named"), [
    ("flag", "--base-url"), ("env", "ANTHROPIC_BASE_URL"), ("file", "claudechat-e2e.toml")])
def test_a_base_url_that_is_not_http_is_a_usage_error_naming_its_source(env, server, config, where,
                                                                         named):
    bad = "ftp://files.example"
    if where == "flag":
        result = ask(env, "--base-url", bad, "hi")
    elif where == "env":
        result = ask({**env, "ANTHROPIC_BASE_URL": "localhost:8080"}, "hi")
    else:
        env = {k: v for k, v in env.items() if k != "ANTHROPIC_BASE_URL"}
        result = ask(config(env, f'[profiles.anthropic]\nbase_url = "{bad}"\n'), "hi")
    line = error_line(result, code=2)
    assert named in line and "http" in line, line
    assert server.requests == []


def test_a_password_in_the_base_url_is_never_shown(env, server):
    url = server.url.replace("http://", "http://user:url-SECRET-pw@")
    result = ask({**env, "ANTHROPIC_BASE_URL": url}, "--debug", "hi")
    assert result.code == 0, result
    assert "POST http://user:<redacted>@127.0.0.1" in result.err, result.err
    assert "url-SECRET-pw" not in result.err


# -- 6. errors -----------------------------------------------------------------------------------


def test_rejected_anthropic_key_names_its_variable_not_its_value(clean_env, servers):
    server = servers(auth="x-api-key", key="sk-right")
    env = {**clean_env, "ANTHROPIC_API_KEY": "sk-wrong-SECRET", "ANTHROPIC_BASE_URL": server.url}
    line = error_line(ask(env, "hi"), secrets=("sk-wrong-SECRET",))
    assert "ANTHROPIC_API_KEY" in line
    assert len(posts(server)) == 1  # a 401 is not retried


def test_rejected_ace_token_names_its_variable_not_its_value(clean_env, servers):
    server = servers(auth="bearer", key="ace-right")
    env = {**clean_env, "ACEDATA_API_TOKEN": "ace-wrong-SECRET"}
    line = error_line(ask(env, "--base-url", server.url, "hi"), secrets=("ace-wrong-SECRET",))
    assert "ACEDATA_API_TOKEN" in line


def test_ace_error_body_is_reported(ace_env, ace):
    ace.enqueue(ErrorReply(400, style="ace", type="api_not_implemented",
                           message="The API is not implemented for this model"), Reply())
    line = error_line(ask(ace_env, "--base-url", ace.url, "hi"), secrets=(TOKEN,))
    assert "api_not_implemented" in line
    assert "The API is not implemented for this model" in line
    assert "try another model" in line  # and what to do about it
    assert len(posts(ace)) == 1  # a 400 is not retried


def test_a_refused_request_says_what_to_do(ace_env, ace):
    ace.enqueue(ErrorReply(400, style="ace", type="token_mismatched", message="Invalid request"))
    line = error_line(ask(ace_env, "--base-url", ace.url, "hi"), secrets=(TOKEN,))
    assert "token_mismatched" in line and "Invalid request" in line and "try again" in line, line


def test_a_rejected_key_from_the_file_names_the_file_once(clean_env, servers, config):
    server = servers(auth="x-api-key", key="sk-right")
    env = config(clean_env, f'default_profile = "mine"\n[profiles.mine]\nbase_url = "{server.url}"\n'
                            f'auth = "x-api-key"\napi_key = "sk-wrong-SECRET"\n')
    line = error_line(ask(env, "hi"), secrets=("sk-wrong-SECRET",))
    assert line.count("profile 'mine'") == 1 and "claudechat-e2e.toml" in line, line


def test_html_error_page_shows_the_status_and_a_short_excerpt(env, server):
    page = ErrorReply(502, style="html", message="upstream connect error", headers={"retry-after": "0"})
    server.enqueue(page, page, page, page)
    line = error_line(ask(env, "hi"), retried=["now (502 bad gateway, attempt 2 of 3)",
                                                "now (502 bad gateway, attempt 3 of 3)"])
    assert "502" in line and "upstream connect error" in line
    assert not re.search(r"</?[a-zA-Z][^>]*>", line), line
    assert len(line) < 400
    assert len(posts(server)) == 3  # the first try and 2 retries


def test_escape_sequences_in_a_server_error_are_removed_whole(env, server):
    server.enqueue(ErrorReply(400, message="bad \x1b]0;pwned\x07request \x1b]52;c;aGFjaw==\x07end"))
    line = error_line(ask(env, "hi"))
    assert "bad request end" in line, repr(line)
    assert "pwned" not in line and "aGFjaw" not in line and "\x1b" not in line


def test_connection_refused_is_one_line(env, config):
    env = config(env, "max_retries = 0\n")
    line = error_line(ask(env, "--base-url", f"http://127.0.0.1:{free_port()}", "hi"))
    assert "127.0.0.1" in line


# -- 7. retries ----------------------------------------------------------------------------------


def test_429_is_retried_and_then_succeeds(env, server):
    server.enqueue(ErrorReply(429, headers={"retry-after-ms": "0"}), Reply(text=TEXT))
    assert_reply(ask(env, "hi"), TEXT, retried=["now (429 rate limited, attempt 2 of 3)"])
    assert len(posts(server)) == 2


@pytest.mark.parametrize(("status", "said"), [
    (408, "request timeout"), (409, "conflict"), (500, "server error"), (502, "bad gateway"),
    (503, "unavailable"), (504, "timed out")])
def test_retryable_statuses_are_retried(env, server, status, said):
    server.enqueue(ErrorReply(status, headers={"retry-after-ms": "0"}), Reply(text=TEXT))
    assert_reply(ask(env, "hi"), TEXT, retried=[f"now ({status} {said}, attempt 2 of 3)"])
    assert len(posts(server)) == 2


@pytest.mark.parametrize("header", [("retry-after", "1"), ("retry-after-ms", "1000")])
def test_retry_waits_as_long_as_the_server_asks(env, server, header):
    server.enqueue(ErrorReply(429, headers=dict([header])), Reply(text=TEXT))
    assert_reply(ask(env, "hi"), TEXT, retried=["in 1 s (429 rate limited, attempt 2 of 3)"])
    first, second = posts(server)
    assert second.time - first.time >= 1.0  # never sooner than asked (a lower bound, not a race)


def test_529_gives_up_after_two_retries(env, server):
    overloaded = ErrorReply(529, headers={"retry-after-ms": "0"})
    server.enqueue(overloaded, overloaded, overloaded, overloaded)
    error_line(ask(env, "hi"), retried=["now (529 overloaded, attempt 2 of 3)",
                                         "now (529 overloaded, attempt 3 of 3)"])
    assert len(posts(server)) == 3


@pytest.mark.parametrize("error", [
    ErrorReply(400, message="messages: bad"),
    ErrorReply(503, headers={"x-should-retry": "false", "retry-after-ms": "0"}),
], ids=["400", "503-x-should-retry-false"])
def test_errors_that_must_not_be_retried(env, server, error):
    server.enqueue(error, Reply(text=TEXT))
    error_line(ask(env, "hi"))
    assert len(posts(server)) == 1


def test_dropped_connection_is_retried(env, server):
    server.enqueue(Drop(), Reply(text=TEXT))
    result = ask(env, "hi")
    [line] = result.err_lines  # the backoff's wait has jitter: 0.375 to 0.5 s
    assert re.fullmatch(r"claudechat: retrying in 0\.[45] s \(connection reset, attempt 2 of 3\)",
                        line), line
    assert_reply(result, TEXT, retried=[line.removeprefix("claudechat: retrying ")])
    assert len(posts(server)) == 2


def test_max_retries_zero_sends_once(env, server, config):
    env = config(env, "max_retries = 0\n")
    server.enqueue(ErrorReply(529, headers={"retry-after-ms": "0"}), Reply(text=TEXT))
    error_line(ask(env, "hi"))
    assert len(posts(server)) == 1


# -- 8. mid-stream failures keep what arrived -------------------------------------------------

PIECES = ["Partial ", "answer", " never seen"]
# pings=False: events are 1 message_start, 2 content_block_start, 3 "Partial ", 4 "answer", ...
AFTER_ANSWER = 4


def test_error_event_mid_stream_keeps_the_partial_text(env, server):
    server.enqueue(Reply(text=PIECES, pings=False, error_after=AFTER_ANSWER), Reply(text=TEXT))
    line = error_line(ask(env, "hi"), out=b"Partial answer\n")
    assert "overloaded" in line.lower()
    assert len(posts(server)) == 1


def test_json_after_a_mid_stream_error_is_the_message_so_far(env, server):
    server.enqueue(Reply(text=PIECES, pings=False, error_after=AFTER_ANSWER))
    result = ask(env, "--json", "hi")
    assert result.code == 1 and len(result.err_lines) == 1, result
    message = json.loads(result.out)
    assert message["content"] == [{"type": "text", "text": "Partial answer"}]
    assert message["stop_reason"] is None


def test_dropped_stream_keeps_the_partial_text(env, server):
    server.enqueue(Reply(text=PIECES, pings=False, drop_after=AFTER_ANSWER), Reply(text=TEXT))
    line = error_line(ask(env, "hi"), out=b"Partial answer\n")
    assert re.search(r"incomplete|mid-reply|cut (off|short)|broke", line, re.I), line
    assert len(posts(server)) == 1


def test_truncated_stream_is_reported_incomplete(env, server):
    server.enqueue(RawSSE(fixture_bytes("truncated.sse")), Reply(text=TEXT))
    line = error_line(ask(env, "hi"), out=b"Cut off\n")
    assert "incomplete" in line.lower()
    assert len(posts(server)) == 1


def test_silent_server_hits_the_idle_timeout(env, server, config):
    env = config(env, "idle_timeout = 0.5\n")
    server.enqueue(Reply(text=PIECES, pings=False, stall_after=AFTER_ANSWER), Reply(text=TEXT))
    line = error_line(ask(env, "hi"), out=b"Partial answer\n")
    assert re.search(r"nothing|silen|idle|timed? ?out", line, re.I), line
    assert len(posts(server)) == 1


def test_malformed_event_data_is_one_line(env, server):
    server.enqueue(RawSSE(b"event: message_start\ndata: {not json\n\n"), Reply(text=TEXT))
    error_line(ask(env, "hi"))
    assert len(posts(server)) == 1


def test_malformed_data_after_some_text_is_an_incomplete_reply_that_keeps_it(env, server):
    start = [("message_start", {"type": "message_start", "message": {
                 "id": "msg_1", "type": "message", "role": "assistant", "model": "m", "content": [],
                 "stop_reason": None, "stop_sequence": None,
                 "usage": {"input_tokens": 3, "output_tokens": 1}}}),
             ("content_block_start", {"type": "content_block_start", "index": 0,
                                      "content_block": {"type": "text", "text": ""}}),
             ("content_block_delta", {"type": "content_block_delta", "index": 0,
                                      "delta": {"type": "text_delta", "text": "What arrived"}})]
    data = b"".join(f"event: {name}\ndata: {json.dumps(body)}\n\n".encode() for name, body in start)
    server.enqueue(RawSSE(data + b"event: content_block_delta\ndata: {oops\n\n"))
    line = error_line(ask(env, "hi"), out=b"What arrived\n")
    assert "incomplete" in line and "malformed" in line and "kept" in line, line


# -- 9. every block type survives the stream ------------------------------------------------------


def test_rich_stream_json_has_every_block(env, server):
    server.enqueue(RawSSE(fixture_bytes("rich_stream.sse")))
    result = ask(env, "--json", "hi")
    assert (result.code, result.err) == (0, ""), result
    message = json.loads(result.out)
    citation = {"type": "char_location", "cited_text": "2+2=4", "document_index": 0,
                "document_title": "Math", "start_char_index": 0, "end_char_index": 5}
    assert message["content"] == [
        {"type": "thinking", "thinking": "Let me think about 2+2.",
         "signature": "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"},
        {"type": "redacted_thinking",
         "data": "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP"},
        {"type": "text", "text": "The answer is 4 — известни 😀.", "citations": [citation]},
        {"type": "server_tool_use", "id": "srvtoolu_01", "name": "web_search", "input": {"query": "weather"}},
        {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_01",
         "content": [{"type": "web_search_result", "title": "Weather", "url": "https://example.com",
                      "encrypted_content": "abc", "page_age": None}]},
        {"type": "tool_use", "id": "toolu_01", "name": "get_weather",
         "input": {"location": "Paris", "unit": "c"}},
    ]
    assert (message["id"], message["stop_reason"]) == ("msg_01Test", "tool_use")
    assert message["usage"]["output_tokens"] == 87  # cumulative: replaced, not added


# -- 10. the Chat Completions profile -----------------------------------------------------------------



def test_chat_completions_request_and_reply(chat_env, ace):
    ace.enqueue(Reply(text=UTF8_TEXT, chunking="bytes"))
    result = ask(chat_env, "-p", "ace", "-m", "claude-sonnet-4-5", "-s", "Answer tersely", "hello")
    assert_reply(result, UTF8_JOINED)
    (request,) = ace.requests
    assert (request.method, request.path) == ("POST", "/v1/chat/completions")
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    body = request.json
    assert body["model"] == "claude-sonnet-4-5"
    assert body["messages"][0] == {"role": "system", "content": "Answer tersely"}
    assert body["messages"][1]["role"] == "user"
    assert text_of(body["messages"][1]["content"]) == "hello"
    assert body["stream"] is True and body["stream_options"]["include_usage"] is True


def test_chat_completions_think_asks_for_the_thinking_model(chat_env, ace):
    assert_reply(ask(chat_env, "-p", "ace", "-m", "claude-sonnet-4-5", "--think", "hi"),
                 "Hello from the fake server.")
    (request,) = posts(ace, "/v1/chat/completions")
    assert request.json["model"] == "claude-sonnet-4-5-thinking"
    assert posts(ace) == []


@pytest.mark.parametrize(("fixture", "out", "says"), [
    ("openai_error_midstream.sse", b"Part\n", "upstream overloaded"),
    ("openai_truncated.sse", b"Cut\n", "incomplete"),
])
def test_chat_completions_broken_stream_keeps_the_partial_text(chat_env, ace, fixture, out, says):
    ace.enqueue(RawSSE(fixture_bytes(fixture)), Reply(text=TEXT))
    line = error_line(ask(chat_env, "-p", "ace", "-m", "claude-sonnet-4-5", "hi"), out=out,
                      secrets=(TOKEN,))
    assert says in line.lower()
    assert len(posts(ace, "/v1/chat/completions")) == 1


# -- 11. Ctrl-C ------------------------------------------------------------------------------------


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 20) -> None:
    """Poll a condition no event announces (how full a pipe is), with a deadline."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.005)  # the poll interval, not a synchronisation guess


def test_ctrl_c_keeps_the_partial_text_and_exits_130(env, server):
    server.enqueue(Reply(text=["First words ", "more", " end"], pings=False, stall_after=3))
    proc = subprocess.Popen([*CLI, "ask", "hi"], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        seen = read_until(proc.stdout.fileno(), b"First words")
        proc.send_signal(signal.SIGINT)
        done = finish(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert done.code == 130, done
    assert seen + done.out == b"First words \n", (seen, done)
    assert "Traceback" not in done.err and len(done.err_lines) <= 1, done
    assert len(posts(server)) == 1
    server.stop()  # the stalled response notices the hang-up; stopping must not hang


def pipe_bytes(fd: int) -> int:
    return struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0" * 4))[0]


@pytest.mark.skipif(not hasattr(fcntl, "F_SETPIPE_SZ"), reason="needs Linux pipe sizing")
def test_ctrl_c_during_a_blocked_write_still_ends_the_line(env, server):
    # A reply far bigger than the 4 KiB stdout pipe, which nobody reads until Ctrl-C: when
    # the pipe is full the CLI is necessarily inside its write of the reply text. This is
    # the deterministic form of a race in which an interrupt landing just as the first text
    # is flushed lost the final newline (it made the test above fail under load).
    big = "word " * 40_000
    server.enqueue(Reply(text=[big], pings=False, stall_after=3))
    read_end, write_end = os.pipe()
    fcntl.fcntl(read_end, fcntl.F_SETPIPE_SZ, 4096)
    capacity = fcntl.fcntl(read_end, fcntl.F_GETPIPE_SZ)
    proc = subprocess.Popen([*CLI, "ask", "hi"], env=env, stdin=subprocess.DEVNULL, stdout=write_end,
                            stderr=subprocess.PIPE)
    os.close(write_end)
    out = b""
    try:
        wait_until(lambda: pipe_bytes(read_end) >= capacity, "the stdout pipe to fill")
        proc.send_signal(signal.SIGINT)
        while chunk := os.read(read_end, 65536):
            out += chunk
        err = proc.stderr.read()
        proc.wait(timeout=30)
    finally:
        os.close(read_end)
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err
    assert b"Traceback" not in err
    assert out.endswith(b"\n"), out[-40:]
    assert len(out) > capacity and big.encode().startswith(out[:-1])


# -- 12. --debug --------------------------------------------------------------------------------------


def test_debug_shows_headers_with_the_key_redacted(env, server):
    server.enqueue(Reply(text=TEXT))
    result = ask(env, "--debug", "hi")
    assert (result.code, result.out) == (0, (TEXT + "\n").encode()), result
    assert KEY not in result.err
    assert re.search(r"x-api-key\W.*redacted", result.err, re.I), result.err
    assert "anthropic-version" in result.err


# -- 13. usage errors --------------------------------------------------------------------------------


def test_ask_without_a_prompt_is_a_usage_error(env, server):
    error_line(ask(env), code=2)
    assert server.requests == []


def test_unknown_option_is_one_line_without_a_usage_block(env, server):
    line = error_line(ask(env, "--bogus", "x"), code=2)
    assert "--bogus" in line
    assert server.requests == []


def test_version(clean_env):
    result = run(clean_env, "--version")
    assert (result.code, result.err) == (0, "")
    assert re.fullmatch(r"claudechat \d+\.\d+\S*\n", result.out.decode()), result.out


# -- 14. pipes get the text exactly as received --------------------------------------------------------


def test_escape_codes_reach_a_pipe_unchanged(env, server):
    server.enqueue(Reply(text=["plain ", "\x1b[31mred\x1b[0m", " done"]))
    assert_reply(ask(env, "hi"), "plain \x1b[31mred\x1b[0m done")


def test_a_reader_that_goes_away_is_not_an_error_and_the_exchange_is_kept(env, server):
    """`claudechat ask … | head -c 5`: exit 0, nothing on stderr, history keeps what arrived."""
    server.enqueue(Reply(text=["Early words ", "then more ", "and more"], stall_after=3, pings=False))
    proc = subprocess.Popen([sys.executable, "-m", "claudechat", "ask", "hi"], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(5) == b"Early"
    proc.stdout.close()  # the reader went away
    server.release()  # the next words reach a closed pipe
    assert proc.wait(timeout=20) == 0
    assert proc.stderr.read() == b""
    shown = run(env, "history", "show", "last")
    assert shown.code == 0 and "Early words" in shown.out.decode()
