"""An incremental Server-Sent Events decoder (WHATWG rules), with no I/O.

Feed it bytes exactly as they arrive, split anywhere; it returns the complete
events. Lines end with LF, CRLF or CR (a CRLF split across two reads counts
once); only CR and LF end a line. Each line is decoded as UTF-8 only once it
is complete, so a character split across reads survives; invalid bytes become
U+FFFD, as the spec says. A leading BOM is dropped, `:` lines are comments,
several `data:` lines join with a newline, one space after the colon is
dropped and unknown fields are ignored.

One deliberate leniency: at the end of the stream, an event whose lines were
all complete but which lacks the final blank line is still dispatched (a
server or proxy that drops the last newline should not turn a whole reply into
an "incomplete" one). A final line without its line end is discarded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_EOL = re.compile(rb"\r\n|\r|\n")
_BOM = b"\xef\xbb\xbf"


@dataclass(slots=True)
class ServerSentEvent:
    event: str
    data: str
    id: str | None = None
    retry: int | None = None


class SSEDecoder:
    """bytes -> ServerSentEvent: one `feed` per read, then `flush` at the end of the stream."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._scanned = 0  # bytes of _buf already searched for a line end
        self._skip_lf = False  # the last read ended with CR: a leading LF belongs to it
        self._at_start = True  # a BOM may still come
        self._event = ""
        self._data: list[str] = []
        self._has_data = False
        self.last_event_id: str | None = None
        self._retry: int | None = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        if not chunk:
            return []
        if self._skip_lf:
            self._skip_lf = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
        if (not self._buf and not self._at_start and not self._has_data and not self._event
                and chunk.endswith(b"\n\n") and b"\r" not in chunk):
            return self._whole_events(chunk.decode("utf-8", errors="replace"))
        self._buf += chunk
        if self._at_start:
            if len(self._buf) < len(_BOM) and _BOM.startswith(bytes(self._buf)):
                return []  # could still be a BOM
            if self._buf.startswith(_BOM):
                del self._buf[: len(_BOM)]
            self._at_start = False
        buf = self._buf
        if b"\r" not in buf:  # the usual case, LF line ends: decode and split once
            end = buf.rfind(b"\n")
            if end == -1:
                return []
            lines = buf[:end].decode("utf-8", errors="replace").split("\n")
            del buf[: end + 1]
            self._scanned = len(buf)
            return [ev for ev in map(self._line, lines) if ev is not None]
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
            ev = self._line(line.decode("utf-8", errors="replace"))
            if ev is not None:
                events.append(ev)
        if pos:
            del buf[:pos]
        self._scanned = len(buf)
        return events

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
        self._buf.clear()
        self._scanned = 0
        ev = self._dispatch()
        return [ev] if ev is not None else []

    def _line(self, line: str) -> ServerSentEvent | None:
        if not line:
            return self._dispatch()
        if line[0] == ":":
            return None
        name, sep, value = line.partition(":")
        if sep and value[:1] == " ":
            value = value[1:]
        if name == "data":
            self._data.append(value)
            self._has_data = True
        elif name == "event":
            self._event = value
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
            return None
        ev = ServerSentEvent(
            event=self._event or "message",
            data="\n".join(self._data),
            id=self.last_event_id,
            retry=self._retry,
        )
        self._event = ""
        self._data = []
        self._has_data = False
        return ev
