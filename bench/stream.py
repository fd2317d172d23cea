"""Streaming benchmark: `claudechat ask` end to end on long replies, beside a floor.

The reply (realistic Markdown of 80, 320 and 1,280 KB) is the loopback fake server's
(tests/helpers/fake_server.py) in 4-character text deltas, one SSE event per delta and one
HTTP chunk per event. So that the server is not what is measured (it takes seconds to
render 320,000 events), a server process records each size's stream from it once, then
sends the recorded chunks in 256 KB writes; anything else goes to the fake server.
Three ways of running `ask`:

    piped     stdout a pipe, --no-save (the plain view)
    pty       stdout on a 100x40 pseudo-terminal, --no-save (the live rich view)
    history   stdout a pipe, the history on (the reply saved to SQLite)

each beside the floor: a minimal httpx script (bench/startup.py's FLOOR: post the request,
read the lines, print the text deltas) with its stdout where `ask`'s is, against the same
server, in the same round. Candidate and floor alternate (the order reversing every
round); what is reported is the median wall time, the median of the per-round ratios
(with their range), and the peak memory (the child's maxrss).

    python bench/stream.py [--sizes 80,320,1280] [--rounds 3] [--modes piped,pty,history]

Goals: ask / floor at most 1.3x piped and with the history, at most 2x on the pty, at
every size; the growth of ask's time from the smallest to the largest size at most
1.0625 x the growth of the size (17x for 80 KB -> 1.28 MB; linear is 16x); peak memory
at most the floor's + 10 MB. Exits 1 when a goal is missed.

Also reported, not judged: the floor with each mode's libraries imported and used once
(typer and platformdirs; with the history sqlite3 and an open database; on the pty
rich's Live and Markdown, drawing a short reply with a table and a Python code block
after the text), on a 2 KB reply: the part of the 10 MB of slack that the libraries
take before any of claudechat's own code.
"""

from __future__ import annotations

import argparse
import fcntl
import http.client
import os
import pty
import socketserver
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from helpers.markdown_corpus import realistic  # noqa: E402
from ptyio import drain  # noqa: E402
from startup import FLOOR, as_installed  # noqa: E402

WIDTH, HEIGHT = 100, 40
SYNC_START = b"\x1b[?2026h"
MODES = {  # name: (stdout on the pty, history on, goal for ask / floor)
    "piped": (False, False, 1.3),
    "pty": (True, False, 2.0),
    "history": (False, True, 1.3),
}
MEMORY_SLACK_MB = 10


def environment(home: Path, url: str) -> dict[str, str]:
    """A clean environment: no keys or settings of the user's; the history in `home`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ANTHROPIC_", "ACEDATA_", "CLAUDECHAT_", "XDG_"))}
    for name in ("CONFIG", "CACHE", "DATA", "STATE"):
        (home / name.lower()).mkdir(exist_ok=True)
        env[f"XDG_{name}_HOME"] = str(home / name.lower())
    env.pop("NO_COLOR", None)
    env.pop("PYTHONUNBUFFERED", None)  # a write-through stdout would cost the floor a write per delta
    env.update(HOME=str(home), NO_PROXY="127.0.0.1,localhost", TERM="xterm-256color",
               COLUMNS=str(WIDTH), LINES=str(HEIGHT), ANTHROPIC_API_KEY="sk-bench",
               ANTHROPIC_BASE_URL=url, PYTHONPATH=str(ROOT))
    return as_installed(env, str(home))


def run(args: list[str], env: dict[str, str], *, tty: bool) -> tuple[float, float, bytes]:
    """Run with stdin and stderr on a pty, stdout on it too (`tty`) or on a pipe, draining
    everything. (wall seconds, peak memory in MB, stdout). The peak is /usr/bin/time's: a
    child started from this process would inherit this process's own peak (Linux keeps
    maxrss across exec), a child of the small `time` does not."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", HEIGHT, WIDTH, 0, 0))
    pipe_r, pipe_w = (None, None) if tty else os.pipe()
    with tempfile.NamedTemporaryFile("r") as peak:
        start = time.perf_counter()
        proc = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", peak.name, *args], stdin=slave,
                                stdout=slave if tty else pipe_w, stderr=slave, env=env, cwd=ROOT,
                                close_fds=True)
        os.close(slave)
        if pipe_w is not None:
            os.close(pipe_w)
        out = drain(proc, [master] + ([pipe_r] if pipe_r is not None else []))
        proc.wait()
        wall = time.perf_counter() - start
        kilobytes = int(peak.read().split()[-1])
    for fd in out:
        os.close(fd)
    if proc.returncode != 0:
        tail = bytes(out[master][-800:]).decode("utf-8", "replace")
        raise RuntimeError(f"{args[1:4]} exited {proc.returncode}: {tail}")
    return wall, kilobytes / 1024, bytes(out[master] if tty else out[pipe_r])


