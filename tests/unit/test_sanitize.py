"""sanitize.py: what may reach a terminal from text that came from outside. Expected values
from the module's docstring: every escape sequence removed whole (CSI 7- and 8-bit, OSC 52,
OSC 8, title changes, DCS), as a terminal's parser (DEC, xterm) would consume it: a string
sequence runs to BEL or ST, or until ESC, CAN, SUB or a C1 control cuts it short, a newline
inside it being part of it; one that never ends runs to the end of the text. Every other
control character except newline and tab is dropped, CRLF and lone CR become newlines; a
sequence split across deltas is held back (a bounded amount) until it is complete."""

from __future__ import annotations

import json
import random

import pytest

from claudechat.sanitize import MAX_HELD, StreamSanitizer, escape_json, sanitize

# (text, what is left of it)
SEQUENCES = {
    "csi-colour": ("a\x1b[31mred\x1b[0m b", "ared b"),
    "csi-clear-screen": ("a\x1b[2J\x1b[Hb", "ab"),
    "csi-private-mode": ("a\x1b[?25l\x1b[?1049hb", "ab"),
    "csi-8-bit": ("a\x9b31mred\x9b0m b", "ared b"),
    "osc-52-bel": ("a\x1b]52;c;aGFjaw==\x07b", "ab"),
    "osc-52-st": ("a\x1b]52;c;aGFjaw==\x1b\\b", "ab"),
    "osc-52-8-bit": ("a\x9d52;c;aGFjaw==\x9cb", "ab"),
    "osc-8-link": ("see \x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\ here", "see click here"),
    "title-bel": ("a\x1b]0;pwned\x07b", "ab"),
    "title-st": ("a\x1b]2;pwned\x1b\\b", "ab"),
    "dcs": ("a\x1bPq#0;2;0;0;0\x1b\\b", "ab"),
    "dcs-8-bit": ("a\x90q#0;2\x9cb", "ab"),
    "esc-reset": ("a\x1bcb", "ab"),
    "esc-charset": ("a\x1b(0b", "ab"),
    "lone-esc-at-end": ("ab\x1b", "ab"),
    "lone-esc-before-newline": ("a\x1b\nb", "a\nb"),
    "bell-nul-del-c1": ("a\x07\x00\x7f\x85\x8eb", "ab"),
    # a string ended by BEL or ST goes whole, also when it holds a newline
    "osc-with-a-newline": ("a\x1b]0;ti\ntle\x07b", "ab"),
    "dcs-with-a-newline": ("a\x90q\n#0\x9cb", "ab"),
    # a sequence cut short or never ended: only its control characters go, the rest is text
    "osc-cut-short-by-esc": ("a\x1b]0;pwned\x1b[31mb", "a0;pwnedb"),
    "osc-cut-short-by-c1": ("a\x1b]52;c;aGk=\x85b", "a52;c;aGk=b"),
    "osc-cut-short-by-can": ("a\x1b]52;c;aGk=\x18b", "a52;c;aGk=b"),
    "osc-never-ends": ("ab\x1b]0;my title\nmore", "ab0;my title\nmore"),
    "dcs-never-ends": ("ab\x90q#0;2", "abq#0;2"),
    "csi-cut-short": ("a\x1b[12\nb", "a12\nb"),
    "csi-never-ends": ("ab\x9b12;3", "ab12;3"),
    "esc-cut-short": ("a\x1b(\nb", "a(\nb"),
    "a-file-name-in-an-error-line": ("no\x1b]such: no such file", "nosuch: no such file"),
}


@pytest.mark.parametrize(("text", "left"), list(SEQUENCES.values()), ids=list(SEQUENCES))
def test_each_kind_of_sequence_is_removed_with_its_payload_unless_it_never_ends(text, left):
    assert sanitize(text) == left


def test_newline_and_tab_are_kept_and_plain_text_is_untouched():
    text = "col1\tcol2\nлиния 😀 [bold]not markup[/]\n"
    assert sanitize(text) == text


