"""Commands on saved conversations: list them (or search them) and load one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from claudechat.errors import UsageError
from claudechat.repl.commands.registry import Outcome, command, unquote
from claudechat.repl.state import RESUMED_UNANSWERED, ReplState

if TYPE_CHECKING:
    from claudechat.repl.loop import Printer

HISTORY_ROWS = 15


@command("/history [TERM]", "recent conversations (with TERM: those whose title or text has it)")
def cmd_history(state: ReplState, arg: str, out: Printer) -> Outcome:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from claudechat.history.transcript import short_time

    term = unquote(arg)
    rows = state.recent(limit=HISTORY_ROWS + 1, search=term)
    hidden = state.unreplied(term)
    unlisted = (f"{hidden} without a reply not listed (claudechat history list --all lists them)"
                if hidden else "")
    if not rows:
        out.say(f"no conversation matches {term!r}" if term else "no saved conversations yet")
        if unlisted:
            out.say(unlisted)
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
    table.add_column("id", no_wrap=True, style="cyan")
    table.add_column("updated", no_wrap=True)  # local time, as `history list` shows it
    table.add_column("replies", justify="right", no_wrap=True)
    table.add_column("title", no_wrap=True, overflow="ellipsis")
    for row, replies in rows[:HISTORY_ROWS]:
        table.add_row(row.id[:8], short_time(row.updated), str(replies), Text(_one_line(row.title)))
    out.show(table)
    if len(rows) > HISTORY_ROWS:
        narrower = "a longer TERM narrows it" if term else "/history TERM searches"
        out.say(f"the {HISTORY_ROWS} most recent shown; {narrower}; claudechat history list shows all")
    if unlisted:
        out.say(unlisted)
    out.say("/load ID continues one")


def _one_line(text: str) -> str:
    from claudechat.sanitize import sanitize

    return " ".join(sanitize(text).split())


@command("/load ID", "continue a saved conversation (an id prefix, or last)")
def cmd_load(state: ReplState, arg: str, out: Printer) -> Outcome:
    if not arg:
        raise UsageError("usage: /load ID (see /history)")
    resumed(state, out, state.load(arg), "loaded")
    if state.take_back():
        out.say(RESUMED_UNANSWERED, style="yellow")


def resumed(state: ReplState, out: Printer, stored: Any, verb: str) -> None:
    """Say which conversation goes on ("continuing abcd1234: title (3 replies)") and show
    its last exchange, shortened, so the user sees where they are."""
    from claudechat.render.recap import exchange

    turns = state.conversation.turns
    n = state.replies()
    out.say(f"{verb} {stored.summary.id[:8]}: {_one_line(stored.summary.title)} "
            f"({n} repl{'ies' if n != 1 else 'y'})")
    for renderable in exchange(turns, plain=not state.color,
                               thinking=state.settings.thinking_display, price=state.session.cost_line):
        out.show(renderable)
