"""Commands on saved conversations: list them and load one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from claudechat.errors import UsageError
from claudechat.repl.commands.registry import Outcome, command
from claudechat.repl.state import RESUMED_UNANSWERED, ReplState
from claudechat.sanitize import sanitize

if TYPE_CHECKING:
    from claudechat.repl.loop import Printer


@command("/history", "recent conversations")
def cmd_history(state: ReplState, arg: str, out: Printer) -> Outcome:
    from claudechat.history.transcript import iso

    rows = state.recent(limit=15)
    if not rows:
        out.say("no saved conversations yet")
    for row in rows:
        out.say(f"{row.id[:8]}  {iso(row.updated)}  {row.turns:>3} turns  {sanitize(row.title)}", style="")


@command("/load ID", "continue a saved conversation (an id prefix, or last)")
def cmd_load(state: ReplState, arg: str, out: Printer) -> Outcome:
    if not arg:
        raise UsageError("usage: /load ID (see /history)")
    stored = state.load(arg)
    n = len(state.conversation.turns)
    out.say(f"loaded {stored.summary.id[:8]}: {sanitize(stored.summary.title)} "
            f"({n} turn{'s' if n != 1 else ''})")
    if state.take_back():
        out.say(RESUMED_UNANSWERED, style="yellow")

