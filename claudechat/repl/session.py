"""The chat: one PromptSession for the whole session, then `run_turn` per message.

Input is read with prompt_toolkit; while a reply streams no prompt is on screen
and rich draws it (never under patch_stdout). Ctrl-C at the prompt is a key
(clears the line); while streaming it is SIGINT, which run_turn turns into an
interrupted, kept reply.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from claudechat import attachments, signals
from claudechat.conversation import Conversation
from claudechat.errors import ClaudechatError, ExitCode, UsageError
from claudechat.message import Message
from claudechat.repl import commands, keys
from claudechat.sanitize import sanitize
from claudechat.settings import Settings

# @path or @"path with spaces" (@@ is a plain @); a path a terminal's drag-and-drop put
# at the start of the message, quoted or with backslash escapes
_AT_PATH = re.compile(r"""(?:(?<=\s)|^)@(?!@)(?:"([^"]+)"|'([^']+)'|((?:\\\s|\S)+))""")
_LITERAL_AT = re.compile(r"(?:(?<=\s)|^)@@")
_DROPPED = re.compile(r"""^\s*(?:'([^']+)'|"([^"]+)"|((?:\\.|[^\s'"\\])+))(?:\s+|$)""")
_PATHLIKE = re.compile(r"[/~\\]|\.\w{1,8}$")


@dataclass
class ReplState:
    settings: Settings
    session: Any  # connect.Session
    conversation: Conversation
    console: Console
    recorder: Any = None  # persists turns (store.Recorder); None with --no-save
    store: Any = None  # the HistoryStore, for /history and /load (read-only with --no-save)
    save: bool = True
    color: bool = True  # False: NO_COLOR, TERM=dumb or --plain: replies as plain text
    pending: list[attachments.Attachment] = field(default_factory=list)
    pastes: dict[str, str] = field(default_factory=dict)
    prefill: str = ""
    quit: bool = False

    # -- conversation ------------------------------------------------------------------

    def new_conversation(self) -> None:
        """A fresh conversation; the settings, the system prompt among them, stay."""
        system = self.conversation.system
        self.conversation = self.session.new_conversation()
        self.conversation.system = system
        self._record(None, 0)

    def _record(self, cid: str | None, saved: int) -> None:
        if self.store is not None and self.save:
            from claudechat.history.saving import Recorder

            self.recorder = Recorder(self.store, profile=self.settings.profile, cid=cid,
                                     saved=saved, notice=self.notice)

    def saved_changed(self) -> None:
        """The turns or the settings changed (/undo, /system, /model…): the store follows."""
        if self.recorder is not None and (self.conversation.turns or self.recorder.cid):
            self.recorder(self.conversation)

    def send(self, text: str) -> None:
        try:
            self.session.params.checked()
            found, text_to_send = self.mentioned(text, strict=True)
        except UsageError:
            self.prefill = text  # nothing typed is lost: it comes back to be fixed
            raise
        attached = attachments.check_request([*self.pending, *found],
                                             resize=self.settings.resize_images)
        blocks = [a.block for a in attached]
        if text_to_send.strip():
            blocks.append({"type": "text", "text": text_to_send})
        if not blocks:
            return
        self.pending.clear()
        self.conversation.add_user(blocks)
        self.send_current()

    def send_current(self) -> None:
        from claudechat.render.rich_view import RichView
        from claudechat.render.view import PlainView
        from claudechat.turn import run_turn

        self.conversation.params = self.session.params
        view: Any
        if self.color:
            view = RichView(self.console, self.console, thinking=self.settings.thinking_display)
        else:
            view = PlainView(sys.stdout, sys.stdout, terminal=True, err_terminal=True, color=False,
                             show_thinking=self.settings.thinking_display != "hidden")
        with _no_echo():  # a ^C or typed-ahead keys would break the live region
            result = run_turn(self.conversation, self.session.client, view,
                              wire=self.session.wire, persist=self.recorder)
        if not self.color and (result.message.usage or result.message.content):
            from claudechat.render.rich_view import status_text

            self.console.print(Text(status_text(result, self.console.width).plain))  # no dim either
        if result.interrupted:
            self.console.print(Text("interrupted — what arrived is kept", style="yellow"))
        elif result.error is not None:
            self.console.print(Text(f"error: {sanitize(str(result.error))}", style="red"))
            self.console.print(Text("/retry sends it again", style="dim"))

    def mentioned(self, text: str, *, strict: bool = False) -> tuple[list[attachments.Attachment], str]:
        """The files a message attaches, and the text to send. A path dropped in at the
        start is taken out of the text; @path stays as written; @@ becomes a plain @.
        `strict`: an @path that looks like a path but is no file is an error."""
        found = []
        dropped = self.dropped_file(text)
        if dropped is not None:
            path, end = dropped
            found.append(attachments.file_arg(path, resize=self.settings.resize_images))
            text = text[end:]
        for match in _AT_PATH.finditer(text):
            path = next(g for g in match.groups() if g).replace("\\ ", " ")
            if not Path(path).expanduser().is_file() and match.group(3):
                path = path.rstrip(".,;:!?)]}'\"")  # "see @notes.txt, then …"
            if Path(path).expanduser().is_file():
                found.append(attachments.file_arg(path, resize=self.settings.resize_images))
            elif strict and _PATHLIKE.search(path):
                raise UsageError(f"@{sanitize(path)}: no such file — fix the path (Tab completes it), "
                                 f"or write @@ for a plain @")
        return found, _LITERAL_AT.sub("@", text)

    @staticmethod
    def dropped_file(text: str) -> tuple[str, int] | None:
        """(path, where the rest begins) when the message starts with an absolute or ~
        path to a file, as a terminal's drag-and-drop puts it."""
        match = _DROPPED.match(text)
        if match is None:
            return None
        path = match.group(1) or match.group(2) or re.sub(r"\\(.)", r"\1", match.group(3))
        if path.startswith(("/", "~")) and Path(path).expanduser().is_file():
            return path, match.end()
        return None

    # -- settings ------------------------------------------------------------------------

    def update_settings(self, **changes: Any) -> None:
        """Change settings; a combination the API would refuse is refused now, not later."""
        before = self.settings
        self.session.apply(replace(before, **changes), notice=self.notice)
        try:
            self.session.params.checked()
        except UsageError:
            self.session.apply(before, notice=lambda text: None)
            raise
        finally:
            self.settings = self.session.settings
            self.conversation.params = self.session.params
        self.saved_changed()

    def thinking_label(self) -> str:
        t = self.session.params.thinking
        if t.mode == "off":
            return "off"
        if t.mode == "enabled":
            return f"on ({t.budget_tokens:,} tokens)"
        return f"on (adaptive{', ' + t.effort if t.effort else ''})"

    def notice(self, text: str) -> None:
        self.console.print(Text(f"claudechat: {sanitize(text)}", style="yellow"))

    def attach(self, attachment: attachments.Attachment) -> None:
        # checked (and, with resize_images, shrunk) once, here, not again at every send
        self.pending = attachments.check_request([*self.pending, attachment],
                                                 resize=self.settings.resize_images)
        self.console.print(Text(f"attached {sanitize(attachment.label)}", style="dim"))

    def reply(self, arg: str) -> Message:
        replies = [t for t in self.conversation.turns if t.role == "assistant"]
        if not replies:
            raise UsageError("there is no reply yet")
        index = len(replies) if not arg else commands._number(arg, len(replies), "reply")
        turn = replies[index - 1]
        return Message(content=turn.content, model=turn.model or "", usage=turn.usage or {})

    # -- history -----------------------------------------------------------------------------

    def show_history(self) -> None:
        if self.store is None:
            raise UsageError("the history cannot be read (see the notice when the chat started)")
        from claudechat.history.transcript import iso

        rows = self.store.list(limit=15)
        if not rows:
            self.console.print(Text("no saved conversations yet", style="dim"))
        for row in rows:
            self.console.print(Text(f"{row.id[:8]}  {iso(row.updated)}  {row.turns:>3} turns  "
                                    f"{sanitize(row.title)}"))

    def load(self, ref: str) -> None:
        if self.store is None:
            raise UsageError("the history cannot be read (see the notice when the chat started)")
        stored = self.store.load(self.store.resolve(ref))
        self.resume(stored)
        n = len(self.conversation.turns)
        self.console.print(Text(f"loaded {stored.summary.id[:8]}: {sanitize(stored.summary.title)} "
                                f"({n} turn{'s' if n != 1 else ''})", style="dim"))

    def resume(self, stored: Any) -> None:
        """Continue a stored conversation: its turns, system prompt and model."""
        if stored.summary.model and stored.summary.model != self.settings.model:
            self.update_settings(model=stored.summary.model)
        self.conversation = self.session.new_conversation()
        self.conversation.system = stored.system
        self.conversation.turns = list(stored.turns)
        self._record(stored.summary.id, len(stored.turns))

    def tokens_used(self) -> int:
        total = 0
        for turn in self.conversation.turns:
            usage = turn.usage or {}
            total += sum(int(usage.get(k) or 0) for k in (
                "input_tokens", "output_tokens", "cache_read_input_tokens",
                "cache_creation_input_tokens"))
        return total

    def with_pastes(self, text: str) -> str:
        """The text with each paste placeholder replaced by what was pasted."""
        for token, pasted in self.pastes.items():
            text = text.replace(token, pasted)
        return text

    def expand_pastes(self, text: str) -> str:
        text = self.with_pastes(text)
        self.pastes.clear()
        return text


