"""MarkdownStream: finished blocks are committed once, the open block is the tail, and the
commits plus what flush() gives print the same screen as the whole reply rendered at once,
however the text was split."""

from __future__ import annotations

import pytest
from helpers.markdown_corpus import CORPUS, pieces
from helpers.terminal import rendered, screen_lines, terminal_console

from claudechat.render.markdown_stream import MarkdownStream

WIDTH, HEIGHT = 60, 20


def printed(renderables) -> list[str]:
    console = terminal_console(WIDTH, HEIGHT)
    for renderable in renderables:
        console.print(renderable)
    return screen_lines(console.file.getvalue(), WIDTH, HEIGHT)


def streamed(text: str, size: int) -> list:
    stream = MarkdownStream()
    out = []
    for piece in pieces(text, size):
        stream.feed(piece)
        out += stream.take_commits()
    return out + stream.flush()


@pytest.mark.parametrize("name", sorted(CORPUS))
@pytest.mark.parametrize("size", [1, 7, 64])
def test_commits_then_flush_print_the_whole_reply(name, size):
    text = CORPUS[name]
    assert printed(streamed(text, size)) == rendered(text, WIDTH, HEIGHT)


def test_a_block_is_committed_once_the_next_one_begins():
    stream = MarkdownStream()
    stream.feed("# Title\n")
    assert stream.take_commits() == []  # the heading may still be followed by anything
    stream.feed("\nFirst para\n")  # a complete line of the next block
    commits = stream.take_commits()
    assert "Title" in "\n".join(printed(commits))
    assert "First para" not in "\n".join(printed(commits))
    assert stream.take_commits() == []  # committed once
    assert "First para" in "\n".join(printed(stream.flush()))


def test_the_tail_is_the_open_block_at_most_max_lines_tall_showing_the_newest_lines():
    stream = MarkdownStream()
    stream.feed("```\n" + "".join(f"line {n}\n" for n in range(40)))
    assert stream.take_commits() == []  # an open fence is not final
    lines = printed([stream.tail(8)])
    assert len(lines) <= 8
    assert "line 39" in "\n".join(lines) and "line 0\n" not in "\n".join(lines) + "\n"


def test_nothing_fed_is_nothing_to_show():
    stream = MarkdownStream()
    assert not stream.text_seen
    assert stream.tail(5) is None and stream.take_commits() == [] and stream.flush() == []
    stream.feed("  \n")
    assert stream.text_seen and stream.tail(5) is None
