"""What the user sees while a reply is waited for (issue 10, item 10): a failed request
that is tried again says why, which attempt comes and how long until it, counting down;
a reply that goes silent mid-stream says for how long, until data comes again.

The chat runs on a pty against the loopback fake server, which answers 429 with a
retry-after, or holds a stream mid-reply until the test releases it.
"""

from __future__ import annotations

import re

from helpers.fake_server import ErrorReply, Reply
from helpers.pty_terminal import PROMPT, run_pty
from helpers.received import wait_for_bodies

RATE_LIMITED = "(429 rate limited, attempt 2 of 3)"


def test_a_429_in_the_chat_counts_down_to_the_retry_then_the_reply_comes(server, spawn):
    server.enqueue(ErrorReply(429, headers={"retry-after": "2"}), Reply(text="After the wait."))
    term = spawn()
    term.say("hello")
    term.wait_text(f"retrying in 2 s {RATE_LIMITED}")
    term.wait_text(f"retrying in 1 s {RATE_LIMITED}")  # the countdown moves
    row = term.wait_prompt(after="After the wait.")
    shown = [line for line in term.between(f"{PROMPT} hello", row) if line]
    assert shown[0] == "After the wait."  # the countdown made way for the reply
    assert not any("retrying" in line for line in shown), shown
    first, second = wait_for_bodies(server, 2)
    assert first == second  # the same request, tried again


def test_ask_on_a_terminal_says_the_retry_on_stderr_and_keeps_stdout_for_the_reply(env, server):
    server.enqueue(ErrorReply(429, headers={"retry-after": "2"}), Reply(text="After the wait."))
    result = run_pty(env, "hi")
    assert result.code == 0, result
    assert f"retrying in 2 s {RATE_LIMITED}" in result.err
    assert "retrying" not in result.out and "After the wait." in result.out


def test_a_reply_that_goes_silent_mid_stream_says_so_until_data_comes(server, spawn, config, env):
    # idle_timeout 12: the stall is said after 2 s (a sixth of it), well before giving up
    chat_env = config(env, "idle_timeout = 12\n")
    pieces = ["The first ", "half. ", "The second ", "half."]
    # events: message_start, content_block_start, the first two pieces; the rest is held
    server.enqueue(Reply(text=pieces, pings=False, stall_after=4))
    term = spawn(CLAUDECHAT_CONFIG=chat_env["CLAUDECHAT_CONFIG"])
    term.say("tell me")
    term.wait_text("no data for 2 s (gives up after 12 s)")
    term.wait_text("no data for 3 s (gives up after 12 s)")  # said again each second
    assert "The first half." in term.text()  # under what arrived
    server.release()
    row = term.wait_prompt(after="end_turn")
    shown = [line for line in term.between(f"{PROMPT} tell me", row) if line]
    assert shown[0] == "The first half. The second half."
    assert not any("no data" in line for line in shown), shown
    assert re.search(r"end_turn · \d+\.\d s$", shown[-1]), shown
