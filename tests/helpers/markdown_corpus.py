"""Replies for rendering tests and the render benchmark: the Markdown a model
writes, with the awkward cases (nested and loose lists, tables whose columns
widen late, fences with and without a language, a four-backtick fence, setext
headings, quotes, HTML-ish text, very long lines, tabs, CJK and emoji)."""

from __future__ import annotations

CORPUS: dict[str, str] = {
    "headings": """# Title

Some intro text with **bold**, *italic*, `code` and a [link](https://example.com).

## Section two

Setext heading below
====================

Another one
-----------

### Third level
Text right after a heading.
""",
    "nested_lists": """Here is a plan:

- First item
  - nested one
  - nested two
    - deeper
- Second item with a long line that should wrap when the terminal is narrow enough to need it
- Third

1. Step one
2. Step two
   1. sub-step
   2. another
3. Step three

- loose item one

  continued paragraph inside the item

  ```python
  print("nested code")
  ```

- loose item two
""",
    "table": """| Name | Value | Notes |
|------|------:|-------|
| a | 1 | short |
| bb | 22 | a much longer note that widens the column late |
| ccc | 333 | ok |

After the table.
""",
    "fences": """Code with a language:

```python
def fib(n):
\tif n < 2:
\t\treturn n
\treturn fib(n - 1) + fib(n - 2)
```

Without a language:

```
plain text block
  indented
```

A four-backtick fence holding three:

````markdown
```js
console.log("inner")
```
````

Done.
""",
    "quotes_hr": """> A quote that spans
> two lines.
>
> > nested quote

---

Text after a rule.

***

<div>HTML-ish <b>text</b> &amp; entities</div>

Inline <span>html</span> in a paragraph.
""",
    "long_lines_tabs": "A very long line: " + "word " * 120 + "\n\nTabs\there\tand\tthere.\n\n"
    + "x" * 300 + "\n",
    "cjk_emoji": """## 中文标题

这是一个包含中文字符的段落，用来测试宽字符的换行是否正确。日本語のテキストも少し。한국어도.

- 😀 emoji list item
- 👩‍👩‍👧‍👦 family emoji
- ✅ done

| 列 | 値 |
|----|----|
| 中 | 😀 |
""",
    "taller_than_the_screen": "A long code block:\n\n```python\n"
    + "".join(f"line_{i} = {i} * 2  # comment {i}\n" for i in range(60))
    + "```\n\nAnd a long list:\n\n"
    + "".join(f"- item {i} with some words to make it wrap across the width of a narrow terminal\n"
              for i in range(40))
    + "\nThe end.\n",
}


def realistic(size: int) -> str:
    """About `size` characters of varied, realistic Markdown."""
    parts: list[str] = []
    total = 0
    i = 0
    while total < size:
        i += 1
        section = (
            f"## Part {i}: analysis\n\n"
            f"The function `process_{i}` handles **{i * 3} cases**; see [the docs](https://example.com/{i}).\n"
            "It reads the input, validates it, and writes the result. A paragraph of "
            "ordinary prose follows, long enough to wrap on an eighty-column terminal.\n\n"
            f"1. Load the data ({i} files)\n2. Check it\n   - schema\n   - ranges\n3. Save\n\n"
            f"```python\ndef process_{i}(items):\n    total = 0\n    for item in items:\n"
            f"        total += item.value * {i}\n    return total\n```\n\n"
            f"| metric | value |\n|---|---:|\n| rows | {i * 100} |\n| errors | {i % 7} |\n\n"
            f"> Note {i}: results may vary.\n\n"
        )
        parts.append(section)
        total += len(section)
    return "".join(parts)[:size].rsplit("\n\n", 1)[0] + "\n"


def pieces(text: str, size: int) -> list[str]:
    """`text` cut into deltas of `size` characters (the last one shorter)."""
    return [text[i : i + size] for i in range(0, len(text), size)]
