"""run_turn: the one place where sending, streaming, accumulating, drawing,
Ctrl-C and errors meet. The REPL and `ask` call it; neither knows HTTP.

Whatever happens, what arrived is kept: the reply (whole or partial) is added
to the conversation, marked interrupted when it did not finish.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from claudechat.accumulator import Accumulator
from claudechat.api import messages as messages_wire
from claudechat.api.client import ApiClient
from claudechat.api.events import ErrorEvent
from claudechat.api.wire import Wire
from claudechat.conversation import Conversation
from claudechat.errors import (
    ApiError,
    ClaudechatError,
    IncompleteReply,
    MalformedStream,
    OutputClosed,
    StreamError,
)
from claudechat.message import Message
from claudechat.render.view import StreamView


@dataclass
class TurnResult:
    message: Message
    complete: bool = False
    interrupted: bool = False
    error: ClaudechatError | None = None
    elapsed: float = 0.0
    output_closed: bool = False  # stdout's reader went away (| head)

    @property
    def has_content(self) -> bool:
        return bool(self.message.content)


def run_turn(
    conversation: Conversation,
    client: ApiClient,
    view: StreamView,
    *,
    wire: Wire = messages_wire,
    stream: bool = True,
    persist: Callable[[Conversation], None] | None = None,
) -> TurnResult:
    """Send the conversation, draw the reply, and add it to the conversation.

    `persist(conversation)` is called once the request is ready to go (so the
    user's message is kept before anything is sent) and again when the reply
    has ended, however it ended.

    Returns a TurnResult; errors are reported in it, not raised, so the caller
    decides the exit code. KeyboardInterrupt stops the reply at once.
    """
    started = time.monotonic()
    params, warnings = conversation.params.checked()
    for warning in warnings:
        view.notice(warning)
    body = wire.build_body(conversation, params, stream=stream)
    if persist is not None:
        persist(conversation)
    acc = Accumulator()
    result = TurnResult(message=acc.message)
    view.begin()
    try:
        result.message = _receive(client, wire, body, acc, view, stream=stream)
        result.complete = True
    except (KeyboardInterrupt, OutputClosed) as exc:
        result.interrupted = True
        result.output_closed = isinstance(exc, OutputClosed)
        result.message = acc.message
    except StreamError as exc:
        result.error = exc
        result.message = exc.partial if isinstance(exc.partial, Message) else acc.message
    except ClaudechatError as exc:
        result.error = exc
        result.message = acc.message
    finally:
        result.elapsed = time.monotonic() - started
    if result.has_content:
        conversation.add_assistant(result.message, interrupted=not result.complete)
    if persist is not None:
        persist(conversation)
    try:
        view.end(result)
    except OutputClosed:
        result.output_closed = True
    return result


def _receive(client: ApiClient, wire: Wire, body: dict, acc: Accumulator,
             view: StreamView, *, stream: bool) -> Message:
    """The whole reply; bad data ends it as an IncompleteReply that keeps what arrived."""
    try:
        if not stream:
            message = wire.parse_message(client.post_json(wire.PATH, body))
            view.whole(message)
            return message
        _stream(client, wire, body, acc, view)
        return acc.final()
    except MalformedStream as exc:
        partial = exc.partial if isinstance(exc.partial, Message) else acc.message
        hint = exc.hint or ("what arrived was kept; try again" if partial.content else "try again")
        raise IncompleteReply(exc.message, hint=hint, partial=partial) from exc


def _stream(client: ApiClient, wire: Wire, body: dict, acc: Accumulator,
            view: StreamView) -> None:
    with client.stream(wire.PATH, body) as records:
        for event in wire.events(records):
            message = acc.feed(event)
            view.event(event, message)
            if isinstance(event, ErrorEvent):
                raise ApiError(
                    f"the server reported {event.type} mid-reply: {event.message}",
                    code=None,
                    request_id=event.request_id,
                    hint="the partial reply was kept; try again shortly",
                )
