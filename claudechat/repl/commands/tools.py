"""/tools: the tools of the conversation, on or off, asked about or not."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from claudechat.errors import UsageError
from claudechat.repl.commands.registry import Outcome, command
from claudechat.repl.state import ReplState
from claudechat.sanitize import sanitize
from claudechat.tools.calls import switch, tool_names

if TYPE_CHECKING:
    from claudechat.repl.loop import Printer


@command("/tools [on|off NAME]", "list the tools; switch one on or off for this conversation")
def cmd_tools(state: ReplState, arg: str, out: Printer) -> Outcome:
    words = arg.split()
    if not words:
        return show(state, out)
    if len(words) != 2 or words[0] not in ("on", "off"):
        raise UsageError("usage: /tools, /tools on NAME or /tools off NAME")
    from claudechat.api import messages

    try:
        said = switch(state.conversation, words[1], words[0] == "on", state.session.params.tools,
                      state.settings.tool_specs, messages_wire=state.session.wire is messages)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    state.saved_changed()
    out.say(said, style="")
    return None


def show(state: ReplState, out: Printer) -> None:
    specs = state.settings.tool_specs
    if not specs:
        raise UsageError(f"no tools are defined: add a [tools.NAME] table to {state.settings.config_file}")
    offered = tool_names(state.conversation.request_tools(state.session.params.tools))
    table = Table(box=None, show_header=True, header_style="bold")
    for column in ("tool", "in this conversation", "runs"):
        table.add_column(column, no_wrap=True)
    room = out.console.width - max(map(len, specs)) - len("in this conversation") - len("without asking") - 8
    table.add_column("command", no_wrap=True, overflow="ellipsis", max_width=max(10, room))
    for name in sorted(set(specs) | set(offered)):
        spec = specs.get(name)
        where = "off" if name in state.conversation.tools_off else "on" if name in offered else "not offered"
        runs = "not defined here" if spec is None else "always (said a)" if name in state.always \
            else "asks first" if spec.confirm else "without asking"
        command = " ".join(spec.command) if spec else ""
        table.add_row(*(Text(sanitize(c)) for c in (name, where, runs, command)))
    out.show(table)
