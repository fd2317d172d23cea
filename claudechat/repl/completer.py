"""What Tab offers: slash commands, model names after /model, paths after /image,
/file, /save and @."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from prompt_toolkit.completion import CompleteEvent, Completer, Completion, PathCompleter
from prompt_toolkit.document import Document

from claudechat.models import CURRENT_MODELS
from claudechat.repl import commands

if TYPE_CHECKING:
    from claudechat.repl.state import ReplState

KNOWN_MODELS = CURRENT_MODELS  # models.py: the current models

# the @path being typed at the end of the text: @"an open quote…, or @word (not @@)
_OPEN_MENTION = re.compile(r'(?:(?<=\s)|^)@(?!@)(?:"[^"]*|[^\s"]*)$')


class ReplCompleter(Completer):
    """Slash commands, model names after /model, paths after /image, /file, /save and @."""

    def __init__(self, models: Callable[[], list[str]]) -> None:
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
            yield from self._argument(text, event)
            return
        yield from self._mention(text, event)

    def _argument(self, text: str, event: CompleteEvent) -> Iterable[Completion]:
        name, _, arg = text[1:].partition(" ")
        cmd = commands.COMMANDS.get(commands.ALIASES.get(name, name))
        if cmd and cmd.completes == "model":
            for model in self.models():
                if model.startswith(arg):
                    yield Completion(model, start_position=-len(arg))
        elif cmd and cmd.completes == "path":
            yield from self.paths.get_completions(Document(arg, len(arg)), event)

    def _mention(self, text: str, event: CompleteEvent) -> Iterable[Completion]:
        mention = _OPEN_MENTION.search(text)
        if mention is None:
            return
        word = mention.group(0)
        quoted = word.startswith('@"')
        path = word[2:] if quoted else word[1:]
        for found in self.paths.get_completions(Document(path, len(path)), event):
            full = path[:len(path) + found.start_position] + found.text
            # a folder (PathCompleter shows it with a /) gets its / and an open quote, to
            # go on into it; a file gets the closing quote
            folder = found.display_text.endswith("/")
            if " " in full or quoted:  # quoted, so the path stays one token
                end = "/" if folder else '"'
                yield Completion(f'@"{full}{end}', start_position=-len(word), display=found.display)
            else:
                yield Completion(found.text + ("/" if folder else ""), start_position=found.start_position,
                                 display=found.display)


def model_names(state: ReplState) -> Callable[[], list[str]]:
    """The models to offer: the server's list (asked once, at the first Tab), else the
    settings' models, else the known ones."""
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
