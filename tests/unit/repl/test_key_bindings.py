"""The chat's keys (README, "Typing"), typed into the real PromptSession through
prompt_toolkit's pipe input: Enter sends, Ctrl-J or Esc Enter adds a line, a pasted block
is one message, a long paste shows as a placeholder and is sent in full, Ctrl-V attaches
the image on the clipboard (stand-in clipboard programs on PATH)."""

from __future__ import annotations

import base64

import pytest
from helpers.images import png
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


def test_ctrl_v_attaches_the_image_on_the_clipboard_and_the_line_goes_on(state, out, programs):
    programs.add("pngpaste", prints=png())
    assert typed(state, "\x16what is this?\r", out=out) == ["what is this?"]
    assert [a.block["source"]["media_type"] for a in state.pending] == ["image/png"]
    assert base64.b64decode(state.pending[0].block["source"]["data"]) == png()
    assert "attached" in out.console.file.getvalue()


def test_ctrl_v_with_no_image_is_one_line_and_the_line_goes_on(state, out, programs):
    assert typed(state, "\x16still here\r", out=out) == ["still here"]
    assert state.pending == []
    said = out.console.file.getvalue()
    assert said.count("\n") == 1 and "no image on the clipboard" in said
