"""The per-model request rules end to end: the real `claudechat ask` against the loopback
fake server, asserting the body each model family is sent (README "Models";
docs/API-2026.md §1c) and that a combination the model refuses is one stderr line,
exit 2, and no request at all."""

from __future__ import annotations

import pytest
from helpers.cli import Result, run_cli
from helpers.fake_server import FakeServer, Reply
from helpers.received import posts, wait_for_bodies

TEXT = "Hello from the fake server."


def ask(env: dict[str, str], *args: str) -> Result:
    return run_cli(env, "ask", *args, timeout=30)


def body_of(result: Result, server: FakeServer) -> dict:
    assert (result.code, result.err) == (0, ""), result
    assert result.out == (TEXT + "\n").encode()
    [request] = posts(server)
    return request.json


def refused(result: Result, server: FakeServer) -> str:
    """One line on stderr, exit 2, nothing asked of the Messages API."""
    assert result.code == 2, result
    assert "Traceback" not in result.err and len(result.err_lines) == 1, result.err
    assert result.out == b""
    assert posts(server) == []
    return result.err_lines[0]


# -- what each family is sent -------------------------------------------------------------


def test_the_default_model_is_sonnet_5_5_with_thinking_text_asked_for(env, server):
    server.enqueue(Reply(text=TEXT))
    body = body_of(ask(env, "hi"), server)
    assert body["model"] == "claude-sonnet-5-5"
    assert body["thinking"] == {"type": "adaptive", "display": "summarized"}
    assert not {"temperature", "top_p", "top_k", "output_config"} & set(body)


def test_opus_5_5_gets_adaptive_thinking_the_effort_and_summarized_display(env, server):
    server.enqueue(Reply(text=TEXT))
    body = body_of(ask(env, "-m", "claude-opus-5-5", "--effort", "high", "hi"), server)
    assert body["thinking"] == {"type": "adaptive", "display": "summarized"}
    assert body["output_config"] == {"effort": "high"}


def test_no_think_on_sonnet_5_5_sends_between_tools(env, server):
    server.enqueue(Reply(text=TEXT))
    ask(env, "-m", "claude-sonnet-5-5", "--no-think", "hi")  # the fake server learns between_tools
    [request] = posts(server)                                 # in parallel (issue 11, SERVER)
    assert request.json["thinking"] == {"type": "between_tools"}


def test_no_think_on_haiku_5_5_sends_disabled_without_display(env, server):
    server.enqueue(Reply(text=TEXT))
    body = body_of(ask(env, "-m", "claude-haiku-5-5", "--no-think", "hi"), server)
    assert body["thinking"] == {"type": "disabled"}


def test_think_on_haiku_4_5_sends_enabled_with_a_budget_below_max_tokens(env, server):
    server.enqueue(Reply(text=TEXT))
    body = body_of(ask(env, "-m", "claude-haiku-4-5", "--think", "hi"), server)
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 4096}
    assert body["max_tokens"] > 4096


def test_the_default_budget_fits_the_max_tokens_given(env, server):
    server.enqueue(Reply(text=TEXT))
    body = body_of(ask(env, "-m", "claude-haiku-4-5", "--think", "--max-tokens", "3000", "hi"), server)
    assert (body["max_tokens"], body["thinking"]) == (3000, {"type": "enabled", "budget_tokens": 1500})


def test_a_model_off_by_default_is_sent_nothing_about_thinking(env, server):
    server.enqueue(Reply(text=TEXT))
    body = body_of(ask(env, "-m", "claude-opus-4-8", "hi"), server)
    assert "thinking" not in body and "output_config" not in body


def test_hidden_thinking_asks_for_no_display(env, server, config):
    server.enqueue(Reply(text=TEXT))
    env = config(env, 'thinking_display = "hidden"\n')
    body = body_of(ask(env, "-m", "claude-opus-5-5", "hi"), server)
    assert body["thinking"] == {"type": "adaptive"}


def test_sampling_reaches_an_older_model_without_thinking(env, server):
    server.enqueue(Reply(text=TEXT))
    body = body_of(ask(env, "-m", "claude-haiku-4-5", "-t", "0.3", "hi"), server)
    assert body["temperature"] == 0.3 and "thinking" not in body


def test_a_future_model_described_in_the_config_gets_its_rules(env, server, config):
    server.enqueue(Reply(text=TEXT))
    env = config(env, '[models."claude-opus-6"]\nlike = "claude-haiku-4-5"\n')
    body = body_of(ask(env, "-m", "claude-opus-6", "--think", "-t", "0.5", "--no-think", "hi"), server)
    assert body["temperature"] == 0.5 and "thinking" not in body


# -- refused before anything is sent ---------------------------------------------------------


