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


FENCES = {
    "a line that starts like a closing fence but goes on":
        "Intro.\n\n```python\nx = 1\n``` not the end\ny = 2\n```\n\nAfter.\n",
    "a four-backtick fence around three": "````md\n```python\nx = 1\n```\n````\n\nAfter.\n",
    "a tilde fence around backticks": "~~~\n```\nstill code\n```\n~~~\n\nAfter.\n",
    "an indented mark inside": "```\ncode\n    ```\nmore code\n```\n\nAfter.\n",
    "a fence never closed": "Intro.\n\n```\nline 1\nline 2\n",
    "a closing fence then a list": "```sh\nls\n```\n- one\n- two\n",
}


@pytest.mark.parametrize("name", sorted(FENCES))
@pytest.mark.parametrize("size", [1, 5, 1000])
def test_code_fences_end_where_markdown_ends_them(name, size):
    text = FENCES[name]
    assert printed(streamed(text, size)) == rendered(text, WIDTH, HEIGHT)


def test_a_long_open_code_fence_is_not_parsed_again_at_every_frame(monkeypatch):
    """A frame's work is what changed: the lines that came into a long open fence are only
    searched for a closing mark, not parsed again with everything above them."""
    from claudechat.render import markdown_stream

    parsed: list[int] = []

    def counting(parser, text):
        parsed.append(len(text))
        return markdown_stream_parse(parser, text)

    markdown_stream_parse = markdown_stream.parse_blocks
    monkeypatch.setattr(markdown_stream, "parse_blocks", counting)
    stream = MarkdownStream()
    lines = [f"value_{i} = {i} * 3\n" for i in range(2000)]
    stream.feed("Intro.\n\n```python\n")
    out = stream.take_commits()
    for line in lines:  # a frame after every line
        stream.feed(line)
        out += stream.take_commits()
    assert sum(parsed) < 2 * len("".join(lines))  # not ~2000 parses of a growing fence
    stream.feed("```\n\nAfter.\n")
    out += stream.take_commits()
    text = "Intro.\n\n```python\n" + "".join(lines) + "```\n\nAfter.\n"
    assert printed(out + stream.flush()) == rendered(text, WIDTH, HEIGHT)
