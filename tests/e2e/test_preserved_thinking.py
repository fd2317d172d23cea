"""A conversation whose thinking is bound to a different prefix recovers (docs/API-2026.md §2):
one retry with `prefix_mismatch_behavior: "drop_block"` and its beta header, remembered
with the conversation; without a thinking config, one retry without the earlier thinking.
The real CLI against the fake server; the 400 carries the documented text."""

from __future__ import annotations

import pytest
from helpers.cli import Result, run_cli
from helpers.fake_server import ErrorReply, FakeServer, RawSSE, Reply
from helpers.received import posts
from helpers.streams import reply_stream

MODEL = "claude-opus-5-5"
BETA = "thinking-binding-controls-2026-08-01"
BOUND = ("messages.1.content.0: Invalid `signature` in `thinking` block. The block is bound to a "
         "different conversation. Remove the block, or set "
         "`thinking.block_binding.prefix_mismatch_behavior` to \"drop_block\".")
DROPPED = {"type": "thinking_dropped", "path": "messages.1.content.0",
           "reason": "prefix_binding_mismatch"}


@pytest.fixture
def server(server: FakeServer) -> FakeServer:
    server.set_default(Reply(text="Fine."))
    return server


def ask(env: dict[str, str], *args: str) -> Result:
    result = run_cli(env, "ask", "--model", MODEL, *args)
    assert "Traceback" not in result.err
    return result


def bound() -> ErrorReply:
    return ErrorReply(400, type="invalid_request_error", message=BOUND)


def test_a_broken_prefix_is_retried_once_with_drop_block_and_keeps_it(server, env):
    server.enqueue(Reply(text="First.", thinking="step by step"), bound(),
                   RawSSE(reply_stream([{"type": "text", "text": "Recovered."}],
                                       input_transformations=[DROPPED, {"type": "from_2027"}])))
    assert ask(env, "--think", "one").code == 0
    second = ask(env, "--think", "-c", "two")
    assert second.code == 0, second
    assert second.out.decode() == "Recovered.\n"
    assert second.err_lines == [
        "claudechat: the earlier thinking of this conversation was bound to a different "
        "conversation; sent again with drop_block: the API dropped 1 thinking block "
        "(messages.1.content.0); later requests keep drop_block"]
    failed, retried = posts(server)[1:3]
    assert "block_binding" not in failed.json["thinking"] and "anthropic-beta" not in failed.headers
    assert retried.json["thinking"]["block_binding"] == {"prefix_mismatch_behavior": "drop_block"}
    assert retried.headers["anthropic-beta"] == BETA
    assert retried.json["messages"] == failed.json["messages"]  # nothing edited by the client

    third = ask(env, "--think", "-c", "three")  # remembered with the conversation
    assert (third.code, third.err) == (0, ""), third
    later = posts(server)[3]
    assert later.json["thinking"]["block_binding"] == {"prefix_mismatch_behavior": "drop_block"}
    assert later.headers["anthropic-beta"] == BETA


def test_with_thinking_off_the_earlier_thinking_is_left_out_once_and_after(server, env):
    # Sonnet 5.5 turned off is `between_tools`, which takes no block_binding (§2: adaptive or
    # enabled only): the earlier turns' thinking is left out instead
    sonnet = ("--model", "claude-sonnet-5-5")
    server.enqueue(Reply(text="First.", thinking="step by step"), bound())
    assert run_cli(env, "ask", *sonnet, "one").code == 0
    second = run_cli(env, "ask", *sonnet, "--no-think", "-c", "two")
    assert second.code == 0, second
    assert second.err_lines == [
        "claudechat: the earlier thinking of this conversation was bound to a different "
        "conversation; sent again without the earlier turns' thinking (and so from now on)"]
    failed, retried = posts(server)[1:3]
    assert failed.json["thinking"] == {"type": "between_tools"}
    assert [b["type"] for b in failed.json["messages"][1]["content"]] == ["thinking", "text"]
    assert [b["type"] for b in retried.json["messages"][1]["content"]] == ["text"]
    assert "anthropic-beta" not in retried.headers

    assert run_cli(env, "ask", *sonnet, "-c", "three").code == 0
    assert [b["type"] for b in posts(server)[3].json["messages"][1]["content"]] == ["text"]


def test_a_second_refusal_of_the_prefix_is_one_error_line_not_a_loop(server, env):
    server.enqueue(Reply(text="First.", thinking="step by step"), bound(), bound())
    assert ask(env, "--think", "one").code == 0
    second = ask(env, "--think", "-c", "two")
    assert second.code == 1
    assert len(posts(server)) == 3  # the first, the failure, one retry
    [line] = second.err_lines
    assert "bound to a different conversation" in line
