"""Piped output is flushed once per network read, not per delta (issue 16): what arrived is
readable while the stream waits for the next read, and nothing is reordered, also when the
reply's text (stdout) and its thinking (stderr) share one pipe."""

from __future__ import annotations

import subprocess

from helpers.cli import CLI, finish, read_until
from helpers.fake_server import Reply

PIECES = ["one ", "two ", "three ", "four ", "five"]


def _start(env: dict[str, str], *args: str, stderr: int = subprocess.PIPE) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*CLI, "ask", *args, "hi"], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=stderr)


def test_deltas_that_arrived_are_readable_while_the_stream_waits(env, server):
    # message_start, content_block_start, then three deltas; the server holds the rest
    server.enqueue(Reply(text=PIECES, pings=False, stall_after=2 + 3))
    proc = _start(env)
    try:
        seen = read_until(proc.stdout.fileno(), b"one two three ")
        assert seen == b"one two three ", seen  # and nothing later: the stream is held
        server.release()
        done = finish(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert done.code == 0, done
    assert seen + done.out == b"one two three four five\n"


def test_thinking_and_text_on_one_pipe_keep_their_order(env, server):
    thought = ["Let me ", "think ", "about it."]
    # message_start, thinking start, 3 deltas, signature, stop, text start, 2 text deltas
    server.enqueue(Reply(thinking=thought, text=PIECES, pings=False, stall_after=2 + 3 + 2 + 1 + 2))
    proc = _start(env, "--show-thinking", stderr=subprocess.STDOUT)
    try:
        seen = read_until(proc.stdout.fileno(), b"one two ")
        server.release()
        rest, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, rest
    assert seen == b"Let me think about it.\none two ", seen
    assert seen + rest == b"Let me think about it.\none two three four five\n"
