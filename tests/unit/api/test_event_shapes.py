"""Every stream event is checked for its documented shape (docs/PROTOCOL.md "Streaming",
docs/API-2026.md §9; for chat completions PROTOCOL.md "Stream"): a known event with a
field of the wrong JSON type, a missing field, or JSON nested past the limit is a
MalformedStream that names the event and the field; unknown event, block and delta
types stay allowed. What arrived before the bad event is kept (the accumulator's
message), as after a dropped connection."""

from __future__ import annotations

import json
from typing import Any

import pytest

from claudechat.accumulator import Accumulator
from claudechat.api import chat_completions, messages
from claudechat.api.events import (
    MAX_DEPTH,
    ContentBlockDelta,
    ContentBlockStart,
    InputJsonDelta,
    TextDelta,
    UnknownDelta,
)
from claudechat.api.sse import ServerSentEvent
from claudechat.errors import MalformedStream

MESSAGE = {"id": "msg_1", "type": "message", "role": "assistant", "model": "m", "content": [],
           "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 3, "output_tokens": 1}}


def record(name: str, data: Any) -> ServerSentEvent:
    return ServerSentEvent(name, data if isinstance(data, str) else json.dumps(data))


def delta(d: Any, index: Any = 0) -> dict[str, Any]:
    return {"type": "content_block_delta", "index": index, "delta": d}


def text_delta(text: Any) -> dict[str, Any]:
    return delta({"type": "text_delta", "text": text})


# (event, data, what the line must say about the field)
MALFORMED = [
    ("content_block_delta", text_delta(5), "delta.text is an integer, not a string"),
    ("content_block_delta", text_delta(None), "delta.text is null, not a string"),
    ("content_block_delta", delta({"type": "text_delta"}), "delta.text is missing"),
    ("content_block_delta", delta("hello"), "delta is a string, not an object"),
    ("content_block_delta", delta({"text": "x"}), "delta.type is missing"),
    ("content_block_delta", delta({"type": "thinking_delta", "thinking": ["a"]}),
     "delta.thinking is an array, not a string"),
    ("content_block_delta", delta({"type": "signature_delta", "signature": 1.5}),
     "delta.signature is a number, not a string"),
    ("content_block_delta", delta({"type": "input_json_delta", "partial_json": {}}),
     "delta.partial_json is an object, not a string"),
    ("content_block_delta", delta({"type": "citations_delta", "citation": "c"}),
     "delta.citation is a string, not an object"),
    ("content_block_delta", delta({"type": "compaction_delta", "content": 3}),
     "delta.content is an integer, not a string or null"),
    ("content_block_delta", {"type": "content_block_delta", "delta": {"type": "text_delta", "text": "x"}},
     "index is missing"),
    ("content_block_delta", delta({"type": "text_delta", "text": "x"}, index="0"),
     "index is a string, not an integer"),
    ("content_block_delta", delta({"type": "text_delta", "text": "x"}, index=True),
     "index is true/false, not an integer"),
    ("content_block_delta", delta({"type": "text_delta", "text": "x"}, index=-1), "index is -1"),
    ("content_block_start", {"type": "content_block_start", "index": 1, "content_block": "text"},
     "content_block is a string, not an object"),
    ("content_block_start", {"type": "content_block_start", "index": 1, "content_block": {"text": ""}},
     "content_block.type is missing"),
    ("content_block_start", {"type": "content_block_start", "index": 1,
                             "content_block": {"type": "text", "text": 0}},
     "content_block.text is an integer, not a string"),
    ("content_block_start", {"type": "content_block_start", "index": 1,
                             "content_block": {"type": "tool_use", "id": "t", "name": 7, "input": {}}},
     "content_block.name is an integer, not a string"),
    ("content_block_start", {"type": "content_block_start", "index": 1,
                             "content_block": {"type": "redacted_thinking"}},
     "content_block.data is missing"),
    ("content_block_stop", {"type": "content_block_stop", "index": 0.0}, "index is a number, not an integer"),
    ("message_delta", {"type": "message_delta", "delta": "end_turn", "usage": {}},
     "delta is a string, not an object"),
    ("message_delta", {"type": "message_delta", "delta": {"stop_reason": 1}, "usage": {}},
     "delta.stop_reason is an integer, not a string or null"),
    ("message_delta", {"type": "message_delta", "delta": {"stop_details": "refusal"}},
     "delta.stop_details is a string, not an object or null"),
    ("message_delta", {"type": "message_delta", "delta": {}, "usage": [1]},
     "usage is an array, not an object or null"),
    ("message_delta", {"type": "message_delta", "delta": {}, "usage": {"output_tokens": "9"}},
     "usage.output_tokens is a string, not an integer or null"),
    ("message_delta", {"type": "message_delta", "delta": {}, "usage": {"output_tokens": -2}},
     "usage.output_tokens is -2, below zero"),
    ("message_delta", {"type": "message_delta", "delta": {}, "input_transformations": {}},
     "input_transformations is an object, not an array or null"),
    ("error", {"type": "error", "error": "overloaded"}, "error is a string, not an object"),
    ("error", {"type": "error", "error": {"type": "overloaded_error", "message": 529}},
     "error.message is an integer, not a string or null"),
    ("content_block_delta", {"type": "message_stop"}, "its data's type is 'message_stop'"),
]


def after_some_text() -> Accumulator:
    acc = Accumulator()
    for name, data in [("message_start", {"type": "message_start", "message": MESSAGE}),
                       ("content_block_start", {"type": "content_block_start", "index": 0,
                                                "content_block": {"type": "text", "text": ""}}),
                       ("content_block_delta", text_delta("What arrived"))]:
        acc.feed(messages.parse_event(record(name, data)))
    return acc


@pytest.mark.parametrize(("name", "data", "says"), MALFORMED, ids=[m[2] for m in MALFORMED])
def test_a_known_event_of_the_wrong_shape_names_the_event_and_the_field(name, data, says):
    acc = after_some_text()
    with pytest.raises(MalformedStream) as info:
        acc.feed(messages.parse_event(record(name, data)))
    assert str(info.value).startswith(f"the server sent a malformed {name} event (")
    assert says in str(info.value)
    assert acc.message.text == "What arrived"


@pytest.mark.parametrize(("name", "data", "says"), [
    ("message_start", {"type": "message_start", "message": "hi"}, "message is a string, not an object"),
    ("message_start", {"type": "message_start", "message": {**MESSAGE, "content": ["x"]}},
     "message.content holds a string, not an object"),
    ("message_start", {"type": "message_start", "message": {**MESSAGE, "id": 12}},
     "message.id is an integer, not a string or null"),
    ("message_start", {"type": "message_start", "message": {**MESSAGE, "usage": {"input_tokens": 1.5}}},
     "message.usage.input_tokens is a number, not an integer or null"),
    ("message_start", "[1, 2]", "its data is an array, not an object"),
    ("message_stop", "{not json", "its data is not JSON"),
])
def test_a_malformed_message_start_or_data_that_is_not_an_object(name, data, says):
    with pytest.raises(MalformedStream, match=f"malformed {name} event") as info:
        messages.parse_event(record(name, data))
    assert says in str(info.value)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5000, 200_000])
