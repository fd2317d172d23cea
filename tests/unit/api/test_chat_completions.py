"""api/chat_completions.py, the /v1/chat/completions wire format: the request body built
from a Conversation (pure, no I/O) and the recorded OpenAI-style streams adapted to the
Messages API's events (tests/fixtures/README.md says what a correct client ends with)."""

from __future__ import annotations

import pytest
from helpers.fixtures import replay

from claudechat.api import chat_completions
from claudechat.api.events import ErrorEvent, MessageStop
from claudechat.conversation import Conversation, RequestParams, Thinking
from claudechat.errors import IncompleteReply, UsageError
from claudechat.message import Message

PNG = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}}


def conversation(**params) -> Conversation:
    return Conversation(params=RequestParams(model="claude-sonnet-4-5", max_tokens=1000, **params))


def reply(*blocks) -> Message:
    return Message(id="m", model="claude-sonnet-4-5", content=list(blocks), stop_reason="end_turn")


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


# -- recorded streams -------------------------------------------------------------


def test_openai_rich_stream():
    events, acc = replay("openai_rich.sse", chat_completions)
    message = acc.final()
    assert message.content == [
        {"type": "thinking", "thinking": "Let me think about Paris."},
        {"type": "text", "text": "Checking two cities."},
        {"type": "tool_use", "id": "call_a", "name": "get_weather", "input": {"city": "Paris"}},
        {"type": "tool_use", "id": "call_b", "name": "get_weather", "input": {"city": "Rome"}},
    ]
    assert message.stop_reason == "tool_use"
    assert message.usage == {"input_tokens": 8, "output_tokens": 12}
    assert message.id == "chatcmpl-1"
    assert isinstance(events[-1], MessageStop)


def test_openai_error_midstream():
    events, acc = replay("openai_error_midstream.sse", chat_completions)
    assert acc.message.text == "Part"
    assert isinstance(events[-1], ErrorEvent)
    assert events[-1].message == "upstream overloaded"


def test_openai_truncated_is_incomplete():
    _, acc = replay("openai_truncated.sse", chat_completions)
    with pytest.raises(IncompleteReply) as info:
        acc.final()
    assert info.value.partial.text == "Cut"
