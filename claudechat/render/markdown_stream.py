"""Streamed Markdown: finished blocks are printed once, only the open tail is live.

The text of a reply arrives in small deltas. Re-rendering the whole document on
every frame is quadratic and breaks scrollback, so instead:

- only the complete lines of the uncommitted tail are parsed (with markdown-it,
  configured as rich configures it); every top-level block but the last is
  final, and is committed: rendered once and printed into the scrollback;
- the last, open block (plus the line being written) is the live tail,
  repainted in place and cropped so it never grows taller than the screen.

Committed chunks are stitched together exactly as rich spaces the top-level
blocks of one document (a blank line between blocks; none after a horizontal
rule; lists, quotes and tables bring their own), so when the reply ends, the
screen holds what rendering the whole reply at once would have printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.segment import Segment
from rich.text import Text

from claudechat.render.blocks import Markdown

# Blocks that rich renders with a blank line of their own in front.
_OWN_SPACING = frozenset({"bullet_list_open", "ordered_list_open", "blockquote_open", "table_open"})
_FENCE_MARKS = ("```", "~~~")


def _parser() -> MarkdownIt:
    return MarkdownIt().enable("strikethrough").enable("table")


@dataclass(frozen=True, slots=True)
class Block:
    type: str  # the markdown-it token type that opens it
    start: int  # first line, relative to the parsed text
    end: int  # line after the last
    token: int  # index of its first token


def parse_blocks(parser: MarkdownIt, text: str) -> tuple[list[Token], list[Block]]:
    tokens = parser.parse(text)
    blocks = [Block(t.type, t.map[0], t.map[1], i) for i, t in enumerate(tokens)
              if t.level == 0 and t.map and t.nesting in (0, 1)]
    return tokens, blocks


class ParsedMarkdown(Markdown):
    """rich's Markdown for tokens already parsed (the same parser settings), so
    committed text is parsed once, not twice."""

    def __init__(self, tokens: list[Token], **options: Any) -> None:
        super().__init__("", **options)
        self.parsed = tokens


class MarkdownStream:
    """The Markdown of one text block, fed delta by delta.

    `feed(text)` takes a delta; `take_commits()` returns renderables to print
    once, permanently; `tail()` the renderable for the live region; `flush()`,
    at the end, the rest. No I/O here.
    """

    def __init__(self, *, code_theme: str = "monokai", hyperlinks: bool = True) -> None:
        self._parser = _parser()
        self._code_theme = code_theme
        self._hyperlinks = hyperlinks
        self._tail = ""  # text not committed yet; always starts at a line start
        self._pending: list[str] = []
        self._last_type: str | None = None  # type of the last committed block
        self._scanned_to = 0  # characters of the tail known to hold no finished block
        self._open_type: str | None = None  # type of the open block, from the last parse
        # the open block is a code fence with no line that could close it yet: its mark
        # ("```" or "~~~"); new lines are then only searched for one, not parsed again
        self._fence: str | None = None

    def feed(self, text: str) -> None:
        self._pending.append(text)

    @property
    def text_seen(self) -> bool:
        return bool(self._tail or self._pending or self._last_type)

    def take_commits(self) -> list[RenderableType]:
        """Blocks that became final since the last call."""
        if self._pending:
            self._tail += "".join(self._pending)
            self._pending.clear()
        complete = self._tail[: self._tail.rfind("\n") + 1]
        if len(complete) <= self._scanned_to:
            return []
        if self._fence is not None and not _may_close(complete, self._scanned_to, self._fence):
            self._scanned_to = len(complete)  # a long code fence is not parsed at every frame
            return []
        tokens, blocks = parse_blocks(self._parser, complete)
        self._open_type = blocks[-1].type if blocks else None
        if len(blocks) < 2:
            self._fence = _open_fence(complete) if self._open_type == "fence" else None
            self._scanned_to = len(complete)
            return []
        self._tail = self._tail[_line_offset(complete, blocks[-1].start):]
        self._scanned_to, self._fence = 0, None
        return [self._render_chunk(tokens[: blocks[-1].token], blocks[0].type, blocks[-2].type)]

    def flush(self) -> list[RenderableType]:
        """The reply ended: everything left is final."""
        self._tail += "".join(self._pending)
        self._pending.clear()
        rest, self._tail = self._tail, ""
        if not rest.strip():
            return []
        tokens, blocks = parse_blocks(self._parser, rest)
        if not blocks:
            return []
        return [self._render_chunk(tokens, blocks[0].type, blocks[-1].type)]

    def tail(self, max_lines: int) -> RenderableType | None:
        """The open block and the line being written, at most `max_lines` tall."""
        text = self._tail + "".join(self._pending)
        if not text.strip():
            return None
        kind = self._open_type or "paragraph_open"
        text = _shorten_open_block(text, kind, max_lines)
        return Cropped(self._markdown(text, separated=self._needs_gap(kind)), max_lines)

    def _render_chunk(self, tokens: list[Token], first: str, last: str) -> RenderableType:
        renderable: RenderableType = ParsedMarkdown(tokens, code_theme=self._code_theme,
                                                    hyperlinks=self._hyperlinks)
        if self._needs_gap(first):
            renderable = Gap(renderable)
        self._last_type = last
        return renderable

    def _needs_gap(self, first: str) -> bool:
        return self._last_type is not None and self._last_type != "hr" and first not in _OWN_SPACING

    def _markdown(self, text: str, *, separated: bool) -> RenderableType:
        markdown = Markdown(text, code_theme=self._code_theme, hyperlinks=self._hyperlinks)
        return Gap(markdown) if separated else markdown


def _line_offset(text: str, line: int) -> int:
    offset = 0
    for _ in range(line):
        offset = text.index("\n", offset) + 1
    return offset


def _open_fence(text: str) -> str | None:
    """The mark of the code fence `text` opens (its first line, indented at most three
    spaces), when no later line could close it: one that starts, after any indentation,
    with three of the mark's characters (a superset of closing fences). Else None."""
    first, _, rest = text.lstrip("\n").partition("\n")
    opener = first.lstrip(" ")
    if len(first) - len(opener) > 3 or not opener.startswith(_FENCE_MARKS):
        return None
    mark = opener[:3]
    return None if _may_close(rest, 0, mark) else mark


