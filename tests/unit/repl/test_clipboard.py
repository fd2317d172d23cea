"""The clipboard (README, `/copy` and `/paste`): text goes onto it through the terminal
(OSC 52: ESC ] 52 ; c ; base64 BEL) and a local wl-copy, xclip or pbcopy if there is one;
an image comes from wl-paste, xclip or pngpaste. A paste program that fails, cannot be run
or hangs counts as not there; a copy program that does is reported, with what it said
(the text is not on the clipboard). The programs here are stand-ins in a folder that is
the whole PATH; the terminal is a real pty."""

from __future__ import annotations

import base64
import io
import os
import select

import pytest
from helpers.images import png

from claudechat.errors import UsageError
from claudechat.repl.clipboard import clipboard_image, copy_to_clipboard

TEXT = "# Reply\n\nünïcödé — and a `code` line\n"


@pytest.fixture
def terminal():
    """A real terminal to write to; `terminal.received()` is what reached it."""
    master, slave = os.openpty()
    tty = open(slave, "w", encoding="utf-8")

    def received() -> bytes:
        """What reached the terminal, up to the BEL that ends the escape (5 s at most)."""
        data = b""
        while not data.endswith(b"\x07") and select.select([master], [], [], 5)[0]:
            data += os.read(master, 65536)
        return data

    tty.received = received
    yield tty
    tty.close()
    os.close(master)


def osc52(text: str) -> bytes:
    return b"\x1b]52;c;" + base64.b64encode(text.encode("utf-8")) + b"\x07"


# -- copy --------------------------------------------------------------------------------


def test_on_a_terminal_the_text_goes_out_as_osc_52(terminal, programs):
    copied = copy_to_clipboard(TEXT, terminal)
    assert terminal.received() == osc52(TEXT)
    assert (copied.osc52, copied.program, copied.failed) == (True, None, [])


def test_the_first_clipboard_program_on_path_gets_the_text(terminal, programs):
    for name in ("wl-copy", "xclip", "pbcopy"):
        programs.add(name, reads_stdin=True)
    copied = copy_to_clipboard(TEXT, terminal)
    assert programs.stdin("wl-copy") == TEXT.encode("utf-8")
    assert not programs.ran("xclip") and not programs.ran("pbcopy")
    assert (copied.program, copied.osc52) == ("wl-copy", True)
    assert terminal.received() == osc52(TEXT)  # the terminal's clipboard as well


def test_xclip_is_asked_for_the_clipboard_selection_not_the_primary_one(programs):
    programs.add("xclip", reads_stdin=True)
    programs.add("pbcopy", reads_stdin=True)
    screen = io.StringIO()  # not a terminal: no escape written into it
    copied = copy_to_clipboard(TEXT, screen)
    assert programs.stdin("xclip") == TEXT.encode("utf-8")
    assert programs.args("xclip")[:2] == ["-selection", "clipboard"]
    assert not programs.ran("pbcopy")
    assert (copied.program, copied.osc52) == ("xclip", False) and screen.getvalue() == ""


def test_a_program_that_fails_or_cannot_run_is_reported_and_the_next_one_tried(programs):
    programs.add("wl-copy", reads_stdin=True, status=1,
                 complains=b"Failed to connect to a Wayland server\n")
    programs.add_unrunnable("xclip")
    programs.add("pbcopy", reads_stdin=True)
    copied = copy_to_clipboard(TEXT, io.StringIO())
    assert programs.stdin("pbcopy") == TEXT.encode("utf-8")
    assert copied.program == "pbcopy"
    [(first, why_first), (second, why_second)] = copied.failed
    assert (first, why_first) == ("wl-copy", "exited with status 1: Failed to connect to a Wayland server")
    assert second == "xclip" and why_second.startswith("cannot be run")


def test_a_program_that_fails_alone_copies_nothing(programs):
    programs.add("wl-copy", reads_stdin=True, status=4, complains=b"\x1b]0;title\x07no display\n")
    copied = copy_to_clipboard(TEXT, io.StringIO())
    assert (copied.program, copied.osc52) == (None, False)
    assert copied.failed == [("wl-copy", "exited with status 4: no display")]  # its escapes removed


def test_a_copy_program_that_hangs_is_reported(programs):
    programs.add("wl-copy", hangs=True)
    copied = copy_to_clipboard(TEXT, io.StringIO())  # after the 5 s the module allows
    assert copied.failed == [("wl-copy", "did not finish in 5 s")] and copied.program is None


def test_no_terminal_and_no_program_is_one_clear_usage_error(programs):
    with pytest.raises(UsageError) as info:
        copy_to_clipboard(TEXT, io.StringIO())
    message = str(info.value)
    assert "\n" not in message
    assert all(name in message for name in ("wl-copy", "xclip", "pbcopy"))


# -- paste -------------------------------------------------------------------------------


def test_an_image_on_the_clipboard_comes_back_byte_for_byte(programs):
    image = png(3, 2)
    programs.add("wl-paste", prints=image)
    assert clipboard_image() == image
    assert "image/png" in programs.args("wl-paste")


def test_what_is_not_an_image_is_no_image(programs):
    assert clipboard_image() is None  # no program at all
    programs.add("wl-paste", prints=b"just some copied text")
    assert clipboard_image() is None
    programs.add("xclip", prints=png())  # the next program has one
    assert clipboard_image() == png()


def test_a_paste_program_that_fails_or_cannot_run_counts_as_absent(programs):
    programs.add("wl-paste", prints=png(1, 1), status=1)  # failed: its output is not trusted
    programs.add_unrunnable("xclip")
    assert clipboard_image() is None
    programs.add("pngpaste", prints=png(2, 2))
    assert clipboard_image() == png(2, 2)


def test_a_paste_program_that_hangs_counts_as_absent(programs):
    programs.add("wl-paste", hangs=True)
    programs.add("pngpaste", prints=png())
    assert clipboard_image() == png()  # after the 5 s the module allows
