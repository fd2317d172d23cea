"""Neutralise terminal control sequences in text that came from outside.

Model output, tool output, file names and server messages may carry escape
sequences (CSI, OSC 52 clipboard writes, OSC 8 links, title changes, DCS, the
8-bit CSI U+009B). Before such text reaches a terminal, every escape sequence is
removed whole and every other control character except newline and tab is
dropped; CRLF and lone CR become newlines. The raw text is kept elsewhere unchanged.

A sequence goes whole as a terminal would consume it (the DEC/xterm parser): a
string (OSC, DCS, SOS, PM, APC) runs to BEL or ST, or until ESC, CAN, SUB or a C1
control cuts it short; a newline inside it is part of it. A CSI or other ESC
sequence cut short by a character it cannot hold ends there. A sequence that
never ends runs to the end of the text: its payload is never shown as text.

`StreamSanitizer` does the same for text that arrives in pieces: a sequence
split across deltas is held back until it is complete (or cut short), so its
payload never leaks onto the screen; however the text is cut, the stream gives
what `sanitize` gives for the whole. What it holds is bounded (`MAX_HELD`): of a
longer sequence only its start and its last character are kept, which is all
that decides where it ends.
"""

from __future__ import annotations

import re

_STOPS = r"\x07\x18\x1a\x1b\x80-\x9f"  # what ends or cuts short a string sequence
_SEQUENCES = re.compile(
    rf"""
    (?:\x1b\[|\x9b) [\x30-\x3f]* [\x20-\x2f]* [\x40-\x7e]?                   # CSI (7- and 8-bit)
  | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]) [^{_STOPS}]*                     # OSC, DCS, SOS, PM, APC
        (?: \x07 | \x1b\\ | \x9c | (?=[{_STOPS}]) | \Z )
  | \x1b [\x20-\x2f]* [\x30-\x7e]?                                           # other ESC sequences
    """,
    re.VERBOSE,
)
# A sequence that has started but may go on, at the very end of the text (and a CR,
# which may be the start of a CRLF).
_UNFINISHED = re.compile(
    rf"""
    (?: (?:\x1b\[|\x9b) [\x30-\x3f]* [\x20-\x2f]*
      | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]) [^{_STOPS}]* \x1b?
      | \x1b [\x20-\x2f]*
      | \r
    ) \Z
    """,
    re.VERBOSE,
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
MAX_HELD = 4096  # characters of an unfinished sequence a stream keeps whole


def sanitize(text: str) -> str:
    """Text safe to print on a terminal: no escape sequences (each removed whole, also
    one cut short or never ended) and no control characters other than newline and tab."""
    if _CONTROLS.search(text) is None:
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SEQUENCES.sub("", text)
    return _CONTROLS.sub("", text)


def escape_json(text: str) -> str:
    """JSON text (json.dumps with ensure_ascii=False, which escapes only U+0000-U+001F)
    safe on a terminal and meaning the same: DEL and the C1 controls, which can only
    be inside its strings, written as \\u escapes too."""
    return re.sub(r"[\x7f-\x9f]", lambda m: f"\\u{ord(m.group()):04x}", text)


class StreamSanitizer:
    """`sanitize` for a stream of deltas: hold back a sequence cut in two."""

    def __init__(self, max_held: int = MAX_HELD) -> None:
        self.max_held = max_held
        self._held = ""
        self._long = False  # what is held is the shortened start of a long sequence

    @property
    def holding(self) -> int:
        """How many characters are held back (an unfinished sequence, a CR)."""
        return len(self._held)

    def feed(self, delta: str) -> str:
        text = self._held + delta
        long, self._held, self._long = self._long, "", False
        if _CONTROLS.search(text) is None:
            return text
        unfinished = _UNFINISHED.search(text)
        if unfinished:
            start = unfinished.start()
            sequence = text[start:]
            if (long and start == 0) or len(sequence) > self.max_held:  # the long one goes on
                sequence, self._long = _shortened(sequence), True
            self._held = sequence
            text = text[:start]
        return sanitize(text)

    def flush(self) -> str:
        """The end of the stream: whatever is held is a sequence that never ended (gone
        whole), or a CR (a newline)."""
        held, self._held, self._long = self._held, "", False
        return sanitize(held)


def _shortened(sequence: str) -> str:
    """An unfinished sequence as its opening and its last character: all that decides how
    it goes on, as it is removed whole whatever its middle holds."""
    opening = 2 if sequence[0] == "\x1b" and sequence[1] in "[]PX^_" else 1
    return sequence[:opening] + sequence[-1]
