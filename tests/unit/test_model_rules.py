"""What the thinking, effort and sampling settings become on each model, and every
refusal, as the one line the user reads (docs/API-2026.md §1c; README "Models").

The settings go through the real connect.Session.apply (no model list), the bodies
through the real wire formats."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx
import pytest

from claudechat.api import chat_completions, messages
from claudechat.api.client import ApiClient, Endpoint
from claudechat.connect import Session
from claudechat.conversation import Conversation, RequestParams, Turn
from claudechat.errors import ApiError, UsageError
from claudechat.settings import load


def settings(tmp_path, **changes: Any):
    base = load({}, {"ANTHROPIC_API_KEY": "k", "CLAUDECHAT_CONFIG": str(tmp_path / "none.toml")})
    return replace(base, **changes)


def params(tmp_path, **changes: Any) -> RequestParams:
    s = settings(tmp_path, **changes)
    session = Session(settings=s, client=None, wire=None, params=RequestParams(s.model, 1))
    session.apply(s)
    return session.params


def body(tmp_path, wire=messages, **changes: Any) -> dict[str, Any]:
    p = params(tmp_path, **changes)
    conv = Conversation(params=p)
    conv.add_user("hi")
    return wire.build_body(conv, p, stream=False)


def refusal(tmp_path, **changes: Any) -> str:
    with pytest.raises(UsageError) as caught:
        params(tmp_path, **changes)
    return str(caught.value)


# -- what each model is sent ----------------------------------------------------------


def test_the_default_model_is_sonnet_5_5_thinking_by_default_with_the_text_asked_for(tmp_path):
    sent = body(tmp_path)
    assert sent["model"] == "claude-sonnet-5-5"
    assert sent["thinking"] == {"type": "adaptive", "display": "summarized"}
    assert "output_config" not in sent and "temperature" not in sent


def test_opus_5_5_with_an_effort_gets_adaptive_effort_and_display(tmp_path):
    sent = body(tmp_path, model="claude-opus-5-5", effort="high")
    assert sent["thinking"] == {"type": "adaptive", "display": "summarized"}
    assert sent["output_config"] == {"effort": "high"}


def test_no_think_on_sonnet_5_5_is_between_tools_without_display(tmp_path):
    sent = body(tmp_path, thinking=False, effort="low")
    assert sent["thinking"] == {"type": "between_tools"}
    assert sent["output_config"] == {"effort": "low"}


def test_no_think_on_haiku_5_5_and_opus_5_is_disabled_without_display(tmp_path):
    for model in ("claude-haiku-5-5", "claude-opus-5", "claude-sonnet-5"):
        assert body(tmp_path, model=model, thinking=False)["thinking"] == {"type": "disabled"}


def test_think_on_haiku_4_5_is_enabled_with_the_default_budget_and_no_display(tmp_path):
    sent = body(tmp_path, model="claude-haiku-4-5", thinking=True)
    assert sent["thinking"] == {"type": "enabled", "budget_tokens": 4096}
    assert sent["max_tokens"] > 4096


def test_a_default_off_model_is_sent_no_thinking_at_all(tmp_path):
    for model in ("claude-opus-4-8", "claude-haiku-4-5"):
        sent = body(tmp_path, model=model)
        assert "thinking" not in sent and "output_config" not in sent
        assert sent["max_tokens"] == 8192


def test_an_effort_alone_turns_thinking_on_where_it_is_off_by_default(tmp_path):
    sent = body(tmp_path, model="claude-opus-4-8", effort="xhigh")
    assert sent["thinking"] == {"type": "adaptive", "display": "summarized"}
    assert sent["output_config"] == {"effort": "xhigh"}


def test_a_budget_on_a_model_taking_both_forms_chooses_enabled(tmp_path):
    sent = body(tmp_path, model="claude-sonnet-4-6", thinking=True, thinking_budget=2048)
    assert sent["thinking"] == {"type": "enabled", "budget_tokens": 2048}


def test_hidden_thinking_asks_for_no_display_and_thinking_text_wins_over_auto(tmp_path):
    assert body(tmp_path, thinking_display="hidden")["thinking"] == {"type": "adaptive"}
    assert body(tmp_path, thinking_display="hidden", thinking_text="summarized")["thinking"] == {
        "type": "adaptive", "display": "summarized"}
    assert body(tmp_path, thinking_text="omitted")["thinking"] == {"type": "adaptive", "display": "omitted"}
    assert body(tmp_path, model="claude-haiku-4-5", thinking=True, thinking_text="omitted")["thinking"] == {
        "type": "enabled", "budget_tokens": 4096, "display": "omitted"}
    assert body(tmp_path, thinking=False, thinking_text="summarized")["thinking"] == {"type": "between_tools"}


def test_the_default_budget_fits_a_max_tokens_the_user_gave(tmp_path):
    sent = body(tmp_path, model="claude-haiku-4-5", thinking=True, max_tokens=3000)
    assert (sent["max_tokens"], sent["thinking"]["budget_tokens"]) == (3000, 1500)
    sent = body(tmp_path, model="claude-haiku-4-5", thinking=True, max_tokens=1500)
    assert sent["thinking"]["budget_tokens"] == 1024  # the API's minimum


def test_a_budget_the_user_gave_that_does_not_fit_is_still_refused(tmp_path):
    assert refusal(tmp_path, model="claude-haiku-4-5", thinking=True, thinking_budget=4000,
                   max_tokens=3000) == ("the thinking budget (4000) must be below max_tokens (3000); "
                                        "raise max_tokens or lower the thinking budget")


def test_sampling_is_sent_to_older_models_without_thinking(tmp_path):
    sent = body(tmp_path, model="claude-haiku-4-5", temperature=0.3, top_p=0.9, top_k=5)
    assert (sent["temperature"], sent["top_p"], sent["top_k"]) == (0.3, 0.9, 5)


# -- refusals, each one line -----------------------------------------------------------


@pytest.mark.parametrize(("changes", "line"), [
    ({"model": "claude-opus-5-5", "thinking": False},
     "claude-opus-5-5 always thinks and cannot turn thinking off; use --effort low for less thinking"),
    ({"model": "claude-fable-5-2", "thinking": False},
     "claude-fable-5-2 always thinks and cannot turn thinking off; use --effort low for less thinking"),
    ({"model": "claude-opus-5-5", "thinking": True, "thinking_budget": 2048},
     "claude-opus-5-5 decides itself how long to think and takes no thinking budget; "
     "use --effort low|medium|high|xhigh|max instead"),
    ({"model": "claude-haiku-4-5", "effort": "high"},
     "claude-haiku-4-5 takes a thinking budget, not an effort; use --thinking-budget N instead of --effort"),
    ({"model": "claude-sonnet-4-6", "effort": "xhigh"},
     "claude-sonnet-4-6 does not support effort 'xhigh' (it supports: low, medium, high, max)"),
    ({"thinking": False, "effort": "xhigh"},
     "claude-sonnet-5-5 with thinking off (between_tools) takes effort low, medium or high, not xhigh; "
     "lower the effort or turn thinking on"),
    ({"model": "claude-opus-5", "thinking": False, "effort": "max"},
     "claude-opus-5 can turn thinking off only at effort high or lower (got max); "
     "lower the effort or leave thinking on"),
    ({"model": "claude-3-5-haiku-20241022", "thinking": True},
     "claude-3-5-haiku-20241022 cannot think; leave out --think (or thinking = true)"),
], ids=["off-always-on", "off-fable", "budget-adaptive", "effort-enabled-only", "effort-unlisted",
        "xhigh-between-tools", "disabled-above-high", "cannot-think"])
def test_each_thinking_combination_the_model_refuses_is_one_line(tmp_path, changes, line):
    assert refusal(tmp_path, **changes) == line


@pytest.mark.parametrize("name", ["temperature", "top_p", "top_k"])
def test_sampling_on_a_model_that_rejects_it_is_refused_naming_the_model_and_effort(tmp_path, name):
    value = 5 if name == "top_k" else 0.5
    assert refusal(tmp_path, model="claude-opus-5-5", **{name: value}) == (
        f"claude-opus-5-5 does not accept {name} (the API rejects sampling parameters on this model); "
        f"leave out --{name.replace('_', '-')} (or the {name} setting) and steer the reply with "
        f"--effort LEVEL instead")


def test_sampling_on_the_default_model_even_with_thinking_off_is_refused(tmp_path):
    assert refusal(tmp_path, thinking=False, temperature=0.2).startswith(
        "claude-sonnet-5-5 does not accept temperature")


def test_anthropic_version_2026_10_21_never_sends_sampling(tmp_path):
    assert refusal(tmp_path, model="claude-haiku-4-5", anthropic_version="2026-10-21", top_k=3) == (
        "anthropic-version 2026-10-21 has no top_k; leave out --top-k (or the top_k setting) and steer "
        "the reply with --effort LEVEL instead")
    assert "top_k" not in body(tmp_path, model="claude-haiku-4-5", anthropic_version="2026-10-21")


def test_a_forced_tool_choice_is_refused_where_the_model_rejects_it():
    p = RequestParams("claude-opus-5-5", 100, tool_choice={"type": "any"})
    with pytest.raises(UsageError) as caught:
        p.checked()
    assert str(caught.value) == (
        "claude-opus-5-5 does not accept a forced tool_choice (any or tool: the API refuses it on this "
        "model); leave tool_choice at auto and mark the tool strict = true in its [tools.NAME] table, so "
        "its input always fits its schema")
    ok = RequestParams("claude-haiku-5-5", 100, tool_choice={"type": "any"})
    assert ok.checked() == (ok, [])


# -- prefill --------------------------------------------------------------------------------


def ending_on_the_assistant(model: str) -> tuple[Conversation, RequestParams]:
    p = RequestParams(model, 100)
    conv = Conversation(params=p)
    conv.add_user("hi")
    conv.turns.append(Turn("assistant", [{"type": "text", "text": "Hel"}]))
    return conv, p


@pytest.mark.parametrize("wire", [messages, chat_completions])
def test_a_request_ending_on_the_assistant_is_refused_on_models_without_prefill(wire):
    conv, p = ending_on_the_assistant("claude-opus-5-5")
    with pytest.raises(UsageError) as caught:
        wire.build_body(conv, p, stream=True)
    assert str(caught.value) == ("claude-opus-5-5 does not accept a conversation that ends with its own "
                                 "reply (assistant prefill); add a message of yours and send again")
    assert wire.build_body(conv, p, stream=True, allow_trailing_assistant=True)  # pause_turn


def test_an_older_model_may_be_prefilled():
    conv, p = ending_on_the_assistant("claude-haiku-4-5")
    assert messages.build_body(conv, p, stream=False)["messages"][-1]["role"] == "assistant"


# -- chat completions ---------------------------------------------------------------------


def test_chat_completions_asks_for_thinking_by_name_only_when_the_user_did(tmp_path):
    assert body(tmp_path, wire=chat_completions)["model"] == "claude-sonnet-5-5"
    assert body(tmp_path, wire=chat_completions, thinking=True)["model"] == "claude-sonnet-5-5-thinking"
    assert body(tmp_path, wire=chat_completions, model="claude-haiku-4-5", thinking=True)["model"] == \
        "claude-haiku-4-5-thinking"
    with pytest.raises(UsageError, match="claude-opus-5-5 does not accept temperature"):
        params(tmp_path, api="chat-completions", model="claude-opus-5-5", temperature=0.4)


# -- errors new in 2026 -------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "kind", "message", "hint"), [
    (402, "billing_error", "Your credit balance is too low.",
     "a billing problem on the account; check its plan and payment in the console"),
    (504, "timeout_error", "Request timed out.",
     "the API gave up before the reply was ready; try again, or ask for a shorter reply"),
    (400, "invalid_request_error",
     "Unexpected value(s) `fancy-2026-01-01` for the `anthropic-beta` header. Please consult our "
     "documentation at docs.claude.com or try again without the header.",
     "https://api.example.test does not know a beta feature this request names; "
     "update claudechat or use another model or profile"),
])
def test_the_new_errors_are_one_line_with_advice(status, kind, message, hint):
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"type": "error", "error": {"type": kind, "message": message},
                                            "request_id": "req_1"})

    endpoint = Endpoint("https://api.example.test", "x-api-key", "k", "$ANTHROPIC_API_KEY")
    client = ApiClient(endpoint, httpx.Client(transport=httpx.MockTransport(answer)), max_retries=0)
    with pytest.raises(ApiError) as caught:
        client.post_json("/v1/messages", {})
    assert caught.value.hint == hint
    assert "\n" not in str(caught.value) and message in str(caught.value)
