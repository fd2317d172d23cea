"""What the live view says while it waits: the spinner before the first token (the
elapsed time, or the wait before a retry counting down), and the line that says a
reply has gone silent; the status line under a finished reply."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.segment import Segment
from rich.spinner import Spinner
from rich.text import Text

from claudechat.api.retry import RetryWait, seconds
from claudechat.render.view import token_counts
from claudechat.sanitize import sanitize

if TYPE_CHECKING:
    from claudechat.turn import TurnResult

STALL_AFTER = 10.0  # seconds of silence mid-reply before the view says so


def stall_after_for(idle_timeout: float | None) -> float:
    """When to say a reply has gone silent: after STALL_AFTER seconds, or a sixth of the
    idle timeout when that is shorter (at least a second), so that it is said well before
    claudechat gives up."""
    return STALL_AFTER if idle_timeout is None else max(1.0, min(STALL_AFTER, idle_timeout / 6))


class Waiting:
    """The spinner before the first token: the elapsed time, or the wait before a retry
    counting down (then the attempt it is on)."""

    def __init__(self, started: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.started = started
        self.clock = clock
        # its text a Text, not a string: rich would read a string as markup, and reading
        # markup loads rich's emoji table (1.4 MB, ~5 ms) for the spinner's empty text
        self.spinner = Spinner("dots", text=Text(""), style="dim")
        self.retry: tuple[RetryWait, float] | None = None  # the wait, and when it is over

    def text(self) -> Text:
        now = self.clock()
        if self.retry is not None:
            wait, until = self.retry
            if now < until:
                return Text(wait.line(until - now), style="yellow")
            return Text(f"Waiting for Claude… {now - self.started:.1f} s "
                        f"(attempt {wait.attempt} of {wait.attempts})", style="dim")
        return Text(f"Waiting for Claude… {now - self.started:.1f} s", style="dim")

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        self.spinner.text = self.text()
        yield self.spinner


def stall_line(silent: int, idle_timeout: float | None) -> Text:
    """"no data for 12 s (gives up after 60 s)": a reply that has gone silent."""
    limit = f" (gives up after {seconds(idle_timeout)})" if idle_timeout else ""
    return Text(f"no data for {silent} s{limit}", style="yellow")


class Under:
    """`renderable`, then `line` on a row of its own below it (a renderable that ends
    without a newline, such as a cropped tail, would otherwise swallow the line)."""

    def __init__(self, renderable: RenderableType | None, line: Text) -> None:
        self.renderable = renderable
        self.line = line

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if self.renderable is not None:
            for row in console.render_lines(self.renderable, options.update(height=None), pad=False):
                yield from row
                yield Segment.line()
        yield self.line


def status_text(result: TurnResult, width: int = 80, cost: str | None = None,
                number: int | None = None) -> Text:
    """One dim line: the reply's number in the chat ("#3", for /expand 3 and /copy 3),
    model, tokens (cache reads and writes when any), the cost, stop reason, time. When
    it is wider than the terminal, the model goes first, then the line is cut."""
    message = result.message
    parts = token_counts(message.usage)
    if cost:  # a reply cut short never got its final usage: what is known is a lower bound
        parts.append(cost if message.stop_reason else f"at least {cost}")
    if result.interrupted:
        parts.append("interrupted")
    elif message.stop_reason:
        parts.append(message.stop_reason)
    else:
        parts.append("incomplete")
    parts.append(f"{result.elapsed:.1f} s")
    line = " · ".join(parts)
    number_part = "" if number is None else f"#{number} · "  # never the part cut off
    if message.model and len(number_part) + len(message.model) + 3 + len(line) <= width:
        line = f"{message.model} · {line}"
    line = number_part + line
    text = Text(sanitize(line), style="dim", no_wrap=True, overflow="ellipsis")
    text.truncate(width, overflow="ellipsis")
    return text
