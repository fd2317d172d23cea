"""Slash commands: a registry of small functions, `(state, argument, out) -> None | SEND`.

A command changes the state and says what it did through `out`, the Printer the
loop gives it; SEND asks the loop to send the conversation (whose last turn is then
the user's). A command that cannot do what it was asked raises UsageError; the loop
prints its one line and keeps the session. The commands live by subject in this
package's modules; importing them registers them, in the order /help lists them.
"""

# isort: off
from claudechat.repl.commands import chat, settings, attach, replies, saved, tools, web  # noqa: F401 (registers them)
# isort: on
from claudechat.repl.commands.registry import ALIASES, COMMANDS, SEND, Command, dispatch

__all__ = ["ALIASES", "COMMANDS", "SEND", "Command", "dispatch"]
