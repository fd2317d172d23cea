"""The live renderer, read back through a terminal emulator (pyte).

The reference for "what a person should see" is rich rendering the finished
reply at once, played through the same emulator.
"""

from __future__ import annotations

import io
import os
import random
import re
import signal

import pytest
from helpers.markdown_corpus import CORPUS, realistic
from helpers.terminal import TerminalFile, screen_lines, terminal_console
from rich.console import Console
from rich.markdown import Markdown

from claudechat.api.events import (
    ContentBlockDelta,
    ContentBlockStart,
    ContentBlockStop,
    InputJsonDelta,
    SignatureDelta,
    TextDelta,
    ThinkingDelta,
)
from claudechat.message import Message
from claudechat.render.markdown_stream import Cropped
from claudechat.render.rich_view import SYNC_END, SYNC_START, RichView, terminal_rewraps
from claudechat.turn import TurnResult


def whole(text: str, width: int, height: int) -> list[str]:
    console = terminal_console(width, height)
    console.print(Markdown(text))
    return screen_lines(console.file.getvalue(), width, height)


class Drive:
    """Feeds events to a RichView with no ticker, drawing frames when told."""

    def __init__(self, width: int = 80, height: int = 24, **options) -> None:
        self.width, self.height = width, height
        self.console = terminal_console(width, height)
        # stderr on the same terminal, as when both go to one tty
        self.status = terminal_console(width, height)
        self.status.file = self.console.file
        self.view = RichView(self.console, self.status, fps=None, **options)
        self.message = Message(model="claude-test", usage={"input_tokens": 12, "output_tokens": 34},
                               stop_reason="end_turn")
        self.index = -1

    def start(self, block: dict) -> None:
        self.index += 1
        self.view.event(ContentBlockStart(self.index, block), self.message)

    def delta(self, delta, frame: bool = False) -> None:
        self.view.event(ContentBlockDelta(self.index, delta), self.message)
        if frame:
            self.view.frame()

    def stop(self) -> None:
        self.view.event(ContentBlockStop(self.index), self.message)

    def text(self, text: str, pieces: list[int], frame_every: int) -> None:
        self.start({"type": "text", "text": ""})
        pos = 0
        for n, size in enumerate(pieces):
            self.delta(TextDelta(text[pos : pos + size]), frame=n % frame_every == 0)
            pos += size
        assert pos >= len(text)
        self.stop()

    def end(self, **result) -> list[str]:
        self.view.end(TurnResult(message=self.message, complete=True, **result))
        return screen_lines(self.console.file.getvalue(), self.width, self.height)

    @property
    def raw(self) -> str:
        return self.console.file.getvalue()


