"""A conversation as a reader sees it: Markdown-ish plain text (pipes, `history
export --format md`, and the chat's `/save PATH.md`, which passes the live
Conversation), a rich rendering (terminals), or JSON with the messages in the
API's own shape (`history export --format json`). Pure except for `show_rich`,
which prints to the console it is given.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from claudechat.citations import Footnotes, merged
from claudechat.conversation import Conversation, title_of
from claudechat.message import fallback_note
from claudechat.sanitize import sanitize
from claudechat.web import call_line

if TYPE_CHECKING:
    from rich.console import Console

    from claudechat.history.store import Stored

SPEAKERS = {"user": "You", "assistant": "Claude", "system": "System message"}
INTERRUPTED = "(interrupted: the reply stopped here; what arrived is kept)"
DECLINED = "(declined: the model refused; this exchange is not sent back to it)"
NO_REPLY = "(no reply was saved)"
UNANSWERED = "(unanswered: no reply came; it is not sent with later messages)"
INVALID_UTF8 = "(the server sent invalid UTF-8 in this reply; replaced with U+FFFD)"


def iso(timestamp: float) -> str:
    """Local time with its UTC offset, to the second."""
    return datetime.fromtimestamp(timestamp).astimezone().isoformat(timespec="seconds")


def short_time(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")


def header_line(source: Stored | Conversation, clean: Callable[[str], str] = str) -> str:
    """id · model · profile · started … · N messages; a conversation not (yet)
    read from the history has only its model and its message count. `clean` is
    applied to each value from outside (the model and profile names)."""
    count = len(source.turns)
    messages = f"{count} message{'s' * (count != 1)}"
    if isinstance(source, Conversation):
        return f"{clean(source.params.model)} · {messages}"
    summary = source.summary
    parts = [clean(summary.id), clean(summary.model or "?"), f"started {short_time(summary.created)}",
             messages]
    if summary.profile:
        parts.insert(2, f"profile {clean(summary.profile)}")
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
    if kind in ("web_search_tool_result", "web_fetch_tool_result"):
        return f"[{call_line({'name': kind.removesuffix('_tool_result')}, block)}]"
    if kind == "fallback":
        return f"[{fallback_note(block)}]"
    return f"[{kind}]"


def speaker(turn: Any) -> str:
    """Who a turn is from, as a heading: a user turn of tool results is the tools'."""
    if turn.role == "user" and turn.content and all(b.get("type") == "tool_result" for b in turn.content):
        return "Tool results"
    return SPEAKERS.get(turn.role, turn.role)


def result_text(block: dict[str, Any]) -> str:
    """A tool_result's content as text (a list of blocks: their text, others as notes)."""
    content = block.get("content")
    if isinstance(content, str):
        return content
    parts = [str(b.get("text") or "") if b.get("type") == "text" else f"[{b.get('type')}]"
             for b in content or [] if isinstance(b, dict)]
    return "\n".join(parts)