@pytest.mark.parametrize(("text", "left"), [("a\r\nb", "a\nb"), ("a\rb", "a\nb"), ("a\r\r\nb", "a\n\nb"),
                                            ("a\r", "a\n")])
def test_crlf_and_a_lone_cr_become_newlines(text, left):
    assert sanitize(text) == left


def test_a_sequence_that_ends_after_one_cut_short_still_goes_whole():
    assert sanitize("\x1b]0;title\x1b]0;again\x07visible\x9b2Jtoo") == "0;titlevisibletoo"


# -- StreamSanitizer ----------------------------------------------------------------------

STREAMS = [
    "a\x1b]52;c;SECRET\x07b\x1b[31mc\r\nd",
    "x\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\y\x9b1mz\x1bPq#0\x1b\\w",
    "title\x1b]0;pwned\x1b\\ok\rnext\x9d52;c;AA\x9cend\x1b",
    "unended \x1b]0;payload",
]


def test_sanitizer_holds_a_sequence_split_across_deltas():
    # moved from tests/unit/render/test_rich_view.py
    text = "a\x1b]52;c;SECRET\x07b\x1b[31mc\r\nd"
    for cut in range(len(text) + 1):
        stream = StreamSanitizer()
        out = stream.feed(text[:cut]) + stream.feed(text[cut:]) + stream.flush()
        assert out == sanitize(text) == "abc\nd"


@pytest.mark.parametrize("text", STREAMS, ids=range(len(STREAMS)))
def test_cut_anywhere_a_stream_gives_what_sanitizing_the_whole_gives(text):
    whole = sanitize(text)
    for first in range(len(text) + 1):
        for second in range(first, len(text) + 1):
            stream = StreamSanitizer()
            out = (stream.feed(text[:first]) + stream.feed(text[first:second]) + stream.feed(text[second:])
                   + stream.flush())
            assert out == whole, (first, second)


@pytest.mark.parametrize("text", STREAMS, ids=range(len(STREAMS)))
def test_one_character_at_a_time_gives_what_sanitizing_the_whole_gives(text):
    stream = StreamSanitizer()
    assert "".join(stream.feed(c) for c in text) + stream.flush() == sanitize(text)


def test_a_split_osc_with_a_newline_in_its_payload_does_not_leak():
    text = "a\x1b]0;ti\ntle\x07b"
    for cut in range(len(text) + 1):
        stream = StreamSanitizer()
        assert stream.feed(text[:cut]) + stream.feed(text[cut:]) + stream.flush() == sanitize(text), cut


def test_text_without_controls_passes_at_once():
    stream = StreamSanitizer()
    assert stream.feed("hello ") == "hello "
    assert stream.feed("world\n") == "world\n"
    assert stream.flush() == ""


def test_an_unfinished_sequence_is_held_and_dropped_once_it_ends():
    stream = StreamSanitizer()
    assert stream.feed("a\x1b]52;c;SEC") == "a"
    assert stream.feed("RET\x07b") == "b"


def test_a_cr_at_the_end_of_a_delta_waits_for_the_next_to_know_if_it_is_crlf():
    stream = StreamSanitizer()
    assert stream.feed("a\r") == "a"
    assert stream.feed("\nb") == "\nb"
    assert stream.flush() == ""


@pytest.mark.parametrize(("opening", "ending"), [("\x1b]52;c;", "\x07"), ("\x9d52;c;", "\x1b\\"),
                                                 ("\x1bP", "\x9c"), ("\x1b[", "m"), ("\x1b", "0")])
