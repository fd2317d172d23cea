"""Closing the terminal (SIGHUP) or `kill` (SIGTERM) ends the program the way
Ctrl-C does: the reply stops, what arrived is saved, and the process exits
with 128 + the signal's number. Without this, Python dies on the spot and the
partial reply is lost.

`Hangup` is a KeyboardInterrupt, so every place that keeps a partial reply on
Ctrl-C keeps it here too; `received` tells the caller to stop rather than go
on (the chat must not return to a prompt nobody can see).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

ENDING = tuple(s for s in (getattr(signal, "SIGHUP", None), signal.SIGTERM) if s is not None)
received: int | None = None  # the ending signal that arrived, if any


class Hangup(KeyboardInterrupt):
    """The terminal went away or the process was asked to end."""


def _raise(signum: int, frame: Any) -> None:
    global received
    if received is None:
        received = signum
        raise Hangup(signum)


def install() -> None:
    """Handle SIGHUP and SIGTERM (not when they were ignored: nohup stays nohup)."""
    for signum in ENDING:
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, _raise)


def exit_code() -> int | None:
    return 128 + received if received is not None else None


@contextmanager
def deferred() -> Iterator[None]:
    """Ctrl-C, SIGHUP and SIGTERM wait until the block is over (a history save: a
    transaction cut short would lose the reply), then take effect."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signals = (signal.SIGINT, *ENDING)
    previous = {s: signal.getsignal(s) for s in signals}
    caught: list[tuple[int, Any]] = []
    for s in signals:
        if previous[s] not in (None, signal.SIG_IGN):
            signal.signal(s, lambda signum, frame: caught.append((signum, frame)))
    try:
        yield
    finally:
        for s in signals:
            if previous[s] is not None:
                signal.signal(s, previous[s])
    if caught:
        signum, frame = caught[0]
        handler = previous[signum]
        if callable(handler):
            handler(signum, frame)
        elif handler == signal.SIG_DFL:
            signal.raise_signal(signum)
