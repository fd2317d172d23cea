"""An exchange of a stored conversation shown again: the chat prints the last one,
shortened, when it resumes a conversation (-c, --cid, /load), so the user sees where
they are; `/show N` prints exchange N whole.

Drawn as the live chat draws it (your message after the prompt mark, the reply's text
as Markdown, thinking collapsed to one line, other blocks as one-line notes, a dim
status line with the reply's number), shortened to its first lines with what to type
to see the rest. Pure: renderables for the caller to print; all text sanitised and
never read as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.segment import Segment
from rich.text import Text

from claudechat import web
from claudechat.citations import Footnotes, merged
from claudechat.history.transcript import DECLINED, INTERRUPTED, NO_REPLY, note
from claudechat.render.blocks import Markdown
from claudechat.render.sections import block_note, source_lines
from claudechat.render.view import token_counts
from claudechat.sanitize import sanitize

USER_LINES = 4  # rows of your message a resumed chat shows
REPLY_LINES = 12  # rows of the reply


class Clipped:
    """The first `max_lines` rows of a renderable (all of them for None), then a dim
    line saying how many more there are and `more`, what shows them."""

    def __init__(self, renderable: RenderableType, max_lines: int | None, more: str) -> None:
        self.renderable = renderable
        self.max_lines = max_lines
        self.more = more

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = console.render_lines(self.renderable, options.update(height=None), pad=False)
        while lines and not Segment.get_line_length(lines[-1]):
            lines.pop()  # Markdown ends with a blank row
        hidden = 0
        if self.max_lines is not None and len(lines) > self.max_lines:
            lines, hidden = lines[:self.max_lines], len(lines) - self.max_lines
        for line in lines:
            yield from line
            yield Segment.line()
        if hidden:
            yield Text(f"… {hidden} more line{'s' * (hidden != 1)} · {self.more}", style="dim",
                       no_wrap=True, overflow="ellipsis")


def exchange(turns: list[Any], number: int | None = None, *, full: bool = False, plain: bool = False,
             thinking: str = "collapsed", price: Callable[[Any], str | None] | None = None,
             ) -> list[RenderableType]:
    """Reply `number` (1 is the first; None: the last) and the message it answers,
    shortened unless `full`. When the last message has no reply (None): that message,
    and that it has none. `plain` (NO_COLOR, TERM=dumb, --plain): the reply's text as
    it came, as the chat then prints replies, not rendered Markdown. `thinking` (the
    thinking_display setting): "hidden" leaves thinking out, as the live view does;
    otherwise it is one line. Messages at the end set aside unanswered are not the last
    exchange: the chat gives them back into the input line and says so."""
    if number is None:
        while turns and turns[-1].role == "user" and getattr(turns[-1], "unanswered", False):
            turns = turns[:-1]
    replies = [i for i, t in enumerate(turns) if t.role == "assistant"]
    last_asked = next((i for i in range(len(turns) - 1, -1, -1) if turns[i].role == "user"), None)
    unanswered = number is None and last_asked is not None and last_asked > max(replies, default=-1)
    number = number or len(replies)
    at = len(turns) if unanswered or not replies else replies[number - 1]
    asked = next((i for i in range(at - 1, -1, -1) if turns[i].role == "user"), None)
    more = "/show shows it all" if unanswered or not replies else f"/show {number} shows it all"
    shown: list[RenderableType] = []
    if asked is not None:
        shown.append(Clipped(_yours(turns[asked]), None if full else USER_LINES, more))
    if at == len(turns):  # the last message has no reply (or there is nothing at all)
        if asked is not None:
            shown.append(Text(NO_REPLY, style="yellow"))
        return shown
    reply = Group(*_reply(turns[at], number, plain, thinking))
    shown.append(Clipped(reply, None if full else REPLY_LINES, more))
    shown.append(_status(turns[at], number, price))
    return shown


def _yours(turn: Any) -> Text:
    """Your message as the prompt showed it: `› ` and the lines, attachments as notes."""
    parts = []
    for block in turn.content:
        said = note(block)
        parts.append(str(block.get("text") or "") if said is None else said)
    lines = sanitize("\n".join(p.rstrip("\n") for p in parts if p)).split("\n")
    text = Text("› ", style="bold")
    text.append("\n  ".join(lines))
    return text


def _reply(turn: Any, number: int, plain: bool, thinking: str) -> list[RenderableType]:
    """The reply's blocks as the live view leaves them, a blank line between sections."""
    out: list[RenderableType] = []
    notes = Footnotes()
    results = {b.get("tool_use_id"): b for b in turn.content if str(b.get("type")).endswith("_tool_result")}
    shown: set[Any] = set()  # results said with their call, in one line as the live view does
    for block in merged(turn.content, notes):  # text blocks split around citations: one text
        kind = block.get("type")
        if thinking == "hidden" and kind in ("thinking", "redacted_thinking") or id(block) in shown:
            continue
        if out:
            out.append(Text(""))
        if kind == "text":
            said = sanitize(str(block.get("text") or ""))
            out.append(Text(said) if plain else Markdown(said))
        elif kind == "thinking":
            thought = sanitize(str(block.get("thinking") or "")).strip("\n")  # as the live view counts
            more = f" (~{len(thought) // 4:,} tokens) · /expand {number} shows it" if thought else ""
            out.append(Text(f"▸ Thought{more}", style="dim"))
        elif kind == "redacted_thinking":
            out.append(Text("▸ Redacted thinking (encrypted by the API)", style="dim"))
        elif kind == "server_tool_use" and block.get("name") in web.NAMES:
            result = results.get(block.get("id"))
            shown.add(id(result))
            out.append(Text(sanitize(f"▸ {web.call_line(block, result)}"), style="dim"))
        elif kind in ("tool_use", "server_tool_use", "mcp_tool_use"):
            out.append(Text(f"▸ tool call: {sanitize(str(block.get('name') or kind))}", style="dim"))
        else:
            out.append(Text(f"▸ {block_note(block)}", style="dim"))
    if notes.sources:
        out += [Text(""), *source_lines(notes.sources, links=False)]
    return out


def _status(turn: Any, number: int, price: Callable[[Any], str | None] | None) -> Text:
    """"#3 · model · 1,200 in · 34 out · $0.0012 · end_turn", as the live status line had it,
    and how the reply ended when it did not. `price(turn)`: its cost, None without a price."""
    parts = [f"#{number}", *([turn.model] if turn.model else [])]
    parts += token_counts(turn.usage) if turn.usage else []
    cost = price(turn) if price is not None and turn.usage else None
    parts += [cost if turn.stop_reason else f"at least {cost}"] if cost else []  # cut short: no final usage
    if turn.stop_reason:
        parts.append(turn.stop_reason)
    line = Text(sanitize(" · ".join(parts)), style="dim")
    if turn.interrupted:
        line.append(f"\n{INTERRUPTED}", style="yellow")
    if turn.declined:
        line.append(f"\n{DECLINED}", style="yellow")
    return line
