"""Start-up benchmark: `claudechat ask` for a short reply, beside a floor.

The floor is a minimal Python script that posts the same streamed request with
httpx and prints the text deltas: what any Python client must pay (the
interpreter, httpx, one request). Both run against the loopback fake server, in
alternation, in the same run, so the ratio holds on a noisy machine.

    python bench/startup.py [--runs 15]

Goal: `claudechat ask` at most 1.5x the floor (median wall time).
Also reported: `claudechat --version` beside `python -c pass`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
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


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{cmd[:3]} failed ({done.returncode}): {done.stderr.decode()[-300:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with FakeServer(auth="x-api-key", key="sk-bench") as server, \
            tempfile.TemporaryDirectory() as home:
        server.set_default(Reply(text="Hello! How can I help you today?"))
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("ANTHROPIC_", "ACEDATA_", "CLAUDECHAT_", "XDG_"))}
        env.update(ANTHROPIC_API_KEY="sk-bench", ANTHROPIC_BASE_URL=server.url,
                   XDG_CONFIG_HOME=f"{home}/config", XDG_CACHE_HOME=f"{home}/cache",
                   XDG_DATA_HOME=f"{home}/data", XDG_STATE_HOME=f"{home}/state",
                   NO_PROXY="127.0.0.1")
        floor_script = Path(home) / "floor.py"
        floor_script.write_text(FLOOR)
        commands = {
            "floor: python + httpx, one streamed request": [sys.executable, str(floor_script), "hi"],
            "claudechat ask hi": [sys.executable, "-m", "claudechat", "ask", "hi"],
            "floor: python -c pass": [sys.executable, "-c", "pass"],
            "claudechat --version": [sys.executable, "-m", "claudechat", "--version"],
        }
        for cmd in commands.values():  # warm the file cache
            timed(cmd, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, cmd in commands.items():
                times[name].append(timed(cmd, env))
    med = {name: statistics.median(values) for name, values in times.items()}
    print(f"start-up, median of {args.runs} runs each, alternating ({os.cpu_count()} CPUs)")
    for name, value in med.items():
        print(f"  {name:45s} {value * 1000:7.1f} ms")
    ask_ratio = med["claudechat ask hi"] / med["floor: python + httpx, one streamed request"]
    version_ratio = med["claudechat --version"] / med["floor: python -c pass"]
    verdict = "met" if ask_ratio <= 1.5 else "MISSED"
    print(f"ratio ask / httpx floor:       {ask_ratio:.2f}x  (goal <= 1.5x: {verdict})")
    print(f"ratio --version / python -c pass: {version_ratio:.2f}x")


if __name__ == "__main__":
    main()
