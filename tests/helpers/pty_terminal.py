"""The CLI on pseudo-terminals, read back as a person would see it.

Terminal: `claudechat ARGS` with stdin, stdout and stderr on one pty, its output fed to a pyte
screen as it is read, frame by frame (the live view's tests).
Term: the interactive chat on a pty through pexpect, for typing into and waiting on what shows
(the REPL's tests).
pexpect_child: `claudechat ARGS` on a pty, for reading everything it wrote.
run_pty: `claudechat ask ARGS` with stdout and stderr each on its own pty (tty detection).
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from dataclasses import dataclass

import pexpect
import pyte

from helpers.cli import CLI

SYNC_END = b"\x1b[?2026l"  # the end of a synchronized-output frame

ROWS, COLS = 30, 100  # the chat's terminal
PROMPT = "›"  # the chat's prompt
PTY_TIMEOUT = 30  # seconds run_pty waits for `ask`


def chat_env(env: dict[str, str]) -> dict[str, str]:
    """`env` for the chat on a ROWS x COLS xterm (no cursor-position queries)."""
    return {**env, "TERM": "xterm-256color", "PROMPT_TOOLKIT_NO_CPR": "1",
            "COLUMNS": str(COLS), "LINES": str(ROWS)}


class Terminal:
    """The CLI with stdin, stdout and stderr on one pty of `width` x `height`, its output
    fed to pyte as it is read. `on_frame(self)` runs after each synchronized-update end
    marker has been fed (the state a person sees between two frames)."""

    def __init__(self, args: list[str], env: dict[str, str], *, width: int = 80, height: int = 24,
                 on_frame: Callable[[Terminal], None] | None = None) -> None:
        self.width, self.height = width, height
        env = {**env, "COLUMNS": str(width), "LINES": str(height), "TERM": "xterm-256color"}
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))
        self.proc = subprocess.Popen([sys.executable, "-m", "claudechat", *args], stdin=slave,
                                     stdout=slave, stderr=slave, env=env, close_fds=True)
        os.close(slave)
        self.master = master
        self.screen = pyte.HistoryScreen(width, height, history=1_000_000)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()
        self.frames = 0
        self.eof = False
        self._held = b""  # the start of what may be an end marker split across reads
        self._on_frame = on_frame

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)

    # reading

    def _read(self, timeout: float) -> None:
        readable, _, _ = select.select([self.master], [], [], max(0.0, timeout))
        if not readable:
            return
        try:
            data = os.read(self.master, 65536)
        except OSError:  # EIO: every writer of the pty has gone
            data = b""
        if not data:
            self.eof = True
            data, self._held = self._held, b""
            self.stream.feed(data)
            return
        self.raw += data
        buf, self._held = self._held + data, b""
        while (end := buf.find(SYNC_END)) >= 0:
            end += len(SYNC_END)
            self.stream.feed(buf[:end])
            buf = buf[end:]
            self.frames += 1
            if self._on_frame is not None:
                self._on_frame(self)
        for keep in range(len(SYNC_END) - 1, 0, -1):
            if buf.endswith(SYNC_END[:keep]):
                buf, self._held = buf[:-keep], buf[-keep:]
                break
        self.stream.feed(buf)

    def wait_for(self, pattern: str, timeout: float = 20,
                 accept: Callable[[re.Match[str]], bool] = bool) -> re.Match[str]:
        """Read until `pattern` matches the screen's text (rows joined by newlines) with a
        match that `accept` takes."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            found = regex.search("\n".join(self.display))
            if found and accept(found):
                return found
            if self.eof:
                self.fail(f"the CLI ended before {pattern!r} showed")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.fail(f"{pattern!r} did not show within {timeout} s")
            self._read(remaining)

    def finish(self, timeout: float = 30) -> int:
        """Read until the CLI has closed the terminal; its exit code."""
        deadline = time.monotonic() + timeout
        while not self.eof:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.fail(f"still running after {timeout} s")
            self._read(remaining)
        try:
            return self.proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.fail("closed the terminal but did not exit")
            raise

    def fail(self, why: str) -> None:
        """Fail with the screen and, for a CLI still running, its threads' stacks
        (faulthandler answers SIGABRT; see conftest.clean_env)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGABRT)
            end = time.monotonic() + 5
            while not self.eof and time.monotonic() < end:
                self._read(end - time.monotonic())
        screen = "\n".join(self.lines)
        tail = bytes(self.raw[-3000:]).decode("utf-8", "replace")
        raise AssertionError(f"{why}\n--- screen and scrollback:\n{screen}\n--- last bytes:\n{tail!r}")

    # what a person sees

    @property
    def history(self) -> list[str]:
        return ["".join(row[x].data for x in range(self.width)).rstrip() for row in self.screen.history.top]

    @property
    def display(self) -> list[str]:
        return [line.rstrip() for line in self.screen.display]

    @property
    def lines(self) -> list[str]:
        """Scrollback then screen, trailing blank lines dropped."""
        lines = self.history + self.display
        while lines and not lines[-1]:
            lines.pop()
        return lines


class Term:
    """The real CLI on a pty, its output played into a pyte screen."""

    def __init__(self, args: list[str], env: dict[str, str], *, rows: int = ROWS, cols: int = COLS,
                 answer_cpr: bool = False) -> None:
        self.rows, self.cols = rows, cols
        self.child = pexpect.spawn(sys.executable, ["-m", "claudechat", *args], env=env,
                                   dimensions=(rows, cols), encoding="utf-8", timeout=15)
        self.screen = pyte.HistoryScreen(cols, rows, history=20_000)
        if answer_cpr:  # a terminal that answers "where is the cursor?" (ESC [ 6 n)
            self.screen.write_process_input = self.child.send
        self.stream = pyte.Stream(self.screen)
        self.raw = ""  # everything the program wrote, escape sequences and all
        self.eof = False

    # -- reading --------------------------------------------------------------------------

    def pump(self, timeout: float = 0.05) -> None:
        if self.eof:
            return
        try:
            data = self.child.read_nonblocking(65536, timeout=timeout)
        except pexpect.TIMEOUT:
            return
        except pexpect.EOF:
            self.eof = True
            return
        self.raw += data
        self.stream.feed(data)

    def lines(self) -> list[str]:
        top = ["".join(row[x].data for x in range(self.cols)).rstrip() for row in self.screen.history.top]
        return top + [line.rstrip() for line in self.screen.display]

    def text(self) -> str:
        return "\n".join(self.lines())

    def cursor_row(self) -> int:
        return len(self.screen.history.top) + self.screen.cursor.y

    def wait(self, check: Callable[[], bool], what: str, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if check():
                return
            if self.eof or time.monotonic() > deadline:
                self.pump(0.2)
                if check():
                    return
                screen = "\n".join(line for line in self.lines() if line)
                raise AssertionError(f"never saw {what}; the screen:\n{screen}")
            self.pump()

    def wait_raw(self, timeout: float = 15) -> None:
        """Wait until the program reads keys one at a time (the pty out of line mode). Keys
        typed before that go through the line discipline, which turns Enter into a newline
        (Ctrl-J); on TERM=dumb prompt_toolkit shows its prompt before leaving line mode."""
        import termios

        def raw() -> bool:
            try:
                return not termios.tcgetattr(self.child.child_fd)[3] & termios.ICANON
            except termios.error:
                return False

        self.wait(raw, "the terminal out of line mode", timeout)

    def wait_text(self, text: str, timeout: float = 15) -> None:
        self.wait(lambda: text in self.text(), repr(text), timeout)

    def last_index(self, text: str) -> int:
        lines = self.lines()
        return max((i for i, line in enumerate(lines) if text in line), default=-1)

    def replied(self, n: int) -> int:
        """Wait for reply #n (its numbered status line) and the prompt under it; its row."""
        self.wait(lambda: re.search(rf"^#{n} · .* end_turn · ", self.text(), re.M) is not None, f"reply #{n}")
        return self.wait_prompt(after=f"#{n} · ")

    def wait_prompt(self, after: str, typed: str = "", timeout: float = 15) -> int:
        """The prompt (with `typed` in it) under the last line containing `after`; its row."""

        def ready() -> bool:
            row = self.cursor_row()
            lines = self.lines()
            mark = self.last_index(after)
            return (0 <= mark < row < len(lines)
                    and lines[row] == f"{PROMPT} {typed}".rstrip())

        self.wait(ready, f"the prompt {typed!r} after {after!r}", timeout)
        return self.cursor_row()

    def between(self, start: str, end_row: int) -> list[str]:
        """The lines after the last one containing `start`, up to (not including) end_row."""
        return self.lines()[self.last_index(start) + 1 : end_row]

    def answer_to(self, typed: str, end_row: int) -> list[str]:
        """The non-blank lines between the prompt line `› typed` and end_row: what the chat
        said to what was typed."""
        return [line for line in self.between(f"{PROMPT} {typed}", end_row) if line]

    # -- typing ---------------------------------------------------------------------------

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def say(self, text: str) -> None:
        """Type a line and press Enter."""
        self.child.send(text + "\r")

    def said(self, line: str) -> str:
        """Type `line`; what the chat answered (wrapped lines joined by spaces) once the
        prompt is back under it."""
        typed = f"{PROMPT} {line}"

        def rows() -> list[int]:
            return [i for i, text in enumerate(self.lines()) if text == typed and i < self.cursor_row()]

        before = len(rows())
        self.say(line)
        self.wait(lambda: len(rows()) > before, repr(typed))
        self.wait(lambda: self.lines()[self.cursor_row()] == PROMPT and self.cursor_row() > rows()[-1] + 1,
                  f"the answer to {line!r}")
        return " ".join(self.lines()[rows()[-1] + 1 : self.cursor_row()]).strip()

    def exit_status(self) -> int | None:
        self.wait(lambda: self.eof, "the end of the program")
        self.child.close()
        return self.child.exitstatus

    def close(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)
        self.child.close()


