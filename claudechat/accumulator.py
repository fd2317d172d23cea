"""Stream events -> the final Message, equal to what the non-streaming call returns.

Pure: no I/O. `Accumulator.feed(event)` updates the snapshot and returns it;
events that break the documented order raise MalformedStream (never a crash), with
the partial Message attached so nothing that arrived is lost.

Unlike the incremental decoders (`feed` / `flush`), it holds nothing back:
`.message` is always the whole message so far, so at the end there is nothing
to flush. `final()` instead asks whether the reply finished, and raises
IncompleteReply if not.

Linear at any length: a text or thinking delta is appended to a list of pieces,
never to the block's string (which would copy the whole text so far per delta).
The pieces are joined into the block when the block stops and whenever
`.message` is read (an interrupt reads it: what arrived is kept). The snapshot
`feed` returns is the same Message, with every block's type and fields but the
open block's text only as of its last join: the views draw from the events.
"""

from __future__ import annotations

from typing import Any, assert_never

from claudechat.api.events import (
    CitationsDelta,
    CompactionDelta,
    ContentBlockDelta,
    ContentBlockStart,
    ContentBlockStop,
    ErrorEvent,
    InputJsonDelta,
    MessageDelta,
    MessageStart,
    MessageStop,
    SignatureDelta,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    TooDeep,
    UnknownDelta,
    loads,
)
from claudechat.errors import IncompleteReply, MalformedStream
from claudechat.message import Message

# Block types whose deltas are text or thinking; any other block may take JSON input.
_NO_JSON_INPUT = frozenset({"text", "thinking", "redacted_thinking", "compaction"})
INVALID_JSON = "INVALID_JSON"  # docs/API-2026.md §7: a tool call's input that did not parse
RUN = 1024  # this many small pieces are joined into one run (a str object per 4-char delta is ~14x its text)


class _Pieces:
    """A block's text as [run, run, ..., piece, piece, ...]: the last pieces small, each run
    RUN pieces joined once. Every character is copied at most twice before the final join,
    and each step is one list operation, so an interrupt between any two loses nothing."""

    __slots__ = ("key", "parts", "runs")

    def __init__(self, key: str, first: str) -> None:
        self.key, self.parts, self.runs = key, [first], 0

    def append(self, text: str) -> None:
        parts = self.parts
        parts.append(text)
        if len(parts) - self.runs > RUN:
            parts[self.runs:] = ["".join(parts[self.runs:])]  # one assignment: all or nothing
            self.runs += 1

    def join(self) -> str:
        if len(self.parts) > 1:
            self.runs = 0
            self.parts[:] = ["".join(self.parts)]
        return self.parts[0]


