"""The chat's keys (README, "Typing"), typed into the real PromptSession through
prompt_toolkit's pipe input: Enter sends, Ctrl-J or Esc Enter adds a line, a pasted block
is one message, a long paste shows as a placeholder and is sent in full."""

from __future__ import annotations

import pytest
from helpers.repl import typed


def test_enter_sends_and_ctrl_j_or_esc_enter_add_a_line(state):
    assert typed(state, "hello\r") == ["hello"]
    assert typed(state, "one\ntwo\r") == ["one\ntwo"]  # \n is Ctrl-J
    assert typed(state, "a\x1b\rb\r") == ["a\nb"]  # Esc Enter


def test_a_pasted_block_keeps_its_newlines_and_is_one_message(state):
    assert typed(state, "\x1b[200~line 1\nline 2\nline 3\x1b[201~\r") == ["line 1\nline 2\nline 3"]


def test_a_long_paste_shows_a_placeholder_and_is_sent_in_full(state):
    block = "\n".join(f"row {i}" for i in range(40))
    [text] = typed(state, f"look: \x1b[200~{block}\x1b[201~\r")
    assert text == "look: [pasted 40 lines #1]"
    assert state.expand_pastes(text) == "look: " + block


def test_ctrl_c_at_the_prompt_raises_keyboard_interrupt(state):
    with pytest.raises(KeyboardInterrupt):
        typed(state, "half typed\x03")
