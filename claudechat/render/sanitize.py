"""Neutralise terminal control sequences in text that came from outside.

Model output, tool output, file names and server messages may carry escape
sequences (CSI, OSC 52 clipboard writes, OSC 8 links, title changes, DCS, the
8-bit CSI U+009B). Before such text reaches a terminal, every escape sequence is
removed and every other control character except newline and tab is dropped;
CRLF and lone CR become newlines. The raw text is kept elsewhere unchanged.
"""

from __future__ import annotations

import re

_SEQUENCES = re.compile(
    r"""
    (?:\x1b\[|\x9b) [\x30-\x3f]* [\x20-\x2f]* [\x40-\x7e]?      # CSI (7- and 8-bit)
  | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]) .*? (?:\x07|\x1b\\|\x9c|$)  # OSC, DCS, SOS, PM, APC
  | \x1b [\x20-\x2f]* [\x30-\x7e]?                              # other ESC sequences
    """,
    re.VERBOSE | re.DOTALL,
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def sanitize(text: str) -> str:
    if not _needs_work(text):
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SEQUENCES.sub("", text)
    return _CONTROLS.sub("", text)


def _needs_work(text: str) -> bool:
    return _CONTROLS.search(text) is not None
