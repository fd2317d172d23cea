"""Issue 13 through the real CLI: prompt caching on by default, the cost of a reply.

Expected figures are worked out by hand from docs/API-2026.md: §1a prices (Opus 5.5: $4 in,
$20 out, $5 5-minute write, $8 1-hour write, $0.20 read per million tokens) times the usage
the fake server reports (its tokens: characters // 4 + 1; the prefix up to the breakpoint,
characters // 4)."""

from __future__ import annotations

import json

from helpers.cli import run_cli
from helpers.fake_server import Reply
from helpers.received import posts

SYSTEM = "x" * 4000  # 1,000 tokens
OPUS = ("--model", "claude-opus-5-5", "--system", SYSTEM)


def ask(env: dict[str, str], *args: str):
    return run_cli(env, "ask", *args, stdin=b"", timeout=30)


def test_caching_is_on_and_usage_prints_the_cost_and_what_the_cache_saved(env, server):
    server.set_default(Reply(text="Answer"))  # 6 characters: 2 output tokens
    first = ask(env, "--usage", *OPUS, "hi")
    assert first.code == 0, first
    body = posts(server)[0].json
    assert body["cache_control"] == {"type": "ephemeral"}
    assert body["diagnostics"] == {"previous_message_id": None}
    # 4,002 characters: 1,000 written, 1 after the breakpoint, 2 out:
    # 1 x $4 + 1,000 x $5 + 2 x $20 = $5,044 per million = $0.0050
    assert first.err_lines[-1].count("cost: $0.0050 ·") == 1, first.err
    again = ask(env, "--usage", "-c", "next")
    assert again.code == 0, again
    # 4,012 characters: 1,000 read, 3 written (4012 // 4 = 1,003), 1 after, 2 out:
    # 1 x $4 + 3 x $5 + 1,000 x $0.20 + 2 x $20 = $259 per million = $0.0003;
    # saved 1,000 x ($4 - $0.20) = $0.0038, 1,000 of 1,004 read
    line = again.err_lines[-1]
    assert "1,000 cache read" in line and "cost: $0.0003 · cache saved $0.0038 (100 % read)" in line, line


def test_json_carries_the_cost(env, server):
    server.set_default(Reply(text="Answer"))
    result = ask(env, "--json", *OPUS, "hi")
    cost = json.loads(result.out)["cost"]
    assert cost["usd"] == 0.005044 and cost["cache_saved_usd"] == 0
    assert cost["prices"] == "anthropic list prices" and cost["prices_checked"].startswith("2026-")


def test_cache_false_sends_no_cache_field_and_pays_full_input(env, server, config):
    env = config(env, "cache = false\n")
    server.set_default(Reply(text="Answer"))
    result = ask(env, "--usage", *OPUS, "hi")
    assert "cache_control" not in posts(server)[0].json and "diagnostics" not in posts(server)[0].json
    # 1,001 x $4 + 2 x $20 = $4,044 per million
    assert "cost: $0.0040 · stop" in result.err_lines[-1], result.err


def test_a_one_hour_ttl_is_asked_for_and_priced_as_such(env, server, config):
    env = config(env, 'cache_ttl = "1h"\n')
    server.set_default(Reply(text="Answer"))
    result = ask(env, "--usage", *OPUS, "hi")
    assert posts(server)[0].json["cache_control"] == {"type": "ephemeral", "ttl": "1h"}
    # 1 x $4 + 1,000 x $8 + 2 x $20 = $8,044 per million
    assert "cost: $0.0080 · stop" in result.err_lines[-1], result.err


def test_a_model_without_a_price_shows_tokens_and_no_cost(env, server):
    result = ask(env, "--usage", "--model", "claude-opus-4-6", "hi")
    assert result.code == 0 and " in, " in result.err_lines[-1], result
    assert "cost" not in result.err, result


def test_a_proxy_that_refuses_cache_control_gets_one_retry_remembered_for_the_profile(servers, env):
    proxy = servers(auth="any", refuse_cache_control=True)
    env = {**env, "ANTHROPIC_BASE_URL": proxy.url}
    proxy.set_default(Reply(text="Answer"))
    first = ask(env, "hi")
    assert first.code == 0 and first.out == b"Answer\n", first
    notices = [line for line in first.err_lines if "cache_control" in line]
    assert len(notices) == 1 and "from now on" in notices[0], first.err
    sent = [r.json for r in posts(proxy)]
    assert "cache_control" in sent[0] and "cache_control" not in sent[1] and "diagnostics" not in sent[1]
    second = ask(env, "hi")
    assert second.code == 0 and second.err == "", second
    assert len(posts(proxy)) == 3 and "cache_control" not in posts(proxy)[2].json

