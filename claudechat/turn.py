"""run_turn: the one place where sending, streaming, accumulating, drawing,
Ctrl-C and errors meet. The REPL and `ask` call it; neither knows HTTP.

Whatever happens, what arrived is kept: the reply (whole or partial) is added
to the conversation, marked interrupted when it did not finish; a question that
got no usable reply is marked unanswered (Conversation.set_aside).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from claudechat import replay
from claudechat.accumulator import Accumulator
from claudechat.api import messages as messages_wire
from claudechat.api.client import ApiClient
from claudechat.api.events import ErrorEvent
from claudechat.api.sse import ServerSentEvent
from claudechat.api.wire import Wire
from claudechat.conversation import Conversation, RequestParams
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
    notices: list[str] = field(default_factory=list)  # said after the reply (a recovered prefix)

    @property
    def has_content(self) -> bool:
        return bool(self.message.content)


MAX_CONTINUATIONS = 5  # pause_turn: how many times a paused reply is continued on its own


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
    has ended, however it ended. A reply the server paused (`pause_turn`) is
    continued: the conversation goes back with the paused reply last, unchanged,
    at most MAX_CONTINUATIONS times, each said in a line.

    Returns a TurnResult; errors are reported in it, not raised, so the caller
    decides the exit code. KeyboardInterrupt stops the reply at once.
    """
    result = _run_once(conversation, client, view, wire=wire, stream=stream, persist=persist)
    for count in range(1, MAX_CONTINUATIONS + 1):
        if not result.complete or result.message.stop_reason != "pause_turn":
            break
        _note(view, f"the server paused its tool loop; continuing ({count} of {MAX_CONTINUATIONS})")
        result = _run_once(conversation, client, view, wire=wire, stream=stream, persist=persist)
    if result.complete and result.message.stop_reason == "pause_turn":
        view.notice(f"the server paused its tool loop again; stopped after {MAX_CONTINUATIONS} "
                    f"continuations (what arrived is kept): send a message to let it go on")
    return result


def _show(view: StreamView, result: TurnResult) -> None:
    flush = getattr(view, "flush", None)
    try:
        if flush is not None:
            flush()
    except OutputClosed:
        result.output_closed = True


def _note(view: StreamView, text: str) -> None:
    note = getattr(view, "note", None)
    (note or view.notice)(text)


def _run_once(conversation: Conversation, client: ApiClient, view: StreamView, *, wire: Wire,
              stream: bool, persist: Callable[[Conversation], None] | None) -> TurnResult:
    started = time.monotonic()
    params, warnings = conversation.params.checked()
    for warning in warnings:
        view.notice(warning)
    if not conversation.server_tools and params.server_tools and wire is messages_wire:
        _offer_server_tools(conversation, params, view)
    if persist is not None:
        persist(conversation)
    acc = Accumulator()
    result = TurnResult(message=acc.message)
    view.begin()
    try:
        result.message = _send(conversation, params, client, wire, acc, view, stream=stream,
                               notes=result.notices)
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
    if acc.invalid_utf8:
        _invalid_utf8(result)
    _show(view, result)  # the last read's text is on screen before the save, which may wait
    if result.has_content or result.message.stop_reason == "refusal":  # a refusal, empty or not
        conversation.add_assistant(result.message, interrupted=not result.complete,
                                   invalid_utf8=acc.invalid_utf8 > 0)
        if wire is messages_wire:  # Chat Completions has no signatures and sends no thinking back
            result.notices.extend(filter(None, [replay.unsigned_note(conversation.turns)]))
    conversation.set_aside()  # no usable reply: the question is kept but not sent again unasked
    if persist is not None:
        persist(conversation)
    try:
        view.end(result)
        for line in result.notices:
            view.notice(line)
    except OutputClosed:
        result.output_closed = True
    return result


def _invalid_utf8(result: TurnResult) -> None:
    """Bytes that were not UTF-8 are in the reply as U+FFFD: the text is not what the server
    meant. A reply that otherwise finished ends as an error (`ask` exits 1); after another
    error or an interrupt, it is one more line."""
    error = MalformedStream("the server sent invalid UTF-8 in the reply; the bad bytes are shown and "
                            "saved as U+FFFD", hint="the reply is kept, marked as such",
                            partial=result.message)
    if result.error is None and not result.interrupted:
        result.error = error
    else:
        result.notices.append(str(error))


def _offer_server_tools(conversation: Conversation, params: RequestParams, view: StreamView) -> None:
    """The web tools join the request's tools, sent the same from now on (web.py). Mid-conversation
    that edits the prefix the model's earlier thinking is bound to (docs/API-2026.md §2): it is
    dropped (drop_block) at once, said in a line, rather than refused by the API first."""
    conversation.server_tools = params.server_tools
    thought = any(b.get("type") in replay.THINKING for t in conversation.turns if t.role == "assistant"
                  for b in t.content)
    if thought and params.model_rules().preserved_thinking and params.thinking.on \
            and not conversation.drop_block:
        conversation.drop_block = True
        view.notice("web search joined this conversation's tools, so the model's earlier thinking no "
                    "longer matches what it was written for: the API drops it (drop_block) from now on")