def _may_close(text: str, start: int, mark: str) -> bool:
    """Could a line of text[start:] (whole lines) close a fence of `mark`?"""
    return any(line.lstrip(" \t").startswith(mark) for line in text[start:].split("\n"))


_ITEM = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")


def _shorten_open_block(text: str, kind: str, max_lines: int) -> str:
    """Only the end of an open block taller than the screen can be seen, so only
    its end is rendered: a long code fence, list or table is not re-rendered
    whole on every frame. (The block is rendered whole when it is committed.)"""
    lines = text.split("\n")
    if len(lines) <= 2 * max_lines + 2:
        return text
    if kind in ("fence", "code_block") and lines[0].lstrip().startswith(_FENCE_MARKS):
        return "\n".join([lines[0], *lines[-(max_lines + 1):]])
    if kind == "table_open":
        return "\n".join([*lines[:2], *lines[-(max_lines + 1):]])
    if kind in ("bullet_list_open", "ordered_list_open"):
        cut = len(lines) - max_lines - 1
        while cut > 0 and not _ITEM.match(lines[cut]):
            cut -= 1
        return "\n".join(lines[cut:]) if cut > 0 else text
    return text


class Gap:
    """A renderable preceded by one blank line (rich's spacing between blocks)."""

    def __init__(self, renderable: RenderableType) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Segment.line()
        yield self.renderable


class Cropped:
    """The last `max_lines` screen rows of a renderable, with a marker when cut
    (`marker=False`: just the last rows, as a live thinking panel shows them)."""

    def __init__(self, renderable: RenderableType, max_lines: int, *, marker: bool = True) -> None:
        self.renderable = renderable
        self.max_lines = max(1, max_lines)
        self.marker = marker

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = console.render_lines(self.renderable, options.update(height=None), pad=False)
        if len(lines) > self.max_lines and not self.marker:
            lines = lines[-self.max_lines:]
        elif len(lines) > self.max_lines:
            hidden = len(lines) - self.max_lines + 1
            marker = Text(f"⋮ {hidden} more lines above, shown when the block ends", style="dim",
                          end="", no_wrap=True, overflow="ellipsis")
            marker.truncate(options.max_width, overflow="ellipsis")
            yield marker
            yield Segment.line()
            lines = lines[-(self.max_lines - 1):] if self.max_lines > 1 else []
        for index, line in enumerate(lines):
            if index:
                yield Segment.line()
            yield from line
