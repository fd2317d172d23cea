"""The PromptSession: one for the whole chat, with its keys, completion, the toolbar
and the input history."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from prompt_toolkit import PromptSession
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.enums import EditingMode
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.history import FileHistory, InMemoryHistory
from prompt_toolkit.output import ColorDepth

from claudechat import private, redaction
from claudechat.repl.completer import ReplCompleter, model_names
from claudechat.repl.key_bindings import bindings
from claudechat.sanitize import sanitize
from claudechat.settings import state_dir

if TYPE_CHECKING:
    from claudechat.repl.loop import Printer
    from claudechat.repl.state import ReplState


class _WithPastes:
    """An input history that keeps what was pasted, not its placeholder, so a message
    recalled with Up (in this session or the next) is the message that was sent."""

    state: ReplState

    def append_string(self, string: str) -> None:
        try:
            super().append_string(self.state.with_pastes(string))  # type: ignore[misc]
        except OSError:
            pass  # the file cannot be written (any more): Up still has it, in memory


class _FileHistory(_WithPastes, FileHistory):
    def store_string(self, string: str) -> None:  # the file never holds a key (Up, this run, does)
        super().store_string(redaction.kept(string))


class _MemoryHistory(_WithPastes, InMemoryHistory):
    pass


class _Totals:
    """The toolbar's tokens used and running cost, added up one new turn at a time: the
    toolbar is drawn at every key, and summing (and pricing) every turn each time made a
    long chat slower with each turn. The same sums as ReplState.tokens_used and
    running_cost; started again whenever the turns are not the ones added up before
    (another conversation, /undo, /retry) or the model or its rules change."""

    def __init__(self, state: ReplState) -> None:
        self.state = state
        self.key: tuple[Any, ...] = ()
        self.count, self.last = 0, None  # how many turns are added up, and the last of them
        self.tokens, self.cost, self.priced = 0, 0.0, False

    def update(self) -> None:
        from claudechat import costs
        from claudechat.models import rules_for

        state, turns = self.state, self.state.conversation.turns
        settings = state.settings
        key = (id(state.conversation), id(turns), settings.model, id(settings.model_rules))
        if key != self.key or len(turns) < self.count or (
                self.count and turns[self.count - 1] is not self.last):
            self.__init__(state)  # type: ignore[misc]
            self.key = key
        for turn in turns[self.count:]:
            usage = turn.usage or {}
            self.tokens += sum(int(usage.get(k) or 0) for k in (
                "input_tokens", "output_tokens", "cache_read_input_tokens",
                "cache_creation_input_tokens"))
            if turn.role == "assistant" and turn.usage:
                rules = rules_for(turn.model or settings.model, None, settings.model_rules)
                price = costs.price(costs.Tokens.of(turn.usage), rules)
                if price is not None:
                    self.cost, self.priced = self.cost + price.total, True
        self.count, self.last = len(turns), turns[-1] if turns else None

    def money(self) -> str | None:
        from claudechat import costs

        return costs.money(self.cost) if self.priced else None


def toolbar(state: ReplState) -> Any:
    totals = _Totals(state)

    def render() -> FormattedText:
        totals.update()
        parts = [state.settings.profile, state.settings.model,
                 f"thinking {state.thinking_label()}", f"{totals.tokens:,} tokens"]
        parts[3:3] = [name for name, on in (("web", state.settings.web), ("cite", state.settings.cite)) if on]
        cost = totals.money()
        if cost:
            parts.append(cost)
        if state.pending:
            parts.append(f"{len(state.pending)} attached")
        return FormattedText([("class:bottom-toolbar", " " + " · ".join(parts) + " ")])

    return render


def message(state: ReplState) -> Any:
    def render() -> FormattedText:
        out: list[tuple[str, str]] = []
        if state.pending:  # numbered as /detach N takes them
            names = "  ".join(f"#{n} {sanitize(a.label)}" for n, a in enumerate(state.pending, 1))
            out.append(("fg:ansicyan", f"📎 {names}\n"))
        out.append(("bold", "› "))
        return FormattedText(out)

    return render


def input_history(state: ReplState) -> Any:
    """The messages sent, kept across runs in the state directory (in memory when it
    cannot be written)."""
    history: Any
    try:
        path = state_dir() / "input-history"
        private.make_dirs(path.parent)
        private.touch(path)  # what was typed: 0600 (prompt_toolkit would make it 0644)
        history = _FileHistory(str(path))
    except OSError:
        history = _MemoryHistory()
    history.state = state
    return history


def make_prompt(state: ReplState, out: Printer) -> PromptSession:
    return PromptSession(
        message=message(state),
        multiline=True,
        history=input_history(state),
        auto_suggest=AutoSuggestFromHistory(),
        enable_history_search=False,
        completer=ReplCompleter(model_names(state)),
        complete_while_typing=False,
        key_bindings=bindings(state, out),
        bottom_toolbar=toolbar(state),
        editing_mode=EditingMode.VI if state.settings.editing_mode == "vi" else EditingMode.EMACS,
        color_depth=None if state.color else ColorDepth.MONOCHROME,
        prompt_continuation=lambda width, line_number, wrap_count: "  ",
        enable_open_in_editor=True,
        mouse_support=False,
        erase_when_done=False,
    )


def connect_when_drawn(prompt: PromptSession, state: ReplState) -> None:
    """Once the prompt is first on the screen, the session's HTTP client is built on a
    thread while the user types: httpx's import (~35 ms) is not paid before the prompt
    (connect.open_client(deferred=True)). A message sent sooner waits for it; a base URL
    that httpx refuses is said when a message is composed (ReplState.compose), before
    anything is kept or sent."""
    started: list[bool] = []

    def drawn(_: Any) -> None:
        if not started:
            started.append(True)
            threading.Thread(target=state.session.client.warm, name="claudechat-connect",
                             daemon=True).start()

    prompt.app.after_render += drawn
