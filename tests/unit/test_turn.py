"""turn.py: run_turn through the real ApiClient on an httpx.MockTransport, drawn by a view
that records what it was told. Expected behaviour from run_turn's docstring (persist before
sending and after the end; what arrived is kept, marked interrupted when it did not
finish; errors reported, not raised) and docs/PROTOCOL.md ("Streaming": an `error` event
after content keeps the reply so far and is not retried). Bad data mid-stream is in
tests/unit/test_errors.py."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from helpers.fixtures import fixture_bytes
from helpers.transport import sse_response

from claudechat.api.client import ApiClient, Endpoint
from claudechat.api.events import ContentBlockDelta, TextDelta
from claudechat.conversation import Conversation, RequestParams
from claudechat.errors import ApiError, IncompleteReply, MalformedStream, OutputClosed, UsageError
from claudechat.message import Message
from claudechat.turn import run_turn

ENDPOINT = Endpoint(base_url="https://api.example.test", auth="x-api-key", api_key="sk-ant-unit-key",
                    key_source="$ANTHROPIC_API_KEY")


def sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


def text_reply(*pieces: str) -> list[bytes]:
    """A whole streamed reply whose one text block arrives in `pieces`, one chunk per event."""
    return [
        sse("message_start", {"type": "message_start", "message": {
            "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
            "content": [], "stop_reason": None, "stop_sequence": None,
            "usage": {"input_tokens": 9, "output_tokens": 1}}}),
        sse("content_block_start", {"type": "content_block_start", "index": 0,
                                    "content_block": {"type": "text", "text": ""}}),
        *[sse("content_block_delta", {"type": "content_block_delta", "index": 0,
                                      "delta": {"type": "text_delta", "text": piece}}) for piece in pieces],
        sse("content_block_stop", {"type": "content_block_stop", "index": 0}),
        sse("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn",
                                                                 "stop_sequence": None},
                              "usage": {"output_tokens": 5}}),
        sse("message_stop", {"type": "message_stop"}),
    ]


class Server:
    """Answers every request with `answer`; keeps the requests' JSON bodies."""

    def __init__(self, answer: httpx.Response | list[bytes | Exception] | bytes) -> None:
        self.answer = answer
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(json.loads(request.content))
        if isinstance(self.answer, httpx.Response):
            return self.answer
        chunks = [self.answer] if isinstance(self.answer, bytes) else self.answer
        return sse_response(*chunks)


class View:
    """A StreamView that records its calls; `on_event` may raise to play Ctrl-C."""

    def __init__(self, on_event=None, on_end=None) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.on_event = on_event
        self.on_end = on_end

    def begin(self) -> None:
        self.calls.append(("begin", None))

    def event(self, event, message: Message) -> None:
        self.calls.append(("event", event))
        if self.on_event:
            self.on_event(event)

    def whole(self, message: Message) -> None:
        self.calls.append(("whole", message))

    def notice(self, text: str) -> None:
        self.calls.append(("notice", text))

    def end(self, result) -> None:
        self.calls.append(("end", result))
        if self.on_end:
            self.on_end()

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


class Turn:
    """One run_turn on a fresh conversation ("hi") against `server`."""

    def __init__(self, server: Server, view: View | None = None, *, stream: bool = True,
                 **params: Any) -> None:
        self.server = server
        self.view = view or View()
        self.persisted: list[tuple[int, list[str]]] = []  # (requests sent by then, the roles kept)
        self.conversation = Conversation(params=RequestParams(
            **{"model": "claude-sonnet-4-5", "max_tokens": 100, **params}))
        self.conversation.add_user("hi")
        client = ApiClient(ENDPOINT, httpx.Client(transport=httpx.MockTransport(server)), max_retries=2,
                           sleep=lambda _: pytest.fail("run_turn retried"))
        self.result = run_turn(self.conversation, client, self.view, stream=stream, persist=self.persist)

    def persist(self, conversation: Conversation) -> None:
        assert conversation is self.conversation
        self.persisted.append((len(self.server.bodies), [t.role for t in conversation.turns]))

    @property
    def last(self):
        return self.conversation.turns[-1]


def test_a_complete_reply_is_added_to_the_conversation():
    turn = Turn(Server(text_reply("Hello", ", world")))
    assert turn.result.complete and not turn.result.interrupted and turn.result.error is None
    assert turn.result.message.text == "Hello, world"
    assert [t.role for t in turn.conversation.turns] == ["user", "assistant"]
    assert turn.last.content == [{"type": "text", "text": "Hello, world"}]
    assert (turn.last.stop_reason, turn.last.usage, turn.last.interrupted) == (
        "end_turn", {"input_tokens": 9, "output_tokens": 5}, False)
    assert turn.server.bodies[0]["stream"] is True
    assert turn.server.bodies[0]["messages"] == [{"role": "user",
                                                  "content": [{"type": "text", "text": "hi"}]}]