def measure(mode: str, who: str, env: dict[str, str], text: str) -> tuple[float, float]:
    tty, history, _ = MODES[mode]
    if who == "floor":
        args = [sys.executable, "-c", FLOOR, "write the report"]
    else:
        args = [sys.executable, "-m", "claudechat", "ask", *([] if history else ["--no-save"]),
                "write the report"]
    wall, peak, shown = run(args, env, tty=tty)
    # measuring what is meant: the live view drew on the pty, the pipe got the whole text
    if who == "ask":
        assert (SYNC_START in shown) == tty, mode
    assert tty or shown.decode().rstrip("\n") == text.rstrip("\n"), (mode, who)
    return wall, peak


# The floor with each mode's libraries (see the docstring) imported, and used once.
STACK = {
    "piped": "import platformdirs, typer\n" + FLOOR,
    "history": ("import platformdirs, sqlite3, typer\nsqlite3.connect(':memory:').execute('select 1')\n"
                + FLOOR),
    "pty": ("import platformdirs, typer\nfrom rich.console import Console\nfrom rich.live import Live\n"
            "from rich.markdown import Markdown\n" + FLOOR + "Console().print(Markdown("
            "'# A reply\\n\\n| a | b |\\n|---|---|\\n| 1 | 2 |\\n\\n"
            "```python\\ndef f(x):\\n    return x\\n```\\n'))\n"),
}


Stack = dict[str, tuple[float, float]]  # mode -> (the floor with the libraries' peak MB, the floor's)


def stack_memory(modes: list[str], env: dict[str, str], port: int) -> Stack:
    """Each mode's peak memory (MB; the highest of three runs each, on the 2 KB reply, stdout
    where `ask`'s is): (the floor with the libraries, the floor)."""
    choose(port, 2)
    peak = {mode: {script: max(run([sys.executable, "-c", script, "write the report"], env,
                                   tty=MODES[mode][0])[1] for _ in range(3))
                   for script in (STACK[mode], FLOOR)}
            for mode in modes}
    return {mode: (peak[mode][STACK[mode]], peak[mode][FLOOR]) for mode in modes}


def bench(sizes: list[int], rounds: int, modes: list[str]) -> tuple[list[dict], Stack]:
    """([round] -> {(mode, size, who): (wall, peak MB)}, the libraries' memory)"""
    texts = {kb: realistic(kb * 1000) for kb in [2, *sizes]}
    runs: list[dict] = []
    server = subprocess.Popen([sys.executable, __file__, "--serve", ",".join(map(str, texts))],
                              stdout=subprocess.PIPE, cwd=ROOT)
    try:
        port = int(server.stdout.readline())  # once every stream is recorded
        with tempfile.TemporaryDirectory() as home:
            env = environment(Path(home), f"http://127.0.0.1:{port}")
            choose(port, 2)
            for mode in modes:  # warm: bytecode (compiled here) and disk caches
                measure(mode, "ask", env, texts[2])
            runs = rounds_of(rounds, sizes, modes, env, port, texts)
            stack = stack_memory(modes, env, port)
    finally:
        server.kill()
        server.wait()
    return runs, stack


def rounds_of(rounds: int, sizes: list[int], modes: list[str], env: dict[str, str], port: int,
              texts: dict[int, str]) -> list[dict]:
    runs = []
    for r in range(rounds):
        got: dict = {}
        for kb in sizes if r % 2 == 0 else sizes[::-1]:
            choose(port, kb)
            for i, mode in enumerate(modes):
                whos = ["ask", "floor"] if (r + i) % 2 == 0 else ["floor", "ask"]
                for who in whos:
                    got[mode, kb, who] = measure(mode, who, env, texts[kb])
        runs.append(got)
        print(f"  round {r + 1}/{rounds} done", file=sys.stderr)
    return runs


# -- the server process ------------------------------------------------------------------------

REQUEST = {"model": "claude-sonnet-4-6", "max_tokens": 8192, "stream": True,
           "messages": [{"role": "user", "content": "write the report"}]}


def choose(port: int, kb: int) -> None:
    """Which recorded reply the server sends from now on."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", f"/size/{kb}")
    assert conn.getresponse().status == 204
    conn.close()


def record(sizes: list[int]) -> tuple[dict[int, list[bytes]], object]:
    """Each size's stream from the fake server, as the HTTP chunks (one per event) it sends."""
    import httpx
    from helpers.fake_server import FakeServer, Reply

    fake = FakeServer(auth="any").start()
    bodies = {}
    for kb in sizes:
        fake.set_default(Reply(text=realistic(kb * 1000)))  # a str: cut into 4-character deltas
        with httpx.stream("POST", fake.url + "/v1/messages", json=REQUEST, timeout=600,
                          headers={"x-api-key": "k", "anthropic-version": "2023-06-01"}) as response:
            raw = b"".join(response.iter_raw())
        frames = [frame + b"\n\n" for frame in raw.split(b"\n\n") if frame]
        bodies[kb] = [b"%X\r\n%s\r\n" % (len(frame), frame) for frame in frames] + [b"0\r\n\r\n"]
    return bodies, fake


class Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        while line := self.rfile.readline():  # keep-alive: one request after another
            method, path, _ = line.decode("latin-1").split(" ", 2)
            headers = {}
            while (header := self.rfile.readline()) not in (b"\r\n", b"\n", b""):
                name, _, value = header.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            body = self.rfile.read(int(headers.get("content-length", 0)))
            if path.startswith("/size/"):
                self.server.size = int(path.removeprefix("/size/"))
                self.wfile.write(b"HTTP/1.1 204 No Content\r\n\r\n")
            elif method == "POST" and path == "/v1/messages":
                self.stream(self.server.bodies[self.server.size])
            else:
                self.forward(method, path, headers, body)

    def stream(self, chunks: list[bytes]) -> None:
        self.wfile.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
                         b"transfer-encoding: chunked\r\n\r\n")
        batch, size = [], 0
        for chunk in chunks:
            batch.append(chunk)
            size += len(chunk)
            if size >= 1 << 18:
                self.wfile.write(b"".join(batch))
                batch, size = [], 0
        self.wfile.write(b"".join(batch))

    def forward(self, method: str, path: str, headers: dict[str, str], body: bytes) -> None:
        import httpx

        keep = {k: v for k, v in headers.items() if k not in ("host", "content-length", "connection")}
        response = httpx.request(method, self.server.fake.url + path, headers=keep, content=body)
        self.wfile.write(b"HTTP/1.1 %d X\r\ncontent-type: %s\r\ncontent-length: %d\r\n\r\n%s" % (
            response.status_code, response.headers.get("content-type", "text/plain").encode(),
            len(response.content), response.content))


def serve(sizes: list[int]) -> None:
    bodies, fake = record(sizes)
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler) as server:
        server.daemon_threads = True
        server.bodies, server.fake, server.size = bodies, fake, sizes[0]
        print(server.server_address[1], flush=True)
        server.serve_forever()


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):5.2f}x ({min(values):.2f}-{max(values):.2f})"


def report(runs: list[dict], stack: Stack, sizes: list[int], modes: list[str]) -> bool:
    ok = True
    print(f"{'mode':>8} {'size':>7} {'ask s':>7} {'floor s':>7} {'ask/floor':>19} {'goal':>5} "
          f"{'ask MB':>7} {'floor MB':>8}")
    for mode in modes:
        goal = MODES[mode][2]
        for kb in sizes:
            med = {who: statistics.median(run[mode, kb, who][0] for run in runs) for who in ("ask", "floor")}
            mem = {who: max(run[mode, kb, who][1] for run in runs) for who in ("ask", "floor")}
            ratios = [run[mode, kb, "ask"][0] / run[mode, kb, "floor"][0] for run in runs]
            met = statistics.median(ratios) <= goal and mem["ask"] <= mem["floor"] + MEMORY_SLACK_MB
            ok &= met
            print(f"{mode:>8} {kb:>5}KB {med['ask']:7.3f} {med['floor']:7.3f} {spread(ratios):>19} "
                  f"{goal:4.1f}x {mem['ask']:7.1f} {mem['floor']:8.1f}{'' if met else '  MISSED'}")
        if len(sizes) > 1:
            small, large = min(sizes), max(sizes)
            limit = large / small * 1.0625
            growth = [run[mode, large, "ask"][0] / run[mode, small, "ask"][0] for run in runs]
            floor_growth = [run[mode, large, "floor"][0] / run[mode, small, "floor"][0] for run in runs]
            met = statistics.median(growth) <= limit
            ok &= met
            print(f"{mode:>8} growth {small} -> {large} KB: ask {spread(growth)} (goal <= {limit:.1f}x), "
                  f"floor {spread(floor_growth)}{'' if met else '  MISSED'}")
    print("the floor with the libraries (imported, used once; 2 KB reply), peak memory: " + ", ".join(
        f"{mode} {mb:.1f} MB (floor {floor:.1f}, {mb - floor:+.1f})" for mode, (mb, floor) in stack.items()))
    print(f"goals (ask/floor <= 1.3x piped and with history, <= 2x on the pty; growth <= 1.0625 x the "
          f"size's; peak memory <= floor + {MEMORY_SLACK_MB} MB):", "met" if ok else "MISSED")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="80,320,1280", help="reply sizes in KB")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--modes", default=",".join(MODES), help="piped, pty, history")
    parser.add_argument("--serve", help=argparse.SUPPRESS)  # the server process
    args = parser.parse_args()
    if args.serve:
        serve([int(s) for s in args.serve.split(",")])
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    modes = args.modes.split(",")
    if args.rounds < 1 or not set(modes) <= set(MODES):
        parser.error("--rounds must be at least 1; --modes from piped, pty, history")
    print(f"stream: `claudechat ask` against the fake server, 4-character deltas, beside a minimal "
          f"httpx script; wall seconds (median of {args.rounds} rounds), ratios (median, min-max), "
          f"peak memory (max maxrss)")
    ok = report(*bench(sizes, args.rounds, modes), sizes, modes)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
