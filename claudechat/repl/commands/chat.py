"""Commands on the conversation: help, quit, new, retry, undo and the editor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import chop_cells
from rich.text import Text

from claudechat import attachments
from claudechat.errors import UsageError
from claudechat.repl.commands.attach import typed_attached
from claudechat.repl.commands.registry import COMMANDS, SEND, Outcome, command
from claudechat.repl.editor import edited, editor
from claudechat.repl.state import ReplState
from claudechat.sanitize import sanitize

if TYPE_CHECKING:
    from claudechat.repl.loop import Printer



@command("/help", "this list")
def cmd_help(state: ReplState, arg: str, out: Printer) -> Outcome:
    lines = [f"{c.usage:<28} {c.help}" for c in COMMANDS.values()]
    lines.append("")
    lines.append("Enter sends; Ctrl-J or Esc Enter adds a line; @path attaches a file;")
    lines.append("Ctrl-C stops a reply (or clears the line); Ctrl-D or /quit leaves.")
    out.say("\n".join(lines), style="")


@command("/quit", "leave (also Ctrl-D)")
def cmd_quit(state: ReplState, arg: str, out: Printer) -> Outcome:
    state.quit = True


@command("/new", "a fresh conversation with the same settings")
def cmd_new(state: ReplState, arg: str, out: Printer) -> Outcome:
    state.new_conversation()
    out.say("new conversation")


@command("/retry", "ask for the last reply again (only the end of the conversation changes)")
def cmd_retry(state: ReplState, arg: str, out: Printer) -> Outcome:
    if not state.retry():
        raise UsageError("nothing to retry yet")
    return SEND


@command("/undo", "drop the last exchange; its message comes back for editing")
def cmd_undo(state: ReplState, arg: str, out: Printer) -> Outcome:
    user = state.drop_exchange()
    if user is None:
        raise UsageError("nothing to undo")
    state.give_back(user)
    state.saved_changed()
    out.say("removed your message that got no reply" if user.unanswered else "removed the last exchange")


@command("/edit-last", "edit your last message in $VISUAL / $EDITOR and send it instead")
def cmd_edit_last(state: ReplState, arg: str, out: Printer) -> Outcome:
    last = next((t for t in reversed(state.conversation.turns) if t.role == "user"), None)
    if last is None:
        raise UsageError("there is no message of yours to edit yet")
    typed = [b for b in last.content if b.get("type") == "text" and attachments.document_name(b) is None]
    kept = [b for b in last.content if b not in typed]  # its attachments go again
    text = edited(editor(), "".join(b["text"] for b in typed)).rstrip("\n")
    last = state.drop_exchange()
    if last is None:
        raise UsageError("there is no message of yours to edit yet")
    state.unpend_given_back(last)  # given back after no reply: they go with the edited message
    state.conversation.add_user([*kept, {"type": "text", "text": text}])
    out.say("sending your edited message:")
    out.show(as_typed(text, out.console.width))
    return SEND


@command("/edit", "write the next message in $VISUAL / $EDITOR")
def cmd_edit(state: ReplState, arg: str, out: Printer) -> Outcome:
    try:
        text = edited(editor(), arg).rstrip("\n")
    except (UsageError, KeyboardInterrupt):
        state.prefill = arg  # what was typed after /edit is not lost
        raise
    out.show(as_typed(text, out.console.width))  # on screen as if typed, before it is sent
    return SEND if state.compose(text, show=lambda typed: typed_attached(out, typed)) else None


def as_typed(text: str, width: int) -> Text:
    """A message as the prompt leaves it on screen after Enter on a terminal `width` cells
    wide: `› ` and its first line, then each later line, and each row a long line wraps
    onto, after the continuation prompt's two spaces (the prompt wraps at any character)."""
    rows = [row for line in sanitize(text).split("\n")
            for row in (chop_cells(line, max(1, width - 2)) or [""])]
    shown = Text("› ", style="bold")
    shown.append("\n  ".join(rows))
    return shown
