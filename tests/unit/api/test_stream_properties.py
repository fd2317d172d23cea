"""Property tests (hypothesis) of the stream's decoding, from bytes to the Message:

- any split of a recorded stream (tests/fixtures/*.sse) gives the same events and the
  same Message;
- arbitrary bytes, and arbitrary JSON under any event name, raise nothing but the
  documented stream errors (StreamError: MalformedStream, IncompleteReply), and never
  lose text that was already delivered: the text of whole events that arrived before
  the garbage is still in the message, and through run_turn what the user was shown
  is what the reply keeps.

Kept fast: a bounded number of examples each, no deadline (the machine is shared).
"""

from __future__ import annotations

import io
import json
from collections import Counter
from typing import Any

import httpx
from helpers.fixtures import fixture_bytes, sse_fixtures
from helpers.transport import sse_response
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claudechat.accumulator import Accumulator
from claudechat.api import chat_completions, messages
from claudechat.api.client import ApiClient, Endpoint
from claudechat.api.events import loads as events_loads
from claudechat.api.sse import SSEDecoder
from claudechat.conversation import Conversation, RequestParams
from claudechat.errors import ApiError, StreamError
from claudechat.message import Message
from claudechat.render.view import PlainView
from claudechat.turn import run_turn

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FIXTURES = sse_fixtures()


def wire_of(name: str) -> Any:
    return chat_completions if name.startswith("openai") else messages


def outcome(data: bytes, cuts: list[int], wire: Any) -> tuple[list[Any], Message, str | None]:
    """`data` read in pieces cut at `cuts`: the events, the message, and the stream error's
    type (None when none); any other exception fails the test."""
    decoder = SSEDecoder()
    acc = Accumulator()
    events: list[Any] = []
    points = [0, *sorted(c % (len(data) + 1) for c in cuts), len(data)]

    def records() -> Any:
        for a, b in zip(points, points[1:], strict=False):
            yield from decoder.feed(data[a:b])
        yield from decoder.flush()

    try:
        for event in wire.events(records()):
            events.append(event)
            acc.feed(event)
        acc.final()
    except StreamError as exc:
        return events, acc.message, type(exc).__name__
    return events, acc.message, None


@FAST
@given(name=st.sampled_from(FIXTURES), cuts=st.lists(st.integers(min_value=0), max_size=12))
def test_any_split_of_a_recorded_stream_gives_the_same_message(name, cuts):
    data = fixture_bytes(name)
    assert outcome(data, cuts, wire_of(name)) == outcome(data, [], wire_of(name))


def text_blocks(message: Message) -> list[str]:
    return [str(b.get("text")) for b in message.content if b.get("type") == "text"]


def kept(before: Message, after: Message) -> bool:
    """Every text block of `before` is still there in `after`, as it was or grown at its end."""
    old, new = text_blocks(before), text_blocks(after)
    return len(new) >= len(old) and all(n.startswith(o) for o, n in zip(old, new, strict=False))


def whole_events(name: str) -> list[bytes]:
    data = fixture_bytes(name)
    return [part + b"\n\n" for part in data.split(b"\n\n") if part.strip()]


@FAST
@given(name=st.sampled_from(FIXTURES), keep=st.integers(min_value=0), garbage=st.binary(max_size=300),
       cuts=st.lists(st.integers(min_value=0), max_size=6))
def test_arbitrary_bytes_after_whole_events_keep_their_text(name, keep, garbage, cuts):
    events = whole_events(name)
    prefix = b"".join(events[: keep % (len(events) + 1)])
    _, delivered, _ = outcome(prefix, [], wire_of(name))
    _, message, _ = outcome(prefix + garbage, cuts, wire_of(name))
    assert kept(delivered, message)


@FAST
@given(data=st.binary(max_size=400), cuts=st.lists(st.integers(min_value=0), max_size=6))
def test_arbitrary_bytes_raise_only_stream_errors(data, cuts):
    outcome(data, cuts, messages)
    outcome(data, cuts, chat_completions)


# -- arbitrary JSON events ------------------------------------------------------------------------

NAMES = ["message_start", "content_block_start", "content_block_delta", "content_block_stop",
         "message_delta", "message_stop", "error", "ping", "message"]
JSON = st.recursive(st.none() | st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=False)
                    | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                                max_size=3),
                    max_leaves=12)
KEYS = ["type", "index", "delta", "text", "content_block", "message", "usage", "stop_reason", "error",
        "thinking", "partial_json", "signature", "citation", "content", "output_tokens"]
TYPES = ["text", "thinking", "tool_use", "text_delta", "thinking_delta", "input_json_delta",
         "signature_delta", "citations_delta", "hologram", *NAMES]
START = {"type": "message_start", "message": {"id": "m", "type": "message", "role": "assistant",
                                              "model": "x", "content": [], "usage": {}}}


