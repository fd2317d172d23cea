"""What a typed message attaches: @path, @"path with spaces", and a path a terminal's
drag-and-drop put at the start. Pure parsing; the one question asked of the outside
world, "is this a file?", is a function the caller may pass in.

@@ is a plain @. A dropped path is taken out of the text to send; an @path stays in
it as written. A message escaped with `//` (the loop takes off the first /) is parsed
with `dropped=False`: a path at its start is text, never an attachment.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# @path or @"path with spaces" (@@ is a plain @); a path a terminal's drag-and-drop put
# at the start of the message, quoted or with backslash escapes
_AT_PATH = re.compile(r"""(?:(?<=\s)|^)@(?!@)(?:"([^"]+)"|'([^']+)'|((?:\\\s|\S)+))""")
_LITERAL_AT = re.compile(r"(?:(?<=\s)|^)@@")
_DROPPED = re.compile(r"""^\s*(?:'([^']+)'|"([^"]+)"|((?:\\.|[^\s'"\\])+))(?:\s+|$)""")
_PATHLIKE = re.compile(r"[/~\\]|\.\w{1,8}$")
_TRAILING = ".,;:!?)]}'\""  # "see @notes.txt, then …": punctuation after an unquoted path

IsFile = Callable[[str], bool]


def is_file(path: str) -> bool:
    """Whether `path` (with ~ expanded) is a file. A path that cannot be expanded
    (~someone who is no user here) or cannot be looked at is not."""
    try:
        return Path(path).expanduser().is_file()
    except (OSError, RuntimeError, ValueError):
        return False


def is_dir(path: str) -> bool:
    """Whether `path` (with ~ expanded) is a directory (as is_file, for folders)."""
    try:
        return Path(path).expanduser().is_dir()
    except (OSError, RuntimeError, ValueError):
        return False


def exists(path: str) -> bool:
    """Whether anything (a file, a device, a FIFO…) is at `path` (as is_file)."""
    try:
        return Path(path).expanduser().exists()
    except (OSError, RuntimeError, ValueError):
        return False


@dataclass(frozen=True)
class Mention:
    """A path the message names: dropped in at the start (always a file), or an @path."""

    path: str
    is_file: bool
    dropped: bool = False  # put at the start by a drag-and-drop, not written as @path

    @property
    def looks_like_path(self) -> bool:
        """A slash, a ~ or an extension: meant as a file, so a missing one is a mistake
        (where @bob is just a word)."""
        return bool(_PATHLIKE.search(self.path))


@dataclass(frozen=True)
class Parsed:
    mentions: list[Mention]  # in the order written: a dropped path first
    text: str  # the text to send: without the dropped path, @@ made a plain @


def dropped_file(text: str, is_file: IsFile = is_file) -> tuple[str, int] | None:
    """(path, where the rest begins) when the message starts with an absolute or ~
    path to a file, as a terminal's drag-and-drop puts it."""
    match = _DROPPED.match(text)
    if match is None:
        return None
    path = match.group(1) or match.group(2) or re.sub(r"\\(.)", r"\1", match.group(3))
    if path.startswith(("/", "~")) and is_file(path):
        return path, match.end()
    return None


def parse(text: str, is_file: IsFile = is_file, *, dropped: bool = True) -> Parsed:
    """The paths a message names, and the text to send. `dropped=False`: a path at the
    start is no attachment (a message escaped with //)."""
    mentions = []
    drop = dropped_file(text, is_file) if dropped else None
    if drop is not None:
        path, end = drop
        mentions.append(Mention(path, True, dropped=True))
        text = text[end:]
    for match in _AT_PATH.finditer(text):
        path = next(g for g in match.groups() if g).replace("\\ ", " ")
        found = is_file(path)
        if not found and match.group(3):
            path = path.rstrip(_TRAILING)
            found = is_file(path)
        mentions.append(Mention(path, found))
    return Parsed(mentions, _LITERAL_AT.sub("@", text))
