"""RichView: the live view for terminals.

Each content block of the reply is a section (sections.py: text as Markdown,
thinking, tool calls, notes). Finished output is printed once into the
scrollback; only the open section's tail is live.

Drawing happens on a ticker thread at a fixed frame rate: events only append
to buffers (under a lock), so when the stream outpaces the screen, frames are
dropped, not queued. Each frame is one write, wrapped in synchronized output
(DEC mode 2026) where the terminal may support it. Before the first token a
spinner shows the elapsed time on the status console (stderr for `ask`).
"""

from __future__ import annotations

import os
import threading
import time
from typing import TYPE_CHECKING, Any

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.live import Live
from rich.segment import Segment
from rich.spinner import Spinner
from rich.text import Text

from claudechat.api.events import (
    ContentBlockDelta,
    ContentBlockStart,
    ContentBlockStop,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
)
from claudechat.message import Message
from claudechat.render.sections import Section, section_for
from claudechat.render.view import token_counts
from claudechat.sanitize import sanitize

if TYPE_CHECKING:
    from claudechat.turn import TurnResult

FPS = 20
SYNC_START, SYNC_END = "\x1b[?2026h", "\x1b[?2026l"


class _Waiting:
    """The spinner before the first token, with the elapsed time."""

    def __init__(self, started: float) -> None:
        self.started = started
        self.spinner = Spinner("dots", style="dim")

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        elapsed = time.monotonic() - self.started
        self.spinner.text = Text(f"Waiting for Claude… {elapsed:.1f} s", style="dim")
        yield self.spinner


def terminal_rewraps(env: Any = None) -> bool:
    """Does the terminal re-wrap its lines when it gets narrower? Nearly all do now
    (tmux, VTE, kitty, iTerm2, Terminal.app, WezTerm, Alacritty, Windows Terminal);
    xterm and GNU screen cut lines instead, and there clearing re-wrapped rows would
    erase lines above the live region."""
    env = os.environ if env is None else env
    if env.get("TMUX"):
        return True
    return not env.get("XTERM_VERSION") and not env.get("STY")


class _Measured:
    """Renders as `renderable` without rich's padding (trailing plain spaces), noting
    the cell width of each row. Unpadded rows re-wrap alike in every
    terminal, whether or not it keeps written trailing spaces when it re-wraps."""

    def __init__(self, renderable: RenderableType) -> None:
        self.renderable = renderable
        self.lengths: list[int] = []  # filled in when it is rendered

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = [_unpadded(line) for line in console.render_lines(self.renderable, options, pad=False)]
        self.lengths = [Segment.get_line_length(line) for line in lines]
        for index, line in enumerate(lines):
            if index:
                yield Segment.line()
            yield from line


def _unpadded(line: list[Segment]) -> list[Segment]:
    """The row without trailing spaces that show nothing (no background colour)."""
    line = list(line)
    while line:
        last = line[-1]
        if last.control or (last.style and last.style.bgcolor):
            break
        text = last.text.rstrip(" ")
        if text:
            line[-1] = Segment(text, last.style)
            break
        line.pop()
    return line


