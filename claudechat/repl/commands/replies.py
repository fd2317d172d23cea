"""Commands on the replies: expand, copy, save, count tokens, cost."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from claudechat.errors import UsageError
from claudechat.repl.commands.registry import Outcome, command, unquote
from claudechat.repl.state import ReplState
from claudechat.sanitize import sanitize

if TYPE_CHECKING:
    from claudechat.repl.loop import Printer


from rich.panel import Panel
from rich.text import Text

from claudechat.costs import Tokens, money, percent
from claudechat.errors import ClaudechatError
from claudechat.models import PRICES_CHECKED
from claudechat.repl.clipboard import copy_to_clipboard


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
    text = state.reply(arg).text
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


@command("/save PATH", "write the conversation to PATH (.md or .json)", completes="path")
def cmd_save(state: ReplState, arg: str, out: Printer) -> Outcome:
    if not arg:
        raise UsageError("usage: /save PATH (.md for Markdown, .json for JSON)")
    path = Path(unquote(arg)).expanduser()
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

