"""The PromptSession: key bindings, completion, the toolbar, the input history."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from prompt_toolkit import PromptSession
from prompt_toolkit.application import run_in_terminal
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.completion import CompleteEvent, Completer, Completion, PathCompleter
from prompt_toolkit.document import Document
from prompt_toolkit.enums import EditingMode
from prompt_toolkit.filters import is_searching
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.history import FileHistory, InMemoryHistory
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.keys import Keys
from prompt_toolkit.output import ColorDepth
from rich.text import Text

from claudechat.errors import ClaudechatError
from claudechat.repl import commands
from claudechat.sanitize import sanitize
from claudechat.settings import state_dir

if TYPE_CHECKING:
    from claudechat.repl.session import ReplState


class ReplCompleter(Completer):
    """Slash commands, model names after /model, paths after /image, /file, /save and @."""

    def __init__(self, models: Any) -> None:
        self.models = models  # () -> list of model names
        self.paths = PathCompleter(expanduser=True)

    def get_completions(self, document: Document, event: CompleteEvent) -> Iterable[Completion]:
        text = document.text_before_cursor
        if text.startswith("/") and " " not in text:
            for name, cmd in commands.COMMANDS.items():
                if name.startswith(text[1:]):
                    yield Completion("/" + name, start_position=-len(text), display_meta=cmd.help)
            return
        if text.startswith("/") and " " in text:
            name, _, arg = text[1:].partition(" ")
            cmd = commands.COMMANDS.get(commands.ALIASES.get(name, name))
            if cmd and cmd.completes == "model":
                for model in self.models():
                    if model.startswith(arg):
                        yield Completion(model, start_position=-len(arg))
            elif cmd and cmd.completes == "path":
                yield from self.paths.get_completions(Document(arg, len(arg)), event)
            return
        mention = _OPEN_MENTION.search(text)
        if mention is None:
            return
        word = mention.group(0)
        quoted = word.startswith('@"')
        path = word[2:] if quoted else word[1:]
        for found in self.paths.get_completions(Document(path, len(path)), event):
            full = path[:len(path) + found.start_position] + found.text
            if " " in full or quoted:  # quoted, so the path stays one token
                close = "" if full.endswith("/") else '"'  # a folder: keep going inside it
                yield Completion(f'@"{full}{close}', start_position=-len(word), display=found.display)
            else:
                yield found


# the @path being typed at the end of the text: @"an open quote…, or @word (not @@)
_OPEN_MENTION = re.compile(r'(?:(?<=\s)|^)@(?!@)(?:"[^"]*|[^\s"]*)$')


def bindings(state: ReplState) -> KeyBindings:
    kb = KeyBindings()

    @kb.add("enter", filter=~is_searching)  # during Ctrl-R, Enter takes the match
    def _send(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        if buffer.complete_state and buffer.complete_state.current_completion:
            buffer.apply_completion(buffer.complete_state.current_completion)
            return
        buffer.validate_and_handle()

    @kb.add("c-j")
    @kb.add("escape", "enter")
    def _newline(event: KeyPressEvent) -> None:
        event.current_buffer.insert_text("\n")

    @kb.add(Keys.BracketedPaste)
    def _paste(event: KeyPressEvent) -> None:
        data = event.data.replace("\r\n", "\n").replace("\r", "\n")
        lines = len(data.splitlines())
        if lines > PASTE_LINES or len(data) > PASTE_CHARS:
            size = f"{lines} lines" if lines > 1 else f"{len(data):,} characters"
            token = f"[pasted {size} #{len(state.pastes) + 1}]"
            state.pastes[token] = data
            event.current_buffer.insert_text(token)
        else:
            event.current_buffer.insert_text(data)

    @kb.add("c-v")
    def _paste_image(event: KeyPressEvent) -> None:
        """Attach the clipboard's image, as /paste does, its line printed above the prompt."""

        def attach() -> None:
            try:
                commands.cmd_paste(state, "")
            except ClaudechatError as exc:
                state.console.print(Text(sanitize(str(exc)), style="red"))

        run_in_terminal(attach)

    return kb


PASTE_LINES = 12  # a paste longer than this (or than PASTE_CHARS) shows as a placeholder
PASTE_CHARS = 2000


class _WithPastes:
    """An input history that keeps what was pasted, not its placeholder, so a message
    recalled with Up (in this session or the next) is the message that was sent."""

    state: ReplState

    def append_string(self, string: str) -> None:
        super().append_string(self.state.with_pastes(string))  # type: ignore[misc]


class _FileHistory(_WithPastes, FileHistory):
    pass


class _MemoryHistory(_WithPastes, InMemoryHistory):
    pass


def toolbar(state: ReplState) -> Any:
    def render() -> FormattedText:
        parts = [state.settings.profile, state.settings.model,
                 f"thinking {state.thinking_label()}", f"{state.tokens_used():,} tokens"]
        if state.pending:
            parts.append(f"{len(state.pending)} attached")
        return FormattedText([("class:bottom-toolbar", " " + " · ".join(parts) + " ")])

    return render


def message(state: ReplState) -> Any:
    def render() -> FormattedText:
        out: list[tuple[str, str]] = []
        if state.pending:
            names = ", ".join(a.label for a in state.pending)
            out.append(("fg:ansicyan", f"📎 {names}\n"))
        out.append(("bold", "› "))
        return FormattedText(out)

    return render


def make_prompt(state: ReplState) -> PromptSession:
    history: Any
    try:
        path = state_dir() / "input-history"
        path.parent.mkdir(parents=True, exist_ok=True)
        history = _FileHistory(str(path))
    except OSError:
        history = _MemoryHistory()
    history.state = state
    models = _model_names(state)
    return PromptSession(
        message=message(state),
        multiline=True,
        history=history,
        auto_suggest=AutoSuggestFromHistory(),
        enable_history_search=False,
        completer=ReplCompleter(models),
        complete_while_typing=False,
        key_bindings=bindings(state),
        bottom_toolbar=toolbar(state),
        editing_mode=EditingMode.VI if state.settings.editing_mode == "vi" else EditingMode.EMACS,
        color_depth=None if state.color else ColorDepth.MONOCHROME,
        prompt_continuation=lambda width, line_number, wrap_count: "  ",
        enable_open_in_editor=True,
        mouse_support=False,
        erase_when_done=False,
    )


def _model_names(state: ReplState) -> Any:
    cache: list[str] = []

    def names() -> list[str]:
        if not cache:
            listed = None
            catalog = getattr(state.session, "catalog", None)
            if catalog is not None:
                try:
                    listed = catalog.models()
                except Exception:  # noqa: BLE001 - completion must never break the prompt
                    listed = None
            cache.extend(sorted({m.get("id", "") for m in listed or [] if m.get("id")}))
            if not cache:
                cache.extend(state.settings.models or KNOWN_MODELS)
        return cache

    return names


KNOWN_MODELS = ["claude-opus-4-7", "claude-opus-4-6", "claude-sonnet-4-6", "claude-sonnet-4-5",
                "claude-haiku-4-5"]