@dataclass
class PtyResult:
    code: int
    out: str  # what stdout received (CRLF, the tty's ONLCR, folded to LF)
    err: str


def _read_all(fds: list[int], deadline: float) -> dict[int, bytes]:
    """Read pty masters (and pipes) until each reports EOF/EIO (the child is gone)."""
    bufs = {fd: b"" for fd in fds}
    live = set(fds)
    while live:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"the child did not finish; got {bufs!r}"
        readable, _, _ = select.select(list(live), [], [], remaining)
        for fd in readable:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the slave side is closed
                chunk = b""
            if chunk:
                bufs[fd] += chunk
            else:
                live.discard(fd)
    return bufs


def run_pty(env: dict[str, str], *args: str, stdin_tty: bool = False, stdout_tty: bool = True) -> PtyResult:
    """Run `claudechat ask ARGS` with stdout and stderr each on its own pseudo-terminal
    (stdout on a pipe unless `stdout_tty`; stdin on a third pty when `stdin_tty`, else /dev/null)."""
    env = {"TERM": "xterm-256color", **env}
    out_master, out_slave = pty.openpty() if stdout_tty else os.pipe()
    err_master, err_slave = pty.openpty()
    in_master, in_slave = pty.openpty() if stdin_tty else (None, None)
    proc = subprocess.Popen([*CLI, "ask", *args], env=env, stdout=out_slave, stderr=err_slave,
                            stdin=in_slave if stdin_tty else subprocess.DEVNULL)
    for fd in (out_slave, err_slave, in_slave):
        if fd is not None:
            os.close(fd)
    try:
        bufs = _read_all([out_master, err_master], time.monotonic() + PTY_TIMEOUT)
        code = proc.wait(timeout=PTY_TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for fd in (out_master, err_master, in_master):
            if fd is not None:
                os.close(fd)

    def text(raw: bytes) -> str:
        # a stray byte (not UTF-8) survives as a surrogate: U+DC9B for a raw 8-bit CSI
        return raw.replace(b"\r\n", b"\n").decode("utf-8", "surrogateescape")

    return PtyResult(code, text(bufs[out_master]), text(bufs[err_master]))


def pexpect_child(env: dict[str, str], *args: str, rows: int = 40, cols: int = 120) -> pexpect.spawn:
    """`claudechat ARGS` on a rows x cols pty through pexpect; `.read()` gives all it wrote."""
    return pexpect.spawn(CLI[0], [*CLI[1:], *args], env=env, dimensions=(rows, cols), timeout=30,
                         encoding="utf-8")


def whole_session(spawn: Callable[..., Term], *messages: str) -> None:
    """An earlier session in the chat: each message sent and answered, then Ctrl-D."""
    term = spawn()
    for n, message in enumerate(messages, 1):
        term.say(message)
        term.replied(n)
    term.send("\x04")
    assert term.exit_status() == 0
