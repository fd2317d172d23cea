"""The section renderables: how each content block of a reply looks.

A section is fed the block's deltas (`feed`), offers what became final
(`take_commits`) and the live tail (`tail`), and at the block's end gives the
rest (`flush`). Text streams as Markdown (markdown_stream.py), thinking shows
in a dim panel that collapses to one line when the block ends, a tool call
shows its input as it arrives. No I/O and no threads: RichView
(rich_view.py) decides when and where they are drawn.
"""

from __future__ import annotations

import json
import time
from typing import Any

from rich.console import RenderableType
from rich.panel import Panel
from rich.style import Style
from rich.text import Text

from claudechat import web
from claudechat.api.events import InputJsonDelta, TextDelta, ThinkingDelta
from claudechat.message import fallback_note
from claudechat.render.markdown_stream import Cropped, MarkdownStream
from claudechat.sanitize import StreamSanitizer, sanitize, settled

THINKING_LIVE_LINES = 6


class Section:
    """One content block on screen: `feed` its deltas, `flush` when it ends."""

    printed = False  # has it put anything in the scrollback yet
    on_status = False  # drawn on the status console (stderr for ask), not with the reply
    waiting = False  # open past its block's end: the next block may be its own (absorbs)

    def feed(self, delta: Any) -> None:
        pass

    def absorbs(self, block: dict[str, Any]) -> bool:
        """Does the next block belong to this section (a text block that goes on where
        citations split it; a server tool's result after its call)?"""
        return False

    def cite(self, marker: str) -> None:
        """The block just ended cites sources: its footnote marker ("[1]")."""

    def stop(self) -> None:
        pass

    def take_commits(self) -> list[RenderableType]:
        return []

    def tail(self, max_lines: int) -> RenderableType | None:
        return None

    def flush(self) -> list[RenderableType]:
        return []


class TextSection(Section):
    waiting = True  # the API splits a paragraph into text blocks around each citation

    def __init__(self, code_theme: str) -> None:
        self.markdown = MarkdownStream(code_theme=code_theme)
        self.sanitizer = StreamSanitizer()

    def feed(self, delta: Any) -> None:
        if isinstance(delta, TextDelta):
            self.markdown.feed(self.sanitizer.feed(delta.text))

    def absorbs(self, block: dict[str, Any]) -> bool:
        return block.get("type") == "text"

    def cite(self, marker: str) -> None:
        self.markdown.feed(self.sanitizer.flush() + marker)  # a sequence cut at the block end goes

    def take_commits(self) -> list[RenderableType]:
        return self.markdown.take_commits()

    def tail(self, max_lines: int) -> RenderableType | None:
        return self.markdown.tail(max_lines)

    def flush(self) -> list[RenderableType]:
        self.markdown.feed(self.sanitizer.flush())
        return self.markdown.flush()


class ThinkingSection(Section):
    on_status = True

    def __init__(self, display: str) -> None:
        self.display = display
        self.started = time.monotonic()
        self.ended: float | None = None
        self.parts: list[str] = []
        self.sanitizer = StreamSanitizer()

    def feed(self, delta: Any) -> None:
        if isinstance(delta, ThinkingDelta):
            self.parts.append(delta.thinking)

    def stop(self) -> None:
        self.ended = time.monotonic()

    def tail(self, max_lines: int) -> RenderableType | None:
        if self.display == "hidden":
            return Text("Thinking…", style="dim")
        rows = min(THINKING_LIVE_LINES, max(1, max_lines - 2))
        text = sanitize(settled("".join(self.parts)))  # a sequence still arriving: none of it
        lines = text.rstrip("\n").split("\n")[-rows:]  # then cut to screen rows: lines wrap
        return Panel(Cropped(Text("\n".join(lines), style="dim"), rows, marker=False),
                     title="Thinking", title_align="left", border_style="dim", expand=True)

    def flush(self) -> list[RenderableType]:
        if self.display == "hidden":
            return []
        text = sanitize("".join(self.parts)).strip("\n")
        seconds = (self.ended or time.monotonic()) - self.started
        if self.display == "expanded" and text:
            return [Panel(Text(text, style="dim"), title=f"Thinking · {seconds:.1f} s",
                          title_align="left", border_style="dim")]
        size = f" (~{len(text) // 4:,} tokens)" if text else ""
        return [Text(f"▸ Thought for {seconds:.1f} s{size}", style="dim")]


