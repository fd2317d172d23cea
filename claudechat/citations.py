"""Citations as footnotes: text that cites a source gets a numbered marker ([1]) and the
sources are listed under the reply (docs/API-2026.md §6 citation objects).

A reply's sources are numbered in the order they are first cited: a web result by its URL,
a document passage by its document and position. Shared by the live view, the plain view
and the history's exports, so a reply reads the same everywhere. Pure; the text of sources
(titles, URLs, quotes) came from outside and is sanitised here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from claudechat.sanitize import sanitize

QUOTE_WIDTH = 80


@dataclass(frozen=True, slots=True)
class Source:
    number: int
    title: str  # sanitised; a document's title, else "document N"
    url: str | None = None  # a web source's address (sanitised), for a link
    where: str = ""  # a document's position: "page 3", "characters 10-52"
    quote: str = ""  # the cited text, shortened (documents only: the web's is the page's)

    def line(self) -> str:
        """"[1] Title — https://…" or "[2] paper.pdf, page 3: “quote”"."""
        return f"[{self.number}] {self.body()}"

    def body(self) -> str:
        """The footnote without its number."""
        if self.url is not None:
            return f"{self.title} — {self.url}" if self.url != self.title else self.title
        place = f", {self.where}" if self.where else ""
        said = f": “{self.quote}”" if self.quote else ""
        return self.title + place + said


@dataclass
class Footnotes:
    """One reply's numbered sources; `mark(citations)` gives a text block's marker."""

    offset: int = 0  # numbers start after this (a document numbering every reply's notes)
    marker: str = "[{}]"  # "[^{}]": Markdown footnotes
    sources: list[Source] = field(default_factory=list)
    _numbers: dict[tuple, int] = field(default_factory=dict)

    def mark(self, citations: Any) -> str:
        """"[1][2]" for a text block's citations (numbering new sources), "" for none."""
        numbers: list[int] = []
        for citation in citations if isinstance(citations, list) else []:
            if not isinstance(citation, dict):
                continue
            key = _key(citation)
            if key not in self._numbers:
                self._numbers[key] = self.offset + len(self.sources) + 1
                self.sources.append(source(citation, self._numbers[key]))
            if self._numbers[key] not in numbers:
                numbers.append(self._numbers[key])
        return "".join(self.marker.format(n) for n in numbers)

    def lines(self) -> list[str]:
        return [s.line() for s in self.sources]


def _key(citation: dict[str, Any]) -> tuple:
    kind = citation.get("type")
    if kind == "web_search_result_location" or "url" in citation:
        return ("url", str(citation.get("url")))
    positions = tuple(str(citation.get(k)) for k in sorted(citation) if k.startswith(("start_", "end_")))
    return (str(kind), str(citation.get("document_index", citation.get("search_result_index"))), positions)


def source(citation: dict[str, Any], number: int) -> Source:
    """The footnote of one citation object (any of §6's kinds; an unknown one by its type)."""
    kind = str(citation.get("type"))
    if "url" in citation:
        url = sanitize(str(citation.get("url")))
        title = sanitize(str(citation.get("title") or url)).strip() or url
        return Source(number, " ".join(title.split()), url=url)
    title = citation.get("document_title") or citation.get("title")
    index = citation.get("document_index", citation.get("search_result_index"))
    name = str(title) if title else (f"document {index + 1}" if isinstance(index, int) else kind)
    return Source(number, " ".join(sanitize(name).split()), where=position(citation),
                  quote=shorten(str(citation.get("cited_text") or "")))


def position(citation: dict[str, Any]) -> str:
    """Where a document citation points: pages (end exclusive), characters, content blocks."""
    kind = citation.get("type")
    if kind == "page_location":
        return _span("page", citation.get("start_page_number"), citation.get("end_page_number"), 1)
    if kind == "char_location":
        return _span("characters", citation.get("start_char_index"), citation.get("end_char_index"), 0)
    if kind in ("content_block_location", "search_result_location"):
        return _span("block", citation.get("start_block_index"), citation.get("end_block_index"), 0)
    return ""


def _span(what: str, start: Any, end: Any, base: int) -> str:
    """"page 3", "pages 3-4" (ends are exclusive); characters and blocks counted from 0."""
    if not isinstance(start, int) or isinstance(start, bool):
        return ""
    last = end - 1 if isinstance(end, int) and end > start else start
    if what == "page":
        return f"page {start}" if last == start else f"pages {start}-{last}"
    return f"{what} {start}-{last}" if base == 0 and isinstance(end, int) else f"{what} {start}"


def shorten(text: str, width: int = QUOTE_WIDTH) -> str:
    text = " ".join(sanitize(text).split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def merged(content: list[dict[str, Any]], notes: Footnotes) -> list[dict[str, Any]]:
    """The blocks with each run of consecutive text blocks as one, cited ones marked (for
    showing a stored reply as the live view drew it)."""
    out: list[dict[str, Any]] = []
    for block in content:
        if block.get("type") != "text":
            out.append(block)
            continue
        text = str(block.get("text") or "") + notes.mark(block.get("citations"))
        if out and out[-1].get("type") == "text":
            out[-1] = {"type": "text", "text": out[-1]["text"] + text}
        else:
            out.append({"type": "text", "text": text})
    return out
