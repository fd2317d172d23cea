"""Stream errors by type: a cut stream is an IncompleteReply, bad data a MalformedStream,
wherever each is found; run_turn reports bad data as an IncompleteReply raised from it."""

from __future__ import annotations

import io

import httpx
import pytest

from claudechat.accumulator import Accumulator
from claudechat.api import chat_completions, messages
from claudechat.api.client import ApiClient, Endpoint
from claudechat.api.events import ContentBlockDelta, ContentBlockStart, MessageStart, TextDelta
from claudechat.api.sse import ServerSentEvent
from claudechat.conversation import Conversation, RequestParams
from claudechat.errors import (
    ApiError,
    ClaudechatError,
    ExitCode,
    IncompleteReply,
    MalformedStream,
    StreamError,
)
from claudechat.render.view import PlainView
from claudechat.turn import run_turn

START = MessageStart({"id": "m", "type": "message", "role": "assistant", "model": "x", "content": [],
                      "usage": {"input_tokens": 1, "output_tokens": 1}})


def sse(event: str, data: str) -> bytes:
    return f"event: {event}\ndata: {data}\n\n".encode()


HEAD = (sse("message_start", '{"type":"message_start","message":{"id":"m","type":"message",'
            '"role":"assistant","model":"x","content":[],"usage":{"input_tokens":1,"output_tokens":0}}}')
        + sse("content_block_start", '{"type":"content_block_start","index":0,'
              '"content_block":{"type":"text","text":""}}')
        + sse("content_block_delta", '{"type":"content_block_delta","index":0,'
              '"delta":{"type":"text_delta","text":"Part"}}'))


# -- the hierarchy -----------------------------------------------------------------


@pytest.mark.parametrize("kind", [IncompleteReply, MalformedStream])
def test_both_stream_errors_are_stream_errors_with_exit_code_1(kind):
    assert issubclass(kind, StreamError) and issubclass(kind, ClaudechatError)
    assert kind("x").exit_code == ExitCode.ERROR
    assert not issubclass(IncompleteReply, MalformedStream)
    assert not issubclass(MalformedStream, IncompleteReply)


def test_an_incomplete_reply_says_so_and_keeps_its_reason():
    error = IncompleteReply("the connection broke", hint="try again")
    assert error.reason == "the connection broke"
    assert str(error) == "the reply is incomplete: the connection broke — try again"


# -- where each is raised -------------------------------------------------------------


def test_a_stream_without_message_stop_is_an_incomplete_reply():
    acc = Accumulator()
    acc.feed(START)
    with pytest.raises(IncompleteReply) as info:
        acc.final()
    assert not isinstance(info.value, MalformedStream)


@pytest.mark.parametrize("wire, record", [
    (messages, ServerSentEvent("content_block_delta", '{"index": 0, "delta": ')),
    (messages, ServerSentEvent("content_block_delta", '[1, 2]')),
    (messages, ServerSentEvent("content_block_stop", '{"type": "content_block_stop"}')),
    (chat_completions, ServerSentEvent("message", '{"choices": [')),
], ids=["messages-bad-json", "messages-not-an-object", "messages-missing-field", "chat-bad-json"])
def test_bad_json_in_a_stream_is_malformed(wire, record):
    with pytest.raises(MalformedStream):
        list(wire.events([record]))


def test_events_out_of_order_are_malformed_and_keep_what_arrived():
    acc = Accumulator()
    acc.feed(START)
    acc.feed(ContentBlockStart(0, {"type": "text", "text": ""}))
    acc.feed(ContentBlockDelta(0, TextDelta("kept")))
    with pytest.raises(MalformedStream, match="out of order") as info:
        acc.feed(ContentBlockDelta(1, TextDelta("x")))
    assert info.value.partial.text == "kept"


@pytest.mark.parametrize("wire", [messages, chat_completions])
def test_a_whole_reply_of_the_wrong_shape_is_malformed(wire):
    with pytest.raises(MalformedStream):
        wire.parse_message({"neither": "shape"})


class _Cut(httpx.SyncByteStream):
    """A response body that delivers `data`, then the connection breaks."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __iter__(self):
        yield self.data
        raise httpx.ReadError("connection reset by peer")


def client_for(body: httpx.SyncByteStream | bytes) -> ApiClient:
    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"content-type": "text/event-stream"}
        if isinstance(body, bytes):
            return httpx.Response(200, headers=headers, content=body)
        return httpx.Response(200, headers=headers, stream=body)

    endpoint = Endpoint(base_url="http://test", auth="x-api-key", api_key="sk-test", key_source="test")
    return ApiClient(endpoint, httpx.Client(transport=httpx.MockTransport(handler)), max_retries=0)


def test_a_connection_broken_mid_stream_is_an_incomplete_reply():
    client = client_for(_Cut(HEAD))
    with pytest.raises(IncompleteReply, match="the connection broke mid-reply"):
        with client.stream(messages.PATH, {}) as records:
            list(records)


# -- what run_turn reports ----------------------------------------------------------------


def turn(client: ApiClient):
    conversation = Conversation(params=RequestParams(model="x", max_tokens=10))
    conversation.add_user("hi")
    out, err = io.StringIO(), io.StringIO()
    return run_turn(conversation, client, PlainView(out, err)), conversation, out


def test_run_turn_reports_bad_data_as_an_incomplete_reply_raised_from_it():
    result, conversation, out = turn(client_for(HEAD + sse("content_block_delta", "{not json")))
    assert isinstance(result.error, IncompleteReply)
    assert isinstance(result.error.__cause__, MalformedStream)
    assert str(result.error) == ("the reply is incomplete: the server sent a malformed "
                                 "content_block_delta event (its data is not JSON) — what arrived "
                                 "was kept; try again")
    assert str(result.error.__cause__) == ("the server sent a malformed content_block_delta event "
                                           "(its data is not JSON)")
    assert result.message.text == out.getvalue().strip() == "Part"
    assert conversation.turns[-1].interrupted


def test_run_turn_passes_a_cut_stream_on_as_it_was_raised():
    result, _, _ = turn(client_for(_Cut(HEAD)))
    assert isinstance(result.error, IncompleteReply) and result.error.__cause__ is None
    assert result.message.text == "Part"
    assert not result.complete


def test_a_hint_is_added_to_a_copy_and_the_caught_error_is_left_as_it_was():
    caught = ApiError("overloaded", status=529, code="overloaded_error")
    told = caught.with_hint("--no-save asks without keeping a history")
    assert str(told) == "HTTP 529 overloaded_error: overloaded — --no-save asks without keeping a history"
    assert isinstance(told, ApiError) and told.exit_code == caught.exit_code
    assert caught.hint is None and str(caught) == "HTTP 529 overloaded_error: overloaded"
    already = ClaudechatError("locked", hint="try again")
    assert str(already.with_hint("something else")) == "locked — try again"
