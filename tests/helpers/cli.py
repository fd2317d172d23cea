"""The real CLI in a subprocess: run it, read its pipes, wait for it (a hang fails the
test with the CLI's stacks)."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

CLI = [sys.executable, "-m", "claudechat"]


@dataclass
class Result:
    """What a run of the CLI showed: exit code, stdout bytes, stderr text."""

    code: int
    out: bytes
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()

    @property
    def rows(self) -> list[list[str]]:
        """stdout as tab-separated lines."""
        return [line.split("\t") for line in self.out.decode().splitlines()]


def run_cli(env: dict[str, str], *args: str, stdin: bytes | None = None,
            timeout: float = 60) -> Result:
    """The real CLI in a subprocess; stdin is `stdin` piped in, else /dev/null."""
    done = subprocess.run([*CLI, *args], env=env, input=stdin,
                          stdin=None if stdin is not None else subprocess.DEVNULL,
                          capture_output=True, timeout=timeout)
    return Result(done.returncode, done.stdout, done.stderr.decode("utf-8", "replace"))


def read_until(fd: int, needle: bytes, timeout: float = 20) -> bytes:
    """Read the pipe `fd` until `needle` has appeared; return everything read."""
    buf = b""
    deadline = time.monotonic() + timeout
    while needle not in buf:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"{needle!r} did not appear; got {buf!r}"
        readable, _, _ = select.select([fd], [], [], remaining)
        if readable:
            chunk = os.read(fd, 4096)
            assert chunk, f"EOF before {needle!r}; got {buf!r}"
            buf += chunk
    return buf


def stacks(proc: subprocess.Popen[bytes]) -> str:
    """Kill a running CLI with SIGABRT, which faulthandler answers with every thread's
    stack on stderr, and return its stderr; so a test that fails on a hang says where."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGABRT)
    try:
        _, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return (err or b"").decode("utf-8", "replace")


def finish(proc: subprocess.Popen[bytes], timeout: float = 30) -> Result:
    """Wait for a CLI started with Popen (stdout and stderr piped); a hang fails the test
    with the CLI's stacks."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"{proc.args} still running after {timeout} s:\n{stacks(proc)}") from None
    return Result(proc.returncode, out, err.decode("utf-8", "replace"))


def interrupted(env: dict[str, str], *args: str, ready: Callable[[subprocess.Popen[bytes]], object],
                signum: int = signal.SIGINT) -> Result:
    """The CLI started with Popen, sent `signum` (Ctrl-C) once `ready(proc)` returns, finished
    (killed if anything goes wrong on the way)."""
    proc = subprocess.Popen([*CLI, *args], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        ready(proc)
        proc.send_signal(signum)
        return finish(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


KEY = "sk-ant-e2e-SECRET-7f3a91"  # the Anthropic key the fake servers of the e2e tests accept
TOKEN = "ace-e2e-SECRET-token-52c1"  # the Ace Data Cloud token the e2e servers accept
