"""Commands on the API's own tools: /web (web search and fetch), /cite (document citations)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from claudechat import web
from claudechat.errors import UsageError
from claudechat.repl.commands.registry import Outcome, command
from claudechat.repl.state import ReplState

if TYPE_CHECKING:
    from claudechat.repl.loop import Printer


def _web_label(state: ReplState) -> str:
    tools = state.session.params.server_tools
    if not tools:
        return "web search: off"
    names = " and ".join(str(t["name"]).replace("_", " ") for t in tools)
    limit = tools[0].get("max_uses")
    return f"web search: on ({names}{f', at most {limit} searches a reply' if limit else ''}; " \
           f"the API runs them, $10 per 1,000 searches)"


@command("/web [on|off]", "let the model search the web and fetch pages (the API runs them)")
def cmd_web(state: ReplState, arg: str, out: Printer) -> Outcome:
    if arg not in ("", "on", "off"):
        raise UsageError("usage: /web on|off")
    sent = state.conversation.server_tools
    if arg == "off" and sent and state.session.params.tools:
        web.request_tools(state.session.params.tools, (), sent, None)  # refused, in its words
    if arg:
        state.update_settings(web=arg == "on")
    out.say(_web_label(state))
    if arg == "on" and not sent and any(t.role == "assistant" for t in state.conversation.turns):
        out.say("the web tools join the request's tools from your next message: the prompt cache "
                "starts over once")
    elif arg == "off" and sent:
        out.say("the web tools stay in the request (an edit would restart the prompt cache); "
                "requests say tool_choice none, so the model does not call them")


@command("/cite [on|off]", "citations on attached documents: the answer's sources as footnotes")
def cmd_cite(state: ReplState, arg: str, out: Printer) -> Outcome:
    if arg not in ("", "on", "off"):
        raise UsageError("usage: /cite on|off")
    if arg:
        before = web.documents_cited(state.conversation.turns)
        if before is not None and before != (arg == "on"):
            said = "with" if before else "without"
            raise UsageError(f"this conversation sent its documents {said} citations, and the API takes "
                             f"citations on all of a request's documents or on none; /new starts a "
                             f"conversation that can")
        state.update_settings(cite=arg == "on")
    on = state.settings.cite
    out.say(f"citations on documents: {'on' if on else 'off'}"
            + (" (files and PDFs you attach go as citable documents)" if on else ""))
