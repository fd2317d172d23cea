"""Render benchmark: streamed Markdown through the rich view, beside floors measured in the same run.

Machines are noisy, so every figure is measured `--rounds` times, the candidate
and its floors interleaved within each round (their order alternating from round
to round) so that they see the same noise; what is reported is the median of the
per-round ratios, with their spread.

The view (default): replies of 20, 80 and 320 KB of realistic Markdown, in
4-character text deltas, go into `RichView` drawing to a 100x40 colour terminal
(an in-memory file that says it is a terminal); the process CPU time is measured
(all threads).

(a) burst: every delta as fast as possible, with the real 20 fps ticker thread,
    as when the server outpaces the screen.
(b) paced at 2,000 characters per second: the ticker's work is replayed frame by
    frame (one frame per 100 new characters, as at 20 fps), so the CPU per second
    of streaming is measured without waiting minutes.

Floors: writing the raw text (delta by delta), and rendering the finished
document once with the Markdown the view draws with (rich's, with claudechat's code
blocks, tables, lists and quotes: claudechat/render/blocks.py), so the ratio is what
streaming costs over drawing the same thing once.

    python bench/render.py [--sizes 20,80,320] [--rounds 5]

Goals: (a) burst at most 1.5x render-once at every size; (b) paced under 10 % of
one core; growth of burst from 80 to 320 KB at most 4.4x.

The real CLI (`--cli`): `claudechat ask --no-save` on a 100x40 pseudo-terminal
against the loopback fake server (tests/helpers/fake_server.py), which sends the reply in
4-character deltas as fast as it can; the CPU time of the child process
(os.wait4's rusage, user + system) for

    live        stdout on the pty: the live view, streamed
    piped       stdout a pipe: the plain view, streamed (no rendering)
    once        stdout on the pty, --no-stream: the whole reply rendered once
    once piped  stdout a pipe, --no-stream (no rendering)

Ratios: live/once (total CPU, as goal (a) words it; note that `live` also pays for
decoding thousands of stream events, which `once` does not), live/piped (what the
live view costs over writing the text), and render = (live - piped) / (once -
once piped): the rendering while streaming against rendering once, each net of the
work that is not rendering (goal: at most 1.5x).

    python bench/render.py --cli [--sizes 20,80] [--rounds 5]
"""

from __future__ import annotations

import argparse
import fcntl
import gc
import io
import os
import pty
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from helpers.markdown_corpus import realistic  # noqa: E402
from ptyio import drain  # noqa: E402
from rich.console import Console  # noqa: E402

from claudechat.api.events import (  # noqa: E402
    ContentBlockDelta,
    ContentBlockStart,
    ContentBlockStop,
    TextDelta,
)
from claudechat.message import Message  # noqa: E402
from claudechat.render.blocks import Markdown  # noqa: E402
from claudechat.render.rich_view import FPS, RichView  # noqa: E402
from claudechat.turn import TurnResult  # noqa: E402

WIDTH, HEIGHT, DELTA, PACE = 100, 40, 4, 2000


# -- the view, in process ----------------------------------------------------------------------


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


def cpu(fn: Callable[[], None]) -> float:
    gc.collect()  # garbage of the previous measurement is not charged to this one
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


def interleaved(rounds: int, sizes: list[int], jobs: dict[str, Callable[[str], None]],
                texts: dict[int, str]) -> list[dict[int, dict[str, float]]]:
    """CPU seconds of each job at each size, per round: [round][size][job]. A round runs
    every job at every size, job by job, in an order that reverses every other round, the
    sizes snaking up and down: a job's neighbouring sizes (for the growth) run back to
    back, and each candidate runs within seconds of its floor at the same size."""
    names = list(jobs)
    out = []
    for r in range(rounds):
        per_size: dict[int, dict[str, float]] = {kb: {} for kb in sizes}
        for j, name in enumerate(names if r % 2 == 0 else names[::-1]):
            for kb in sizes if (j + r) % 2 == 0 else sizes[::-1]:
                per_size[kb][name] = cpu(lambda name=name, kb=kb: jobs[name](texts[kb]))
        out.append(per_size)
        print(f"  round {r + 1}/{rounds} done", file=sys.stderr)
    return out


