"""StreamView: how a turn is drawn. Views get events and snapshots, never HTTP.

`PlainView` writes the reply text exactly as received (pipes, files, NO_COLOR,
`--plain`); on a terminal it strips control sequences first. With
`show_thinking`, thinking goes to stderr (dimmed only when stderr is a
terminal and colour is allowed). `JsonView` prints only the final Message as
the API would return it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from claudechat import web
from claudechat.api.events import (
    ContentBlockDelta,
    ContentBlockStart,
    ContentBlockStop,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
)
from claudechat.api.retry import RetryWait
from claudechat.citations import Footnotes
from claudechat.errors import OutputClosed
from claudechat.message import Message, fallback_note
from claudechat.sanitize import StreamSanitizer, escape_json, sanitize

if TYPE_CHECKING:
    from claudechat.turn import TurnResult

DIM, RESET = "\x1b[2m", "\x1b[0m"


def token_counts(usage: dict | None) -> list[str]:
    """Input and output tokens, and cache reads and writes when there are any."""
    usage = usage or {}
    parts = [f"{usage.get('input_tokens', 0):,} in", f"{usage.get('output_tokens', 0):,} out"]
    if usage.get("cache_read_input_tokens"):
        parts.append(f"{usage['cache_read_input_tokens']:,} cache read")
    if usage.get("cache_creation_input_tokens"):
        parts.append(f"{usage['cache_creation_input_tokens']:,} cache write")
    tools = usage.get("server_tool_use")
    tools = tools if isinstance(tools, dict) else {}
    for key, one, many in (("web_search_requests", "search", "searches"), ("web_fetch_requests", "fetch",
                                                                           "fetches")):
        count = tools.get(key)
        if isinstance(count, int) and count > 0:
            parts.append(f"{count:,} {one if count == 1 else many}")
    return parts


class StreamView(Protocol):
    def begin(self) -> None:
        """The request is about to be sent."""

    def event(self, event: StreamEvent, message: Message) -> None:
        """One stream event, and the message accumulated so far."""

    def whole(self, message: Message) -> None:
        """A reply that arrived in one piece (no streaming)."""

    def flush(self) -> None:
        """Every event of one network read has been drawn: show it now (views that
        draw on their own clock need not do anything)."""

    def retrying(self, wait: RetryWait) -> None:
        """The request failed and is tried again after `wait.delay` seconds (said before
        the wait: "retrying in 2 s (429 rate limited, attempt 2 of 3)")."""

    def notice(self, text: str) -> None:
        """A one-line warning for the user."""

    def note(self, text: str) -> None:
        """A dim line saying what claudechat does on its own (continuing a paused reply)."""

    def end(self, result: TurnResult) -> None:
        """The turn is over (finished, failed or interrupted)."""


class _Stream:
    """A text stream that remembers whether its line is open. On a terminal, text is
    sanitised as a stream: an escape sequence split across two deltas is held back
    until it is complete, so its payload never shows as text. Deltas are queued and
    written together by `flush` (once per network read, and before the other stream
    writes, so that stdout and stderr on one screen keep their order)."""

    def __init__(self, file: TextIO, *, terminal: bool, style: str = "") -> None:
        self.file = file
        self.terminal = terminal
        self.style = style
        self.last = ""
        self.closed = False  # the reader went away
        self.queued: list[str] = []  # written since the last flush
        self.partner: _Stream | None = None  # the other stream, flushed before this one queues
        self.sanitizer = StreamSanitizer() if terminal else None

    @property
    def pending(self) -> bool:
        return bool(self.queued)

    def write(self, text: str) -> None:
        if not text or self.closed:
            return
        if self.sanitizer is not None:
            text = self.sanitizer.feed(text)
        self._write(text)

    def _write(self, text: str, *, styled: bool = True) -> None:
        if not text:
            return
        if self.partner is not None and self.partner.queued:
            self.partner.flush()
        self.queued.append(f"{self.style}{text}{RESET}" if self.style and styled else text)
        self.last = text[-1]

    def end_line(self) -> None:
        if self.sanitizer is not None and not self.closed:
            self._write(self.sanitizer.flush())  # an unfinished sequence: its control bytes go
        if self.last and self.last != "\n" and not self.closed:
            self._write("\n", styled=False)
        self.flush()

    def flush(self) -> None:
        if not self.queued or self.closed:
            return
        text = "".join(self.queued)
        self.queued.clear()  # an interrupted write is not repeated
        last, self.last = self.last, "?"  # unknown until the write returns (Ctrl-C may cut it)
        try:
            self.file.write(text)
            self.file.flush()
        except BrokenPipeError:
            self.closed = True
            raise OutputClosed() from None
        self.last = last


class PlainView:
    def __init__(self, out: TextIO, err: TextIO, *, terminal: bool = False,
                 show_thinking: bool = False, err_terminal: bool = False,
                 color: bool = True) -> None:
        self.err = err
        self.text = _Stream(out, terminal=terminal)
        self.show_thinking = show_thinking
        self.thinking = _Stream(err, terminal=err_terminal,
                                style=DIM if err_terminal and color else "")
        self.text.partner, self.thinking.partner = self.thinking, self.text
        self.costing: Any = None  # Message -> the `cost` object --json adds (the caller's)
        self.footnotes = Footnotes()

    def begin(self) -> None:
        self.footnotes = Footnotes()

    def event(self, event: StreamEvent, message: Message) -> None:
        if isinstance(event, ContentBlockDelta):
            if isinstance(event.delta, TextDelta):
                self.text.write(event.delta.text)
            elif isinstance(event.delta, ThinkingDelta) and self.show_thinking:
                self.thinking.write(event.delta.thinking)
        elif isinstance(event, ContentBlockStart) and event.block.get("type") == "fallback":
            self.note(fallback_note(event.block))
        elif self.show_thinking and isinstance(event, ContentBlockStart):
            if event.block.get("type") == "redacted_thinking":
                self.thinking.write("[redacted thinking]\n")
        elif isinstance(event, ContentBlockStop) and event.index < len(message.content):
            self._stopped(message.content[event.index], message)

    def _stopped(self, block: dict[str, Any], message: Message) -> None:
        """A block ended: a cited text's markers on stdout; a server tool's result in one
        line on stderr (the query and what came back); thinking's line ends."""
        kind = str(block.get("type"))
        if kind == "text":
            self.text.write(self.footnotes.mark(block.get("citations")))
        elif kind.endswith("_tool_result") and "tool_use_id" in block:
            name = {"name": kind.removesuffix("_tool_result")}
            call = next((b for b in message.content if b.get("type") == "server_tool_use"
                         and b.get("id") == block["tool_use_id"]), name)
            self.note(web.call_line(call, block))
        elif kind == "thinking" and self.show_thinking:
            self.thinking.end_line()

    def flush(self) -> None:
        self.thinking.flush()
        self.text.flush()

    def whole(self, message: Message) -> None:
        for block in message.content:
            if block.get("type") == "fallback":
                self.note(fallback_note(block))
        if self.show_thinking:
            for block in message.content:
                if block.get("type") == "thinking":
                    self.thinking.write(block.get("thinking", ""))
                    self.thinking.end_line()
                elif block.get("type") == "redacted_thinking":
                    self.thinking.write("[redacted thinking]\n")
        for block in message.content:
            if block.get("type") == "text":
                self.text.write(block.get("text", ""))
            if block.get("type") == "text" or str(block.get("type")).endswith("_tool_result"):
                self._stopped(block, message)

    def retrying(self, wait: RetryWait) -> None:
        """One line on stderr per retry."""
        self.note(wait.line())

    def notice(self, text: str) -> None:
        self.text.flush()
        self.thinking.end_line()
        self.err.write(f"claudechat: {sanitize(text)}\n")
        self.err.flush()

    def note(self, text: str) -> None:
        self.text.flush()
        self.thinking.end_line()
        line = f"claudechat: {sanitize(text)}"
        self.err.write(f"{self.thinking.style}{line}{RESET}\n" if self.thinking.style else f"{line}\n")
        self.err.flush()

    def end(self, result: TurnResult) -> None:
        self.thinking.end_line()
        self.text.end_line()
        if self.footnotes.sources:  # the answer's sources, part of it: stdout, after a blank line
            self.text.write("\n" + "".join(line + "\n" for line in self.footnotes.lines()))
            self.text.flush()


class JsonView(PlainView):
    """`--json`: nothing while streaming, then the final Message object."""

    def event(self, event: StreamEvent, message: Message) -> None:
        pass

    def whole(self, message: Message) -> None:
        pass

    def end(self, result: TurnResult) -> None:
        if result.message.id or result.message.content:
            data = result.message.to_dict()
            if self.costing is not None:  # claudechat's own field: what the reply cost
                data["cost"] = self.costing(result.message)
            text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
            self.text.write(escape_json(text) if self.text.terminal else text)  # the same JSON
            self.text.flush()