def run_repl(state: ReplState) -> int:
    prompt = keys.make_prompt(state)
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
        try:
            if text.startswith("/") and not text.startswith("//") and not state.dropped_file(text):
                commands.dispatch(state, text.strip())
            else:
                state.send(text[1:] if text.startswith("//") else text)
        except ClaudechatError as exc:
            state.console.print(Text(f"{sanitize(str(exc))}", style="red"))
        except KeyboardInterrupt:  # during a save, an editor, a command: the chat goes on
            if signals.received is None:
                state.console.print(Text("interrupted", style="yellow"))
        if signals.received is not None:  # the terminal closed: what arrived is saved; stop
            break
    return signals.exit_code() or ExitCode.OK


@contextmanager
def _no_echo() -> Iterator[None]:
    """Terminal echo off while a reply streams."""
    try:
        import termios

        fd = sys.stdin.fileno()
        saved = termios.tcgetattr(fd)
    except (ImportError, OSError, ValueError, AttributeError):
        yield
        return
    quiet = list(saved)
    quiet[3] &= ~termios.ECHO
    termios.tcsetattr(fd, termios.TCSANOW, quiet)
    try:
        yield
    finally:
        try:
            termios.tcsetattr(fd, termios.TCSANOW, saved)
        except (termios.error, OSError):
            pass  # the terminal is gone


def is_interactive() -> bool:
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False
