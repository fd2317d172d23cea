"""Code blocks, tables, lists and quotes drawn directly: what rich's Markdown draws, faster.

rich draws a fenced or indented code block as `Syntax(code, lexer, theme, word_wrap=True,
padding=1)`: it looks the lexer up again, builds one Text of the whole block, splits it into
lines and wraps, justifies, joins and renders each line on its own. A table is a `Table`
that measures every cell, then renders each one through padding, wrapping and justifying;
a list item or a quote renders its paragraphs through `render_lines` again. On a long
reply that is most of the cost of drawing it. The common case is simple: every line (every
cell, every item) is printable ASCII and fits the width, so nothing wraps. Then the
segments are built here directly (lexers and themes looked up once), the same segments with
the same styles as rich's, so the bytes on the terminal are the same
(tests/unit/render/test_blocks.py compares them). Anything else (a line that wraps, wide or
control characters, code in a list, a theme with no background) is drawn by rich as before.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, ClassVar

from rich import box
from rich.console import Console, ConsoleOptions, RenderResult
from rich.containers import Lines
from rich.markdown import BlockQuote as RichBlockQuote
from rich.markdown import CodeBlock as RichCodeBlock
from rich.markdown import ListElement as RichListElement
from rich.markdown import Markdown as RichMarkdown
from rich.markdown import MarkdownElement, Paragraph
from rich.markdown import TableElement as RichTableElement
from rich.segment import Segment
from rich.style import Style
from rich.syntax import Syntax, SyntaxTheme
from rich.text import Text

TAB_SIZE = 4  # rich's Syntax default
PADDING = 1  # rich's Markdown draws code with one cell of padding all round


@lru_cache(maxsize=64)
def _lexer(name: str) -> Any:
    """The lexer rich's Syntax would use for `name` (its fallback: plain text)."""
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    options = {"stripnl": False, "ensurenl": True, "tabsize": TAB_SIZE}
    try:
        return get_lexer_by_name(name, **options)
    except ClassNotFound:
        return get_lexer_by_name("text", **options)


class _Styles:
    """The final style of a token type's text in one theme: what rich's layers add up to
    (the line's base style, the token's, then the padding's base style again)."""

    def __init__(self, theme: SyntaxTheme) -> None:
        self.theme = theme
        self.base = theme.get_background_style() + Style()
        self.plain = self.base + self.base
        self._by_token: dict[Any, Style | None] = {}

    def of(self, token_type: Any) -> Style | None:
        """None: the token has no style of its own (rich gives it no span of its own)."""
        try:
            return self._by_token[token_type]
        except KeyError:
            own = self.theme.get_style_for_token(token_type)
            style = self.base + (self.base + own) if own else None
            self._by_token[token_type] = style
            return style


@lru_cache(maxsize=16)
def _styles(theme_name: str) -> _Styles:
    return _Styles(Syntax.get_theme(theme_name))


def code_segments(code: str, lexer_name: str, theme_name: str, width: int) -> list[Segment] | None:
    """The segments rich draws for a Markdown code block `width` cells wide, or None when
    this is not the simple case (rich must draw it)."""
    styles = _styles(theme_name)
    base = styles.base
    inner = width - 2 * PADDING
    if base.transparent_background or inner < 1 or not code.isascii():
        return None
    processed = (code + "\n").expandtabs(TAB_SIZE)
    lines = processed.split("\n")
    lines.pop()
    for line in lines:
        if len(line) > inner or not line.isprintable():
            return None
    blank = Segment(" " * width + "\n", base)
    side = Segment(" " * PADDING, base)
    newline = Segment("\n")
    plain = styles.plain
    out: list[Segment] = [blank]
    # one line: runs of (text, style); unstyled tokens run together with the padding
    run: list[str] = []
    used = 0
    out.append(side)
    for token_type, value in _lexer(lexer_name).get_tokens(processed):
        style = styles.of(token_type)
        pieces = value.split("\n")
        for number, piece in enumerate(pieces):
            if number:  # a line ends
                out.append(Segment("".join(run) + " " * (inner - used), plain))
                out += (side, newline, side)
                run, used = [], 0
            if not piece:
                continue
            used += len(piece)
            if style is None:
                run.append(piece)
            else:
                if run:
                    out.append(Segment("".join(run), plain))
                    run = []
                out.append(Segment(piece, style))
    # the tokens end with the newline of the last line: drop the line opened after it
    del out[-1]
    out.append(blank)
    return _without_empty(out)


