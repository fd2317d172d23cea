"""Commands on the replies: expand, copy, save, count tokens, cost."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claudechat import private, redaction
from claudechat.errors import UsageError
from claudechat.repl.commands.registry import Outcome, command, unquote
from claudechat.repl.state import ReplState, choose
from claudechat.sanitize import sanitize

if TYPE_CHECKING:
    from claudechat.repl.loop import Printer


from rich.panel import Panel
from rich.text import Text

from claudechat.costs import Tokens, money, percent
from claudechat.errors import ApiError, ClaudechatError
from claudechat.models import PRICES_CHECKED
from claudechat.repl.clipboard import copy_to_clipboard


@command("/expand [N]", "show the thinking and tool results of reply N (default: the last) in full")
def cmd_expand(state: ReplState, arg: str, out: Printer) -> Outcome:
    reply = state.reply(arg)
    thoughts = [b.get("thinking", "") for b in reply.content if b.get("type") == "thinking"]
    results = tool_results(state, arg)
    if not any(thoughts) and not results:
        raise UsageError("that reply has no thinking text and no tool results")
    for text in thoughts:
        if text:
            out.show(Panel(Text(sanitize(text), style="dim"), title="Thinking",
                           title_align="left", border_style="dim"))
    names = {b.get("id"): b.get("name") for b in reply.content if b.get("type") == "tool_use"}
    for block in results:
        from claudechat.history.transcript import result_text

        error = " (error)" if block.get("is_error") else ""
        title = Text(sanitize(f"{names.get(block.get('tool_use_id'), 'tool')} result{error}"))
        out.show(Panel(Text(sanitize(result_text(block))), title=title, title_align="left",
                       border_style="yellow" if error else "cyan"))


@command("/show [N]", "show exchange N (default: the last) whole: your message and the reply")
def cmd_show(state: ReplState, arg: str, out: Printer) -> Outcome:
    from claudechat.render.recap import exchange

    turns = state.conversation.turns
    if not turns:
        raise UsageError("the conversation is empty")
    number = choose(arg, state.replies(), "reply") if arg else None
    for renderable in exchange(turns, number, full=True, plain=not state.color,
                               thinking=state.settings.thinking_display, price=state.session.cost_line):
        out.show(renderable)


@command("/copy [N]", "copy reply N (default: the last) to the clipboard (OSC 52, wl-copy…)")
def cmd_copy(state: ReplState, arg: str, out: Printer) -> Outcome:
    text = sanitize(state.reply(arg).text)  # what the screen showed: no hidden sequence to paste
    copied = copy_to_clipboard(text, out.terminal)
    size = f"{len(text):,} character{'' if len(text) == 1 else 's'}"
    if copied.program is not None:  # it exited 0: the text is on the clipboard
        also = " (and sent them to the terminal by OSC 52)" if copied.osc52 else ""
        out.say(f"copied {size} to the clipboard with {copied.program}{also}")
    elif copied.failed:
        what = "; ".join(f"{program} {why}" for program, why in copied.failed)
        first = copied.failed[0][0]
        sent = ("the text went to the terminal's clipboard only (OSC 52; some terminals ignore it)"
                if copied.osc52 else "nothing was copied")
        raise UsageError(f"{what} — {sent}; check that {first} works in a shell")
    else:
        out.say(f"sent {size} to the terminal's clipboard (OSC 52; some terminals ignore it)")


@command("/save PATH", "write the conversation to PATH (.md or .json), a new file", completes="path")
def cmd_save(state: ReplState, arg: str, out: Printer) -> Outcome:
    save(state, arg, out, overwrite=False)


@command("/save! PATH", "write the conversation to PATH, over the file there", completes="path",
         name="save!")
def cmd_save_over(state: ReplState, arg: str, out: Printer) -> Outcome:
    save(state, arg, out, overwrite=True)


def save(state: ReplState, arg: str, out: Printer, *, overwrite: bool) -> None:
    """/save and /save!: the conversation as Markdown or JSON (by PATH's suffix). /save
    never writes over a file: it says so, and /save! does."""
    bang = "!" * overwrite
    if not arg:
        raise UsageError(f"usage: /save{bang} PATH (.md for Markdown, .json for JSON)")
    path = Path(unquote(arg)).expanduser()
    if path.is_dir():
        raise UsageError(f"{path} is a folder: give a file name in it")
    if path.suffix.lower() == ".json":
        data = {"model": state.settings.model, **state.conversation.to_dict()}
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    else:
        from claudechat.history import transcript

        text = transcript.markdown(state.conversation)
    existed = path.exists()
    try:  # 0600, as the history is; never over a file without the !; no key in it
        private.write_text(path, redaction.kept(text), exclusive=not overwrite)
    except FileExistsError:
        raise UsageError(f"{path} exists: /save! {arg} overwrites it") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot write it ({exc.strerror})") from None
    out.say(f"{'overwrote' if overwrite and existed else 'saved to'} {path}")


@command("/tokens", "count the input tokens of the next request (count_tokens)")
def cmd_tokens(state: ReplState, arg: str, out: Printer) -> Outcome:
    from claudechat.api import messages

    if state.session.wire.COUNT_PATH is None:
        raise UsageError(f"/tokens: not available on this API ({state.settings.api} has no token "
                         f"count); /cost shows the tokens each reply used")
    conv = state.next_request()  # the conversation and what is attached to the next message
    body = messages.count_body(conv, state.session.params)
    if not body["messages"]:
        raise UsageError("the conversation is empty")
    try:
        answer = state.session.client.post_json(state.session.wire.COUNT_PATH, body,
                                                headers=messages.beta_headers(body))
    except ApiError as exc:
        what = "the server refused the count" if exc.status else "could not count the tokens"
        raise ClaudechatError(f"{what}: {exc}") from exc
    count = answer.get("input_tokens") if isinstance(answer, dict) else None
    if not isinstance(count, int):
        raise UsageError("the server's token count is not in the expected shape")
    rules = state.session.rules_of(None)
    price = "" if rules.price_in is None else \
        f" · {money(count * rules.price_in / 1_000_000)} uncached"
    pending = f" (with {len(state.pending)} attached)" if state.pending else ""
    before = ", before your message" if body["messages"][-1]["role"] == "assistant" else ""
    out.say(f"{count:,} input tokens in the next request{pending}{before}{price}", style="")


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


def tool_results(state: ReplState, arg: str) -> list[dict[str, Any]]:
    """The tool_result blocks that answered reply number `arg` (or the last)."""
    turns = state.conversation.turns
    at = [i for i, t in enumerate(turns) if t.role == "assistant"]
    if not at:
        return []
    index = at[(choose(arg, len(at), "reply") if arg else len(at)) - 1]
    after = next((t for t in turns[index + 1:] if t.role != "system"), None)
    if after is None or after.role != "user":
        return []
    return [b for b in after.content if b.get("type") == "tool_result"]
