"""Request bodies built from a Conversation, for both wire formats (pure, no I/O)."""

from __future__ import annotations

import pytest

from claudechat.api import chat_completions, messages
from claudechat.conversation import Conversation, RequestParams, Thinking
from claudechat.errors import UsageError
from claudechat.message import Message

PNG = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}}


def conversation(**params) -> Conversation:
    return Conversation(params=RequestParams(model="claude-sonnet-4-5", max_tokens=1000, **params))


def reply(*blocks) -> Message:
    return Message(id="m", model="claude-sonnet-4-5", content=list(blocks), stop_reason="end_turn")


def test_messages_body_carries_every_parameter():
    conv = conversation(temperature=0.2, top_p=0.9, top_k=5, stop_sequences=("END", "STOP"),
                        tools=({"name": "f", "input_schema": {"type": "object"}},),
                        tool_choice={"type": "auto"})
    conv.system = "Be brief."
    conv.add_user("hello")
    body = messages.build_body(conv, conv.params, stream=True)
    assert body == {
        "model": "claude-sonnet-4-5", "max_tokens": 1000, "system": "Be brief.",
        "messages": [{"role": "user", "content": [{"type": "text", "text": "hello"}]}],
        "temperature": 0.2, "top_p": 0.9, "top_k": 5, "stop_sequences": ["END", "STOP"],
        "tools": [{"name": "f", "input_schema": {"type": "object"}}], "tool_choice": {"type": "auto"},
        "stream": True,
    }
    assert "stream" not in messages.build_body(conv, conv.params, stream=False)


def test_assistant_blocks_go_back_unchanged_signature_included():
    conv = conversation()
    conv.add_user("q1")
    thinking = {"type": "thinking", "thinking": "hmm", "signature": "sig-1"}
    redacted = {"type": "redacted_thinking", "data": "opaque"}
    conv.add_assistant(reply(thinking, redacted, {"type": "text", "text": "a1"}))
    conv.add_user([{"type": "text", "text": "q2"}, PNG])
    sent = messages.build_body(conv, conv.params, stream=True)["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert sent[1]["content"] == [thinking, redacted, {"type": "text", "text": "a1"}]
    assert sent[2]["content"][1] == PNG


def test_an_interrupted_reply_is_sent_back_without_unusable_blocks():
    conv = conversation()
    conv.add_user("q1")
    conv.add_assistant(reply({"type": "thinking", "thinking": "half a thou", "signature": ""},
                             {"type": "text", "text": "partial answer"},
                             {"type": "tool_use", "id": "t1", "name": "f", "input": {}}),
                       interrupted=True)
    conv.add_user("go on")
    sent = conv.api_messages()
    assert sent == [
        {"role": "user", "content": [{"type": "text", "text": "q1"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "partial answer"}]},
        {"role": "user", "content": [{"type": "text", "text": "go on"}]},
    ]


def test_an_interrupted_reply_with_nothing_usable_merges_the_user_turns():
    conv = conversation()
    conv.add_user("first try")
    conv.add_assistant(reply({"type": "text", "text": ""}), interrupted=True)
    conv.add_user("second try")
    assert conv.api_messages() == [
        {"role": "user", "content": [{"type": "text", "text": "first try"},
                                     {"type": "text", "text": "second try"}]},
    ]


@pytest.mark.parametrize(
    ("thinking", "expected", "extra"),
    [
        (Thinking("enabled", budget_tokens=2048), {"type": "enabled", "budget_tokens": 2048}, {}),
        (Thinking("adaptive", effort="high", display="summarized"),
         {"type": "adaptive", "display": "summarized"}, {"output_config": {"effort": "high"}}),
        (Thinking("adaptive"), {"type": "adaptive"}, {}),
    ],
)
def test_thinking_forms(thinking, expected, extra):
    conv = conversation(thinking=thinking)
    conv.add_user("q")
    body = messages.build_body(conv, conv.params, stream=False)
    assert body["thinking"] == expected
    assert {k: body[k] for k in extra} == extra
    if not extra:
        assert "output_config" not in body


def test_thinking_drops_what_the_api_refuses_with_a_warning():
    params = RequestParams(model="m", max_tokens=8000, temperature=0.5, top_k=3, top_p=0.5,
                           tool_choice={"type": "any"}, thinking=Thinking("enabled", budget_tokens=2000))
    checked, warnings = params.checked()
    assert (checked.temperature, checked.top_k, checked.top_p, checked.tool_choice) == (None,) * 4
    assert len(warnings) == 1
    for name in ("temperature", "top_k", "top_p", "tool_choice"):
        assert name in warnings[0]


def test_top_p_of_at_least_0_95_survives_thinking():
    params = RequestParams(model="m", max_tokens=8000, top_p=0.95, thinking=Thinking("adaptive"))
    assert params.checked() == (params, [])


@pytest.mark.parametrize(
    "params",
    [
        RequestParams(model="m", max_tokens=4000, thinking=Thinking("enabled", budget_tokens=1023)),
        RequestParams(model="m", max_tokens=4000, thinking=Thinking("enabled", budget_tokens=4000)),
        RequestParams(model="m", max_tokens=4000, temperature=1.01),
        RequestParams(model="m", max_tokens=4000, temperature=-0.1),
        RequestParams(model="m", max_tokens=0),
        RequestParams(model="m", max_tokens=10, thinking=Thinking("adaptive", effort="extreme")),
    ],
    ids=["budget-too-small", "budget-not-below-max", "temp-high", "temp-negative", "max-zero", "bad-effort"],
)
def test_invalid_parameters_are_refused_before_sending(params):
    with pytest.raises(UsageError):
        params.checked()


# -- chat completions -------------------------------------------------------------


def test_chat_completions_body():
    conv = conversation(temperature=0.3, stop_sequences=("END",), thinking=Thinking("adaptive"),
                        tools=({"name": "get_weather", "description": "Weather",
                                "input_schema": {"type": "object", "properties": {}}},),
                        tool_choice={"type": "tool", "name": "get_weather"})
    conv.system = "sys"
    conv.add_user([{"type": "text", "text": "look"}, PNG])
    conv.add_assistant(reply({"type": "thinking", "thinking": "t", "signature": "s"},
                             {"type": "text", "text": "calling"},
                             {"type": "tool_use", "id": "call_1", "name": "get_weather",
                              "input": {"city": "Paris"}}))
    conv.add_user([{"type": "tool_result", "tool_use_id": "call_1", "content": "sunny"}])
    body = chat_completions.build_body(conv, conv.params, stream=True)
    assert body["model"] == "claude-sonnet-4-5-thinking"
    assert body["messages"] == [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": [{"type": "text", "text": "look"},
                                     {"type": "image_url",
                                      "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}]},
        {"role": "assistant", "content": "calling",
         "tool_calls": [{"id": "call_1", "type": "function",
                         "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
    ]
    assert body["tools"] == [{"type": "function", "function": {
        "name": "get_weather", "description": "Weather", "parameters": {"type": "object", "properties": {}}}}]
    assert body["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}
    assert body["stop"] == ["END"]
    assert body["stream_options"] == {"include_usage": True}
    assert body["temperature"] == 0.3


def test_chat_completions_refuses_a_pdf_with_advice():
    conv = conversation()
    conv.add_user([{"type": "document", "source": {"type": "base64", "media_type": "application/pdf",
                                                   "data": "JVBERi0="}}])
    with pytest.raises(UsageError, match="messages"):
        chat_completions.build_body(conv, conv.params, stream=False)
