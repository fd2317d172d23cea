"""Render benchmark: streamed Markdown through the rich view, beside two floors.

Replies of 20, 80 and 320 KB of realistic Markdown, in 4-character text deltas,
go into `RichView` drawing to a 100x40 colour terminal (an in-memory file that
says it is a terminal), and the process CPU time is measured (all threads).

(a) burst: every delta as fast as possible, with the real 20 fps ticker
    thread, as when the server outpaces the screen.
(b) paced at 2,000 characters per second: the ticker's work is replayed
    frame by frame (one frame per 100 new characters, as at 20 fps), so the
    CPU per second of streaming is measured without waiting minutes.

Floors, measured in the same run: writing the raw text (delta by delta), and
rendering the finished document once with rich.

    python bench/render.py [--sizes 20,80,320]

Goals: (a) at most 1.5x the render-once floor at every size; (b) under 10 %
of one core while streaming; growth from 80 to 320 KB at most 4.4x.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from markdown_corpus import realistic  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.markdown import Markdown  # noqa: E402

from claudechat.api.events import (  # noqa: E402
    ContentBlockDelta,
    ContentBlockStart,
    ContentBlockStop,
    Message,
    TextDelta,
)
from claudechat.render.rich_view import FPS, RichView  # noqa: E402
from claudechat.turn import TurnResult  # noqa: E402

WIDTH, HEIGHT, DELTA, PACE = 100, 40, 4, 2000


class Sink(io.TextIOBase):
    """A terminal that swallows what it is sent (counting it)."""

    def __init__(self) -> None:
        self.bytes = 0

    def write(self, text: str) -> int:
        self.bytes += len(text)
        return len(text)

    def isatty(self) -> bool:
        return True


def console() -> Console:
    return Console(file=Sink(), width=WIDTH, height=HEIGHT, force_terminal=True,
                   force_interactive=True, color_system="truecolor")


def cpu(fn) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def floor_raw(text: str) -> None:
    sink = Sink()
    for i in range(0, len(text), DELTA):
        sink.write(text[i : i + DELTA])
        sink.flush()


def floor_render_once(text: str) -> None:
    console().print(Markdown(text))


def stream(text: str, *, paced: bool) -> None:
    view = RichView(console(), Console(file=Sink()), fps=None if paced else FPS, status_line=False)
    message = Message(model="bench")
    view.begin()
    view.event(ContentBlockStart(0, {"type": "text", "text": ""}), message)
    per_frame = PACE // FPS
    for n, i in enumerate(range(0, len(text), DELTA)):
        view.event(ContentBlockDelta(0, TextDelta(text[i : i + DELTA])), message)
        if paced and (n + 1) % (per_frame // DELTA) == 0:
            view.frame()
    view.event(ContentBlockStop(0), message)
    view.end(TurnResult(message=message, complete=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20,80,320", help="reply sizes in KB")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"render: {DELTA}-char deltas into a {WIDTH}x{HEIGHT} terminal; CPU seconds")
    print(f"{'size':>6} {'raw':>7} {'once':>7} {'burst':>7} {'burst/once':>10} "
          f"{'paced':>7} {'paced % core':>12}")
    warm = realistic(3000)  # imports, lexers and caches, before anything is timed
    floor_render_once(warm)
    stream(warm, paced=True)
    stream(warm, paced=False)
    burst_at: dict[int, float] = {}
    ok = True
    for kb in sizes:
        text = realistic(kb * 1000)
        raw = cpu(lambda text=text: floor_raw(text))
        once = cpu(lambda text=text: floor_render_once(text))
        burst = cpu(lambda text=text: stream(text, paced=False))
        paced = cpu(lambda text=text: stream(text, paced=True))
        share = paced / (len(text) / PACE) * 100
        burst_at[kb] = burst
        ok &= burst <= 1.5 * once and share < 10
        print(f"{kb:>4}KB {raw:7.3f} {once:7.3f} {burst:7.3f} {burst / once:9.2f}x "
              f"{paced:7.3f} {share:11.1f}%")
    if 80 in burst_at and 320 in burst_at:
        growth = burst_at[320] / burst_at[80]
        ok &= growth <= 4.4
        print(f"growth 80 -> 320 KB (burst): {growth:.2f}x (goal <= 4.4x)")
    print("goals:", "met" if ok else "MISSED")


if __name__ == "__main__":
    main()
