"""The chat's loop: read a line at the prompt, run a command or send a message, say
what happened. This module owns the screen: the state never prints, and commands and
key bindings print through the Printer the loop gives them.

Input is read with prompt_toolkit; while a reply streams no prompt is on screen and
rich draws it (never under patch_stdout). Ctrl-C at the prompt is a key (clears the
line); while streaming it is SIGINT, which run_turn turns into an interrupted, kept
reply. No error ends the chat: a ClaudechatError is its one line, any other exception
one `internal error: …` line (and its traceback with --debug), and the prompt returns.
"""

from __future__ import annotations

import sys
import traceback
from typing import TYPE_CHECKING, Any

from rich.console import Console, RenderableType
from rich.text import Text

from claudechat import signals
from claudechat.errors import ClaudechatError, ExitCode
from claudechat.repl import commands, mentions, tty
from claudechat.repl.commands import attach
from claudechat.repl.prompt import connect_when_drawn, make_prompt
from claudechat.repl.state import ReplState
from claudechat.sanitize import sanitize

if TYPE_CHECKING:
    from claudechat.environment import Environment


BACK_UNANSWERED = ("your message got no reply: it is back in the input line, and goes out again "
                   "only if you send it")
BACK_DECLINED = "your message is back in the input line, to rephrase"


class Printer:
    """The chat's lines on the screen. `debug` (--debug): an internal error shows its
    traceback. `env`: the Environment the chat runs in (None in unit tests: a terminal
    with colour is assumed)."""

    def __init__(self, console: Console, *, debug: bool = False, env: Environment | None = None) -> None:
        self.console = console
        self.debug = debug
        self.env = env

    @property
    def terminal(self) -> Any:
        """The file the console writes to (for escapes such as OSC 52)."""
        return self.console.file

    def say(self, text: str, style: str = "dim") -> None:
        """A line of the chat's own, which may quote outside text: shown literally."""
        self.console.print(Text(sanitize(text), style=style))

    def show(self, renderable: RenderableType) -> None:
        self.console.print(renderable)

    def error(self, text: str) -> None:
        self.console.print(Text(sanitize(text), style="red"))

    def notice(self, text: str) -> None:
        self.console.print(Text(f"claudechat: {sanitize(text)}", style="yellow"))

    def confirm_large(self, large: list[tuple[str, int]]) -> bool:
        """Ask before sending attachments over the confirm_tokens setting: y sends."""
        for label, tokens in large:
            self.say(f"{sanitize(label)} is about {tokens:,} tokens", style="yellow")
        try:
            with tty.with_("ICRNL"):  # read as a line: Enter must end it
                answer = self.console.input(Text("Send it? [y/N] ", style="yellow"))
        except EOFError:
            return False
        return answer.strip().lower() in ("y", "yes")

    def internal_error(self, exc: BaseException) -> None:
        """A bug, or a failure nothing foresaw: one line; the traceback with --debug."""
        line = f"internal error: {type(exc).__name__}: {exc}"
        if not self.debug:
            self.error(f"{line} (run with --debug for details)")
            return
        trace = "".join(traceback.format_exception(exc)).rstrip("\n")
        self.console.print(Text(sanitize(trace), style="dim"))
        self.error(line)


def run_repl(state: ReplState, out: Printer) -> int:
    state.notify = out.notice
    prompt = make_prompt(state, out)
    connect_when_drawn(prompt, state)
    while not state.quit:
        try:
            text = prompt.prompt(default=state.prefill)
        except KeyboardInterrupt:
            if signals.received is not None:
                break
            state.prefill = ""
            continue  # Ctrl-C at the prompt clears the line
        except EOFError:
            break
        state.prefill = ""
        text = state.expand_pastes(text)
        if not text.strip() and not state.pending:
            continue
        handle(state, out, text)
        if signals.received is not None:  # the terminal closed: what arrived is saved; stop
            break
    return signals.exit_code() or ExitCode.OK


def handle(state: ReplState, out: Printer, text: str) -> None:
    """One line the user entered: a command, or a message to send. Whatever goes wrong
    is said in a line and the chat goes on."""
    try:
        literal = text.startswith("//")  # a message that begins with /, sent as written
        if text.startswith("/") and not literal and not mentions.dropped_file(text):
            if commands.dispatch(state, text.strip(), out) == commands.SEND:
                send(state, out)
        elif state.compose(text[1:] if literal else text, confirm=out.confirm_large,
                           show=lambda typed: attach.typed_attached(out, typed), literal=literal):
            send(state, out)
    except ClaudechatError as exc:
        out.error(str(attach.in_the_chat(exc)))
    except KeyboardInterrupt:  # during a save, an editor, a command: the chat goes on
        if signals.received is None:
            out.say("interrupted", style="yellow")
    except Exception as exc:  # noqa: BLE001 - no error ends the chat
        if signals.received is None:  # else the terminal closed under a write: nobody to tell
            out.internal_error(exc)


def send(state: ReplState, out: Printer) -> None:
    """Send the conversation (its last turn is the user's) and draw the reply."""
    from claudechat.ask import stop_notices
    from claudechat.environment import Environment
    from claudechat.render import choose_view
    from claudechat.repl.tool_prompt import ChatHooks
    from claudechat.tools.calls import ToolBox
    from claudechat.tools.loop import run_with_tools

    console = out.console
    env = out.env or Environment.over(sys.stdin, console.file, console.file, env={})
    view = choose_view(env, thinking_display=state.settings.thinking_display, chat_console=console,
                       idle_timeout=state.settings.idle_timeout)
    view.pricing = state.session.cost_line  # type: ignore[attr-defined]
    view.numbering = state.replies  # type: ignore[attr-defined]  # counted once each reply is kept
    box = ToolBox(state.settings.tool_specs, state.settings.tool_output_limit,
                  state.settings.max_tool_rounds, always=state.always)
    with tty.without("ECHO"):  # a ^C or typed-ahead keys would break the live region
        result = run_with_tools(state.ready_to_send(), state.session.client, view, box,
                                ChatHooks(out, state.replies), wire=state.session.wire,
                                persist=state.recorder).result
    if not state.color and (result.message.usage or result.message.content):
        from claudechat.render.status import status_text

        cost = state.session.cost_line(result.message)
        number = state.replies() if result.has_content else None
        console.print(Text(status_text(result, console.width, cost, number=number).plain))  # no dim
    missed = state.watch.received(result.message)
    if missed:
        console.print(Text(sanitize(missed), style="dim" if state.color else ""))
    for line in stop_notices(result.message, state.conversation.params.max_tokens, chat=True,
                             ceiling=state.session.rules_of(result.message.model).max_output):
        console.print(Text(sanitize(line), style="yellow"))
    declined = result.message.stop_reason == "refusal"
    back = state.take_back(declined=declined)
    if result.interrupted:
        console.print(Text("interrupted before any reply" if back else "interrupted — what arrived is kept",
                           style="yellow"))
    elif result.error is not None:
        console.print(Text(f"error: {sanitize(str(result.error))}", style="red"))
    if back:
        console.print(Text(BACK_DECLINED if declined else BACK_UNANSWERED, style="yellow"))

