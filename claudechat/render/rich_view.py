"""RichView: the live view for terminals.

Each content block of the reply is a section (sections.py: text as Markdown,
thinking, tool calls, notes). Finished output is printed once into the
scrollback; only the open section's tail is live.

Events only append to buffers (under a lock), and frames are drawn at most `fps`
times a second, so when the stream outpaces the screen, frames are dropped, not
queued. The thread that reads the stream draws them, in `flush` before each read of
the connection, when a frame is due: a second thread drawing while the first reads
would take the interpreter's lock from it for a switch interval at every read (a
reply that arrives fast was read half as fast). A ticker thread draws only while
the reading thread waits for data: the last events before the stream paused, the stall
line. Each frame is one write, wrapped in synchronized output
(DEC mode 2026) where the terminal may support it. Before the first token a
spinner shows the elapsed time on the status console (stderr for `ask`), or the wait
before a retry, counting down. Once the reply streams, the ticker also watches for
silence: after `stall_after` seconds without a read from the connection a line under
the live part says "no data for N s", each second, until data comes.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.live import Live
from rich.segment import Segment
from rich.text import Text

from claudechat import signals
from claudechat.api.events import (
    ContentBlockDelta,
    ContentBlockStart,
    ContentBlockStop,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
)
from claudechat.api.retry import RetryWait
from claudechat.citations import Footnotes
from claudechat.message import Message
from claudechat.render.sections import Section, section_for, source_lines
from claudechat.render.status import Under, Waiting, stall_after_for, stall_line, status_text
from claudechat.sanitize import sanitize

if TYPE_CHECKING:
    from claudechat.turn import TurnResult

FPS = 20
SYNC_START, SYNC_END = "\x1b[?2026h", "\x1b[?2026l"


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
                 fps: float | None = FPS, idle_timeout: float | None = None,
                 stall_after: float | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        """`fps=None`: no ticker thread; the caller draws with `frame()` (tests).
        `idle_timeout`: when claudechat gives up on a silent stream (said in the stall
        line); `stall_after`: the silence that is said (default: stall_after_for)."""
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
        self._drawn = float("-inf")  # when the last frame was drawn (the clock's time)
        self._reading = True  # the reading thread waits for data (no event since its flush)
        self._live: Live | None = None
        self._shown_rows: list[int] = []  # the cell width of each row the live region shows
        self._shown_width = 0  # the console width it was drawn at
        self._spinner: Live | None = None
        self._ticker: threading.Thread | None = None
        self._stop = threading.Event()
        self.clock = clock
        self._started = clock()
        self.fps = fps
        self.rewraps = terminal_rewraps()
        self.idle_timeout = idle_timeout
        self.stall_after = stall_after_for(idle_timeout) if stall_after is None else stall_after
        self._waiting: Waiting | None = None
        self._heard = self._started  # the last read of the connection (flush)
        self._streaming = False  # a frame has drawn some of the reply
        self._stall: int | None = None  # the seconds of silence the live part says
        self.footnotes = Footnotes()  # the reply's cited sources, listed under it
        self.links = False  # sources as OSC 8 hyperlinks (the terminal supports them: choose_view)

    # -- StreamView --------------------------------------------------------------

    def begin(self) -> None:
        self._started = self._heard = self.clock()
        self._streaming, self._stall = False, None
        self._stop.clear()  # a paused reply that is continued begins again
        self.footnotes = Footnotes()
        self._waiting = Waiting(self._started, self.clock)
        self._start_spinner()
        if self.fps:
            self._ticker = threading.Thread(target=self._tick, name="claudechat-render", daemon=True)
            self._ticker.start()

    def event(self, event: StreamEvent, message: Message) -> None:
        self._reading = False
        with self._lock:
            if isinstance(event, ContentBlockStart):
                if self._current is None or not self._current.absorbs(event.block):
                    self._close_current()
                    self._current = section_for(event.block, self.thinking, self.code_theme)
            elif isinstance(event, ContentBlockDelta) and self._current is not None:
                self._current.feed(event.delta)
            elif isinstance(event, ContentBlockStop):
                self._stopped(message.content[event.index] if event.index < len(message.content) else {})
            else:
                return
            self._dirty = True

    def _stopped(self, block: dict[str, Any]) -> None:
        """A block ended: its footnote markers; the section closes unless the next block may
        be its own (sections.Section.waiting)."""
        if self._current is None:
            return
        marker = self.footnotes.mark(block.get("citations"))
        if marker:
            self._current.cite(marker)
        if not self._current.waiting:
            self._close_current()

    def flush(self) -> None:
        """Before each read of the connection: the time is noted (for the stall line), and
        what changed is drawn when a frame is due (at most `fps` a second). Ctrl-C waits
        for the frame's end: a frame cut in half would lose the blocks it was printing
        and leave the terminal in synchronized output."""
        self._heard = now = self.clock()
        if self._dirty and self.fps and now - self._drawn >= 1 / self.fps:
            with signals.deferred():
                self.frame()
        self._reading = True

    def retrying(self, wait: RetryWait) -> None:
        """A failed request is tried again after `wait.delay`: the spinner counts down
        (a status console that is no terminal gets the line once)."""
        with self._lock:
            if self._waiting is None:
                self._waiting = Waiting(self._started, self.clock)
            self._waiting.retry = (wait, self.clock() + wait.delay)
            if not self.status.is_terminal:
                self.status.print(Text(f"claudechat: {wait.line()}"))
            elif self._spinner is None and not self._streaming:
                self._start_spinner()
            elif self._spinner is not None:
                self._spinner.refresh()  # said at once, not at the spinner's next tick

    def whole(self, message: Message) -> None:
        self._heard = self.clock()  # it all came at once: no silence mid-reply
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
            self._stall = None
            self._close_current()
            self._frame()
            if self._live is not None:
                self._live.stop()
                self._live = None
            self._stop_spinner()
        if self.footnotes.sources:
            self.console.print(Group(Text(""), *source_lines(self.footnotes.sources, links=self.links)))
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
        """Draw what changed since the last frame (and the stall line, when it changed)."""
        with self._lock:
            self._watch_stall()
            if self._dirty:
                self._dirty = False
                self._frame()

    def _tick(self) -> None:
        """While the reading thread waits for data: what it left undrawn (the last events
        before a pause, when they came within a frame of the one before) and the stall
        line. Never while it is busy with events: it draws those itself."""
        interval = 1 / (self.fps or FPS)
        while not self._stop.wait(interval):
            if self._reading and self.clock() - self._drawn >= interval:
                self.frame()

    def _watch_stall(self) -> None:
        """Once the reply streams: the whole seconds since the last read, when they reach
        stall_after (None before); a change is a frame to draw."""
        if not self._streaming:
            return
        silent = self.clock() - self._heard
        stall = int(silent) if silent >= self.stall_after else None
        if stall != self._stall:
            self._stall, self._dirty = stall, True

    def _frame(self) -> None:
        self._drawn = self.clock()
        batches: list[tuple[Console, list[RenderableType]]] = []
        for section in self._done:
            self._batch(batches, section, section.flush())
        self._done.clear()
        tail, tail_console = None, self.console
        if self._current is not None:
            self._batch(batches, self._current, self._current.take_commits())
            tail_console = self._console_for(self._current)
            room = tail_console.height - (3 if self._stall is not None else 2)
            tail = self._current.tail(max(3, room))
            if tail is not None and not self._current.printed and self._printed_any:
                tail = Group(Text(""), tail)  # the gap it will have once committed
        elif self._live is not None:
            tail_console = self._live.console
        if self._stall is not None:
            tail = Under(tail, stall_line(self._stall, self.idle_timeout))
        if not batches and tail is None and self._live is None:
            return
        self._streaming = True
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

    def _start_spinner(self) -> None:
        if self.status.is_terminal and self._waiting is not None:
            self._spinner = Live(self._waiting, console=self.status, transient=True,
                                 refresh_per_second=10, redirect_stdout=False, redirect_stderr=False)
            self._spinner.start()

    def _stop_spinner(self) -> None:
        if self._spinner is not None:
            self._spinner.stop()
            self._spinner = None
