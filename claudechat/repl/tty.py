"""The terminal's input modes, changed for a while and put back.

In the terminal's usual (cooked) mode the kernel turns a typed Enter (CR) into a
newline (LF) as the key arrives (ICRNL). prompt_toolkit switches that off only while
it reads a prompt, so an Enter typed ahead (while the chat starts, or while a reply
streams) reached it as Ctrl-J, which adds a line instead of sending. The chat turns
ICRNL off for its whole run, so Enter is Enter whenever it was typed; while a reply
streams it turns ECHO off too, so typed-ahead keys do not break the live region.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

INPUT_FLAGS = {"ICRNL"}  # c_iflag; the others named here are c_lflag
LOCAL_FLAGS = {"ECHO"}


def without(*flags: str) -> AbstractContextManager[None]:
    """The named termios flags off on stdin for the duration, when stdin is a terminal."""
    return _changed(flags, on=False)


def with_(*flags: str) -> AbstractContextManager[None]:
    """The named flags on for the duration: ICRNL for a question read as a line (input())."""
    return _changed(flags, on=True)


@contextmanager
def _changed(flags: tuple[str, ...], on: bool) -> Iterator[None]:
    try:
        import termios
    except ImportError:  # not POSIX
        yield
        return
    try:
        fd = sys.stdin.fileno()
        saved = termios.tcgetattr(fd)
    except (termios.error, OSError, ValueError, AttributeError):  # termios.error is no OSError
        yield
        return
    modes = list(saved)
    for name in flags:
        where = 0 if name in INPUT_FLAGS else 3 if name in LOCAL_FLAGS else None
        if where is None:
            raise ValueError(f"no such terminal flag here: {name}")
        flag = getattr(termios, name)
        modes[where] = modes[where] | flag if on else modes[where] & ~flag
    termios.tcsetattr(fd, termios.TCSANOW, modes)
    try:
        yield
    finally:
        try:
            termios.tcsetattr(fd, termios.TCSANOW, saved)
        except (termios.error, OSError):
            pass  # the terminal is gone