def _without_empty(segments: list[Segment]) -> list[Segment]:
    """rich yields no segment for an empty stretch of text (a line whose last token is
    styled has no padding run when it fills the width)."""
    return [s for s in segments if s.text]


def table_segments(element: RichTableElement, console: Console,
                   options: ConsoleOptions) -> list[Segment] | None:
    """The segments rich draws for a Markdown table, or None when this is not the simple
    case: every cell one line of printable ASCII, the table as wide as its cells (rich's
    Table with box SIMPLE, no edge padding, collapsed padding: one space after each cell
    but the last, a space of border either side)."""
    if element.header is None or element.header.row is None:
        return None
    headings = []
    for cell in element.header.row.cells:
        heading = cell.content.copy()
        heading.stylize("markdown.table.header")
        headings.append(heading)
    rows = [headings] + [[cell.content for cell in row.cells]
                         for row in (element.body.rows if element.body is not None else [])]
    columns = len(headings)
    if not columns or any(len(row) != columns for row in rows):
        return None
    for row in rows:
        for text in row:
            if not (text.plain.isascii() and text.plain.isprintable()):
                return None
    rights = [1] * (columns - 1) + [0]
    widths = [max(len(row[i].plain) for row in rows) + rights[i] or 1 for i in range(columns)]
    extra = 2 + columns - 1
    if sum(widths) > options.max_width - extra or options.max_width - extra < 2:
        return None

    get_style = console.get_style
    border = get_style("markdown.table.border") + get_style("")
    header_style = get_style("table.header") + get_style("")
    none = get_style("none")
    shape = box.SIMPLE.substitute(options, safe=console.safe_box)
    edges = [(Segment(left, border), Segment(right, border), Segment(vertical, border))
             for left, right, vertical in ((shape.head_left, shape.head_right, shape.head_vertical),
                                           (shape.mid_left, shape.mid_right, shape.mid_vertical),
                                           (shape.foot_left, shape.foot_right, shape.foot_vertical))]
    newline = Segment.line()
    out = [Segment(shape.get_top(widths), border), newline]
    for index, row in enumerate(rows):
        left, right, divider = edges[0 if index == 0 else (2 if index == len(rows) - 1 else 1)]
        if not divider.text.strip():
            divider = Segment(divider.text, Style.null().background_style + divider.style)
        out.append(left)
        for number, (text, width, pad) in enumerate(zip(row, widths, rights, strict=True)):
            if number:
                out.append(divider)
            cell = _cell(console, text, width - pad, none)
            if pad:
                cell.append(Segment(" " * pad, none))
            if index == 0 and header_style:
                cell = [Segment(s.text, header_style + s.style) for s in cell]
            out += cell
        out += (right, newline)
        if index == 0:
            out += (Segment(shape.get_row(widths, "head", edge=True), border), newline)
    out += (Segment(shape.get_bottom(widths), border), newline)
    return out


def _cell(console: Console, text: Text, width: int, pad_style: Style) -> list[Segment]:
    """One cell's line as rich renders its Text `width` cells wide (the Text's own justify
    method; the rest padded)."""
    line = text.copy()
    Lines([line]).justify(console, width, justify=text.justify or "default", overflow="ellipsis")
    segments = list(line.render(console))
    used = len(line.plain)
    if used < width:
        segments.append(Segment(" " * (width - used), pad_style))
    return segments


Line = list[Segment]