class ToolSection(Section):
    def __init__(self, name: str, initial: Any) -> None:
        self.name = sanitize(str(name))
        self.parts: list[str] = []
        self.initial = initial

    def feed(self, delta: Any) -> None:
        if isinstance(delta, InputJsonDelta):
            self.parts.append(delta.partial_json)

    def _panel(self, body: RenderableType) -> Panel:
        # a str title would be read as markup: the name is the model's, so it is a Text
        return Panel(body, title=Text(f"tool call: {self.name}"), title_align="left", border_style="cyan")

    def tail(self, max_lines: int) -> RenderableType | None:
        shown = sanitize(settled("".join(self.parts)))  # a sequence still arriving: none of it
        return self._panel(Cropped(Text(shown or "…"), max(1, max_lines - 2)))

    def flush(self) -> list[RenderableType]:
        raw = "".join(self.parts)
        try:
            value = json.loads(raw) if raw.strip() else self.initial
            body = json.dumps(value, indent=2, ensure_ascii=False)
        except ValueError:
            body = raw
        return [self._panel(Text(sanitize(body)))]


class ServerToolSection(Section):
    """A tool the API runs (web search, web fetch): the query or URL as it streams, then
    one line with what came back (the number of results, a page's title, an error code)."""

    waiting = True  # until its result block

    def __init__(self, block: dict[str, Any]) -> None:
        self.call = dict(block)
        self.parts: list[str] = []
        self.result: dict[str, Any] | None = None

    def feed(self, delta: Any) -> None:
        if isinstance(delta, InputJsonDelta):
            self.parts.append(delta.partial_json)

    def absorbs(self, block: dict[str, Any]) -> bool:
        if self.result is None and block.get("tool_use_id") == self.call.get("id") \
                and str(block.get("type", "")).endswith("_tool_result"):
            self.result, self.waiting = block, False
            return True
        return False

    def _call(self) -> dict[str, Any]:
        raw = "".join(self.parts)
        try:
            return {**self.call, "input": json.loads(raw)} if raw.strip() else self.call
        except ValueError:
            return self.call

    def tail(self, max_lines: int) -> RenderableType | None:
        name = str(self.call.get("name", ""))
        subject = web.call_subject(name, self._call().get("input")) \
            or web.partial_subject(name, "".join(self.parts))
        verb = {"web_search": "searching the web", "web_fetch": "fetching"}.get(name, f"running {name}")
        return Text(sanitize(f"⌕ {verb} {subject}").rstrip() + " …", style="dim")

    def flush(self) -> list[RenderableType]:
        return [Text(sanitize(f"▸ {web.call_line(self._call(), self.result)}"), style="dim")]


class NoteSection(Section):
    def __init__(self, note: str, *, on_status: bool = False) -> None:
        self.note = note
        self.on_status = on_status

    def flush(self) -> list[RenderableType]:
        return [Text(self.note, style="dim")]


def section_for(block: dict[str, Any], thinking: str, code_theme: str) -> Section:
    """The section that draws a content block of this type (`thinking`: the display mode)."""
    kind = block.get("type")
    if kind == "text":
        return TextSection(code_theme)
    if kind == "thinking":
        return ThinkingSection(thinking)
    if kind == "redacted_thinking":
        return NoteSection("▸ Redacted thinking (encrypted by the API)", on_status=True) \
            if thinking != "hidden" else Section()
    if kind == "server_tool_use" and block.get("name") in web.NAMES:
        return ServerToolSection(block)
    if kind in ("tool_use", "server_tool_use", "mcp_tool_use"):
        return ToolSection(block.get("name", kind), block.get("input"))
    return NoteSection(f"▸ {block_note(block)}")


def block_note(block: dict[str, Any]) -> str:
    """One line for a block that is no text: what it means to the user (sanitised)."""
    kind = str(block.get("type"))
    if kind == "fallback":
        return sanitize(fallback_note(block))
    if kind == "compaction":
        return "the server compacted the conversation so far (earlier turns are summarised)"
    if kind in ("web_search_tool_result", "web_fetch_tool_result"):  # without its call
        name = kind.removesuffix("_tool_result")
        return sanitize(web.call_line({"name": name}, block))
    if kind.endswith("_tool_result"):
        return f"{sanitize(kind.removesuffix('_tool_result').replace('_', ' '))} result"
    return sanitize(kind)


def source_lines(sources: list[Any], *, links: bool) -> list[Text]:
    """The footnotes under a reply, "[1] Title — https://…", each web source's title and URL
    an OSC 8 hyperlink when `links` (only an http(s) URL, sanitised: no control character
    can end the sequence early; outside text never carries a link of its own: sanitize())."""
    out = []
    for source in sources:
        if source.url is None or not links or not source.url.startswith(("https://", "http://")):
            out.append(Text(source.line(), style="dim"))
            continue
        link = Style(link=source.url)
        line = Text(f"[{source.number}] ", style="dim")
        line.append(source.title, style=link)
        if source.title != source.url:
            line.append(" — ", style="dim")
            line.append(source.url, style=Style(link=source.url, dim=True))
        out.append(line)
    return out