def test_a_sequence_longer_than_max_held_is_dropped_whole_holding_at_most_max_held(opening, ending):
    stream = StreamSanitizer()
    body = "A" if opening.startswith("\x1b]") or opening in ("\x9d52;c;", "\x1bP") else \
        ";" if opening == "\x1b[" else " "
    assert stream.feed("x" + opening) == "x"
    for _ in range(3 * MAX_HELD // 100):  # a payload three times the bound, in deltas of 100
        assert stream.feed(body * 100) == ""
        assert stream.holding <= MAX_HELD
    out = "".join(stream.feed(c) for c in ending)  # the terminator, split where it can be
    assert out + stream.feed("y") + stream.flush() == "y"


def test_a_long_sequence_that_never_ends_is_not_shown_at_the_end_of_the_stream():
    stream = StreamSanitizer()
    assert stream.feed("x\x1b]0;" + "A" * (2 * MAX_HELD)) == "x"
    assert stream.flush() == ""
    assert stream.feed("next") == "next"  # a new stream after flush starts clean


@pytest.mark.parametrize(("cut", "after"), [("\x1b[31mred", "red"), ("\x85red", "red"), ("\x18red", "red"),
                                            ("\x1b", ""), ("\x1bPq\x1b\\red", "red")])
def test_a_long_sequence_cut_short_is_dropped_up_to_what_cut_it(cut, after):
    stream = StreamSanitizer()
    assert stream.feed("x\x1b]0;" + "A" * (2 * MAX_HELD)) == "x"
    assert stream.feed(cut) + stream.flush() == after


def test_just_under_the_bound_the_sequence_is_still_held_and_removed():
    stream = StreamSanitizer()
    opening = "\x1b]52;c;"
    payload = "A" * (MAX_HELD - len(opening))
    assert stream.feed("x" + opening + payload) == "x"
    assert stream.feed("\x07y") == "y"


def test_flush_gives_what_shows_of_a_sequence_that_never_ended_and_a_held_cr_as_a_newline():
    stream = StreamSanitizer()
    assert stream.feed("a\x1b]0;my title") == "a"
    assert stream.flush() == "0;my title" == sanitize("\x1b]0;my title")
    assert stream.feed("b\r") == "b"
    assert stream.flush() == "\n"


# The pieces escape sequences are made of, and text: random texts of them, cut at random (seeded:
# the same texts every run), so that every way a sequence can be split, cut short or never end
# comes up. Through a sanitizer of a small bound, sequences outgrow it: what it shows then is
# what sanitizing the whole shows less what it dropped of the long ones (a subsequence).
CONTROLS = {chr(c) for c in [*range(0x20), *range(0x7f, 0xa0)]} - {"\n", "\t"}
PIECES = ["a", "b", " ", "\n", "\r", "\t", "\x1b", "[", "]", "P", "\\", "(", "0", "1", ";", "m", "J",
          "\x07", "\x18", "\x7f", "\x85", "\x90", "\x9b", "\x9c", "\x9d", "é", "😀"]


def within(shorter: str, longer: str) -> bool:
    """`shorter` is `longer` with some characters left out."""
    rest = iter(longer)
    return all(c in rest for c in shorter)


@pytest.mark.parametrize("bound", [3, 8, MAX_HELD])
def test_random_texts_cut_at_random_give_what_sanitizing_the_whole_gives(bound):
    rng = random.Random(bound)
    for _ in range(3000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randrange(1, 40)))
        cuts = sorted(rng.sample(range(len(text) + 1), rng.randrange(0, min(6, len(text) + 1))))
        stream = StreamSanitizer(max_held=bound)
        out = ""
        for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True):
            out += stream.feed(text[a:b])
            assert stream.holding <= max(bound, 3)
        out += stream.flush()
        whole = sanitize(text)
        assert out == whole if bound == MAX_HELD else within(out, whole), (text, cuts)
        assert not set(out) & CONTROLS and not set(whole) & CONTROLS
        assert stream.holding == 0


# -- escape_json ------------------------------------------------------------------------------


def test_escaped_json_holds_no_control_character_and_means_the_same():
    value = {"title": "a\x1b]0;t\x07\x9b2J\x9d52;c;aGk=\x9c\x7f é 😀", "n": [1, "\x85"]}
    text = escape_json(json.dumps(value, ensure_ascii=False, indent=2))
    assert sanitize(text) == text and "\t" not in text
    assert json.loads(text) == value
    assert "é 😀" in text  # other characters stay as they are