def fixed(text: str, size: int) -> list[int]:
    return [size] * (len(text) // size + 1)


def jagged(text: str, seed: int) -> list[int]:
    rng = random.Random(seed)
    sizes, total = [], 0
    while total < len(text):
        sizes.append(rng.randint(1, 9))
        total += sizes[-1]
    return sizes


CASES = sorted(CORPUS) + ["realistic"]


def corpus(name: str) -> str:
    return realistic(6000) if name == "realistic" else CORPUS[name]


@pytest.mark.parametrize("width", [80, 37])
@pytest.mark.parametrize("name", CASES)
def test_streamed_reply_ends_as_the_whole_reply_rendered_at_once(name, width):
    text = corpus(name)
    drive = Drive(width=width, height=24, status_line=False)
    drive.text(text, fixed(text, 4), frame_every=5)
    assert drive.end() == whole(text, width, 24)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("name", ["nested_lists", "fences", "table", "taller_than_the_screen"])
def test_any_split_and_any_frame_timing_gives_the_same_screen(name, seed):
    text = corpus(name)
    drive = Drive(width=60, height=12, status_line=False)
    drive.text(text, jagged(text, seed), frame_every=2 + seed * 3)
    assert drive.end() == whole(text, 60, 12)


def test_a_block_taller_than_the_screen_is_never_duplicated_in_the_scrollback():
    text = CORPUS["taller_than_the_screen"]
    drive = Drive(width=50, height=8, status_line=False)
    drive.text(text, fixed(text, 5), frame_every=2)
    lines = drive.end()
    assert lines == whole(text, 50, 8)
    code = [line for line in lines if "line_" in line]
    assert len(code) == len(set(code)) == 60


def test_cropped_keeps_the_last_lines_and_says_how_many_are_hidden():
    console = Console(file=io.StringIO(), width=30, color_system=None)
    console.print(Cropped(Markdown("\n\n".join(f"para {i}" for i in range(10))), 5))
    lines = console.file.getvalue().rstrip("\n").split("\n")
    assert len(lines) == 5
    assert "more lines above" in lines[0]
    assert lines[-1].strip() == "para 9"


HOSTILE = (
    "Clipboard \x1b]52;c;aGFjaw==\x07write, clear \x1b[2J screen, "
    "8-bit \x9b31mCSI\x9b0m, title \x1b]0;pwned\x07change, "
    "link \x1b]8;;https://evil.example\x1b\\\\click\x1b]8;;\x1b\\\\ here, "
    "DCS \x1bPq#0;2;0;0;0\x1b\\\\done, bell \x07 and C1 \x85\x90 end.\n\n"
    "[bold red]not markup[/]\n"
)
# What rich itself writes on a colourless terminal: cursor moves, line erases,
# cursor show/hide, synchronized output.
ALLOWED = re.compile(r"\x1b\[(?:\d*[AK]|\?25[hl]|\?2026[hl])")


@pytest.mark.parametrize("size", [1, 3, 7])
def test_hostile_sequences_never_reach_the_terminal(size):
    drive = Drive(status_line=False)
    drive.text(HOSTILE, fixed(HOSTILE, size), frame_every=2)
    lines = drive.end()
    leftover = ALLOWED.sub("", drive.raw)
    assert "\x1b" not in leftover
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", leftover.replace("\n", "").replace("\r", ""))
    screen = "\n".join(lines)
    for word in ("Clipboard", "write", "screen", "CSI", "change", "click", "here", "done", "end."):
        assert word in screen
    assert "aGFjaw" not in screen and "pwned" not in screen and "evil.example" not in screen
    assert "[bold red]not markup[/]" in screen


def thinking_then_text(drive: Drive, thought: str = "First I consider the question.\nThen I answer.") -> None:
    drive.start({"type": "thinking", "thinking": "", "signature": ""})
    for line in thought.split(" "):
        drive.delta(ThinkingDelta(line + " "), frame=True)
    drive.delta(SignatureDelta("sig"))
    drive.stop()
    drive.text("The answer is **42**.\n", [5, 5, 5, 10], frame_every=1)


def test_thinking_collapses_to_one_line_when_it_ends():
    drive = Drive()
    thinking_then_text(drive)
    lines = drive.end()
    summary = [line for line in lines if line.startswith("▸ Thought for")]
    assert len(summary) == 1
    assert re.fullmatch(r"▸ Thought for \d+\.\d s \(~\d+ tokens\)", summary[0])
    assert not any("consider the question" in line for line in lines)
    assert "The answer is 42." in lines
    # while it streamed, the thinking was visible in a panel titled Thinking
    assert "Thinking" in drive.raw and "consider the question" in drive.raw


def test_expanded_thinking_stays_in_full():
    drive = Drive(thinking="expanded")
    thinking_then_text(drive)
    screen = "\n".join(drive.end())
    assert "First I consider the question." in screen and "Then I answer." in screen
    assert "The answer is 42." in screen


def test_hidden_thinking_shows_nothing_of_it():
    drive = Drive(thinking="hidden")
    thinking_then_text(drive)
    screen = "\n".join(drive.end())
    assert "consider" not in screen and "Thought" not in screen
    assert "The answer is 42." in screen


def test_redacted_thinking_is_a_one_line_note():
    drive = Drive()
    drive.start({"type": "redacted_thinking", "data": "opaque-bytes"})
    drive.stop()
    drive.text("Hi.\n", [4], frame_every=1)
    lines = drive.end()
    assert any(line.startswith("▸ Redacted thinking") for line in lines)
    assert "opaque-bytes" not in "\n".join(lines)


def test_tool_call_shows_its_name_and_input_as_json():
    drive = Drive()
    drive.text("Let me check.\n", [20], frame_every=1)
    drive.start({"type": "tool_use", "id": "t1", "name": "get_weather", "input": {}})
    for piece in ['{"location": "Pa', 'ris", "unit"', ': "c"}']:
        drive.delta(InputJsonDelta(piece), frame=True)
    assert "Pa" in screen_lines(drive.raw, 80, 24)[-2]  # the partial input is live
    drive.stop()
    screen = "\n".join(drive.end())
    assert "tool call: get_weather" in screen
    assert '"location": "Paris"' in screen and '"unit": "c"' in screen


def test_status_line_after_the_reply():
    drive = Drive()
    drive.text("Done.\n", [6], frame_every=1)
    drive.end()
    status = drive.status.file.getvalue()
    assert "claude-test" in status and "12 in" in status and "34 out" in status
    assert "end_turn" in status and re.search(r"\d+\.\d s", status)


def test_synchronized_output_wraps_every_frame():
    drive = Drive(status_line=False)
    drive.text(realistic(2000), fixed(realistic(2000), 10), frame_every=5)
    drive.end()
    raw = drive.raw
    assert raw.count("\x1b[?2026h") == raw.count("\x1b[?2026l") > 5


def test_thinking_is_drawn_on_the_status_console_not_with_the_reply():
    drive = Drive(thinking="expanded")
    drive.status = terminal_console(80, 24)  # stderr elsewhere (ask 2>somewhere)
    drive.view.status = drive.status
    thinking_then_text(drive)
    reply = "\n".join(drive.end())
    status = "\n".join(screen_lines(drive.status.file.getvalue(), 80, 24))
    assert "The answer is 42." in reply
    assert "consider the question" not in reply and "Thinking" not in reply
    assert "First I consider the question." in status and "12 in" in status


@pytest.mark.parametrize(("env", "rewraps"), [
    ({}, True),
    ({"VTE_VERSION": "7600"}, True),
    ({"XTERM_VERSION": "XTerm(390)"}, False),
    ({"STY": "1234.pts-0.host"}, False),
    ({"XTERM_VERSION": "XTerm(390)", "TMUX": "/tmp/tmux-0/default,1,0"}, True),
], ids=["unknown", "vte", "xterm", "gnu-screen", "tmux-in-xterm"])
def test_which_terminals_rewrap_their_lines(env, rewraps):
    assert terminal_rewraps(env) is rewraps


def test_a_reply_cut_short_shows_its_cost_as_a_lower_bound():
    """The usage of a reply that never got its message_delta is message_start's (output 1):
    the cost it gives is only what is known so far, and the line says so."""
    from claudechat.ask import usage_line
    from claudechat.render.status import status_text

    cut = Message(model="claude-test", content=[{"type": "text", "text": "Half"}],
                  usage={"input_tokens": 12, "output_tokens": 1})
    line = status_text(TurnResult(message=cut, interrupted=True), 120, cost="$0.0001").plain
    assert "at least $0.0001" in line and "interrupted" in line
    assert "cost: at least $0.0001" in usage_line(cut, 1.0, "$0.0001")
    whole = Message(model="claude-test", content=[{"type": "text", "text": "Whole"}],
                    stop_reason="end_turn", usage={"input_tokens": 12, "output_tokens": 3})
    line = status_text(TurnResult(message=whole, complete=True), 120, cost="$0.0001").plain
    assert "$0.0001" in line and "at least" not in line
    assert "cost: $0.0001 ·" in usage_line(whole, 1.0, "$0.0001")


def test_the_status_line_numbers_the_reply_first_and_keeps_the_number_when_cut():
    """#N is what /expand N, /copy N and /show N take: it is never the part cut off."""
    from claudechat.render.status import status_text

    reply = Message(model="claude-test", content=[{"type": "text", "text": "Hi"}], stop_reason="end_turn",
                    usage={"input_tokens": 12, "output_tokens": 3})
    line = status_text(TurnResult(message=reply, complete=True), 120, number=7).plain
    assert line.startswith("#7 · claude-test · 12 in · 3 out · end_turn · ")
    narrow = status_text(TurnResult(message=reply, complete=True), 20, number=7).plain
    assert narrow.startswith("#7 · ") and len(narrow) <= 20
    assert not status_text(TurnResult(message=reply, complete=True), 120).plain.startswith("#")


class InterruptingFile(TerminalFile):
    """A terminal whose first write after `arm()` is answered by a real SIGINT to this
    process (as Ctrl-C mid-frame would be)."""

    armed = False

    def write(self, text: str) -> int:
        if self.armed:
            self.armed = False
            os.kill(os.getpid(), signal.SIGINT)
        return super().write(text)


def test_ctrl_c_in_the_middle_of_a_frame_takes_effect_after_it():
    """Frames are drawn by the reading thread (flush); an interrupt that comes while one is
    written waits for its end: what it was printing is all on the screen, and the
    synchronized update is closed."""
    out = InterruptingFile()
    console = Console(file=out, width=80, height=24, force_terminal=True, force_interactive=True,
                      color_system=None, highlight=False)
    view = RichView(console, console, fps=1000)
    message = Message()
    view.event(ContentBlockStart(0, {"type": "text", "text": ""}), message)
    text = "".join(f"Paragraph {i} of the reply.\n\n" for i in range(30))
    view.event(ContentBlockDelta(0, TextDelta(text)), message)
    out.armed = True
    with pytest.raises(KeyboardInterrupt):
        view.flush()
    written = out.getvalue()
    assert not out.armed  # the interrupt came during the frame's writes
    assert written.rindex(SYNC_START) < written.rindex(SYNC_END)  # the frame was finished
    shown = screen_lines(written, 80, 24)
    assert [line for line in shown if line.startswith("Paragraph")] == \
        [f"Paragraph {i} of the reply." for i in range(30)]  # the finished blocks, and the open one live
