"""What the live view says while it waits (issue 10, item 10), on a fake clock and read back
through a terminal emulator: the wait before a retry counting down in the spinner, and
"no data for N s" under a reply that has gone silent for 10 s (the default), said each
second and gone once data comes. The plain view says a retry in one line."""

from __future__ import annotations

import io

from helpers.terminal import TerminalFile, screen_lines, terminal_console

from claudechat.api.events import ContentBlockDelta, ContentBlockStart, TextDelta
from claudechat.api.retry import RetryWait
from claudechat.message import Message
from claudechat.render.rich_view import RichView
from claudechat.render.status import Waiting, stall_after_for
from claudechat.render.view import PlainView

RATE_LIMITED = RetryWait(2.0, "429 rate limited", 2, 3)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Live:
    """A RichView with no ticker on an 80x24 terminal, on a fake clock; frames drawn when told."""

    def __init__(self, **options) -> None:
        self.clock = Clock()
        self.console = terminal_console(80, 24)
        self.view = RichView(self.console, self.console, fps=None, clock=self.clock, **options)
        self.message = Message()

    def text(self, piece: str) -> None:
        """A read of the connection that brought `piece` (flush comes before the next read)."""
        if not self.message.content:
            self.message.content.append({"type": "text", "text": ""})
            self.view.event(ContentBlockStart(0, {"type": "text", "text": ""}), self.message)
        self.view.event(ContentBlockDelta(0, TextDelta(piece)), self.message)
        self.view.flush()

    def at(self, seconds: float) -> list[str]:
        """The screen `seconds` after begin(), once the ticker has drawn a frame."""
        self.clock.now = self.started + seconds
        self.view.frame()
        return screen_lines(self.console.file.getvalue(), 80, 24)

    def begin(self) -> None:
        self.started = self.clock.now
        self.view.begin()


def test_a_reply_silent_for_10_s_says_so_each_second_until_data_comes():
    live = Live(idle_timeout=60)
    live.begin()
    live.text("The first half.")
    assert live.at(9.9) == ["The first half."]
    assert live.at(10.0) == ["The first half.", "no data for 10 s (gives up after 60 s)"]
    assert live.at(12.5) == ["The first half.", "no data for 12 s (gives up after 60 s)"]
    live.text(" The second half.")  # data again, at 12.5 s: the line goes
    assert live.at(12.6) == ["The first half. The second half."]
    assert live.at(22.4) == ["The first half. The second half."]  # 9.9 s of silence
    assert live.at(22.5) == ["The first half. The second half.", "no data for 10 s (gives up after 60 s)"]


def test_silence_is_counted_from_the_last_read_not_from_the_last_text():
    live = Live(idle_timeout=60)
    live.begin()
    live.text("Thinking hard.")
    live.clock.now = live.started + 8
    live.view.flush()  # a read that brought no text (a ping)
    assert live.at(17.9) == ["Thinking hard."]
    assert live.at(18.0)[-1] == "no data for 10 s (gives up after 60 s)"


def test_nothing_is_said_of_silence_before_the_reply_starts():
    live = Live(idle_timeout=60)
    live.begin()  # the spinner says the time waited; no terminal: it is not drawn here
    assert not any("no data" in line for line in live.at(30))


def test_the_stall_is_said_after_10_s_or_a_sixth_of_a_shorter_idle_timeout():
    assert stall_after_for(None) == 10 and stall_after_for(60) == 10 and stall_after_for(600) == 10
    assert stall_after_for(12) == 2 and stall_after_for(3) == 1  # at least a second
    live = Live(idle_timeout=12)
    live.begin()
    live.text("Half")
    assert live.at(1.9) == ["Half"]
    assert live.at(2.0) == ["Half", "no data for 2 s (gives up after 12 s)"]


def test_the_spinner_counts_down_to_the_retry_then_says_the_attempt():
    clock = Clock()
    waiting = Waiting(clock.now, clock)
    assert waiting.text().plain == "Waiting for Claude… 0.0 s"
    waiting.retry = (RATE_LIMITED, clock.now + RATE_LIMITED.delay)
    assert waiting.text().plain == "retrying in 2 s (429 rate limited, attempt 2 of 3)"
    clock.now += 0.75  # whole seconds, rounded up, as a countdown reads
    assert waiting.text().plain == "retrying in 2 s (429 rate limited, attempt 2 of 3)"
    clock.now += 0.5
    assert waiting.text().plain == "retrying in 1 s (429 rate limited, attempt 2 of 3)"
    clock.now += 0.5
    assert waiting.text().plain == "retrying in 1 s (429 rate limited, attempt 2 of 3)"
    clock.now += 0.5
    assert waiting.text().plain == "Waiting for Claude… 2.2 s (attempt 2 of 3)"
    short = RetryWait(0.5, "529 overloaded", 3, 3)  # a wait under a second counts in tenths
    waiting.retry = (short, clock.now + short.delay)
    assert waiting.text().plain == "retrying in 0.5 s (529 overloaded, attempt 3 of 3)"
    clock.now += 0.25
    assert waiting.text().plain == "retrying in 0.3 s (529 overloaded, attempt 3 of 3)"


def test_the_retry_shows_in_the_spinner_at_once_and_leaves_nothing_behind():
    console = terminal_console(80, 24)
    view = RichView(console, console, fps=None)
    view.begin()
    view.retrying(RATE_LIMITED)
    raw = console.file.getvalue()
    assert "retrying in 2 s (429 rate limited, attempt 2 of 3)" in raw
    view.event(ContentBlockStart(0, {"type": "text", "text": ""}), Message())
    view.event(ContentBlockDelta(0, TextDelta("Answer.")), Message())
    view.frame()
    assert screen_lines(console.file.getvalue(), 80, 24) == ["Answer."]


def test_a_status_console_that_is_no_terminal_gets_the_retry_as_one_line():
    status = io.StringIO()
    from rich.console import Console

    view = RichView(terminal_console(80, 24), Console(file=status, width=80), fps=None)
    view.begin()
    view.retrying(RATE_LIMITED)
    assert status.getvalue() == "claudechat: retrying in 2 s (429 rate limited, attempt 2 of 3)\n"


def test_the_plain_view_says_each_retry_in_one_line_on_stderr_without_escapes():
    out, err = io.StringIO(), io.StringIO()
    view = PlainView(out, err)
    view.retrying(RATE_LIMITED)
    view.retrying(RetryWait(0.43, "connection reset", 3, 3))
    assert err.getvalue() == ("claudechat: retrying in 2 s (429 rate limited, attempt 2 of 3)\n"
                              "claudechat: retrying in 0.5 s (connection reset, attempt 3 of 3)\n")
    assert out.getvalue() == ""


def test_on_a_colour_terminal_the_plain_views_retry_line_is_dim():
    err = TerminalFile()
    view = PlainView(io.StringIO(), err, err_terminal=True)
    view.retrying(RATE_LIMITED)
    assert err.getvalue() == "\x1b[2mclaudechat: retrying in 2 s (429 rate limited, attempt 2 of 3)\x1b[0m\n"


def test_the_spinner_does_not_load_richs_emoji_table():
    """A spinner given its text as a string reads it as markup, which loads rich's table of
    emoji codes (1.4 MB) into every reply's process; the waiting spinner gives a Text."""
    import subprocess
    import sys

    code = ("import sys; from claudechat.render.status import Waiting; "
            "from rich.console import Console; import io; "
            "Console(file=io.StringIO(), force_terminal=True).print(Waiting(0.0)); "
            "print('rich._emoji_codes' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