def spread(values: list[float]) -> str:
    """The median, then the range, of per-round ratios."""
    return f"{statistics.median(values):5.2f}x ({min(values):.2f}-{max(values):.2f})"


def bench_view(sizes: list[int], rounds: int) -> bool:
    print(f"render: {DELTA}-char deltas into a {WIDTH}x{HEIGHT} terminal; CPU seconds, median of "
          f"{rounds} rounds; ratios: median of the per-round ratios (min-max)")
    warm = realistic(3000)  # imports, lexers and caches, before anything is timed
    floor_render_once(warm)
    stream(warm, paced=True)
    stream(warm, paced=False)
    texts = {kb: realistic(kb * 1000) for kb in sizes}
    jobs: dict[str, Callable[[str], None]] = {
        "raw": floor_raw,
        "once": floor_render_once,
        "burst": lambda text: stream(text, paced=False),
        "paced": lambda text: stream(text, paced=True),
    }
    runs = interleaved(rounds, sizes, jobs, texts)
    print(f"{'size':>6} {'raw':>7} {'once':>7} {'burst':>7} {'burst/once':>19} {'paced':>7} "
          f"{'paced/once':>19} {'paced % core':>12}")
    ok = True
    for kb in sizes:
        med = {name: statistics.median(run[kb][name] for run in runs) for name in jobs}
        burst_once = [run[kb]["burst"] / run[kb]["once"] for run in runs]
        paced_once = [run[kb]["paced"] / run[kb]["once"] for run in runs]
        share = statistics.median(run[kb]["paced"] for run in runs) / (len(texts[kb]) / PACE) * 100
        ok &= statistics.median(burst_once) <= 1.5 and share < 10
        print(f"{kb:>4}KB {med['raw']:7.3f} {med['once']:7.3f} {med['burst']:7.3f} {spread(burst_once):>19} "
              f"{med['paced']:7.3f} {spread(paced_once):>19} {share:11.1f}%")
    if 80 in sizes and 320 in sizes:
        growth = [run[320]["burst"] / run[80]["burst"] for run in runs]
        once_growth = [run[320]["once"] / run[80]["once"] for run in runs]
        ok &= statistics.median(growth) <= 4.4
        print(f"growth 80 -> 320 KB: burst {spread(growth)} (goal <= 4.4x); "
              f"render-once {spread(once_growth)}")
    print("goals (burst/once <= 1.5x, paced < 10 % of a core, growth <= 4.4x):",
          "met" if ok else "MISSED")
    return ok


# -- the real CLI on a pseudo-terminal ---------------------------------------------------------

SYNC_START = b"\x1b[?2026h"


def cli_env(home: Path, url: str) -> dict[str, str]:
    """A clean environment (as tests/conftest.py makes one): no keys or settings of the user's."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ANTHROPIC_", "ACEDATA_", "CLAUDECHAT_", "XDG_"))}
    for name in ("CONFIG", "CACHE", "DATA", "STATE"):
        (home / name.lower()).mkdir(exist_ok=True)
        env[f"XDG_{name}_HOME"] = str(home / name.lower())
    env.pop("NO_COLOR", None)
    env.update(HOME=str(home), NO_PROXY="127.0.0.1,localhost", TERM="xterm-256color",
               COLUMNS=str(WIDTH), LINES=str(HEIGHT), ANTHROPIC_API_KEY="sk-bench",
               ANTHROPIC_BASE_URL=url)
    return env


def run_cli(env: dict[str, str], *, tty: bool, stream: bool) -> tuple[float, bytes]:
    """`claudechat ask` with stdin and stderr on a pty, stdout on it too (`tty`) or on a
    pipe; everything it writes is drained. The child's CPU seconds, and its stdout."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", HEIGHT, WIDTH, 0, 0))
    pipe_r, pipe_w = (None, None) if tty else os.pipe()
    args = [sys.executable, "-m", "claudechat", "ask", "--no-save", *([] if stream else ["--no-stream"]),
            "write the report"]
    proc = subprocess.Popen(args, stdin=slave, stdout=slave if tty else pipe_w, stderr=slave, env=env,
                            cwd=ROOT, close_fds=True)
    os.close(slave)
    if pipe_w is not None:
        os.close(pipe_w)
    out = drain(proc, [master, *([pipe_r] if pipe_r is not None else [])], timeout=60)
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage
    proc.returncode = os.waitstatus_to_exitcode(status)
    for fd in out:
        os.close(fd)
    if proc.returncode != 0:
        tail = bytes(out[master][-800:]).decode("utf-8", "replace")
        raise RuntimeError(f"claudechat ask exited {proc.returncode}: {tail}")
    return usage.ru_utime + usage.ru_stime, bytes(out[master] if tty else out[pipe_r])


