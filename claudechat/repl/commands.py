"""Slash commands: a registry of small functions, `(state, argument, out) -> None | SEND`.

A command changes the state and says what it did through `out`, the Printer the
loop gives it; SEND asks the loop to send the conversation (whose last turn is then
the user's). A command that cannot do what it was asked raises UsageError; the loop
prints its one line and keeps the session.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.panel import Panel
from rich.text import Text

from claudechat import attachments
from claudechat.costs import Tokens, money, percent
from claudechat.errors import ClaudechatError, UsageError
from claudechat.models import EFFORTS, MIN_THINKING_BUDGET, PRICES_CHECKED, rules_for
from claudechat.repl.clipboard import clipboard_image, copy_to_clipboard
from claudechat.repl.editor import edited, editor
from claudechat.repl.state import ReplState, choose
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


def command(usage: str, help: str, completes: str = "") -> Callable[[Callable], Callable]:
    def register(fn: Run) -> Run:
        name = fn.__name__.removeprefix("cmd_").replace("_", "-")
        COMMANDS[name] = Command(name, fn, usage, help, completes)
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


# -- conversation -----------------------------------------------------------------------


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
    if not state.drop_reply():
        raise UsageError("nothing to retry yet")
    return SEND


def _label(block: dict[str, Any]) -> str:
    """What an attachment taken back by /undo is called in the pending list."""
    kind = block.get("type", "attachment")
    document = attachments.document_name(block)
    if document is not None:
        return document
    source = block.get("source") or {}
    if source.get("type") == "url":
        return str(source.get("url"))
    return {"image": f"image ({source.get('media_type', '?')})", "document": "PDF"}.get(kind, kind)


@command("/undo", "drop the last exchange; its message comes back for editing")
def cmd_undo(state: ReplState, arg: str, out: Printer) -> Outcome:
    user = state.drop_exchange()
    if user is None:
        raise UsageError("nothing to undo")
    blocks = list(user.content)
    typed = ""
    if blocks and blocks[-1].get("type") == "text" and attachments.document_name(blocks[-1]) is None:
        typed = blocks.pop()["text"]
    for again in state.mentioned(typed)[0]:  # the @paths in the text attach these once more
        if again.block in blocks:
            blocks.remove(again.block)
    state.prefill = typed
    state.pending = [attachments.Attachment(b, _label(b)) for b in blocks] + state.pending
    state.saved_changed()
    out.say("removed the last exchange")


@command("/edit-last", "edit your last message in $VISUAL / $EDITOR and send it instead")
def cmd_edit_last(state: ReplState, arg: str, out: Printer) -> Outcome:
    last = next((t for t in reversed(state.conversation.turns) if t.role == "user"), None)
    if last is None:
        raise UsageError("there is no message of yours to edit yet")
    typed = [b for b in last.content if b.get("type") == "text" and attachments.document_name(b) is None]
    kept = [b for b in last.content if b not in typed]  # its attachments go again
    text = edited(editor(), "".join(b["text"] for b in typed)).rstrip("\n")
    if state.drop_exchange() is None:
        raise UsageError("there is no message of yours to edit yet")
    state.conversation.add_user([*kept, {"type": "text", "text": text}])
    out.say("sending your edited message:")
    out.say(sanitize(text), style="")
    return SEND


@command("/edit", "write the next message in $VISUAL / $EDITOR")
def cmd_edit(state: ReplState, arg: str, out: Printer) -> Outcome:
    try:
        text = edited(editor(), arg)
    except (UsageError, KeyboardInterrupt):
        state.prefill = arg  # what was typed after /edit is not lost
        raise
    return SEND if state.compose(text.rstrip("\n")) else None


# -- settings -------------------------------------------------------------------------------


@command("/model [NAME]", "show or change the model", completes="model")
def cmd_model(state: ReplState, arg: str, out: Printer) -> Outcome:
    if not arg:
        out.say(f"model: {state.settings.model}", style="")
        return
    changes: dict[str, Any] = {"model": arg}
    rules = rules_for(arg, None, state.settings.model_rules)
    if state.settings.thinking_budget is not None and not rules.takes("enabled"):
        changes["thinking_budget"] = None  # a budget-style setting the new model has no use for
    if state.settings.effort is not None and state.settings.effort not in rules.efforts:
        changes["effort"] = None
    state.update_settings(**changes)
    dropped = [k.replace("_", " ") for k in changes if k != "model"]
    them = "it" if len(dropped) == 1 else "them"
    out.say(f"model: {arg}" + (f" ({' and '.join(dropped)} dropped: the model does not take {them})"
                               if dropped else ""))


@command("/system [TEXT|clear]", "show, set or clear the system prompt")
def cmd_system(state: ReplState, arg: str, out: Printer) -> Outcome:
    if not arg:
        current = state.conversation.current_system()
        out.say(f"system: {sanitize(current)}" if current else "no system prompt", style="")
        return
    out.say(state.change_system(None if arg == "clear" else arg))


@command("/think on|off|default|EFFORT|BUDGET", "thinking: on, off, the model's default, "
         "an effort (low…max) or a token budget")
def cmd_think(state: ReplState, arg: str, out: Printer) -> Outcome:
    if arg in ("on", "off"):
        state.update_settings(thinking=arg == "on")
    elif arg == "default":
        state.update_settings(thinking=None, effort=None, thinking_budget=None)
    elif arg in EFFORTS:
        state.update_settings(thinking=True, effort=arg)
    elif arg.isdigit():
        budget = int(arg)
        if budget < MIN_THINKING_BUDGET:
            raise UsageError(f"the thinking budget must be at least {MIN_THINKING_BUDGET} tokens "
                             f"(got {budget})")
        state.update_settings(thinking=True, thinking_budget=budget)
    else:
        raise UsageError(f"usage: /think on|off|default, /think {'|'.join(EFFORTS)} "
                         f"or /think BUDGET (tokens, >= {MIN_THINKING_BUDGET})")
    out.say(f"thinking: {state.thinking_label()}")


SETTABLE = {"temperature": float, "top_p": float, "top_k": int, "max_tokens": int, "effort": str}


@command("/set NAME VALUE", "temperature, top_p, top_k, max_tokens or effort")
def cmd_set(state: ReplState, arg: str, out: Printer) -> Outcome:
    name, _, value = arg.partition(" ")
    kind = SETTABLE.get(name)
    if kind is None or not value.strip():
        raise UsageError(f"usage: /set {'|'.join(SETTABLE)} VALUE")
    if kind is str and value.strip() not in EFFORTS:
        raise UsageError(f"effort must be one of {', '.join(EFFORTS)} (got {sanitize(value.strip())!r})")
    try:
        number = kind(value.strip())
    except ValueError:
        raise UsageError(f"{name} takes {'a number' if kind is float else 'a whole number'}") from None
    state.update_settings(**{name: number})  # refused now, rather than the next request
    out.say(f"{name} = {number}")


# -- attachments ------------------------------------------------------------------------------


@command("/image PATH|URL", "attach an image to the next message", completes="path")
def cmd_image(state: ReplState, arg: str, out: Printer) -> Outcome:
    if not arg:
        raise UsageError("usage: /image PATH or /image https://…")
    _attached(out, state.attach(attachments.image_arg(_unquote(arg), resize=state.settings.resize_images)))


@command("/file PATH", "attach a text file or PDF to the next message", completes="path")
def cmd_file(state: ReplState, arg: str, out: Printer) -> Outcome:
    if not arg:
        raise UsageError("usage: /file PATH")
    _attached(out, state.attach(attachments.file_arg(_unquote(arg), resize=state.settings.resize_images)))


@command("/paste", "attach the image on the clipboard (also Ctrl-V)")
def cmd_paste(state: ReplState, arg: str, out: Printer) -> Outcome:
    data = clipboard_image()
    if data is None:
        raise UsageError("no image on the clipboard (needs wl-paste, xclip or pngpaste)")
    _attached(out, state.attach(attachments.image_from_bytes(data, "clipboard image",
                                                             resize=state.settings.resize_images)))


@command("/detach [N]", "drop pending attachment N, or all of them")
def cmd_detach(state: ReplState, arg: str, out: Printer) -> Outcome:
    if not state.pending:
        raise UsageError("nothing is attached")
    if not arg:
        state.pending.clear()
        out.say("all attachments dropped")
        return
    index = choose(arg, len(state.pending), "attachment")
    dropped = state.pending.pop(index - 1)
    out.say(f"dropped {sanitize(dropped.label)}")


# -- replies -------------------------------------------------------------------------------------


@command("/expand [N]", "show the thinking of reply N (default: the last) in full")
def cmd_expand(state: ReplState, arg: str, out: Printer) -> Outcome:
    reply = state.reply(arg)
    thoughts = [b.get("thinking", "") for b in reply.content if b.get("type") == "thinking"]
    if not any(thoughts):
        raise UsageError("that reply has no thinking text")
    for text in thoughts:
        out.show(Panel(Text(sanitize(text), style="dim"), title="Thinking",
                                  title_align="left", border_style="dim"))


@command("/copy [N]", "copy reply N (default: the last) to the clipboard (OSC 52, wl-copy…)")
def cmd_copy(state: ReplState, arg: str, out: Printer) -> Outcome:
    reply = state.reply(arg)
    text = reply.text
    how = copy_to_clipboard(text, out.terminal)
    out.say(f"copied {len(text):,} characters ({how})")


@command("/save PATH", "write the conversation to PATH (.md or .json)", completes="path")
def cmd_save(state: ReplState, arg: str, out: Printer) -> Outcome:
    if not arg:
        raise UsageError("usage: /save PATH (.md for Markdown, .json for JSON)")
    path = Path(_unquote(arg)).expanduser()
    if path.suffix.lower() == ".json":
        data = {"model": state.settings.model, **state.conversation.to_dict()}
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    else:
        from claudechat.history import transcript

        text = transcript.markdown(state.conversation)
    try:
        path.write_text(text, "utf-8")
    except OSError as exc:
        raise UsageError(f"{path}: cannot write it ({exc.strerror})") from None
    out.say(f"saved to {path}")


@command("/tokens", "count the conversation's input tokens (count_tokens)")
def cmd_tokens(state: ReplState, arg: str, out: Printer) -> Outcome:
    from claudechat.api import messages

    conv = state.next_request()  # the conversation and what is attached to the next message
    body = messages.build_body(conv, state.session.params, stream=False,
                               allow_trailing_assistant=True)  # counted, not answered
    body.pop("max_tokens", None)
    body.pop("diagnostics", None)
    if not body["messages"]:
        raise UsageError("the conversation is empty")
    try:
        answer = state.session.client.post_json("/v1/messages/count_tokens", body,
                                                headers=messages.beta_headers(body))
    except ClaudechatError as exc:
        raise UsageError(f"this server cannot count tokens ({exc})") from None
    count = answer.get("input_tokens") if isinstance(answer, dict) else None
    if not isinstance(count, int):
        raise UsageError("the server's token count is not in the expected shape")
    rules = state.session.rules_of(None)
    price = "" if rules.price_in is None else \
        f" · {money(count * rules.price_in / 1_000_000)} uncached"
    pending = f" (with {len(state.pending)} attached)" if state.pending else ""
    out.say(f"{count:,} input tokens in the next request{pending}{price}", style="")


@command("/cost", "what each reply cost: tokens by kind, cost, cache hit rate")
def cmd_cost(state: ReplState, arg: str, out: Printer) -> Outcome:
    turns = state.priced_turns()
    if not turns:
        raise UsageError("no reply yet")
    total, saved, all_tokens = 0.0, 0.0, Tokens()
    for n, turn, tokens, cost in turns:
        figure = f"{money(cost.total)}" if cost else "no price"
        out.say(f"#{n:<3} {sanitize(turn.model or '')}  {tokens.input:,} in · "
                f"{tokens.write_5m + tokens.write_1h:,} cache write · {tokens.read:,} cache read · "
                f"{tokens.output:,} out  {figure}  {percent(tokens.read_share)} read", style="")
        total, saved = total + (cost.total if cost else 0), saved + (cost.saved if cost else 0)
        all_tokens = all_tokens + tokens
    out.say(f"total {money(total)} · cache saved {money(saved)} · "
            f"{percent(all_tokens.read_share)} of input read from the cache "
            f"(list prices checked {PRICES_CHECKED})", style="")


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


# -- helpers ------------------------------------------------------------------------------------


def _attached(out: Printer, attachment: attachments.Attachment) -> None:
    out.say(f"attached {sanitize(attachment.label)}")


def _unquote(arg: str) -> str:
    arg = arg.strip()
    if len(arg) >= 2 and arg[0] == arg[-1] and arg[0] in "'\"":
        return arg[1:-1]
    return arg.replace("\\ ", " ")


