"""Shared by the benchmarks that run the real CLI on a pty: read a child's output to the end."""

from __future__ import annotations

import os
import select
import subprocess


def drain(proc: subprocess.Popen, fds: list[int], timeout: float = 120) -> dict[int, bytearray]:
    """Everything the child writes to `fds` until each is closed (EIO on a pty's master
    counts as closed); the child is killed if it writes nothing for `timeout` seconds."""
    out = {fd: bytearray() for fd in fds}
    open_fds = list(fds)
    while open_fds:
        readable, _, _ = select.select(open_fds, [], [], timeout)
        if not readable:
            proc.kill()
            raise RuntimeError(f"the child wrote nothing for {timeout:g} s")
        for fd in readable:
            try:
                data = os.read(fd, 1 << 16)
            except OSError:  # EIO: the pty's other end is closed
                data = b""
            if data:
                out[fd] += data
            else:
                open_fds.remove(fd)
    return out
