"""The accumulator on the recorded fixtures (through the SSE decoder and the Messages wire
format), and on hand-made event sequences. The wire formats' own tests are in
tests/unit/api/test_messages.py and test_chat_completions.py.

The expected Messages are written from the fixtures' README (what a correct
client ends with), not from the code.
"""

from __future__ import annotations

import pytest
from helpers.fixtures import fixture_bytes, replay

from claudechat.accumulator import Accumulator
from claudechat.api import messages
from claudechat.api.events import (
    ContentBlockDelta,
    ContentBlockStart,
    ContentBlockStop,
    ErrorEvent,
    MessageDelta,
    MessageStart,
    MessageStop,
    TextDelta,
    ThinkingDelta,
)
from claudechat.errors import IncompleteReply, MalformedStream


def run(name, wire=messages, chunks=None):
    return replay(name, wire, chunks)


RICH_CONTENT = [
    {"type": "thinking", "thinking": "Let me think about 2+2.",
     "signature": "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"},
    {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP"},
    {"type": "text", "text": "The answer is 4 — известни 😀.",
     "citations": [{"type": "char_location", "cited_text": "2+2=4", "document_index": 0,
                    "document_title": "Math", "start_char_index": 0, "end_char_index": 5}]},
    {"type": "server_tool_use", "id": "srvtoolu_01", "name": "web_search", "input": {"query": "weather"}},
    {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_01",
     "content": [{"type": "web_search_result", "title": "Weather", "url": "https://example.com",
                  "encrypted_content": "abc", "page_age": None}]},
    {"type": "tool_use", "id": "toolu_01", "name": "get_weather",
     "input": {"location": "Paris", "unit": "c"}},
]


def test_rich_stream_gives_the_documented_message():
    _, acc = run("rich_stream.sse")
    message = acc.final()
    assert message.to_dict() == {
        "id": "msg_01Test", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
        "content": RICH_CONTENT, "stop_reason": "tool_use", "stop_sequence": None,
        "usage": {"input_tokens": 25, "cache_creation_input_tokens": 0,
                  "cache_read_input_tokens": 0, "output_tokens": 87},
    }


@pytest.mark.parametrize("name", ["rich_stream.sse", "unknown_types.sse", "error_midstream.sse"])
def test_every_split_point_gives_the_same_message(name):
    _, whole = run(name)
    size = len(fixture_bytes(name))
    for i in range(size + 1):
        _, acc = run(name, chunks=lambda d, i=i: [d[:i], d[i:]])
        assert acc.message == whole.message, f"split at byte {i}"


def test_error_midstream_keeps_the_partial_text_and_reports_the_error():
    events, acc = run("error_midstream.sse")
    assert acc.message.text == "Partial"
    assert events[-1] == ErrorEvent(type="overloaded_error", message="Overloaded", request_id="req_011")
    assert not acc.finished


def test_truncated_stream_is_incomplete_but_keeps_what_arrived():
    _, acc = run("truncated.sse")
    with pytest.raises(IncompleteReply) as info:
        acc.final()
    assert info.value.partial.text == "Cut off"
    assert info.value.partial.stop_reason is None


def test_unknown_block_kept_as_it_came_and_unknown_delta_ignored():
    _, acc = run("unknown_types.sse")
    message = acc.final()
    assert message.content == [{"type": "brand_new_block", "foo": "bar"}, {"type": "text", "text": "ok"}]
    assert message.stop_reason == "end_turn"
    assert message.usage["output_tokens"] == 3


# -- order violations are MalformedStream errors that keep the partial message ------------


START = MessageStart({"id": "m", "type": "message", "role": "assistant", "model": "x", "content": [],
                      "usage": {"input_tokens": 1, "output_tokens": 1}})


@pytest.mark.parametrize(
    "sequence",
    [
        [ContentBlockStart(0, {"type": "text", "text": ""})],
        [START, START],
        [START, ContentBlockStart(1, {"type": "text", "text": ""})],
        [START, ContentBlockDelta(0, TextDelta("x"))],
        [START, ContentBlockStart(0, {"type": "text", "text": ""}), ContentBlockStop(0),
         ContentBlockDelta(0, TextDelta("late"))],
        [START, ContentBlockStart(0, {"type": "thinking", "thinking": ""}),
         ContentBlockDelta(0, TextDelta("x"))],
        [START, ContentBlockStart(0, {"type": "text", "text": ""}), ContentBlockDelta(0, ThinkingDelta("x"))],
        [START, ContentBlockStop(3)],
        [MessageDelta("end_turn", None, {})],
        [START, MessageStop(), MessageStop()],
    ],
    ids=["block-before-start", "two-starts", "skipped-index", "delta-unstarted", "delta-after-stop",
         "text-on-thinking", "thinking-on-text", "stop-unknown", "delta-before-start", "after-stop"],
)
def test_out_of_order_events_raise_malformed_stream(sequence):
    acc = Accumulator()
    with pytest.raises(MalformedStream, match="out of order"):
        for event in sequence:
            acc.feed(event)


def test_stream_error_carries_the_partial_message():
    acc = Accumulator()
    acc.feed(START)
    acc.feed(ContentBlockStart(0, {"type": "text", "text": ""}))
    acc.feed(ContentBlockDelta(0, TextDelta("kept")))
    with pytest.raises(MalformedStream) as info:
        acc.feed(ContentBlockDelta(5, TextDelta("x")))
    assert info.value.partial.text == "kept"


def test_a_tool_calls_invalid_json_is_kept_wrapped_as_docs_api_2026_section_7_says():
    from claudechat.api.events import InputJsonDelta

    acc = Accumulator()
    acc.feed(START)
    acc.feed(ContentBlockStart(0, {"type": "tool_use", "id": "t", "name": "f", "input": {}}))
    acc.feed(ContentBlockDelta(0, InputJsonDelta('{"a": ')))
    acc.feed(ContentBlockStop(0))
    assert acc.message.content[0]["input"] == {"INVALID_JSON": '{"a": '}


def test_bad_json_in_a_server_tool_block_is_a_malformed_stream():
    from claudechat.api.events import InputJsonDelta

    acc = Accumulator()
    acc.feed(START)
    acc.feed(ContentBlockStart(0, {"type": "server_tool_use", "id": "s", "name": "web_search", "input": {}}))
    acc.feed(ContentBlockDelta(0, InputJsonDelta('{"a": ')))
    with pytest.raises(MalformedStream, match="not valid JSON"):
        acc.feed(ContentBlockStop(0))


# -- linear at any length (issue 16): a delta must not copy the text that came before -----------


def _peak_allocation_of(fn) -> int:
    """The most memory `fn` held at once beyond what was allocated before it (bytes)."""
    import tracemalloc

    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - before


@pytest.mark.parametrize(("block", "delta"), [
    ({"type": "text", "text": ""}, TextDelta),
    ({"type": "thinking", "thinking": "", "signature": ""}, ThinkingDelta),
])
def test_a_delta_on_a_long_open_block_does_not_copy_what_came_before(block, delta):
    acc = Accumulator()
    acc.feed(START)
    acc.feed(ContentBlockStart(0, block))
    for _ in range(2_000):  # 1 MB so far, in 2,000 deltas
        acc.feed(ContentBlockDelta(0, delta("x" * 500)))
    # Appending a string to the block's string copies the whole megabyte per delta (the time
    # of a reply then grows with its square); a delta must cost what it holds, not what came before.
    ten_more = [ContentBlockDelta(0, delta("abcd")) for _ in range(10)]
    assert _peak_allocation_of(lambda: [acc.feed(event) for event in ten_more]) < 100_000
    key = block["type"]
    assert acc.message.content[0][key] == "x" * 1_000_000 + "abcd" * 10  # and nothing is lost


def test_the_text_so_far_is_whole_whenever_the_message_is_read():
    acc = Accumulator()
    acc.feed(START)
    acc.feed(ContentBlockStart(0, {"type": "text", "text": "a"}))
    acc.feed(ContentBlockDelta(0, TextDelta("b")))
    assert acc.message.text == "ab"  # as an interrupt reads it
    acc.feed(ContentBlockDelta(0, TextDelta("c")))
    assert acc.message.text == "abc"
    assert acc.message.text == "abc"  # reading twice joins nothing twice
    assert acc.feed(ContentBlockStop(0)).text == "abc"  # a stopped block is whole in the snapshot


def test_a_long_reply_in_tiny_deltas_is_held_in_little_more_than_its_size():
    acc = Accumulator()
    acc.feed(START)
    acc.feed(ContentBlockStart(0, {"type": "text", "text": ""}))
    def delta(n: int) -> str:  # made as it arrives, so only what the accumulator keeps stays
        return "abc" + chr(0x400 + n % 200)

    # 400,000 characters (800 KB): kept as a str object per 4-character delta, 8 MB
    held = _peak_allocation_of(lambda: [acc.feed(ContentBlockDelta(0, TextDelta(delta(n))))
                                        for n in range(100_000)])
    assert held < 2_500_000
    assert acc.message.text == "".join(delta(n) for n in range(100_000))
