"""Start-up benchmark: `claudechat ask` for a short reply, beside a floor.

The floor is a minimal Python script that posts the same streamed request with
httpx and prints the text deltas: what any Python client must pay (the
interpreter, httpx, one request). Both run against the loopback fake server, in
alternation, in the same run, so the ratio holds on a noisy machine.

    python bench/startup.py [--runs 15]

Beside the floor, the same script on claudechat's mandated stack: the request made from
a one-command typer app that has imported platformdirs and sqlite3 too (what any
client built on these libraries pays before its own code). Its ratio to the floor is
reported, not judged: it is the part of the 1.3x goal the libraries take.

Goals (median wall times): `claudechat ask` at most 1.3x the floor; the chat
(`claudechat` on a 100x40 pseudo-terminal) showing its prompt at most 0.25 s after
`claudechat --version` takes to finish. Also reported: `--version` beside
`python -c pass`. Exits 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import signal
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

from helpers.fake_server import FakeServer, Reply  # noqa: E402

FLOOR = r"""
import json, os, sys
import httpx
body = {"model": "claude-sonnet-4-6", "max_tokens": 8192, "stream": True,
        "messages": [{"role": "user", "content": [{"type": "text", "text": sys.argv[1]}]}]}
headers = {"x-api-key": os.environ["ANTHROPIC_API_KEY"], "anthropic-version": "2023-06-01"}
with httpx.stream("POST", os.environ["ANTHROPIC_BASE_URL"] + "/v1/messages", json=body,
                  headers=headers, timeout=60) as response:
    for line in response.iter_lines():
        if line.startswith("data:"):
            event = json.loads(line[5:])
            if event.get("type") == "content_block_delta" and event["delta"].get("type") == "text_delta":
                sys.stdout.write(event["delta"]["text"])
sys.stdout.write("\n")
"""


# FLOOR inside a one-command typer app, with the other libraries claudechat's start-up
# loads (the config's directories, the history's SQLite) imported.
STACK = ("import platformdirs, sqlite3, typer\napp = typer.Typer(add_completion=False)\n"
         "@app.command()\ndef ask(prompt: list[str]):\n"
         + "".join(f"    {line}\n" for line in FLOOR.replace("sys.argv[1]", "' '.join(prompt)").splitlines()
                   if line)
         + "app()\n")


def as_installed(env: dict[str, str], home: str) -> dict[str, str]:
    """`env` for the children as an installed claudechat runs: with its bytecode compiled (pip
    compiles it at install). A PYTHONDONTWRITEBYTECODE inherited from the caller would have
    every run compile claudechat's ~50 modules from source again (~45 ms) while the floor's
    httpx comes compiled from site-packages; the bytecode goes under `home`, not the tree."""
    env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = f"{home}/pycache"
    return env


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{cmd[:3]} failed ({done.returncode}): {done.stderr.decode()[-300:]}")
    return elapsed


ASK_GOAL = 1.3  # ask / the httpx floor
PROMPT_GOAL = 0.25  # seconds: the chat's prompt after --version's whole run
PROMPT = "\u203a".encode()  # the chat's prompt, "›"


def prompt_time(cmd: list[str], env: dict[str, str]) -> float:
    """Seconds until the chat, on a 100x40 pty, has drawn its prompt; then it is ended
    (Ctrl-D). A cursor-position query is answered as a terminal would."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env={**env, "TERM": "xterm-256color"}, stdin=slave,
                            stdout=slave, stderr=slave, start_new_session=True)
    os.close(slave)
    seen = b""
    try:
        while PROMPT not in seen:
            if not select.select([master], [], [], 20)[0]:
                raise SystemExit(f"no prompt after 20 s: {seen[-300:]!r}")
            seen += os.read(master, 65536)
            if b"\x1b[6n" in seen:
                seen = seen.replace(b"\x1b[6n", b"")
                os.write(master, b"\x1b[1;1R")
        elapsed = time.perf_counter() - start
        os.write(master, b"\x04")
        proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        os.close(master)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with FakeServer(auth="x-api-key", key="sk-bench") as server, \
            tempfile.TemporaryDirectory() as home:
        server.set_default(Reply(text="Hello! How can I help you today?"))
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("ANTHROPIC_", "ACEDATA_", "CLAUDECHAT_", "XDG_"))
               and k != "PYTHONUNBUFFERED"}
        env.update(ANTHROPIC_API_KEY="sk-bench", ANTHROPIC_BASE_URL=server.url,
                   XDG_CONFIG_HOME=f"{home}/config", XDG_CACHE_HOME=f"{home}/cache",
                   XDG_DATA_HOME=f"{home}/data", XDG_STATE_HOME=f"{home}/state",
                   NO_PROXY="127.0.0.1")
        env = as_installed(env, home)
        floor_script = Path(home) / "floor.py"
        floor_script.write_text(FLOOR)
        stack_script = Path(home) / "stack.py"
        stack_script.write_text(STACK)
        commands = {
            "floor: python + httpx, one streamed request": [sys.executable, str(floor_script), "hi"],
            "floor on the stack: + typer, platformdirs, sqlite3": [sys.executable, str(stack_script), "hi"],
            "claudechat ask hi": [sys.executable, "-m", "claudechat", "ask", "hi"],
            "floor: python -c pass": [sys.executable, "-c", "pass"],
            "claudechat --version": [sys.executable, "-m", "claudechat", "--version"],
            "claudechat (the chat) until its prompt": [sys.executable, "-m", "claudechat"],
        }
        chat = "claudechat (the chat) until its prompt"
        run = {name: prompt_time if name == chat else timed for name in commands}
        for name, cmd in commands.items():  # warm the file cache, compile the bytecode
            run[name](cmd, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, cmd in commands.items():
                times[name].append(run[name](cmd, env))
    med = {name: statistics.median(values) for name, values in times.items()}
    print(f"start-up, median of {args.runs} runs each, alternating ({os.cpu_count()} CPUs)")
    for name, value in med.items():
        print(f"  {name:52s} {value * 1000:7.1f} ms")
    floor = med["floor: python + httpx, one streamed request"]
    ask_ratio = med["claudechat ask hi"] / floor
    stack_ratio = med["floor on the stack: + typer, platformdirs, sqlite3"] / floor
    version_ratio = med["claudechat --version"] / med["floor: python -c pass"]
    prompt_after = med["claudechat (the chat) until its prompt"] - med["claudechat --version"]
    ask_met, prompt_met = ask_ratio <= ASK_GOAL, prompt_after <= PROMPT_GOAL
    print(f"ratio ask / httpx floor:       {ask_ratio:.2f}x  "
          f"(goal <= {ASK_GOAL}x: {'met' if ask_met else 'MISSED'})")
    print(f"ratio stack floor / httpx floor: {stack_ratio:.2f}x  (the libraries' share; "
          f"claudechat's own code: {ask_ratio - stack_ratio:+.2f}x)")
    print(f"ratio --version / python -c pass: {version_ratio:.2f}x")
    print(f"the chat's prompt after --version: {prompt_after * 1000:+.0f} ms  "
          f"(goal <= {PROMPT_GOAL * 1000:.0f} ms: {'met' if prompt_met else 'MISSED'})")
    if not (ask_met and prompt_met):
        sys.exit(1)


if __name__ == "__main__":
    main()
