"""A stored conversation as a reader sees it: its title, Markdown-ish plain text
(pipes, `history export --format md`), a rich rendering (terminals), or JSON with
the messages in the API's own shape (`history export --format json`). Pure
except for `show_rich`, which prints to the console it is given.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from claudechat.sanitize import sanitize

if TYPE_CHECKING:
    from rich.console import Console

    from claudechat.conversation import Turn
    from claudechat.store import Stored

SPEAKERS = {"user": "You", "assistant": "Claude"}
INTERRUPTED = "(interrupted: the reply stopped here; what arrived is kept)"
NO_REPLY = "(no reply was saved)"
TITLE_WIDTH = 60
_DOCUMENT = re.compile(r'<document name="([^"]*)">')


def title_of(turns: list[Turn]) -> str:
    """The first line of the first user message, shortened; attachments only when
    there are no words of the user's own."""
    for turn in turns:
        if turn.role != "user":
            continue
        texts = [b["text"] for b in turn.content
                 if b.get("type") == "text" and isinstance(b.get("text"), str)]
        own = [t for t in texts if not _DOCUMENT.match(t)]
        for text in own:
            line = next((ln.strip() for ln in sanitize(text).splitlines() if ln.strip()), "")
            if line:
                return shorten(line.replace("\t", " "))
        names = [html.unescape(m.group(1)) for t in texts if (m := _DOCUMENT.match(t))]
        kinds = names + [f"[{b.get('type')}]" for b in turn.content if b.get("type") != "text"]
        if kinds:
            return shorten(sanitize(", ".join(kinds)).replace("\t", " ").replace("\n", " "))
    return "(empty)"


def shorten(text: str, width: int = TITLE_WIDTH) -> str:
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > width // 2 else cut).rstrip() + "…"


def iso(timestamp: float) -> str:
    """Local time with its UTC offset, to the second."""
    return datetime.fromtimestamp(timestamp).astimezone().isoformat(timespec="seconds")


def short_time(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")


def header_line(stored: Stored) -> str:
    count = len(stored.turns)
    parts = [stored.id, stored.model or "?", f"started {short_time(stored.created)}",
             f"{count} message{'s' * (count != 1)}"]
    if stored.profile:
        parts.insert(2, f"profile {stored.profile}")
    return " · ".join(parts)


def note(block: dict[str, Any]) -> str | None:
    """A one-line description of a block that is not plain text (None for text)."""
    kind = block.get("type")
    if kind == "text":
        return None
    if kind == "thinking":
        words = len(str(block.get("thinking") or "").split())
        return f"[thinking: {words} words, not shown]" if words else "[thinking, not shown]"
    if kind == "redacted_thinking":
        return "[redacted thinking]"
    if kind in ("image", "document"):
        return f"[{kind}: {_source(block)}]"
    if kind in ("tool_use", "server_tool_use"):
        args = json.dumps(block.get("input", {}), ensure_ascii=False)
        return f"[tool call {block.get('name')}: {args if len(args) <= 200 else args[:199] + '…'}]"
    if kind == "tool_result":
        return f"[tool result for {block.get('tool_use_id')}{' (error)' * bool(block.get('is_error'))}]"
    if kind == "web_search_tool_result":
        content = block.get("content")
        return f"[web search: {len(content) if isinstance(content, list) else 0} results]"
    return f"[{kind}]"


def _source(block: dict[str, Any]) -> str:
    source = block.get("source") or {}
    name = block.get("title")
    if source.get("type") == "base64":
        data = str(source.get("data") or "")
        size = len(data) * 3 // 4 - data[-2:].count("=")
        what = f"{source.get('media_type')}, {_size(size)}"
    elif source.get("type") == "url":
        what = str(source.get("url"))
    elif source.get("type") == "text":
        what = f"text, {len(source.get('data') or '')} characters"
    else:
        what = str(source.get("type"))
    return f"{name} ({what})" if name else what


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB"):
        if n < 1024 or unit == "MB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return ""


def markdown(stored: Stored) -> str:
    """The transcript as Markdown: a `##` section per message, non-text blocks as notes."""
    out = [f"# {stored.title}", "", header_line(stored), ""]
    if stored.system:
        out += ["## System", "", stored.system.rstrip("\n"), ""]
    for turn in stored.turns:
        out += [f"## {SPEAKERS.get(turn.role, turn.role)}", ""]
        for block in turn.content:
            text = note(block)
            if text is None:
                text = str(block.get("text") or "").rstrip("\n")
            if text:
                out += [text, ""]
        if turn.interrupted:
            out += [f"*{INTERRUPTED}*", ""]
    if stored.turns and stored.turns[-1].role == "user":
        out += [f"*{NO_REPLY}*", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def as_json(stored: Stored) -> dict[str, Any]:
    """The conversation: `messages` exactly as the API takes them (every block,
    attachments included), and beside them, per message, what the API returned."""
    return {
        "id": stored.id,
        "title": stored.title,
        "created": iso(stored.created),
        "updated": iso(stored.updated),
        "profile": stored.profile,
        "model": stored.model,
        "system": stored.system,
        "settings": stored.settings,
        "messages": [{"role": t.role, "content": t.content} for t in stored.turns],
        "turns": [
            {"created": iso(when), "model": t.model, "stop_reason": t.stop_reason, "usage": t.usage,
             "interrupted": t.interrupted}
            for t, when in zip(stored.turns, stored.times, strict=True)
        ],
    }


def show_rich(stored: Stored, console: Console) -> None:
    """The transcript on a terminal: Claude's text as Markdown, everything sanitised."""
    from rich.markdown import Markdown
    from rich.text import Text

    console.print(Text(sanitize(stored.title), style="bold"))
    console.print(Text(sanitize(header_line(stored)), style="dim"))
    if stored.system:
        console.print()
        console.print(Text("System", style="bold yellow"))
        console.print(Text(sanitize(stored.system)))
    for turn in stored.turns:
        console.print()
        style = "bold cyan" if turn.role == "user" else "bold magenta"
        console.print(Text(SPEAKERS.get(turn.role, turn.role), style=style))
        for block in turn.content:
            text = note(block)
            if text is not None:
                console.print(Text(sanitize(text), style="dim italic"))
            elif turn.role == "assistant":
                console.print(Markdown(sanitize(str(block.get("text") or ""))))
            else:
                console.print(Text(sanitize(str(block.get("text") or ""))))
        if turn.interrupted:
            console.print(Text(INTERRUPTED, style="yellow"))
    if stored.turns and stored.turns[-1].role == "user":
        console.print(Text(NO_REPLY, style="yellow"))
