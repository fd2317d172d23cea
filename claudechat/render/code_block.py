"""Code blocks drawn straight from the lexer's tokens: what rich's Markdown draws, faster.

rich draws a fenced or indented code block as `Syntax(code, lexer, theme, word_wrap=True,
padding=1)`: it looks the lexer up again, builds one Text of the whole block, splits it into
lines and wraps, justifies, joins and renders each line on its own. On a long reply with
hundreds of blocks that is most of the cost of drawing it. The common case is simple: every
line is printable ASCII and fits the width, so nothing wraps. Then the segments are built
here directly from the tokens (lexers and themes looked up once), the same segments with the
same styles as rich's, so the bytes on the terminal are the same (tests/unit/render/
test_code_block.py compares them). Anything else (a line that wraps, wide or control
characters, a theme with no background) is drawn by rich as before.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, ClassVar

from rich.console import Console, ConsoleOptions, RenderResult
from rich.markdown import CodeBlock as RichCodeBlock
from rich.markdown import Markdown as RichMarkdown
from rich.markdown import MarkdownElement
from rich.segment import Segment
from rich.style import Style
from rich.syntax import Syntax, SyntaxTheme

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


@lru_cache(maxsize=16)
def _theme(name: str) -> SyntaxTheme:
    return Syntax.get_theme(name)


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
    return _Styles(_theme(theme_name))


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


class CodeBlock(RichCodeBlock):
    """rich's Markdown code block, drawn from the tokens when that gives the same bytes."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        code = str(self.text).rstrip()
        segments = code_segments(code, self.lexer_name, self.theme, options.max_width)
        if segments is None:
            yield from super().__rich_console__(console, options)
        else:
            yield from segments


class Markdown(RichMarkdown):
    """rich's Markdown with the faster code block."""

    elements: ClassVar[dict[str, type[MarkdownElement]]] = {
        **RichMarkdown.elements, "fence": CodeBlock, "code_block": CodeBlock}