@st.composite
def shaped(draw: Any, depth: int = 0) -> Any:
    """JSON that looks like events: the documented keys and type names, values of any type."""
    if depth > 2 or draw(st.booleans()):
        return draw(JSON | st.sampled_from(TYPES) | st.integers(0, 2))
    keys = draw(st.lists(st.sampled_from(KEYS), max_size=4, unique=True))
    return {key: draw(st.sampled_from(TYPES)) if key == "type" and draw(st.booleans())
            else draw(shaped(depth + 1)) for key in keys}


def valid(index: int, text: str) -> list[tuple[str, Any]]:
    return [("content_block_start", {"type": "content_block_start", "index": index,
                                     "content_block": {"type": "text", "text": ""}}),
            ("content_block_delta", {"type": "content_block_delta", "index": index,
                                     "delta": {"type": "text_delta", "text": text}})]


EVENTS = st.lists(st.one_of(
    st.tuples(st.sampled_from(NAMES), shaped()),
    st.tuples(st.sampled_from(NAMES), JSON),
    st.builds(valid, st.integers(0, 3), st.text(max_size=5)).map(lambda pair: pair[1]),
    st.builds(valid, st.integers(0, 3), st.text(max_size=5)).map(lambda pair: pair[0]),
), max_size=12)


def stream(events: list[tuple[str, Any]]) -> bytes:
    return b"".join(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()
                    for name, data in [("message_start", START), *events])


@FAST
@given(events=EVENTS)
def test_arbitrary_json_events_raise_only_stream_errors_and_keep_what_arrived(events):
    data = stream(events)
    ends = [i + 2 for i in range(len(data)) if data[i:i + 2] == b"\n\n"]
    before = None
    for end in ends:  # the message after each whole event only ever grows
        _, message, _ = outcome(data[:end], [], messages)
        assert before is None or kept(before, message)
        before = message


def chunk_stream(chunks: list[Any]) -> bytes:
    return b"".join(f"data: {json.dumps(c)}\n\n".encode() for c in chunks) + b"data: [DONE]\n\n"


CHUNK = st.fixed_dictionaries({}, optional={
    "id": JSON, "model": JSON, "usage": JSON | st.fixed_dictionaries({}, optional={"prompt_tokens": JSON}),
    "error": JSON,
    "choices": JSON | st.lists(JSON | st.fixed_dictionaries({}, optional={
        "finish_reason": JSON, "delta": JSON | st.fixed_dictionaries({}, optional={
            "content": JSON, "reasoning_content": JSON,
            "tool_calls": JSON | st.lists(JSON | st.fixed_dictionaries({}, optional={
                "index": JSON, "id": JSON, "function": JSON}), max_size=2)})}), max_size=2)})


@FAST
@given(chunks=st.lists(CHUNK, max_size=6))
def test_arbitrary_chat_completion_chunks_raise_only_stream_errors(chunks):
    outcome(chunk_stream(chunks), [], chat_completions)


# -- through run_turn: what the user was shown is what is kept --------------------------------------


def shown_and_kept(body: bytes, cuts: list[int]) -> tuple[str, str, Any]:
    points = sorted({c % (len(body) + 1) for c in cuts} | {0, len(body)})
    pieces = [body[a:b] for a, b in zip(points, points[1:], strict=False)]
    transport = httpx.MockTransport(lambda request: sse_response(*pieces))
    endpoint = Endpoint(base_url="https://api.example.test", auth="x-api-key", api_key="sk-prop",
                        key_source="test")
    client = ApiClient(endpoint, httpx.Client(transport=transport), max_retries=0)
    conversation = Conversation(params=RequestParams(model="claude-sonnet-4-5", max_tokens=100))
    conversation.add_user("hi")
    out, err = io.StringIO(), io.StringIO()
    result = run_turn(conversation, client, PlainView(out, err))
    return out.getvalue(), result.message.text, result.error


@FAST
@given(events=EVENTS, cuts=st.lists(st.integers(min_value=0), max_size=4))
def test_run_turn_keeps_every_character_it_showed(events, cuts):
    shown, kept_text, error = shown_and_kept(stream(events), cuts)
    assert error is None or isinstance(error, StreamError | ApiError)  # ApiError: an `error` event
    if shown.endswith("\n") and not kept_text.endswith("\n"):
        shown = shown[:-1]  # the view ends the last line
    assert not Counter(shown) - Counter(kept_text)  # deltas may go to blocks in any order


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                           lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=8)
SPACE = st.sampled_from(["", " ", "\n", "\t ", "\r\n"])


@FAST
@given(value=JSON_VALUES, before=SPACE, after=SPACE, tail=st.sampled_from(["", "x", "}", "1", "{}"]))
def test_the_event_json_parser_takes_and_refuses_what_json_loads_does(value, before, after, tail):
    """events.loads parses the common case without json.loads's whitespace scans; it must
    accept exactly what json.loads accepts (whitespace around, NaN) and refuse the rest
    (text after the value) with a ValueError."""
    text = before + json.dumps(value) + after + tail
    try:
        expected: Any = json.loads(text)
    except ValueError:
        expected = ValueError
    try:
        got: Any = events_loads(text)
    except ValueError:
        got = ValueError
    assert json.dumps(got, default=str) == json.dumps(expected, default=str)