def _send(conversation: Conversation, params: RequestParams, client: ApiClient, wire: Wire,
          acc: Accumulator, view: StreamView, *, stream: bool, notes: list[str]) -> Message:
    """The reply; a prefix the API calls bound to a different conversation is recovered
    once (docs/API-2026.md §2): drop_block from now on, or the earlier thinking left out."""
    paused = conversation.ends_on_paused_turn()  # sent back unchanged, last (§5 pause_turn)
    body = wire.build_body(conversation, params, stream=stream, allow_trailing_assistant=paused)
    try:
        return _receive(client, wire, body, acc, view, stream=stream)
    except ApiError as exc:
        binds = body.get("thinking", {}).get("type") in ("adaptive", "enabled")  # §2: drop_block needs one
        how = conversation.recover_binding(binds) if is_binding_error(exc) else None
        if how is None:
            raise
    body = wire.build_body(conversation, params, stream=stream, allow_trailing_assistant=paused)
    message = _receive(client, wire, body, acc, view, stream=stream)
    notes.append(recovered_notice(how, message))
    return message


def is_binding_error(exc: ApiError) -> bool:
    """The documented 400 of a thinking block whose prefix changed (§2 "Exact 400")."""
    return exc.status == 400 and "bound to a different conversation" in exc.message


def recovered_notice(how: str, message: Message) -> str:
    """What was dropped to recover a broken prefix, from `input_transformations`."""
    head = "the earlier thinking of this conversation was bound to a different conversation"
    if how == "strip":
        return f"{head}; sent again without the earlier turns' thinking (and so from now on)"
    dropped = [t for t in message.input_transformations if t.get("type") == "thinking_dropped"]
    paths = ", ".join(str(t.get("path")) for t in dropped[:3]) + (", …" if len(dropped) > 3 else "")
    what = (f"the API dropped {len(dropped)} thinking block{'s' if len(dropped) != 1 else ''} "
            f"({paths})" if dropped else "the API reported nothing dropped")
    return f"{head}; sent again with drop_block: {what}; later requests keep drop_block"


def _receive(client: ApiClient, wire: Wire, body: dict, acc: Accumulator,
             view: StreamView, *, stream: bool) -> Message:
    """The whole reply; bad data ends it as an IncompleteReply that keeps what arrived."""
    headers = messages_wire.beta_headers(body)
    try:
        if not stream:
            answer = client.post_json(wire.PATH, body, headers=headers,
                                      on_retry=getattr(view, "retrying", None))
            message = wire.parse_message(answer)
            view.whole(message)
            return message
        _stream(client, wire, body, acc, view, headers)
        return acc.final()
    except StreamError as exc:
        whole = isinstance(exc.partial, dict)  # a whole reply as JSON, cut off or instead of a stream
        if not whole and not isinstance(exc, MalformedStream):
            raise
        partial = _whole(wire, view, exc.partial) if whole else exc.partial
        partial = partial if isinstance(partial, Message) else acc.message
        hint = exc.hint or ("what arrived was kept; try again" if partial.content else "try again")
        if whole and not partial.content:
            hint = "nothing usable arrived; try again"
        reason = exc.reason if isinstance(exc, IncompleteReply) else exc.message
        raise IncompleteReply(reason, hint=hint, partial=partial) from exc


def _whole(wire: Wire, view: StreamView, answer: dict) -> Message | None:
    """The reply in a whole answer that came where it should not have, drawn; None when it
    is not one."""
    try:
        message = wire.parse_message(answer)
    except MalformedStream:
        return None
    view.whole(message)
    return message


def _stream(client: ApiClient, wire: Wire, body: dict, acc: Accumulator,
            view: StreamView, headers: dict[str, str]) -> None:
    caught_up = getattr(view, "flush", None)  # once per network read (StreamView.flush)
    with client.stream(wire.PATH, body, headers=headers, caught_up=caught_up,
                       on_retry=getattr(view, "retrying", None)) as records:
        for event in wire.events(_watched(records, acc)):
            message = acc.feed(event)
            view.event(event, message)
            if isinstance(event, ErrorEvent):
                raise ApiError(
                    f"the server reported {event.type} mid-reply: {event.message}",
                    code=None,
                    request_id=event.request_id,
                    hint="the partial reply was kept; try again shortly",
                )


def _watched(records: Iterable[ServerSentEvent], acc: Accumulator) -> Iterator[ServerSentEvent]:
    """The records, each one whose bytes were not all UTF-8 counted on the accumulator."""
    for record in records:
        if record.invalid_utf8:
            acc.invalid_utf8 += 1
        yield record
