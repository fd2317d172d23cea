"""The real `claudechat ask` on a pseudo-terminal, read back through pyte: the
final screen and scrollback hold each line of the reply exactly once."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
import time

import pyte
import pytest
from helpers.fake_server import FakeServer, Reply
from helpers.markdown_corpus import CORPUS, realistic
from rich.markdown import Markdown
from helpers.terminal import screen_lines, terminal_console

WIDTH, HEIGHT = 80, 24


def run_on_pty(args: list[str], env: dict[str, str], timeout: float = 30) -> str:
    """Run the CLI with stdin, stdout and stderr on one pty; all it wrote."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", HEIGHT, WIDTH, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "claudechat", *args], stdin=slave, stdout=slave,
                            stderr=slave, env=env, close_fds=True)
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed its end
                break
            if not data:
                break
            chunks.append(data)
        proc.wait(timeout=max(1, deadline - time.monotonic()))
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    assert proc.returncode == 0, b"".join(chunks).decode(errors="replace")[-500:]
    return b"".join(chunks).decode("utf-8", errors="replace")


def expected(text: str) -> list[str]:
    console = terminal_console(WIDTH, HEIGHT)
    console.print(Markdown(text))
    return screen_lines(console.file.getvalue(), WIDTH, HEIGHT)


def seen(output: str) -> list[str]:
    screen = pyte.HistoryScreen(WIDTH, HEIGHT, history=100_000)
    pyte.ByteStream(screen).feed(output.encode())
    lines = ["".join(row[x].data for x in range(WIDTH)).rstrip() for row in screen.history.top]
    lines += [line.rstrip() for line in screen.display]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


@pytest.mark.parametrize("name", ["realistic", "taller_than_the_screen", "table"])
def test_each_line_of_the_reply_appears_exactly_once(clean_env, name):
    text = realistic(4000) if name == "realistic" else CORPUS[name]
    with FakeServer(auth="x-api-key", key="sk-pty") as server:
        server.enqueue(Reply(text=pieces(text, 24), delay=0.004, usage={"input_tokens": 5}))
        env = {**clean_env, "ANTHROPIC_API_KEY": "sk-pty", "ANTHROPIC_BASE_URL": server.url,
               "TERM": "xterm-256color", "COLUMNS": str(WIDTH), "LINES": str(HEIGHT)}
        output = run_on_pty(["ask", "show me"], env)
    lines = seen(output)
    status = lines[-1]
    assert "end_turn" in status and " in · " in status, status
    assert lines[:-1] == expected(text)
    assert "\x1b[?2026h" in output  # frames were drawn live, in synchronized output