def fenced(text: str) -> str:
    """`text` in a Markdown code fence longer than any run of backticks in it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{text.rstrip(chr(10))}\n{fence}"


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


def markdown(source: Stored | Conversation, *, terminal: bool = False) -> str:
    """The transcript as Markdown: the title, the header line, a `##` section per
    message, non-text blocks as notes. `source` is a stored conversation or a live one.
    Every text from outside as it was received (a file, a pipe), or for a `terminal`
    each one sanitised on its own (no escape sequence reaches the screen)."""
    clean = sanitize if terminal else str
    title = title_of(source.turns) if isinstance(source, Conversation) else source.summary.title
    out = [f"# {clean(title)}", "", header_line(source, clean), ""]
    if source.system:
        out += ["## System", "", clean(source.system).rstrip("\n"), ""]
    cited = 0  # footnotes numbered through the document: [^1] … under each reply
    for turn in source.turns:
        out += [f"## {clean(speaker(turn))}", ""]
        notes = Footnotes(offset=cited, marker="[^{}]")
        for block in merged(turn.content, notes):
            text = str(block["text"]) if block.get("type") == "text" else (note(block) or "")
            text = clean(text).rstrip("\n")
            out += [text, ""] if text.strip() else []
            if block.get("type") == "tool_result":  # what the tool gave, whole
                out += [fenced(clean(result_text(block))), ""]
        out += [f"[^{s.number}]: {clean(s.body())}" for s in notes.sources] + ([""] if notes.sources else [])
        cited += len(notes.sources)
        if turn.invalid_utf8:
            out += [f"*{INVALID_UTF8}*", ""]
        if turn.interrupted:
            out += [f"*{INTERRUPTED}*", ""]
        if turn.declined:
            out += [f"*{DECLINED}*", ""]
        if turn.unanswered:
            out += [f"*{UNANSWERED}*", ""]
    if source.turns and source.turns[-1].role == "user" and not source.turns[-1].unanswered:
        out += [f"*{NO_REPLY}*", ""]
    if not isinstance(source, Conversation):
        out += ["---", "", total_line(source), ""]
    return "\n".join(out).rstrip("\n") + "\n"


def paragraphs(content: list[dict[str, Any]], notes: Footnotes) -> list[tuple[bool, str]]:
    """A message's blocks as a reader reads them, (is it text, what it says): consecutive text
    blocks as one text (the API splits a paragraph into blocks around each citation), cited
    ones marked by `notes`; other blocks as notes in brackets."""
    return [(True, str(b["text"])) if b.get("type") == "text" else (False, note(b) or "")
            for b in merged(content, notes)]


def total_line(stored: Stored) -> str:
    """"total: $0.0050 at list prices checked …"; "total: —" and why when no price is known."""
    from claudechat.costs import conversation_cost, money
    from claudechat.models import PRICES_CHECKED

    replies = [(t.model, t.usage) for t in stored.turns if t.role == "assistant"]
    if not any(usage for _, usage in replies):
        return "total: — (no usage recorded)"
    cost = conversation_cost(replies, stored.summary.model)
    if cost is None:
        return "total: — (no price known for a model of this conversation)"
    return f"total: {money(cost)} at list prices checked {PRICES_CHECKED}"


def as_json(stored: Stored) -> dict[str, Any]:
    """The conversation: `messages` exactly as the API takes them (every block,
    attachments included), and beside them, per message, what the API returned."""
    summary = stored.summary
    return {
        "id": summary.id,
        "title": summary.title,
        "created": iso(summary.created),
        "updated": iso(summary.updated),
        "profile": summary.profile,
        "model": summary.model,
        "system": stored.system,
        "settings": stored.settings,
        "messages": [{"role": t.role, "content": t.content} for t in stored.turns],
        "turns": [
            {"created": iso(when), "model": t.model, "stop_reason": t.stop_reason, "usage": t.usage,
             "interrupted": t.interrupted, "unanswered": t.unanswered,
             **({"invalid_utf8": True} if t.invalid_utf8 else {})}
            for t, when in zip(stored.turns, stored.times, strict=True)
        ],
    }


def show_rich(stored: Stored, console: Console) -> None:
    """The transcript on a terminal: Claude's text as Markdown, everything sanitised."""
    from rich.text import Text

    from claudechat.render.blocks import Markdown

    console.print(Text(sanitize(stored.summary.title), style="bold"))
    console.print(Text(header_line(stored, sanitize), style="dim"))
    if stored.system:
        console.print()
        console.print(Text("System", style="bold yellow"))
        console.print(Text(sanitize(stored.system)))
    for turn in stored.turns:
        console.print()
        style = "bold cyan" if turn.role == "user" else "bold magenta"
        console.print(Text(sanitize(speaker(turn)), style=style))
        notes = Footnotes()
        for block in merged(turn.content, notes):
            is_text = block.get("type") == "text"
            text = str(block["text"]) if is_text else (note(block) or "")
            if not is_text:
                console.print(Text(sanitize(text), style="dim italic"))
                if block.get("type") == "tool_result":
                    console.print(Text(sanitize(result_text(block))))
            elif turn.role == "assistant":
                console.print(Markdown(sanitize(text)))
            else:
                console.print(Text(sanitize(text)))
        for line in notes.lines():
            console.print(Text(sanitize(line), style="dim"))
        if turn.invalid_utf8:
            console.print(Text(INVALID_UTF8, style="yellow"))
        if turn.interrupted:
            console.print(Text(INTERRUPTED, style="yellow"))
        if turn.declined:
            console.print(Text(DECLINED, style="yellow"))
        if turn.unanswered:
            console.print(Text(UNANSWERED, style="yellow"))
    if stored.turns and stored.turns[-1].role == "user" and not stored.turns[-1].unanswered:
        console.print(Text(NO_REPLY, style="yellow"))
    console.print()
    console.print(Text(total_line(stored), style="dim"))
