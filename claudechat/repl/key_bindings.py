"""The chat's keys: Enter sends, Ctrl-J or Esc Enter adds a line, a long paste becomes
a placeholder, Ctrl-V attaches the clipboard's image."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prompt_toolkit.application import run_in_terminal
from prompt_toolkit.filters import is_searching
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.keys import Keys

from claudechat.errors import ClaudechatError
from claudechat.repl import commands
from claudechat.repl.commands.attach import in_the_chat

if TYPE_CHECKING:
    from claudechat.repl.loop import Printer
    from claudechat.repl.state import ReplState

PASTE_LINES = 12  # a paste longer than this (or than PASTE_CHARS) shows as a placeholder
PASTE_CHARS = 2000


def bindings(state: ReplState, out: Printer) -> KeyBindings:
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
        """Attach the clipboard's image: /paste, its line printed above the prompt."""

        def attach() -> None:
            try:
                commands.dispatch(state, "/paste", out)
            except ClaudechatError as exc:
                out.error(str(in_the_chat(exc)))
            except Exception as exc:  # noqa: BLE001 - a key must not end the chat
                out.internal_error(exc)

        run_in_terminal(attach)

    return kb