def list_lines(element: RichListElement, console: Console, width: int) -> list[Line] | None:
    """The lines rich draws for a list `width` cells wide, or None unless each item holds
    only one-line paragraphs and such lists (rich's ListItem.render_bullet / render_number:
    the item's elements rendered `width` less the marker wide, the marker before the first
    line, blanks of its style before the others)."""
    bullet_list = element.list_type == "bullet_list_open"
    if bullet_list:
        style = console.get_style("markdown.item.bullet", default="none")
        marker_width = 3
    else:
        style = console.get_style("markdown.item.number", default="none")
        first = 1 if element.list_start is None else element.list_start
        marker_width = len(str(first + len(element.items))) + 2  # rich's "last number"
    blank = Segment(" " * marker_width, style)
    out: list[Line] = []
    for index, item in enumerate(element.items):
        lines = _elements_lines(item.elements, item.style, console, width - marker_width)
        if not lines:
            return None
        marker = (Segment(" • ", style) if bullet_list
                  else Segment(f"{first + index}".rjust(marker_width - 1) + " ", style))
        out += ([marker if number == 0 else blank, *line] for number, line in enumerate(lines))
    return out


def quote_lines(element: RichBlockQuote, console: Console, width: int) -> list[Line] | None:
    """The lines rich draws for a block quote (BlockQuote.__rich_console__: its elements
    four cells narrower, each line after a bar in the quote's style), or None."""
    lines = _elements_lines(element.elements, element.style, console, width - 4)
    if not lines:
        return None
    bar = Segment("▌ ", element.style)
    return [[bar, *line] for line in lines]


def _elements_lines(elements: Any, style: Style, console: Console, width: int) -> list[Line] | None:
    """console.render_lines(elements, width, style=style) for one-line paragraphs and lists
    of them; None for anything else."""
    if width < 1:
        return None
    lines: list[Line] = []
    for element in elements:
        if type(element) is Paragraph:
            line = _paragraph_line(element, console, width)
            if line is None:
                return None
            lines.append(line)
        elif isinstance(element, RichListElement):
            inner = list_lines(element, console, width)
            if inner is None:
                return None
            lines += inner
        else:
            return None
    if style:
        lines = [[Segment(s.text, style + s.style) for s in line] for line in lines]
    for line in lines:
        used = sum(len(s.text) for s in line)
        if used > width:
            return None
        if used < width:
            line.append(Segment(" " * (width - used), style))
    return lines


def _paragraph_line(paragraph: Paragraph, console: Console, width: int) -> Line | None:
    """A paragraph that fits on one line as rich draws it (its Text justified, by default
    padded to the width), or None."""
    plain = paragraph.text.plain
    if len(plain) > width or not (plain.isascii() and plain.isprintable()):
        return None
    line = paragraph.text.copy()
    Lines([line]).justify(console, width, justify=paragraph.justify, overflow="fold")
    return list(line.render(console))


def _drawn(lines: list[Line] | None) -> list[Segment] | None:
    if lines is None:
        return None
    newline = Segment.line()
    return [segment for line in lines for segment in (*line, newline)]


class _DrawnHere:
    """A rich Markdown element that `draw` draws when it can give the same bytes; else rich."""

    def draw(self, console: Console, options: ConsoleOptions) -> list[Segment] | None:
        raise NotImplementedError

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        segments = self.draw(console, options)
        if segments is None:
            yield from super().__rich_console__(console, options)  # type: ignore[misc]
        else:
            yield from segments


class CodeBlock(_DrawnHere, RichCodeBlock):
    def draw(self, console: Console, options: ConsoleOptions) -> list[Segment] | None:
        return code_segments(str(self.text).rstrip(), self.lexer_name, self.theme, options.max_width)


class TableElement(_DrawnHere, RichTableElement):
    def draw(self, console: Console, options: ConsoleOptions) -> list[Segment] | None:
        return table_segments(self, console, options)


class ListElement(_DrawnHere, RichListElement):
    def draw(self, console: Console, options: ConsoleOptions) -> list[Segment] | None:
        return _drawn(list_lines(self, console, options.max_width))


class BlockQuote(_DrawnHere, RichBlockQuote):
    def draw(self, console: Console, options: ConsoleOptions) -> list[Segment] | None:
        return _drawn(quote_lines(self, console, options.max_width))


class Markdown(RichMarkdown):
    """rich's Markdown with code blocks, tables, lists and quotes drawn here when they can be."""

    elements: ClassVar[dict[str, type[MarkdownElement]]] = {
        **RichMarkdown.elements, "fence": CodeBlock, "code_block": CodeBlock,
        "table_open": TableElement, "bullet_list_open": ListElement,
        "ordered_list_open": ListElement, "blockquote_open": BlockQuote}
