"""Reading what the user attaches, safely: a file (regular files only) or stdin, never
more than MAX_INPUT_BYTES of either.

A device (`/dev/zero`), a named pipe with no writer, a socket or a directory is refused
before it is opened, by its `os.stat` mode; the file is then opened non-blocking and
looked at again (a path swapped for a pipe in between cannot hang the read). At most
MAX_INPUT_BYTES + 1 bytes are read, so memory stays bounded whatever the file or the
pipe holds. Each refusal is one line that says what to do (a UsageError).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from claudechat.errors import UsageError

# The API takes at most 32 MB per request (docs/PROTOCOL.md, "Image limits"; a 413
# request_too_large beyond), so no single input can be larger and still be sent.
MAX_INPUT_BYTES = 32 * 1024 * 1024
LIMIT = "32 MB"
LIMIT_TEXT = f"{LIMIT}, the API's limit for a whole request"
PIPE_IT = "save it to a file first, or pipe it: … | claudechat ask -f - …"


def human_size(nbytes: int) -> str:
    """"812 bytes", "3.2 kB", "240 kB", "1.1 MB", "4.3 GB" (decimal units, as file managers show)."""
    if nbytes < 1000:
        return "1 byte" if nbytes == 1 else f"{nbytes} bytes"
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if nbytes >= scale * 0.9995 or unit == "kB":
            value = nbytes / scale
            return f"{value:.1f} {unit}" if value < 9.95 else f"{value:.0f} {unit}"
    raise AssertionError("unreachable")


def display_name(path: str) -> str:
    """A file name as text: bytes that are not UTF-8 (held as lone surrogates) as \\xNN."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def special_kind(mode: int) -> str | None:
    """What a non-regular file is, in words ("a named pipe (FIFO)"), or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _refuse_special(path: str, kind: str) -> UsageError:
    if kind == "a directory":
        return UsageError(f"{path}: is a directory, not a file; attach the files in it one by one")
    return UsageError(f"{path}: is {kind}, not a regular file; only regular files are attached "
                      f"(to attach what a program writes, {PIPE_IT})")


def _too_large(path: str, size: int | None) -> UsageError:
    how_big = f"is {human_size(size)}" if size is not None else f"holds more than {LIMIT}"
    return UsageError(f"{path}: the file {how_big}; claudechat attaches at most {LIMIT_TEXT}")


def expand(path: str) -> Path:
    """`path` with ~ expanded; a ~user that is no user here is one line."""
    try:
        return Path(path).expanduser()
    except RuntimeError:
        user = path.split("/", 1)[0]
        raise UsageError(f"{path}: no such file ({user} is not a user on this system)") from None


def _stat(path: str, p: Path) -> os.stat_result:
    try:
        return os.stat(p)
    except (FileNotFoundError, NotADirectoryError):
        raise UsageError(f"{path}: no such file") from None
    except PermissionError:
        raise UsageError(f"{path}: permission denied") from None
    except ValueError:  # a NUL byte in the path
        raise UsageError(f"{path!r}: not a valid path (it holds a NUL character)") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read it ({exc.strerror})") from None


def read_file(path: str) -> bytes:
    """A regular file's bytes (at most MAX_INPUT_BYTES); one clear line for a missing,
    unreadable, special or too large file."""
    p, path = expand(path), display_name(path)
    kind = special_kind(_stat(path, p).st_mode)
    if kind is not None:
        raise _refuse_special(path, kind)
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except PermissionError:
        raise UsageError(f"{path}: permission denied") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read it ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as file:
        st = os.fstat(file.fileno())
        kind = special_kind(st.st_mode)  # swapped since the stat: look again at what is open
        if kind is not None:
            raise _refuse_special(path, kind)
        if st.st_size > MAX_INPUT_BYTES:
            raise _too_large(path, st.st_size)
        try:
            data = file.read(MAX_INPUT_BYTES + 1)
        except OSError as exc:
            raise UsageError(f"{path}: cannot read it ({exc.strerror})") from None
    if len(data) > MAX_INPUT_BYTES:  # it grew while read
        raise _too_large(path, None)
    return data


def read_stream(stream: BinaryIO, name: str = "stdin") -> bytes:
    """What is piped in (at most MAX_INPUT_BYTES); more is refused in one line, having
    read no more than one byte past the limit."""
    try:
        data = stream.read(MAX_INPUT_BYTES + 1) or b""
    except OSError as exc:
        raise UsageError(f"{name}: cannot read it ({exc.strerror})") from None
    if len(data) > MAX_INPUT_BYTES:
        raise UsageError(f"{name}: more than {LIMIT} piped in; claudechat "
                         f"reads at most {LIMIT_TEXT} (attach a smaller part)")
    return data
