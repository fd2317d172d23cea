"""The command registry: `@command` records a function `(state, argument, out) -> None | SEND`."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from claudechat.errors import UsageError
from claudechat.repl import mentions
from claudechat.repl.state import ReplState
from claudechat.sanitize import sanitize

if TYPE_CHECKING:
    from claudechat.repl.loop import Printer

SEND = "send"  # what a command returns to have the loop send the conversation
Outcome = str | None
Run = Callable[[ReplState, str, "Printer"], Outcome]


@dataclass(frozen=True)
class Command:
    name: str
    run: Run
    usage: str
    help: str
    completes: str = ""  # "path" or "model": what Tab offers for the argument


COMMANDS: dict[str, Command] = {}
ALIASES = {"exit": "quit", "q": "quit", "h": "help", "?": "help"}


def command(usage: str, help: str, completes: str = "", name: str = "") -> Callable[[Callable], Callable]:
    """Register `fn` as /NAME: `name`, else its own name (`cmd_edit_last` is /edit-last)."""

    def register(fn: Run) -> Run:
        key = name or fn.__name__.removeprefix("cmd_").replace("_", "-")
        COMMANDS[key] = Command(key, fn, usage, help, completes)
        return fn

    return register


def dispatch(state: ReplState, line: str, out: Printer) -> Outcome:
    """Run one `/command args` line; SEND: the loop is to send the conversation.
    An OS or subprocess failure the command did not foresee is its one line too."""
    name, _, arg = line[1:].partition(" ")
    name = ALIASES.get(name.lower(), name.lower())
    cmd = COMMANDS.get(name)
    if cmd is None:
        import difflib

        first = line.split()[0]
        if mentions.is_dir(first):  # a folder dropped in, or typed, at the start
            state.prefill = line  # the question typed after it comes back, to be fixed
            raise UsageError(f"{sanitize(first)} is a directory, not a command: attach files from it "
                             f"with @{sanitize(first.rstrip('/'))}/NAME (Tab lists them), or start with "
                             f"// to send it as text")

        close = difflib.get_close_matches(name, list(COMMANDS), n=1)
        tip = f" — did you mean /{close[0]}?" if close else " — /help lists the commands"
        raise UsageError(f"unknown command /{sanitize(name)}{tip}")
    try:
        return cmd.run(state, arg.strip(), out)
    except OSError as exc:  # a file, a program, the terminal: one line, and the chat goes on
        where = f" ({exc.filename})" if exc.filename else ""
        raise UsageError(f"/{name}: {exc.strerror or exc}{where}") from None
    except subprocess.SubprocessError as exc:
        raise UsageError(f"/{name}: {exc}") from None



def unquote(arg: str) -> str:
    arg = arg.strip()
    if len(arg) >= 2 and arg[0] == arg[-1] and arg[0] in "'\"":
        return arg[1:-1]
    return arg.replace("\\ ", " ")


