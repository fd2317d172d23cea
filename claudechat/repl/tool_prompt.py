"""The chat's side of the tool loop: the confirmation (y run, n refuse, a always for this
tool in this conversation, e edit the input in $EDITOR), and a run's output collapsed to
one line (/expand shows it whole). Ctrl-C or Ctrl-D at the question declines."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from rich.panel import Panel
from rich.text import Text

from claudechat.errors import UsageError
from claudechat.repl import tty
from claudechat.sanitize import sanitize
from claudechat.tools.loop import Decision

if TYPE_CHECKING:
    from claudechat.repl.loop import Printer
    from claudechat.tools.calls import Call
    from claudechat.tools.specs import ToolSpec

QUESTION = "Run {name} {input}? [y]es / [n]o / [a]lways for {name} / [e]dit the input: "
SHOWN_INPUT = 60  # characters of the input the question repeats (the call's panel shows it whole)


class ChatHooks:
    def __init__(self, out: Printer, number: Any) -> None:
        self.out = out
        self.number = number  # () -> the number of the reply whose calls these are (for /expand N)

    def decide(self, call: Call, spec: ToolSpec) -> Decision:
        value, edited = call.input, False
        while True:
            shown = json.dumps(value, ensure_ascii=False) if call.invalid_json is None else call.invalid_json
            shown = shown if len(shown) <= SHOWN_INPUT else shown[:SHOWN_INPUT - 1] + "…"
            answer = self._ask(QUESTION.format(name=sanitize(call.name), input=sanitize(shown)))
            if answer in ("y", "yes"):
                return Decision("run", value, edited)
            if answer in ("a", "always"):
                return Decision("always", value, edited)
            if answer in ("n", "no", None):
                self.out.say(f"declined: the model is told you refused to run {call.name}", style="yellow")
                return Decision("decline")
            if answer in ("e", "edit"):
                value, edited = self._edit(value, edited)
                continue
            self.out.say("answer y, n, a or e (Ctrl-C declines)", style="yellow")

    def _ask(self, question: str) -> str | None:
        """One answer, lower-cased; None for Ctrl-C or Ctrl-D."""
        try:
            with tty.with_("ICRNL", "ECHO"):  # read as a line, seen as typed
                return self.out.console.input(Text(question, style="yellow")).strip().lower()
        except (KeyboardInterrupt, EOFError):
            self.out.console.print()
            return None

    def _edit(self, value: Any, edited: bool) -> tuple[Any, bool]:
        """The input edited in $EDITOR and shown; not JSON (or no edit): said, and the old one kept."""
        from claudechat.repl.editor import edited as edit_in
        from claudechat.repl.editor import editor

        try:
            text = edit_in(editor(), json.dumps(value, ensure_ascii=False, indent=2) + "\n", ".json")
            new = json.loads(text)
        except UsageError as exc:
            self.out.error(str(exc).replace("nothing sent", "the input is as it was"))
            return value, edited
        except ValueError as exc:
            self.out.error(f"the edited input is not valid JSON ({exc}); the input is as it was")
            return value, edited
        self.out.show(Panel(Text(sanitize(json.dumps(new, ensure_ascii=False, indent=2))),
                            title=Text("edited input"), title_align="left", border_style="cyan"))
        return new, True

    def ran(self, call: Call, text: str, is_error: bool, summary: str) -> None:
        number = self.number()
        style = "yellow" if is_error else "dim"
        self.out.say(f"▸ {call.name}: {summary} (/expand {number} shows what went back)", style=style)

    def note(self, text: str) -> None:
        self.out.notice(text)
