"""The real `claudechat ask` on a pseudo-terminal, read back through pyte: the
final screen and scrollback hold each line of the reply exactly once."""

from __future__ import annotations

import subprocess
import sys

import pyte
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


COLOURED = """Some code:

```python
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)  # recursion
```

| name | value |
|------|------:|
| **a** | `1` |
| b | 22 |
"""


def cells(screen: pyte.HistoryScreen, width: int, wanted: tuple[str, ...]) -> list[list[tuple]]:
    """Each character with its colours and weight, on the rows (scrollback, then screen)
    that contain one of the `wanted` texts."""
    rows = list(screen.history.top) + [screen.buffer[y] for y in range(screen.lines)]
    found = []
    for row in rows:
        chars = [row[x] for x in range(width)]
        if any(w in "".join(c.data for c in chars) for w in wanted):
            found.append([(c.data, c.fg, c.bg, c.bold) for c in chars])
    return found


def test_code_and_tables_are_drawn_in_the_colours_rich_gives_them(clean_env):
    """claudechat draws code blocks and tables itself (render/blocks.py); on the terminal
    they look exactly as rich's own Markdown draws them: every character, colour and weight."""
    env = {k: v for k, v in clean_env.items() if k != "COLORTERM"}
    with FakeServer(auth="x-api-key", key="sk-pty") as server:
        server.enqueue(Reply(text=pieces(COLOURED, 5), usage={"input_tokens": 5}))
        env.update(ANTHROPIC_API_KEY="sk-pty", ANTHROPIC_BASE_URL=server.url)
        with Terminal(["ask", "show me"], env, width=WIDTH, height=HEIGHT) as term:
            assert term.finish() == 0, "\n".join(term.lines[-20:])
    # rich's own drawing, in a process of its own: rich caches a style's escape codes on the
    # style object, so a test that drew the same styles in another colour system would leak
    drawn_by_rich = subprocess.run(
        [sys.executable, "-c", "import io, sys; from rich.console import Console; "
         "from rich.markdown import Markdown; "
         f"c = Console(file=io.StringIO(), width={WIDTH}, force_terminal=True, color_system='256'); "
         "c.print(Markdown(sys.stdin.read())); sys.stdout.write(c.file.getvalue())"],
        input=COLOURED, capture_output=True, text=True, check=True).stdout
    expected = pyte.HistoryScreen(WIDTH, HEIGHT, history=1000)
    pyte.Stream(expected).feed(drawn_by_rich.replace("\n", "\r\n"))
    wanted = ("def fib", "return n", "name", "──", "22")
    shown = cells(term.screen, WIDTH, wanted)
    assert len(shown) == 5, shown  # two lines of code, the heading, its rule, the last row
    assert shown == cells(expected, WIDTH, wanted)
    code = shown[0]
    assert len({(fg, bg) for _, fg, bg, _ in code}) > 2, "the code is highlighted"
