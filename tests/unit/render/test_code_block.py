"""The code block drawn from the lexer's tokens writes the same bytes as rich's Markdown
(rich's own Syntax), on every width, colour system and theme, and is what draws the common
case (otherwise the comparison would only be testing rich against itself)."""

from __future__ import annotations

import io
import re

import pytest
from helpers.markdown_corpus import CORPUS, realistic
from rich.console import Console
from rich.markdown import Markdown as RichMarkdown

from claudechat.render import code_block
from claudechat.render.code_block import Markdown

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


def drawn(markdown: type, text: str, width: int, colours: str, theme: str) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=colours, force_terminal=True,
                      legacy_windows=False)
    console.print(markdown(text, code_theme=theme))
    return re.sub(r"id=\d+", "id=N", out.getvalue())  # hyperlink ids are random


TEXTS = {**CORPUS, "code": CODE, "realistic": realistic(20_000)}


@pytest.mark.parametrize("name", sorted(TEXTS))
@pytest.mark.parametrize("width", [100, 40, 9, 4])
@pytest.mark.parametrize("colours", ["truecolor", "256", "standard"])
@pytest.mark.parametrize("theme", ["monokai", "github-dark", "ansi_dark"])
def test_the_same_bytes_as_rich(name, width, colours, theme):
    text = TEXTS[name]
    assert drawn(Markdown, text, width, colours, theme) == drawn(RichMarkdown, text, width, colours, theme)


def test_ordinary_code_is_drawn_from_the_tokens():
    assert code_block.code_segments("x = 1\n\n\ty = 'two'", "python", "monokai", 40) is not None
    assert code_block.code_segments("plain", "no-such-language", "monokai", 40) is not None


@pytest.mark.parametrize("code, why", [
    ("x" * 39, "a line wider than the block: rich wraps it"),
    ("名前 = 1", "wide characters"),
    ("a\x07b", "a control character"),
])
def test_what_rich_must_draw_is_left_to_rich(code, why):
    assert code_block.code_segments(code, "python", "monokai", 40) is None, why


def test_a_theme_without_a_background_is_left_to_rich():
    assert code_block.code_segments("x = 1", "python", "ansi_dark", 40) is None
