"""The real `claudechat ask` on a pseudo-terminal, read back through pyte: the
final screen and scrollback hold each line of the reply exactly once."""

from __future__ import annotations

import pytest
from helpers.fake_server import FakeServer, Reply
from helpers.markdown_corpus import CORPUS, pieces, realistic
from helpers.pty_terminal import Terminal
from helpers.terminal import rendered

WIDTH, HEIGHT = 80, 24


@pytest.mark.parametrize("name", ["realistic", "taller_than_the_screen", "table"])
def test_each_line_of_the_reply_appears_exactly_once(clean_env, name):
    text = realistic(4000) if name == "realistic" else CORPUS[name]
    with FakeServer(auth="x-api-key", key="sk-pty") as server:
        server.enqueue(Reply(text=pieces(text, 24), delay=0.004, usage={"input_tokens": 5}))
        env = {**clean_env, "ANTHROPIC_API_KEY": "sk-pty", "ANTHROPIC_BASE_URL": server.url}
        with Terminal(["ask", "show me"], env, width=WIDTH, height=HEIGHT) as term:
            assert term.finish() == 0, "\n".join(term.lines[-20:])
    lines = term.lines
    output = bytes(term.raw).decode("utf-8", errors="replace")
    status = lines[-1]
    assert "end_turn" in status and " in · " in status, status
    assert lines[:-1] == rendered(text, WIDTH, HEIGHT)
    assert "\x1b[?2026h" in output  # frames were drawn live, in synchronized output
