"""Neutralise terminal control sequences in text that came from outside.

Model output, tool output, file names and server messages may carry escape
sequences (CSI, OSC 52 clipboard writes, OSC 8 links, title changes, DCS, the
8-bit CSI U+009B). Before such text reaches a terminal, every escape sequence is
removed and every other control character except newline and tab is dropped;
CRLF and lone CR become newlines. The raw text is kept elsewhere unchanged.

`StreamSanitizer` does the same for text that arrives in pieces: a sequence
split across two deltas is held back until it is complete, so its payload
never leaks onto the screen as text.
"""

from __future__ import annotations

import re

_SEQUENCE = r"""
    (?:\x1b\[|\x9b) [\x30-\x3f]* [\x20-\x2f]* [\x40-\x7e]                  # CSI (7- and 8-bit)
  | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]) [^\x1b\x07\x9c]* (?:\x07|\x1b\\|\x9c)  # OSC, DCS, SOS, PM, APC
  | \x1b [\x20-\x2f]* [\x30-\x7e]                                         # other ESC sequences
"""
_SEQUENCES = re.compile(_SEQUENCE, re.VERBOSE)
# A sequence that has started but not ended, at the very end of the text.
_UNFINISHED = re.compile(
    r"""
    (?: (?:\x1b\[|\x9b) [\x30-\x3f]* [\x20-\x2f]*
      | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]) [^\x1b\x07\x9c\n]* \x1b?
      | \x1b [\x20-\x2f]*
      | \r
    ) \Z
    """,
    re.VERBOSE,
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
MAX_HELD = 4096  # an "escape sequence" longer than this is garbage: drop it


def sanitize(text: str) -> str:
    """Text safe to print on a terminal: no escape sequences or control characters
    other than newline and tab. (Of a sequence that never ends, only the control
    characters go: its payload stays visible as plain text.)"""
    if _CONTROLS.search(text) is None:
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SEQUENCES.sub("", text)
    return _CONTROLS.sub("", text)


class StreamSanitizer:
    """`sanitize` for a stream of deltas: hold back a sequence cut in two."""

    def __init__(self) -> None:
        self._held = ""

    def feed(self, delta: str) -> str:
        text = self._held + delta
        self._held = ""
        if _CONTROLS.search(text) is None:
            return text
        unfinished = _UNFINISHED.search(text)
        if unfinished and len(text) - unfinished.start() <= MAX_HELD:
            self._held = text[unfinished.start():]
            text = text[: unfinished.start()]
        return sanitize(text)

    def flush(self) -> str:
        """The end of the stream: whatever is held is an unfinished sequence."""
        held, self._held = self._held, ""
        return sanitize(held)
