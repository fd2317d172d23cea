"""Commands on the settings: model, system prompt, thinking and sampling."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any

from claudechat.errors import ClaudechatError, UsageError
from claudechat.models import EFFORTS, MIN_THINKING_BUDGET, listed, rules_for
from claudechat.repl.commands.registry import Outcome, command
from claudechat.repl.state import ReplState
from claudechat.sanitize import sanitize
from claudechat.settings import value_problem

if TYPE_CHECKING:
    from claudechat.repl.loop import Printer



@command("/model [NAME]", "show or change the model", completes="model")
def cmd_model(state: ReplState, arg: str, out: Printer) -> Outcome:
    if not arg:
        out.say(f"model: {state.settings.model}", style="")
        show_models(state, out)
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
    warning = unlisted(state, arg)
    if warning:
        out.notice(warning)


def show_models(state: ReplState, out: Printer) -> None:
    """The server's models (the cached list, else asked now), the current one marked."""
    catalog = getattr(state.session, "catalog", None)
    if catalog is None:
        return
    try:
        entries = catalog.models()
    except ClaudechatError as exc:  # an answer not in the list's shape, say
        entries, catalog.problem = None, str(exc)
    if entries is None:
        out.say(f"the server's model list could not be fetched ({catalog.problem})" if catalog.problem
                else "this server has no model list (GET /v1/models); /model NAME takes any name")
    elif not entries:
        out.say("this server lists no models")
    else:
        from claudechat.models_command import table

        out.show(table(entries, state.settings.model))
        out.say("/model NAME changes it (Tab completes); `claudechat models` asks the server again")


def unlisted(state: ReplState, name: str) -> str | None:
    """A warning when the server has a model list and `name` is not in it (still used:
    a proxy serves names of its own), or when the list could not be fetched; None when
    it is listed, described in the config, or the server lists no models."""
    catalog = getattr(state.session, "catalog", None)
    if catalog is None or name in state.settings.model_rules:
        return None
    try:
        entries = catalog.models()  # cached for a day; else asked now, with the client's timeouts
    except ClaudechatError as exc:  # an answer not in the list's shape, say
        entries, catalog.problem = None, str(exc)
    if entries is None:
        return (f"could not check {name} against the server's model list ({catalog.problem}); "
                f"using it anyway") if catalog.problem else None
    ids = [e["id"] for e in entries if isinstance(e.get("id"), str)]
    if listed(name, ids):
        return None
    close = difflib.get_close_matches(name, ids, n=1)
    tip = f" (did you mean {close[0]}?)" if close else ""
    return f"{name} is not in this server's model list{tip}; using it anyway (/model + Tab lists them)"


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


@command("/set NAME VALUE|default", "temperature, top_p, top_k, max_tokens or effort "
         "(default: back to not sending it)")
def cmd_set(state: ReplState, arg: str, out: Printer) -> Outcome:
    name, _, value = arg.partition(" ")
    kind = SETTABLE.get(name)
    if kind is None or not value.strip():
        raise UsageError(f"usage: /set {'|'.join(SETTABLE)} VALUE|default")
    if value.strip() == "default":
        state.update_settings(**{name: None})
        out.say(f"{name}: the default (not sent)" if name != "max_tokens"
                else f"max_tokens: the default ({state.session.params.max_tokens})")
        return
    if kind is str and value.strip() not in EFFORTS:
        raise UsageError(f"effort must be one of {', '.join(EFFORTS)} (got {sanitize(value.strip())!r})")
    try:
        number = kind(value.strip())
    except ValueError:
        raise UsageError(f"{name} takes {'a number' if kind is float else 'a whole number'}") from None
    problem = value_problem(name, number)
    if problem:
        raise UsageError(f"{name} {problem} (got {sanitize(value.strip())})")
    state.update_settings(**{name: number})  # refused now, rather than the next request
    out.say(f"{name} = {number}")