@pytest.mark.parametrize(("args", "line"), [
    (("-m", "claude-opus-5-5", "-t", "0.7"),
     "claude-opus-5-5 does not accept temperature (the API rejects sampling parameters on this model); "
     "leave out --temperature and steer the reply with --effort LEVEL instead"),
    (("--top-p", "0.9"),
     "claude-sonnet-5-5 does not accept top_p (the API rejects sampling parameters on this model); "
     "leave out --top-p and steer the reply with --effort LEVEL instead"),
    (("-m", "claude-opus-5-5", "--no-think"),
     "claude-opus-5-5 always thinks and cannot turn thinking off; use --effort low for less thinking"),
    (("-m", "claude-opus-5-5", "--thinking-budget", "2048"),
     "claude-opus-5-5 decides itself how long to think and takes no thinking budget; "
     "use --effort low|medium|high|xhigh|max instead"),
    (("-m", "claude-haiku-4-5", "--effort", "low"),
     "claude-haiku-4-5 takes a thinking budget, not an effort; use --thinking-budget N instead of --effort"),
    (("--no-think", "--effort", "xhigh"),
     "claude-sonnet-5-5 with thinking off (between_tools) takes effort low, medium or high, not xhigh; "
     "lower the effort or turn thinking on"),
    (("-m", "claude-opus-5", "--no-think", "--effort", "max"),
     "claude-opus-5 can turn thinking off only at effort high or lower (got max); "
     "lower the effort or leave thinking on"),
    (("-m", "claude-haiku-4-5", "--think", "--thinking-budget", "4000", "--max-tokens", "3000"),
     "the thinking budget (4000) must be below max_tokens (3000); "
     "raise max_tokens or lower the thinking budget"),
], ids=["temperature-opus-5-5", "top-p-default-model", "off-always-on", "budget-adaptive",
        "effort-enabled-only", "xhigh-between-tools", "off-above-high", "budget-over-max-tokens"])
def test_a_combination_the_model_refuses_is_one_line_exit_2_and_nothing_sent(env, server, args, line):
    assert refused(ask(env, *args, "hi"), server) == f"claudechat: {line}"


def test_sampling_in_the_config_is_refused_for_a_model_that_rejects_it(env, server, config):
    env = config(env, "temperature = 0.4\n")
    line = refused(ask(env, "-m", "claude-fable-5-1", "hi"), server)
    assert line == ("claudechat: claude-fable-5-1 does not accept temperature (the API rejects sampling "
                    f"parameters on this model); remove temperature from {env['CLAUDECHAT_CONFIG']} "
                    "and steer the reply with --effort LEVEL instead")


def test_anthropic_version_2026_10_21_refuses_sampling_even_on_an_older_model(env, server, config):
    env = config(env, '[profiles.anthropic]\nanthropic_version = "2026-10-21"\n')
    line = refused(ask(env, "-m", "claude-haiku-4-5", "--top-k", "5", "hi"), server)
    assert line == ("claudechat: anthropic-version 2026-10-21 has no top_k; leave out --top-k and steer "
                    "the reply with --effort LEVEL instead")


# -- Ace Data Cloud's chat completions ----------------------------------------------------------




def test_chat_completions_thinking_is_the_model_suffix_only_when_asked(chat_env, ace):
    ace.enqueue(Reply(text=TEXT), Reply(text=TEXT))
    assert ask(chat_env, "-p", "ace", "-m", "claude-opus-5-5", "hi").code == 0
    assert ask(chat_env, "-p", "ace", "-m", "claude-sonnet-5-5", "--think", "hi").code == 0
    models = [r.json["model"] for r in posts(ace, "/v1/chat/completions")]
    assert models == ["claude-opus-5-5", "claude-sonnet-5-5-thinking"]


def test_chat_completions_refuses_sampling_by_model_too(chat_env, ace):
    result = ask(chat_env, "-p", "ace", "-m", "claude-opus-5-5", "-t", "0.2", "hi")
    assert result.code == 2 and len(result.err_lines) == 1
    assert "claude-opus-5-5 does not accept temperature" in result.err
    assert posts(ace, "/v1/chat/completions") == []


# -- the chat: /think, /set effort, /model -------------------------------------------------------


def test_the_chat_maps_think_and_effort_and_refuses_at_once(server, spawn):
    server.enqueue(Reply(text="Fine."))
    term = spawn("-m", "claude-opus-5-5")
    term.say("/think off")
    term.wait_prompt(after="use /think low for less thinking")
    term.say("/set temperature 0.5")
    term.wait_prompt(after="/set temperature default and steer the reply with /think LEVEL instead")
    term.say("/think low")
    term.wait_prompt(after="thinking: on (adaptive, effort low)")
    term.say("/set effort max")
    term.wait_prompt(after="effort = max")
    term.say("hello")
    term.wait_prompt(after="Fine.")
    [request] = posts(server)
    body = request.json
    assert body["thinking"] == {"type": "adaptive", "display": "summarized"}
    assert body["output_config"] == {"effort": "max"} and "temperature" not in body


def test_model_switch_drops_a_budget_the_new_model_cannot_use_and_says_so(server, spawn):
    server.enqueue(Reply(text="Fine."))
    term = spawn("-m", "claude-haiku-4-5")
    term.say("/think 2048")
    term.wait_prompt(after="thinking: on (2,048 tokens)")
    term.say("/model claude-sonnet-5-5")
    term.wait_prompt(after="(thinking budget dropped: the model does not take it)")
    term.say("/think off")
    term.wait_prompt(after="thinking: off (notes between tool calls only)")
    term.say("hello")
    [body] = wait_for_bodies(server, 1)  # the fake server learns between_tools in parallel
    assert body["model"] == "claude-sonnet-5-5"
    assert body["thinking"] == {"type": "between_tools"}
