"""Neutralise terminal control sequences in text that came from outside.

Model output, tool output, file names and server messages may carry escape
sequences (CSI, OSC 52 clipboard writes, OSC 8 links, title changes, DCS, the
8-bit CSI U+009B). Before such text reaches a terminal, every escape sequence is
removed whole, payload and all, and every other control character except newline
and tab is dropped; CRLF and lone CR become newlines. The raw text is kept
elsewhere unchanged.

A string sequence (OSC, DCS, SOS, PM, APC) ends at BEL or ST; a newline inside
it is part of it (as a terminal's parser reads it). One that ESC, CAN, SUB or
a C1 control cuts short, or that never ends, is not a sequence a terminal would
act on as meant: only its opening (ESC ] or the C1 byte) and its control
characters go, and what followed is shown as text (so a stray ESC in a file name cannot swallow the error line
that names the file). The same for a CSI or other ESC sequence that does not end.

`StreamSanitizer` does the same for text that arrives in pieces: a sequence
split across deltas is held back until it ends (or is cut short, or the stream
ends), so its payload never leaks onto the screen; however the text is cut, the
stream gives what `sanitize` gives for the whole. What it holds is bounded
(`MAX_HELD`): a sequence longer than that is dropped, up to where it ends,
keeping only its opening and last character (all that decides where it ends).
`settled` is the part of a text a live frame may show: all but a sequence still
arriving at its end.
"""

from __future__ import annotations

import re

_STOPS = r"\x07\x18\x1a\x1b\x80-\x9f"  # what ends or cuts short a string sequence
_OPENS = r"(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])"  # OSC, DCS, SOS, PM, APC (7- and 8-bit)
# Whole sequences, removed with their payload.
_SEQUENCES = re.compile(
    rf"""
    (?:\x1b\[|\x9b) [\x30-\x3f]* [\x20-\x2f]* [\x40-\x7e]                   # CSI (7- and 8-bit)
  | {_OPENS} [^{_STOPS}]* (?: \x07 | \x1b\\ | \x9c )                            # strings, ended
  | \x1b [\x20-\x2f]* [\x30-\x7e]                                           # other ESC sequences
    """,
    re.VERBOSE,
)
# Where a sequence that starts the text ends, ended or cut short (a stream drops a long one so far).
_THROUGH = re.compile(
    rf"""
    (?:\x1b\[|\x9b) [\x30-\x3f]* [\x20-\x2f]* [\x40-\x7e]?
  | {_OPENS} [^{_STOPS}]* (?: \x07 | \x1b\\ | \x9c )?
  | \x1b [\x20-\x2f]* [\x30-\x7e]?
    """,
    re.VERBOSE,
)
# A sequence that has started but may go on, at the very end of the text (and a CR,
# which may be the start of a CRLF).
_UNFINISHED = re.compile(
    rf"""
    (?: (?:\x1b\[|\x9b) [\x30-\x3f]* [\x20-\x2f]*
      | {_OPENS} [^{_STOPS}]* \x1b?
      | \x1b [\x20-\x2f]*
      | \r
    ) \Z
    """,
    re.VERBOSE,
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
MAX_HELD = 4096  # characters of an unfinished sequence a stream keeps whole


def sanitize(text: str) -> str:
    """Text safe to print on a terminal: no escape sequences (each removed whole; of one cut
    short or never ended, its opening) and no control characters other than newline and tab."""
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


def settled(text: str) -> str:
    """`text` less a sequence still arriving at its end (and a CR that may be half a CRLF):
    what a live frame may show of text that is still streaming, once sanitised."""
    unfinished = _UNFINISHED.search(text)
    return text[: unfinished.start()] if unfinished else text


class StreamSanitizer:
    """`sanitize` for a stream of deltas: hold back a sequence cut in two."""

    def __init__(self, max_held: int = MAX_HELD) -> None:
        self.max_held = max_held
        self._held = ""
        self._long = False  # inside a sequence longer than max_held: dropped until it ends

    @property
    def holding(self) -> int:
        """How many characters are held back (an unfinished sequence, a CR)."""
        return len(self._held)

    def feed(self, delta: str) -> str:
        text = self._held + delta
        long, self._held, self._long = self._long, "", False
        if long:  # the held opening and last character of a long sequence, then what came
            if _UNFINISHED.fullmatch(text):  # it goes on
                self._held, self._long = _shortened(text), True
                return ""
            ended = _THROUGH.match(text)
            return self.feed(text[ended.end() if ended else 0:])
        if _CONTROLS.search(text) is None:
            return text
        unfinished = _UNFINISHED.search(text)
        if unfinished:
            start = unfinished.start()
            self._held = text[start:]
            if len(self._held) > self.max_held:
                self._held, self._long = _shortened(self._held), True
            text = text[:start]
        return sanitize(text)

    def flush(self) -> str:
        """The end of the stream: what is held is a sequence that never ended (its visible
        part, as `sanitize` shows it; nothing of one dropped as too long), or a CR."""
        held, long, self._held, self._long = self._held, self._long, "", False
        return "" if long else sanitize(held)


def _shortened(sequence: str) -> str:
    """An unfinished sequence as its opening and its last character: all that decides where
    it ends (a CSI's last byte says whether a parameter may still come; a string's, whether
    an ESC may be the start of ST)."""
    opening = 2 if sequence[0] == "\x1b" and sequence[1:2] in ("[", "]", "P", "X", "^", "_") else 1
    return sequence[:opening] + sequence[-1]