def test_json_nested_past_the_limit_is_malformed_not_a_recursion_error(depth):
    with pytest.raises(MalformedStream, match=f"nests deeper than {MAX_DEPTH} levels"):
        messages.parse_event(record("content_block_delta", nested(depth)))
    with pytest.raises(MalformedStream, match=f"nests deeper than {MAX_DEPTH} levels"):
        list(chat_completions.events([record("message", nested(depth))]))


def test_brackets_inside_strings_do_not_count_as_nesting():
    text = nested(500) + '"{[' * 100
    event = messages.parse_event(record("content_block_delta", text_delta(text)))
    assert event == ContentBlockDelta(0, TextDelta(text))


def test_a_tool_input_nested_past_the_limit_is_malformed_and_keeps_the_text():
    acc = after_some_text()
    acc.feed(ContentBlockStart(1, {"type": "tool_use", "id": "t", "name": "f", "input": {}}))
    acc.feed(ContentBlockDelta(1, InputJsonDelta('{"a": ' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "}")))
    with pytest.raises(MalformedStream, match=f"tool call 'f' nests deeper than {MAX_DEPTH}") as info:
        acc.feed(messages.parse_event(record("content_block_stop", {"type": "content_block_stop",
                                                                    "index": 1})))
    assert info.value.partial.text == "What arrived"