def test_persist_is_called_before_sending_with_the_users_message_and_after_with_the_reply():
    turn = Turn(Server(text_reply("ok")))
    assert turn.persisted == [(0, ["user"]), (1, ["user", "assistant"])]


def test_the_view_sees_begin_the_events_then_end_with_the_result():
    turn = Turn(Server(text_reply("a", "b")))
    names = turn.view.names()
    assert names[0] == "begin" and names[-1] == "end" and set(names[1:-1]) == {"event"}
    deltas = [e.delta.text for name, e in turn.view.calls
              if name == "event" and isinstance(e, ContentBlockDelta)]
    assert deltas == ["a", "b"]
    assert turn.view.calls[-1][1] is turn.result


def test_the_recorded_rich_stream_ends_as_one_complete_assistant_turn():
    turn = Turn(Server(fixture_bytes("rich_stream.sse")))
    assert turn.result.complete
    assert turn.last.content == turn.result.message.content
    assert [b["type"] for b in turn.last.content] == ["thinking", "redacted_thinking", "text",
                                                      "server_tool_use", "web_search_tool_result", "tool_use"]
    assert turn.last.stop_reason == "tool_use"


def test_a_stream_that_ends_before_message_stop_is_kept_marked_interrupted_and_reported():
    turn = Turn(Server(fixture_bytes("truncated.sse")))
    assert isinstance(turn.result.error, IncompleteReply)
    assert not turn.result.complete
    assert turn.result.message.text == "Cut off"
    assert turn.last.role == "assistant" and turn.last.interrupted
    assert turn.last.content == [{"type": "text", "text": "Cut off"}]
    assert turn.persisted[-1] == (1, ["user", "assistant"])
    assert turn.view.names()[-1] == "end"


def test_a_connection_broken_mid_reply_keeps_what_arrived():
    chunks = text_reply("Part", "never")
    turn = Turn(Server([*chunks[:3], httpx.RemoteProtocolError("peer closed connection")]))
    assert isinstance(turn.result.error, IncompleteReply)
    assert turn.last.interrupted and turn.last.content == [{"type": "text", "text": "Part"}]
    assert len(turn.server.bodies) == 1  # not retried
    assert turn.view.names()[-1] == "end"


def test_an_error_event_mid_stream_keeps_the_partial_reply_and_is_not_retried():
    turn = Turn(Server(fixture_bytes("error_midstream.sse")))
    assert isinstance(turn.result.error, ApiError)
    assert "overloaded_error" in str(turn.result.error) and "Overloaded" in str(turn.result.error)
    assert turn.result.error.request_id == "req_011"
    assert turn.last.interrupted and turn.last.content == [{"type": "text", "text": "Partial"}]
    assert len(turn.server.bodies) == 1
    assert turn.view.names()[-1] == "end"


def test_ctrl_c_in_the_view_mid_stream_keeps_what_arrived_and_marks_the_result_interrupted():
    def interrupt_on_the_second_piece(event) -> None:
        if isinstance(event, ContentBlockDelta) and event.delta == TextDelta(" second"):
            raise KeyboardInterrupt

    turn = Turn(Server(text_reply("first", " second", " third")),
                View(on_event=interrupt_on_the_second_piece))
    assert turn.result.interrupted and not turn.result.complete and turn.result.error is None
    assert turn.result.message.text == "first second"
    assert turn.last.interrupted and turn.last.content == [{"type": "text", "text": "first second"}]
    assert turn.persisted[-1] == (1, ["user", "assistant"])
    assert turn.view.names()[-1] == "end"


def test_a_reader_gone_mid_stream_ends_the_turn_quietly():
    def close(event) -> None:
        if isinstance(event, ContentBlockDelta):
            raise OutputClosed()

    turn = Turn(Server(text_reply("first", " second")), View(on_event=close))
    assert turn.result.output_closed and turn.result.interrupted and turn.result.error is None
    assert turn.last.interrupted
    assert turn.view.names()[-1] == "end"


def test_a_reader_gone_while_the_view_ends_is_noted_not_raised():
    def close() -> None:
        raise OutputClosed()

    turn = Turn(Server(text_reply("ok")), View(on_end=close))
    assert turn.result.complete and turn.result.output_closed