CLI_RUNS = {  # name: (stdout on the pty, streamed)
    "live": (True, True),
    "piped": (False, True),
    "once": (True, False),
    "once piped": (False, False),
}


def bench_cli(sizes: list[int], rounds: int) -> bool:
    from helpers.fake_server import FakeServer, Reply

    print(f"cli: `claudechat ask --no-save` on a {WIDTH}x{HEIGHT} pty against the fake server, "
          f"{DELTA}-char deltas as fast as it sends them; child CPU seconds (user + system), median of "
          f"{rounds} rounds; ratios: median of the per-round ratios (min-max)")
    texts = {kb: realistic(kb * 1000) for kb in sizes}
    names = list(CLI_RUNS)
    runs: list[dict[int, dict[str, float]]] = []
    with tempfile.TemporaryDirectory() as home, FakeServer(auth="any") as server:
        env = cli_env(Path(home), server.url)
        server.set_default(Reply(text=realistic(2000)))
        for tty, streamed in CLI_RUNS.values():  # warm: bytecode and disk caches
            run_cli(env, tty=tty, stream=streamed)
        for r in range(rounds):
            order = names if r % 2 == 0 else names[::-1]
            per_size: dict[int, dict[str, float]] = {}
            for kb in sizes:
                server.set_default(Reply(text=texts[kb]))  # a str: cut into 4-character deltas
                per_size[kb] = {}
                for name in order:
                    tty, streamed = CLI_RUNS[name]
                    seconds, shown = run_cli(env, tty=tty, stream=streamed)
                    # measuring what is meant: the rich view drew on the pty, the pipe got the text
                    assert (SYNC_START in shown) == tty, name
                    assert tty or shown.decode().rstrip("\n") == texts[kb].rstrip("\n"), name
                    per_size[kb][name] = seconds
                    if name == "live":
                        per_size[kb]["frames"] = shown.count(SYNC_START)
            runs.append(per_size)
            print(f"  round {r + 1}/{rounds} done", file=sys.stderr)
    print(f"{'size':>6} {'live':>7} {'frames':>6} {'piped':>7} {'once':>7} {'once|':>7} {'live/once':>19} "
          f"{'live/piped':>19} {'render live/once':>19}")
    ok = True
    for kb in sizes:
        med = {name: statistics.median(run[kb][name] for run in runs) for name in names}
        live_once = [run[kb]["live"] / run[kb]["once"] for run in runs]
        live_piped = [run[kb]["live"] / run[kb]["piped"] for run in runs]
        render = [(run[kb]["live"] - run[kb]["piped"]) / max(1e-3, run[kb]["once"] - run[kb]["once piped"])
                  for run in runs]
        ok &= statistics.median(render) <= 1.5
        frames = statistics.median(run[kb]["frames"] for run in runs)
        print(f"{kb:>4}KB {med['live']:7.3f} {frames:6.0f} {med['piped']:7.3f} {med['once']:7.3f} "
              f"{med['once piped']:7.3f} {spread(live_once):>19} {spread(live_piped):>19} "
              f"{spread(render):>19}")
    print("(frames: the live view's synchronized updates; once| = once piped; "
          "render = (live - piped) / (once - once piped))")
    print("goal (rendering while streaming <= 1.5x rendering once):", "met" if ok else "MISSED")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", action="store_true",
                        help="measure the real CLI on a pty against the fake server")
    parser.add_argument("--sizes", help="reply sizes in KB (default: 20,80,320; with --cli 20,80)")
    parser.add_argument("--rounds", type=int, help="measurements of each figure (default: 5)")
    args = parser.parse_args()
    sizes = [int(s) for s in (args.sizes or ("20,80" if args.cli else "20,80,320")).split(",")]
    rounds = 5 if args.rounds is None else args.rounds
    if rounds < 1:
        parser.error("--rounds must be at least 1")
    ok = bench_cli(sizes, rounds) if args.cli else bench_view(sizes, rounds)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
