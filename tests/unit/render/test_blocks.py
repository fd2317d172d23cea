"""Code blocks drawn from the lexer's tokens, tables from their cells, lists and quotes of
one-line paragraphs from their lines write the same bytes as rich's Markdown (rich's own
Syntax, Table, ListItem and BlockQuote), on every width, colour system and theme, and are
what draws the common case (otherwise the comparison would only be testing rich against
itself)."""

from __future__ import annotations

import io
import re

import pytest
from helpers.markdown_corpus import CORPUS, realistic
from hypothesis import given, settings
from hypothesis import strategies as st
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


LISTS = """- one
- **two** with `code` and [a link](https://example.com)
  - nested *em*
    1. deeper ordered
    2. again
- three

7. seven
8. eight
9. nine
10. ten
11. eleven

- loose one

- loose two

  a second paragraph

-
- after an empty item

> a quote
> on two lines joined
>
> second paragraph
> - a list in a quote
> - two

> > nested quote

- a long item that must wrap on a narrow terminal because it is long, longer than forty
- short

1) paren style
2) two

* star
+ plus

- item with code:

  ```python
  x = 1
  ```
"""


def drawn(markdown: type, text: str, width: int, colours: str, theme: str) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=colours, force_terminal=True,
                      legacy_windows=False)
    console.print(markdown(text, code_theme=theme))
    return re.sub(r"id=\d+", "id=N", out.getvalue())  # hyperlink ids are random


TEXTS = {**CORPUS, "code": CODE, "tables": TABLES, "lists": LISTS, "realistic": realistic(20_000)}


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


@pytest.mark.parametrize("width", range(6, 80, 3))
@pytest.mark.parametrize("name", ["tables", "lists"])
def test_tables_and_lists_at_every_width_the_same_bytes_as_rich(name, width):
    assert drawn(Markdown, TEXTS[name], width, "truecolor", "monokai") == \
        drawn(RichMarkdown, TEXTS[name], width, "truecolor", "monokai")


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


def test_lists_and_quotes_of_short_paragraphs_are_drawn_from_their_lines(monkeypatch):
    drawn_here: dict[str, list[bool]] = {"list": [], "quote": []}

    def counting(kind: str, real):
        def counted(*args):
            lines = real(*args)
            drawn_here[kind].append(lines is not None)
            return lines
        return counted

    monkeypatch.setattr(blocks, "list_lines", counting("list", blocks.list_lines))
    monkeypatch.setattr(blocks, "quote_lines", counting("quote", blocks.quote_lines))
    drawn(Markdown, "- one\n- two\n  1. nested\n\n> a quote\n> - with a list\n", 60, "truecolor", "monokai")
    assert drawn_here == {"list": [True, True, True], "quote": [True]}
    for calls in drawn_here.values():
        calls.clear()
    drawn(Markdown, "- a\n\n  ```\n  code\n  ```\n\n> > nested\n", 60, "truecolor", "monokai")
    # code in a list, a quote in a quote: rich draws them (and the inner quote is drawn here)
    assert drawn_here == {"list": [False], "quote": [False, True]}


# Any block of awkward pieces (tabs, quotes, pipes, markers, blank lines, a non-ASCII letter),
# drawn at any width: the same bytes as rich, whichever of the two draws it.
PIECES = ["a", "b", " ", "  ", "\t", "x = 1", "#", "'", '"', "(", ")", "def", "\n", "\n\n",
          "    ", "é", "`", "|", "-", "*", "1.", ">"]


def block_of(kind: str, body: str, language: str) -> str:
    lines = body.split("\n")
    if kind == "fence":
        return f"```{language}\n{body}\n```\n"
    if kind == "table":
        cells = [body[i:i + 5].replace("\n", " ") for i in range(0, 15, 5)]
        return f"| h | {cells[0]} |\n|---|---:|\n| {cells[1]} | {cells[2]} |\n"
    if kind == "list":
        return "\n".join(f"- {line}" for line in lines) + "\n"
    if kind == "quote":
        return "\n".join(f"> {line}" for line in lines) + "\n"
    return "para\n\n" + "\n".join(f"    {line}" for line in lines) + "\n"


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from(["fence", "table", "list", "quote", "indented"]),
       body=st.lists(st.sampled_from(PIECES), max_size=40).map("".join),
       language=st.sampled_from(["python", "", "js", "no-such-language"]),
       width=st.integers(min_value=3, max_value=90))
def test_any_block_at_any_width_the_same_bytes_as_rich(kind, body, language, width):
    text = block_of(kind, body, language)
    assert drawn(Markdown, text, width, "truecolor", "monokai") == \
        drawn(RichMarkdown, text, width, "truecolor", "monokai")