def test_stream_false_takes_the_whole_reply_in_one_piece():
    whole = {"id": "msg_2", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
             "content": [{"type": "text", "text": "All at once."}], "stop_reason": "end_turn",
             "stop_sequence": None, "usage": {"input_tokens": 3, "output_tokens": 4}}
    turn = Turn(Server(httpx.Response(200, json=whole)), stream=False)
    assert "stream" not in turn.server.bodies[0]
    assert turn.result.complete and turn.result.message.to_dict() == whole
    assert turn.view.names() == ["begin", "whole", "end"]
    assert turn.view.calls[1][1].text == "All at once."
    assert turn.last.content == whole["content"] and not turn.last.interrupted
    assert turn.persisted == [(0, ["user"]), (1, ["user", "assistant"])]


WHOLE = {"id": "msg_3", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
         "content": [{"type": "text", "text": "Made in full."}], "stop_reason": "end_turn",
         "stop_sequence": None, "usage": {"input_tokens": 3, "output_tokens": 4}}


def test_a_whole_reply_sent_to_a_stream_request_is_drawn_kept_and_reported():
    turn = Turn(Server(httpx.Response(200, json=WHOLE)))
    assert isinstance(turn.result.error, IncompleteReply) and "instead of a stream" in str(turn.result.error)
    assert turn.view.names() == ["begin", "whole", "end"]
    assert turn.last.content == WHOLE["content"] and turn.last.interrupted


@pytest.mark.parametrize(("body", "kept"), [(json.dumps(WHOLE).encode(), WHOLE["content"]),
                                            (json.dumps(WHOLE).encode()[:60], None)],
                         ids=["whole-then-cut", "cut-halfway"])
def test_a_whole_reply_cut_off_is_kept_when_it_parses_and_never_asked_for_again(body, kept):
    def broken():
        yield body
        raise httpx.RemoteProtocolError("peer closed connection")

    turn = Turn(Server(httpx.Response(200, headers={"content-type": "application/json"}, content=broken())),
                stream=False)
    assert len(turn.server.bodies) == 1
    assert isinstance(turn.result.error, IncompleteReply)
    if kept is None:
        assert not turn.result.has_content and "nothing usable arrived" in str(turn.result.error)
    else:
        assert turn.last.content == kept and turn.last.interrupted


def test_an_error_answer_adds_no_reply_but_is_reported_persisted_and_ended():
    refusal = httpx.Response(400, json={"type": "error", "error": {"type": "invalid_request_error",
                                                                   "message": "bad request"}})
    turn = Turn(Server(refusal))
    assert isinstance(turn.result.error, ApiError) and turn.result.error.status == 400
    assert not turn.result.has_content
    assert [t.role for t in turn.conversation.turns] == ["user"]
    assert turn.persisted == [(0, ["user"]), (1, ["user"])]
    assert turn.view.names() == ["begin", "end"]


def test_parameters_the_model_refuses_are_refused_before_anything_is_sent():
    server = Server(text_reply("ok"))
    with pytest.raises(UsageError, match="claude-opus-5-5 does not accept temperature"):
        Turn(server, model="claude-opus-5-5", temperature=0.5)
    assert server.bodies == []


def test_invalid_utf8_is_kept_as_u_fffd_reported_and_marked_on_the_reply():
    chunks = text_reply("caf\udcc3", "é")
    chunks[2] = chunks[2].replace(b"\\udcc3", b"\xc3")  # a lone lead byte: not UTF-8
    turn = Turn(Server(chunks))
    assert turn.result.complete and turn.result.message.text == "caf\ufffdé"
    assert isinstance(turn.result.error, MalformedStream)
    assert "invalid UTF-8" in str(turn.result.error)
    assert turn.last.invalid_utf8 and not turn.last.interrupted
    assert turn.last.content == [{"type": "text", "text": "caf\ufffdé"}]
    assert len(turn.server.bodies) == 1


def test_invalid_utf8_after_a_cut_stream_is_one_more_line_after_the_reply():
    chunks = text_reply("caf\udcc3", "never")
    chunks[2] = chunks[2].replace(b"\\udcc3", b"\xc3")
    turn = Turn(Server([*chunks[:3], httpx.RemoteProtocolError("peer closed connection")]))
    assert isinstance(turn.result.error, IncompleteReply)
    notices = [text for name, text in turn.view.calls if name == "notice"]
    assert len(notices) == 1 and "invalid UTF-8" in notices[0]
    assert turn.last.invalid_utf8 and turn.last.interrupted
