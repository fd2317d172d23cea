"""Files that may hold a key or conversations, created for the user's eyes only.

New files 0600 and new directories 0700 (the XDG base directory spec asks 0700 of the
directories it names): the history database and its -wal/-shm, exports (`history export
-o`, `/save`), the models cache, the config `config init`/`edit` write, the input history.
A file that exists keeps its mode: the user may have chosen it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def make_dirs(path: Path) -> None:
    """`path` and the directories above it that are missing, each 0700."""
    with private_umask():
        path.mkdir(parents=True, exist_ok=True)


def touch(path: Path) -> None:
    """Create `path` empty with mode 0600 unless it exists (for a file another library
    appends to: prompt_toolkit's input history)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE))


def write_text(path: Path, text: str, *, exclusive: bool = False) -> None:
    """Write `text` (UTF-8) to `path`, a new file made 0600; `exclusive`: never over a
    file that exists (FileExistsError)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(text)


@contextmanager
def private_umask() -> Iterator[None]:
    """Files and directories made inside (by sqlite3, by mkdir) are the user's only."""
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)
