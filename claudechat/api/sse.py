"""An incremental Server-Sent Events decoder (WHATWG rules), with no I/O.

Feed it bytes exactly as they arrive, split anywhere; it returns the complete
events. Lines end with LF, CRLF or CR (a CRLF split across two reads counts
once); only CR and LF end a line. Each line is decoded as UTF-8 only once it
is complete, so a character split across reads survives; invalid bytes become
U+FFFD, as the spec says, and the event they were in says so (`invalid_utf8`:
the text is not what the server meant, and the caller tells the user). A
leading BOM is dropped, `:` lines are comments, several `data:` lines join
with a newline, one space after the colon is dropped and unknown fields are
ignored.

Bounded: a line, or an event's data, longer than MAX_EVENT bytes ends the
stream with MalformedStream (what came before it was already returned), and
nothing past the limit is kept, so an endless line costs MAX_EVENT of memory,
not all of it.

One deliberate leniency: at the end of the stream, an event whose lines were
all complete but which lacks the final blank line is still dispatched (a
server or proxy that drops the last newline should not turn a whole reply into
an "incomplete" one). A final line without its line end is discarded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from claudechat.errors import MalformedStream

_EOL = re.compile(rb"\r\n|\r|\n")
_BOM = b"\xef\xbb\xbf"

# The largest event the decoder holds. The biggest real events carry a whole block at
# once (a web fetch result holding a PDF, a redacted thinking block); every block of a
# reply goes back in the next request, which the API caps at 32 MB (docs/PROTOCOL.md),
# so an event over 32 MB could never be used. Beyond it the stream is ended.
MAX_EVENT = 32 * 1024 * 1024


@dataclass(slots=True)
class ServerSentEvent:
    event: str
    data: str
    id: str | None = None
    retry: int | None = None
    invalid_utf8: bool = False  # some bytes of its data were not UTF-8: U+FFFD stands for them


def too_long(what: str) -> MalformedStream:
    mb = MAX_EVENT // (1024 * 1024)
    return MalformedStream(f"the server sent {what} over {mb} MB, larger than any real event; "
                           f"claudechat stopped reading there")


class SSEDecoder:
    """bytes -> ServerSentEvent: one `feed` per read, then `flush` at the end of the stream."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._scanned = 0  # bytes of _buf already searched for a line end
        self._skip_lf = False  # the last read ended with CR: a leading LF belongs to it
        self._at_start = True  # a BOM may still come
        self._event = ""
        self._data: list[str] = []
        self._size = 0  # characters in _data
        self._has_data = False
        self._bad = False  # a line of this event had bytes that are not UTF-8
        self._error: MalformedStream | None = None  # past MAX_EVENT: the stream ends
        self.last_event_id: str | None = None
        self._retry: int | None = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        if self._error is not None:
            raise self._error
        if not chunk:
            return []
        if self._skip_lf:
            self._skip_lf = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
        if (not self._buf and not self._at_start and not self._has_data and not self._event
                and chunk.endswith(b"\n\n") and b"\r" not in chunk and len(chunk) <= MAX_EVENT):
            try:
                return self._whole_events(chunk.decode("utf-8"))
            except UnicodeDecodeError:
                pass  # line by line below, each bad line marked
        if self._buf and b"\n" not in chunk and b"\r" not in chunk:  # more of a long line
            self._buf += chunk
            self._scanned = len(self._buf)
            return self._bounded([])
        self._buf += chunk
        if self._at_start:
            if len(self._buf) < len(_BOM) and _BOM.startswith(bytes(self._buf)):
                return []  # could still be a BOM
            if self._buf.startswith(_BOM):
                del self._buf[: len(_BOM)]
            self._at_start = False
        return self._bounded(self._lf_lines() if b"\r" not in self._buf else self._any_lines())

    def _lf_lines(self) -> list[ServerSentEvent]:
        """The usual case, LF line ends: decode and split once."""
        buf = self._buf
        end = buf.rfind(b"\n")
        if end == -1:
            return []
        try:
            lines = [(line, False) for line in buf[:end].decode("utf-8").split("\n")]
        except UnicodeDecodeError:
            lines = [_decode(line) for line in bytes(buf[:end]).split(b"\n")]
        del buf[: end + 1]
        self._scanned = len(buf)
        events = []
        for line, bad in lines:
            if (ev := self._line(line, bad)) is not None:
                events.append(ev)
        return events

    def _any_lines(self) -> list[ServerSentEvent]:
        """Lines ending in CR, LF or CRLF (a CR at the end of the read may have its LF next)."""
        buf = self._buf
        events: list[ServerSentEvent] = []
        pos = 0
        while True:
            m = _EOL.search(buf, max(pos, self._scanned))
            if m is None:
                break
            line = bytes(buf[pos : m.start()])
            if m.end() == len(buf) and buf[m.start()] == 0x0D:
                self._skip_lf = True  # CR at the end of this read: an LF may follow
            pos = m.end()
            ev = self._line(*_decode(line))
            if ev is not None:
                events.append(ev)
        if pos:
            del buf[:pos]
        self._scanned = len(buf)
        return events

    def _bounded(self, events: list[ServerSentEvent]) -> list[ServerSentEvent]:
        """`events`, the read's; past MAX_EVENT (the line still open, or an event's data) the
        rest is dropped and the stream ends: at once, or at the next call when this read
        completed events before the limit (they are what arrived, and are returned first)."""
        if len(self._buf) > MAX_EVENT:
            self._error = self._error or too_long("a line")
        if self._error is None:
            return events
        self._buf, self._scanned, self._data, self._size, self._has_data = bytearray(), 0, [], 0, False
        if events:
            return events
        raise self._error

    def _whole_events(self, text: str) -> list[ServerSentEvent]:
        """A read of whole events, LF line ends, nothing pending (the usual read): the
        common `event: NAME` + `data: JSON` pair directly, any other block line by line."""
        events: list[ServerSentEvent] = []
        for block in text[:-2].split("\n\n"):
            if block.startswith("data: ") and "\n" not in block:  # chat completions
                events.append(ServerSentEvent("message", block[6:], self.last_event_id, self._retry))
                continue
            event, sep, data = block.partition("\ndata: ")
            if sep and event.startswith("event: ") and "\n" not in data and "\n" not in event:
                events.append(ServerSentEvent(event[7:] or "message", data, self.last_event_id,
                                              self._retry))
                continue
            for line in [*block.split("\n"), ""]:
                if (ev := self._line(line)) is not None:
                    events.append(ev)
        return events

    def flush(self) -> list[ServerSentEvent]:
        """End of stream: dispatch a pending event whose lines were all complete."""
        if self._error is not None:
            raise self._error
        self._buf.clear()
        self._scanned = 0
        ev = self._dispatch()
        return [ev] if ev is not None else []

    def _line(self, line: str, bad: bool = False) -> ServerSentEvent | None:
        if self._error is not None:
            return None  # past the limit: nothing more
        if not line:
            return self._dispatch()
        if line[0] == ":":
            return None
        name, sep, value = line.partition(":")
        if sep and value[:1] == " ":
            value = value[1:]
        if name == "data":
            self._size += len(value) + 1
            if self._size > MAX_EVENT:
                self._error = too_long("an event")
                return None
            self._data.append(value)
            self._has_data = True
            self._bad = self._bad or bad
        elif name == "event":
            self._event = value
            self._bad = self._bad or bad
        elif name == "id":
            if "\0" not in value:
                self.last_event_id = value
        elif name == "retry":
            if value.isdigit():
                self._retry = int(value)
        return None

    def _dispatch(self) -> ServerSentEvent | None:
        if not self._has_data:
            self._event = ""
            self._bad = False
            return None
        ev = ServerSentEvent(
            event=self._event or "message",
            data="\n".join(self._data),
            id=self.last_event_id,
            retry=self._retry,
            invalid_utf8=self._bad,
        )
        self._event = ""
        self._data = []
        self._size = 0
        self._has_data = False
        self._bad = False
        return ev


def _decode(line: bytes) -> tuple[str, bool]:
    """A line's text, and whether it had bytes that are not UTF-8 (replaced by U+FFFD)."""
    try:
        return line.decode("utf-8"), False
    except UnicodeDecodeError:
        return line.decode("utf-8", errors="replace"), True