class RichView:
    def __init__(self, console: Console, status: Console, *, thinking: str = "collapsed",
                 code_theme: str = "monokai", sync: bool = True, status_line: bool = True,
                 fps: float | None = FPS) -> None:
        """`fps=None`: no ticker thread; the caller draws with `frame()` (tests)."""
        self.console = console
        self.status = status
        self.thinking = thinking
        self.code_theme = code_theme
        self.sync = sync
        self.status_line = status_line
        self.pricing: Any = None  # Message -> "$0.0123 · cache saved …" or None (the caller's)
        self.numbering: Any = None  # () -> the number of the reply just kept (the chat's, for /expand N)
        self._lock = threading.RLock()
        self._done: list[Section] = []
        self._current: Section | None = None
        self._printed_any = False
        self._dirty = False
        self._live: Live | None = None
        self._shown_rows: list[int] = []  # the cell width of each row the live region shows
        self._shown_width = 0  # the console width it was drawn at
        self._spinner: Live | None = None
        self._ticker: threading.Thread | None = None
        self._stop = threading.Event()
        self._started = time.monotonic()
        self.fps = fps
        self.rewraps = terminal_rewraps()

    # -- StreamView --------------------------------------------------------------

    def begin(self) -> None:
        self._started = time.monotonic()
        if self.status.is_terminal:
            self._spinner = Live(_Waiting(self._started), console=self.status, transient=True,
                                 refresh_per_second=10, redirect_stdout=False, redirect_stderr=False)
            self._spinner.start()
        if self.fps:
            self._ticker = threading.Thread(target=self._tick, name="claudechat-render", daemon=True)
            self._ticker.start()

    def event(self, event: StreamEvent, message: Message) -> None:
        with self._lock:
            if isinstance(event, ContentBlockStart):
                self._close_current()
                self._current = section_for(event.block, self.thinking, self.code_theme)
            elif isinstance(event, ContentBlockDelta) and self._current is not None:
                self._current.feed(event.delta)
            elif isinstance(event, ContentBlockStop):
                self._close_current()
            else:
                return
            self._dirty = True

    def flush(self) -> None:
        """The ticker draws what changed; nothing to do per network read."""

    def whole(self, message: Message) -> None:
        for index, block in enumerate(message.content):
            self.event(ContentBlockStart(index, block), message)
            kind = block.get("type")
            if kind == "text":
                self.event(ContentBlockDelta(index, TextDelta(block.get("text", ""))), message)
            elif kind == "thinking":
                self.event(ContentBlockDelta(index, ThinkingDelta(block.get("thinking", ""))), message)
            self.event(ContentBlockStop(index), message)

    def notice(self, text: str) -> None:
        with self._lock:
            self._stop_spinner()
            self.status.print(Text(f"claudechat: {sanitize(text)}", style="yellow"))

    def note(self, text: str) -> None:
        with self._lock:
            self._stop_spinner()
            self.status.print(Text(sanitize(text), style="dim"))

    def end(self, result: TurnResult) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        with self._lock:
            self._close_current()
            self._frame()
            if self._live is not None:
                self._live.stop()
                self._live = None
            self._stop_spinner()
        if self.status_line and (result.message.usage or result.message.content):
            cost = self.pricing(result.message) if self.pricing else None
            kept = self.numbering is not None and result.has_content  # else no reply was kept
            number = self.numbering() if kept else None
            self.status.print(status_text(result, self.status.width, cost, number=number))

    # -- drawing -------------------------------------------------------------------

    def _close_current(self) -> None:
        if self._current is not None:
            self._current.stop()
            self._done.append(self._current)
            self._current = None

    def frame(self) -> None:
        """Draw what changed since the last frame."""
        with self._lock:
            if self._dirty:
                self._dirty = False
                self._frame()

    def _tick(self) -> None:
        while not self._stop.wait(1 / (self.fps or FPS)):
            self.frame()

    def _frame(self) -> None:
        batches: list[tuple[Console, list[RenderableType]]] = []
        for section in self._done:
            self._batch(batches, section, section.flush())
        self._done.clear()
        tail, tail_console = None, self.console
        if self._current is not None:
            self._batch(batches, self._current, self._current.take_commits())
            tail_console = self._console_for(self._current)
            tail = self._current.tail(max(3, tail_console.height - 2))
            if tail is not None and not self._current.printed and self._printed_any:
                tail = Group(Text(""), tail)  # the gap it will have once committed
        if not batches and tail is None and self._live is None:
            return
        self._stop_spinner()
        for console, renderables in batches:
            self._draw(console, Group(*renderables), None)
        self._draw(tail_console, None, tail)

    def _draw(self, console: Console, commit: RenderableType | None,
              tail: RenderableType | None) -> None:
        """One frame on one console: print `commit` above, show `tail` live."""
        if self._live is not None and self._live.console is not console:
            self._live.stop()  # thinking lives on the status console, text on the main one
            self._live = None
            self._shown_rows = []
        if self._live is None:
            self._live = Live(console=console, transient=True, auto_refresh=False,
                              redirect_stdout=False, redirect_stderr=False)
            self._live.start()
        sync = self.sync and console.is_terminal
        if sync:
            console.file.write(SYNC_START)
        if console.is_terminal:
            self._clear_reflowed(console)
        with console:  # one write for the whole frame
            if commit is not None:
                # Empty the live region first: rich redraws the live renderable
                # it last refreshed below anything printed.
                self._live.update(Text(""), refresh=True)
                console.print(commit)
            shown = _Measured(tail if tail is not None else Text(""))
            self._live.update(shown, refresh=True)
        self._shown_rows, self._shown_width = shown.lengths, console.width
        if sync:
            console.file.write(SYNC_END)
            console.file.flush()

    def _clear_reflowed(self, console: Console) -> None:
        """After the terminal got narrower, the live region's rows were re-wrapped
        (as tmux, VTE, kitty, iTerm2 and Windows Terminal do): a row of N cells (drawn
        unpadded, see _Measured) now takes ceil(N / new width) rows. rich
        would clear only as many rows as it drew; clear the extra ones first, so no
        stale copy is left above the redraw."""
        width = console.width
        if not self._shown_rows or width >= self._shown_width or not self.rewraps:
            return
        rows = sum(max(1, -(-length // width)) for length in self._shown_rows)
        extra = rows - len(self._shown_rows)
        if extra > 0:
            console.file.write("\r\x1b[2K" + "\x1b[1A\x1b[2K" * extra)

    def _console_for(self, section: Section) -> Console:
        return self.status if section.on_status else self.console

    def _batch(self, batches: list[tuple[Console, list[RenderableType]]], section: Section,
               renderables: list[RenderableType]) -> None:
        renderables = self._spaced(section, renderables)
        if not renderables:
            return
        console = self._console_for(section)
        if batches and batches[-1][0] is console:
            batches[-1][1].extend(renderables)
        else:
            batches.append((console, renderables))

    def _spaced(self, section: Section, renderables: list[RenderableType]) -> list[RenderableType]:
        """A blank line between sections (a text block spaces its own blocks)."""
        if not renderables:
            return []
        out = list(renderables)
        if not section.printed and self._printed_any:
            out.insert(0, Text(""))
        section.printed = self._printed_any = True
        return out

    def _stop_spinner(self) -> None:
        if self._spinner is not None:
            self._spinner.stop()
            self._spinner = None


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
