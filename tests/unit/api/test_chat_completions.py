"""api/chat_completions.py, the /v1/chat/completions wire format: the request body built
from a Conversation (pure, no I/O) and the recorded OpenAI-style streams adapted to the
Messages API's events (tests/fixtures/README.md says what a correct client ends with)."""

from __future__ import annotations

import json

import pytest
from helpers.fixtures import replay

from claudechat.accumulator import Accumulator
from claudechat.api import chat_completions
from claudechat.api.events import ErrorEvent, MessageStop
from claudechat.api.sse import ServerSentEvent
from claudechat.conversation import Conversation, RequestParams, Thinking, Turn
from claudechat.errors import IncompleteReply, MalformedStream, UsageError
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


# -- the user's tools on this wire (api/chat_tools.py) ------------------------------


def body_after(*blocks, tools=(), tool_choice=None, results=()):
    conv = conversation(tools=tools, tool_choice=tool_choice)
    conv.add_user([{"type": "text", "text": "go"}])
    conv.add_assistant(reply(*blocks))
    if results:
        conv.add_user(list(results))
    return chat_completions.build_body(conv, conv.params, stream=True)


STRICT = {"name": "read", "description": "Read a file", "strict": True,
          "input_schema": {"type": "object", "properties": {"path": {"type": "string"}},
                           "required": ["path"], "additionalProperties": False}}


def test_a_strict_tool_is_a_strict_function():
    body = body_after({"type": "text", "text": "hi"}, tools=(STRICT,))
    assert body["tools"] == [{"type": "function", "function": {
        "name": "read", "description": "Read a file", "strict": True, "parameters": STRICT["input_schema"]}}]


@pytest.mark.parametrize(("choice", "sent"), [
    ({"type": "auto"}, "auto"), ({"type": "none"}, "none"), ({"type": "any"}, "required"),
    ({"type": "tool", "name": "read"}, {"type": "function", "function": {"name": "read"}}),
])
def test_tool_choice_is_mapped_to_this_wire(choice, sent):
    body = body_after({"type": "text", "text": "hi"}, tools=(STRICT,), tool_choice=choice)
    assert body["tool_choice"] == sent


def test_calls_without_text_go_back_with_content_null_and_their_results_one_message_each():
    body = body_after({"type": "thinking", "thinking": "hmm", "signature": "s"},
                      {"type": "tool_use", "id": "call_1", "name": "read", "input": {"path": "ä"}},
                      {"type": "tool_use", "id": "call_2", "name": "read", "input": {}},
                      results=[{"type": "tool_result", "tool_use_id": "call_1", "content": "one"},
                               {"type": "tool_result", "tool_use_id": "call_2",
                                "content": [{"type": "text", "text": "exit 3"}], "is_error": True},
                               {"type": "text", "text": "and also"}])
    assert body["messages"][1:] == [
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "read", "arguments": '{"path": "ä"}'}},
            {"id": "call_2", "type": "function", "function": {"name": "read", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "one"},
        {"role": "tool", "tool_call_id": "call_2", "content": "Error: exit 3"},  # no is_error field here
        {"role": "user", "content": "and also"},
    ]