class Accumulator:
    def __init__(self) -> None:
        self._message = Message()
        self.started = False
        self.finished = False
        self._open: set[int] = set()
        self._json: dict[int, list[str]] = {}
        self._pieces: dict[int, _Pieces] = {}  # an open text or thinking block's text so far
        self.invalid_utf8 = 0  # events whose bytes were not all UTF-8 (U+FFFD in their place)

    @property
    def message(self) -> Message:
        """The message so far, every block's text joined."""
        for index in list(self._pieces):
            self._join(index)
        return self._message

    def _join(self, index: int) -> None:
        """The block's text from its pieces, once; the pieces become that one string (idempotent,
        so an interrupt anywhere in it loses nothing)."""
        pieces = self._pieces[index]
        self._message.content[index][pieces.key] = pieces.join()

    def feed(self, event: StreamEvent) -> Message:
        if type(event) is ContentBlockDelta and type(event.delta) is TextDelta:  # most events: in one step
            pieces = self._pieces.get(event.index)  # only an open text or thinking block has pieces
            if pieces is not None and pieces.key == "text" and not self.finished:
                pieces.append(event.delta.text)
                return self._message
        if self.finished:
            self._fail(f"{type(event).__name__} after message_stop")
        match event:
            case MessageStart(message=data):
                if self.started:
                    self._fail("a second message_start")
                self.started = True
                self._message = Message.from_dict(data)
            case ContentBlockStart(index=index, block=block):
                self._require_started(event)
                content = self._message.content
                if index != len(content):
                    self._fail(f"content_block_start for index {index}, expected {len(content)}")
                content.append(dict(block))
                self._open.add(index)
            case ContentBlockDelta(index=index, delta=delta):
                self._apply_delta(self._block(index, "content_block_delta"), index, delta)
            case ContentBlockStop(index=index):
                block = self._block(index, "content_block_stop")
                self._open.discard(index)
                if index in self._pieces:
                    self._join(index)
                    del self._pieces[index]
                fragments = self._json.pop(index, None)
                if fragments is not None:
                    block["input"] = _parse_input(block, "".join(fragments), self.message)
            case MessageDelta(stop_reason=stop_reason, stop_sequence=stop_sequence, usage=usage):
                self._require_started(event)
                self._message.stop_reason = stop_reason
                self._message.stop_sequence = stop_sequence
                self._message.stop_details = event.stop_details
                if event.input_transformations is not None:
                    self._message.extra["input_transformations"] = event.input_transformations
                # usage in message_delta is cumulative: replace, don't add
                self._message.usage.update({k: v for k, v in usage.items() if v is not None})
            case MessageStop():
                self._require_started(event)
                self.finished = True
            case ErrorEvent():
                pass  # run_turn reports it; the partial message stays as it is
            case _:
                assert_never(event)
        return self._message  # the open block's text may lag: see the module's docstring

    def final(self) -> Message:
        """The finished Message; IncompleteReply (holding the partial one) if it never finished."""
        if not self.finished:
            raise IncompleteReply(
                "the stream ended before the server finished it",
                hint="what arrived was kept; try again",
                partial=self.message,
            )
        return self.message

    def _apply_delta(self, block: dict[str, Any], index: int, delta: Any) -> None:
        kind = block.get("type")
        match delta:
            case TextDelta(text=text):
                self._expect(kind, "text", delta)
                self._append(index, block, "text", text)
            case ThinkingDelta(thinking=thinking):
                self._expect(kind, "thinking", delta)
                self._append(index, block, "thinking", thinking)
            case SignatureDelta(signature=signature):
                self._expect(kind, "thinking", delta)
                block["signature"] = signature  # replaces
            case InputJsonDelta(partial_json=partial):
                if kind in _NO_JSON_INPUT:
                    self._fail(f"input_json_delta on a {kind} block")
                self._json.setdefault(index, []).append(partial)
            case CitationsDelta(citation=citation):
                self._expect(kind, "text", delta)
                if not isinstance(block.get("citations"), list):
                    block["citations"] = []
                block["citations"].append(citation)
            case CompactionDelta(content=content, encrypted_content=encrypted):
                self._expect(kind, "compaction", delta)
                block["content"] = content
                if encrypted is not None:
                    block["encrypted_content"] = encrypted
            case UnknownDelta():
                pass  # new delta types are ignored
            case _:
                assert_never(delta)

    def _append(self, index: int, block: dict[str, Any], key: str, text: str) -> None:
        pieces = self._pieces.get(index)
        if pieces is None:
            pieces = self._pieces[index] = _Pieces(key, block.get(key, ""))
        pieces.append(text)

    def _block(self, index: int, what: str) -> dict[str, Any]:
        if index not in self._open:
            state = "never started" if index >= len(self._message.content) else "already stopped"
            self._fail(f"{what} for block {index}, which was {state}")
        return self._message.content[index]

    def _expect(self, kind: Any, wanted: str, delta: Any) -> None:
        if kind != wanted:
            self._fail(f"{type(delta).__name__} on a {kind} block")

    def _require_started(self, event: Any) -> None:
        if not self.started:
            self._fail(f"{type(event).__name__} before message_start")

    def _fail(self, what: str) -> None:
        raise MalformedStream(f"the server sent events out of order ({what})", partial=self.message)


def _parse_input(block: dict[str, Any], text: str, message: Message) -> Any:
    if not text.strip():
        return block.get("input") or {}
    try:
        return loads(text)
    except ValueError as exc:
        if block.get("type") == "tool_use" and not isinstance(exc, TooDeep):
            return {INVALID_JSON: text}  # §7: kept as {"INVALID_JSON": raw}; the loop answers it
        name = block.get("name", block.get("type"))
        wrong = str(exc) if isinstance(exc, TooDeep) else "is not valid JSON"
        raise MalformedStream(f"the input of tool call {name!r} {wrong}", partial=message) from None
