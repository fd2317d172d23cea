"""A conversation as a reader sees it: Markdown-ish plain text (pipes, `history
export --format md`, and the chat's `/save PATH.md`, which passes the live
Conversation), a rich rendering (terminals), or JSON with the messages in the
API's own shape (`history export --format json`). Pure except for `show_rich`,
which prints to the console it is given.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from claudechat.conversation import Conversation, title_of
from claudechat.message import fallback_note
from claudechat.sanitize import sanitize

if TYPE_CHECKING:
    from rich.console import Console

    from claudechat.history.store import Stored

SPEAKERS = {"user": "You", "assistant": "Claude", "system": "System message"}
INTERRUPTED = "(interrupted: the reply stopped here; what arrived is kept)"
DECLINED = "(declined: the model refused; this exchange is not sent back to it)"
NO_REPLY = "(no reply was saved)"
UNANSWERED = "(unanswered: no reply came; it is not sent with later messages)"


def iso(timestamp: float) -> str:
    """Local time with its UTC offset, to the second."""
    return datetime.fromtimestamp(timestamp).astimezone().isoformat(timespec="seconds")


def short_time(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")


def header_line(source: Stored | Conversation) -> str:
    """id · model · profile · started … · N messages; a conversation not (yet)
    read from the history has only its model and its message count."""
    count = len(source.turns)
    messages = f"{count} message{'s' * (count != 1)}"
    if isinstance(source, Conversation):
        return f"{source.params.model} · {messages}"
    summary = source.summary
    parts = [summary.id, summary.model or "?", f"started {short_time(summary.created)}", messages]
    if summary.profile:
        parts.insert(2, f"profile {summary.profile}")
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


def markdown(source: Stored | Conversation) -> str:
    """The transcript as Markdown: the title, the header line, a `##` section per
    message, non-text blocks as notes. `source` is a stored conversation or a live one."""
    title = title_of(source.turns) if isinstance(source, Conversation) else source.summary.title
    out = [f"# {title}", "", header_line(source), ""]
    if source.system:
        out += ["## System", "", source.system.rstrip("\n"), ""]
    for turn in source.turns:
        out += [f"## {speaker(turn)}", ""]
        for block in turn.content:
            text = note(block)
            if text is None:
                text = str(block.get("text") or "").rstrip("\n")
            if text:
                out += [text, ""]
            if block.get("type") == "tool_result":  # what the tool gave, whole
                out += [fenced(result_text(block)), ""]
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
             "interrupted": t.interrupted, "unanswered": t.unanswered}
            for t, when in zip(stored.turns, stored.times, strict=True)
        ],
    }


def show_rich(stored: Stored, console: Console) -> None:
    """The transcript on a terminal: Claude's text as Markdown, everything sanitised."""
    from rich.markdown import Markdown
    from rich.text import Text

    console.print(Text(sanitize(stored.summary.title), style="bold"))
    console.print(Text(sanitize(header_line(stored)), style="dim"))
    if stored.system:
        console.print()
        console.print(Text("System", style="bold yellow"))
        console.print(Text(sanitize(stored.system)))
    for turn in stored.turns:
        console.print()
        style = "bold cyan" if turn.role == "user" else "bold magenta"
        console.print(Text(speaker(turn), style=style))
        for block in turn.content:
            text = note(block)
            if text is not None:
                console.print(Text(sanitize(text), style="dim italic"))
                if block.get("type") == "tool_result":
                    console.print(Text(sanitize(result_text(block))))
            elif turn.role == "assistant":
                console.print(Markdown(sanitize(str(block.get("text") or ""))))
            else:
                console.print(Text(sanitize(str(block.get("text") or ""))))
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