@pytest.mark.parametrize(("blocks", "says"), [
    ([{"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "q"}}],
     "server_tool_use block"),
    ([{"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []}],
     "web_search_tool_result block"),
], ids=["server_tool_use", "web_search_tool_result"])
def test_server_tool_blocks_in_the_history_are_refused_not_dropped(blocks, says):
    with pytest.raises(UsageError, match=says) as info:
        body_after({"type": "text", "text": "found"}, *blocks)
    assert 'api = "messages"' in str(info.value)


def test_an_image_in_a_tool_result_is_refused():
    result = {"type": "tool_result", "tool_use_id": "call_1", "content": [PNG]}
    with pytest.raises(UsageError, match="a tool result with image content"):
        body_after({"type": "tool_use", "id": "call_1", "name": "read", "input": {}}, results=[result])


def test_a_tool_removal_system_message_is_refused():
    conv = conversation(tools=(STRICT,))
    conv.add_user([{"type": "text", "text": "go"}])
    conv.add_assistant(reply({"type": "text", "text": "ok"}))
    conv.turns.append(Turn(role="system", content=[
        {"type": "tool_removal", "tool": {"type": "tool_reference", "name": "read"}}]))
    conv.add_user([{"type": "text", "text": "again"}])
    with pytest.raises(UsageError, match="tool_removal system message"):
        chat_completions.build_body(conv, conv.params, stream=True)


def test_cited_documents_are_refused_as_citations():
    conv = conversation()
    conv.add_user([{"type": "document", "title": "a.txt", "citations": {"enabled": True},
                    "source": {"type": "text", "media_type": "text/plain", "data": "x"}}])
    with pytest.raises(UsageError, match="citations"):
        chat_completions.build_body(conv, conv.params, stream=True)


def whole(*calls, finish="tool_calls") -> dict:
    return {"id": "chatcmpl-9", "model": "m", "choices": [
        {"index": 0, "message": {"role": "assistant", "content": None, "tool_calls": list(calls)},
         "finish_reason": finish}]}


def test_a_whole_reply_keeps_arguments_that_are_not_json_as_the_stream_does():
    message = chat_completions.parse_message(whole(
        {"id": "call_1", "type": "function", "function": {"name": "read", "arguments": '{"path": "a'}},
        {"id": "call_2", "type": "function", "function": {"name": "read", "arguments": '{"path": "b"}'}}))
    assert message.content == [
        {"type": "tool_use", "id": "call_1", "name": "read", "input": {"INVALID_JSON": '{"path": "a'}},
        {"type": "tool_use", "id": "call_2", "name": "read", "input": {"path": "b"}}]
    assert message.stop_reason == "tool_use"


@pytest.mark.parametrize("call", [
    {"type": "function", "function": {"name": "read", "arguments": "{}"}},
    {"id": "call_1", "type": "function", "function": {"arguments": "{}"}},
    {"id": 7, "type": "function", "function": {"name": "read", "arguments": "{}"}},
], ids=["no id", "no name", "id not a string"])
def test_a_call_without_its_id_or_name_is_a_malformed_reply(call):
    with pytest.raises(MalformedStream, match="tool_calls"):
        chat_completions.parse_message(whole(call))


def chunks(*deltas, finish="tool_calls") -> list[ServerSentEvent]:
    def chunk(delta: dict, reason: str | None = None) -> dict:
        return {"id": "c", "model": "m", "choices": [{"index": 0, "delta": delta, "finish_reason": reason}]}
    out = [chunk(d) for d in deltas] + [chunk({}, finish)]
    return [ServerSentEvent("", json.dumps(c)) for c in out] + [ServerSentEvent("", "[DONE]")]


def test_a_streamed_call_whose_first_piece_has_no_id_is_malformed():
    records = chunks({"tool_calls": [{"index": 0, "function": {"name": "read", "arguments": "{}"}}]})
    with pytest.raises(MalformedStream, match="without its id"):
        list(chat_completions.events(records))


def test_streamed_calls_become_tool_use_blocks_after_the_text_with_their_pieces():
    records = chunks({"content": "Reading."},
                     {"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                                      "function": {"name": "read", "arguments": ""}}]},
                     {"tool_calls": [{"index": 0, "function": {"arguments": '{"pa'}}]},
                     {"tool_calls": [{"index": 0, "function": {"arguments": 'th": "x"}'}}]})
    events = list(chat_completions.events(records))
    acc = Accumulator()
    for event in events:
        acc.feed(event)
    assert [type(e).__name__ for e in events] == [
        "MessageStart", "ContentBlockStart", "ContentBlockDelta", "ContentBlockStop", "ContentBlockStart",
        "ContentBlockDelta", "ContentBlockDelta", "ContentBlockStop", "MessageDelta", "MessageStop"]
    assert [e.delta.partial_json for e in events[5:7]] == ['{"pa', 'th": "x"}']
    assert acc.final().content == [
        {"type": "text", "text": "Reading."},
        {"type": "tool_use", "id": "call_1", "name": "read", "input": {"path": "x"}}]
    assert acc.final().stop_reason == "tool_use"