def test_unknown_event_block_and_delta_types_stay_allowed():
    assert messages.parse_event(record("ping", "not even JSON")) is None
    assert messages.parse_event(record("future_event", '{"anything": [1, {"x": null}]}')) is None
    assert messages.parse_event(record("future_event", "{not json")) is None
    assert messages.parse_event(record("message", {"type": "future_event", "x": 1})) is None
    start = {"type": "content_block_start", "index": 0, "content_block": {"type": "hologram", "text": 5}}
    assert messages.parse_event(record("content_block_start", start)) == \
        ContentBlockStart(0, {"type": "hologram", "text": 5})
    raw = {"type": "hologram_delta", "text": 5}
    assert messages.parse_event(record("content_block_delta", delta(raw))) == \
        ContentBlockDelta(0, UnknownDelta("hologram_delta", raw))


def test_optional_fields_may_be_absent_or_null():
    event = messages.parse_event(record("message_delta", {"type": "message_delta"}))
    assert (event.stop_reason, event.usage) == (None, {})
    event = messages.parse_event(record("message_delta", {
        "type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None,
                                           "stop_details": None},
        "usage": {"output_tokens": 7, "cache_read_input_tokens": None,
                  "server_tool_use": {"web_search_requests": 1}}}))
    assert (event.stop_reason, event.usage["output_tokens"]) == ("end_turn", 7)
    error = messages.parse_event(record("error", {"type": "error", "error": {"type": "overloaded_error"}}))
    assert (error.type, error.message) == ("overloaded_error", "the server reported an error")


# -- chat completions -------------------------------------------------------------------------

FIRST = {"id": "c1", "model": "m", "choices": [{"index": 0, "delta": {"role": "assistant",
                                                                      "content": "What arrived"}}]}


@pytest.mark.parametrize(("chunk", "says"), [
    ({"choices": [{"delta": {"content": 5}}]},
     "choices[0].delta.content is an integer, not a string or null"),
    ({"choices": [{"delta": "hello"}]}, "choices[0].delta is a string, not an object or null"),
    ({"choices": ["x"]}, "choices[0] is a string, not an object"),
    ({"choices": {"0": {}}}, "choices is an object, not an array or null"),
    ({"choices": [{"delta": {"reasoning_content": ["a"]}}]},
     "choices[0].delta.reasoning_content is an array, not a string or null"),
    ({"choices": [{"delta": {}, "finish_reason": 1}]}, "choices[0].finish_reason is an integer"),
    ({"choices": [{"delta": {"tool_calls": [{"index": "0"}]}}]},
     "choices[0].delta.tool_calls[0].index is a string, not an integer"),
    ({"choices": [{"delta": {"tool_calls": [{"index": 0, "function": {"arguments": {}}}]}}]},
     "choices[0].delta.tool_calls[0].function.arguments is an object, not a string or null"),
    ({"choices": [{"delta": {"tool_calls": ["call"]}}]},
     "choices[0].delta.tool_calls[0] is a string, not an object"),
    ({"choices": [], "usage": {"prompt_tokens": "3"}}, "usage.prompt_tokens is a string"),
    ({"error": "upstream overloaded"}, "error is a string, not an object or null"),
    ([1], "it is an array, not an object"),
])
def test_a_chat_completion_chunk_of_the_wrong_shape_names_the_field(chunk, says):
    acc = Accumulator()
    records = [record("message", FIRST), record("message", chunk)]
    with pytest.raises(MalformedStream, match=r"^the server sent a malformed chunk \(") as info:
        for event in chat_completions.events(records):
            acc.feed(event)
    assert says in str(info.value)
    assert acc.message.text == "What arrived"
