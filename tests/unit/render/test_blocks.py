"""Code blocks drawn from the lexer's tokens and tables drawn from their cells write the
same bytes as rich's Markdown (rich's own Syntax and Table), on every width, colour system
and theme, and are what draws the common case (otherwise the comparison would only be
testing rich against itself)."""

from __future__ import annotations

import io
import re

import pytest
from helpers.markdown_corpus import CORPUS, realistic
from rich.console import Console
from rich.markdown import Markdown as RichMarkdown

from claudechat.render import blocks
from claudechat.render.blocks import Markdown

CODE = """Some code:

```python
def fib(n):
\tif n < 2:  # a comment
\t\treturn n
    s = "a string\\twith escapes" + f'{n!r}'

    return fib(n - 1) + fib(n - 2)
```

    indented code, no language
      with a deeper line

```no-such-language
plain words
```

```
```

- a list holding code:

  ```js
  console.log("inner")
  ```
"""


TABLES = """| left | right | centre | plain |
|:-----|------:|:------:|-------|
| a | 1 | x | |
| **bold** and `code` | [a link](https://example.com) | ~~gone~~ | *it* |
|  | 22 |  | trailing \\| pipe |

| only a header |
|---|

| one | column |
|---|---|
| 名前 | wide characters: rich draws it |

| a | b |
|---|---|
| a cell long enough that a narrow terminal must wrap this table | b |
"""


def drawn(markdown: type, text: str, width: int, colours: str, theme: str) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=colours, force_terminal=True,
                      legacy_windows=False)
    console.print(markdown(text, code_theme=theme))
    return re.sub(r"id=\d+", "id=N", out.getvalue())  # hyperlink ids are random


TEXTS = {**CORPUS, "code": CODE, "tables": TABLES, "realistic": realistic(20_000)}


@pytest.mark.parametrize("name", sorted(TEXTS))
@pytest.mark.parametrize("width", [100, 40, 9, 4])
@pytest.mark.parametrize("colours", ["truecolor", "256", "standard"])
@pytest.mark.parametrize("theme", ["monokai", "github-dark", "ansi_dark"])
def test_the_same_bytes_as_rich(name, width, colours, theme):
    text = TEXTS[name]
    assert drawn(Markdown, text, width, colours, theme) == drawn(RichMarkdown, text, width, colours, theme)


def test_ordinary_code_is_drawn_from_the_tokens():
    assert blocks.code_segments("x = 1\n\n\ty = 'two'", "python", "monokai", 40) is not None
    assert blocks.code_segments("plain", "no-such-language", "monokai", 40) is not None


@pytest.mark.parametrize("code, why", [
    ("x" * 39, "a line wider than the block: rich wraps it"),
    ("名前 = 1", "wide characters"),
    ("a\x07b", "a control character"),
])
def test_what_rich_must_draw_is_left_to_rich(code, why):
    assert blocks.code_segments(code, "python", "monokai", 40) is None, why


def test_a_theme_without_a_background_is_left_to_rich():
    assert blocks.code_segments("x = 1", "python", "ansi_dark", 40) is None


@pytest.mark.parametrize("width", range(8, 80, 3))
def test_tables_at_every_width_the_same_bytes_as_rich(width):
    assert drawn(Markdown, TABLES, width, "truecolor", "monokai") == \
        drawn(RichMarkdown, TABLES, width, "truecolor", "monokai")


def test_ordinary_tables_are_drawn_from_their_cells(monkeypatch):
    drawn_here = []
    real = blocks.table_segments

    def counted(*args):
        segments = real(*args)
        drawn_here.append(segments is not None)
        return segments

    monkeypatch.setattr(blocks, "table_segments", counted)
    drawn(Markdown, TABLES, 100, "truecolor", "monokai")
    assert drawn_here == [True, True, False, True]  # the wide characters are rich's
    drawn_here.clear()
    drawn(Markdown, TABLES, 40, "truecolor", "monokai")
    assert drawn_here == [False, True, False, False]  # too wide for 40 columns: rich wraps them
