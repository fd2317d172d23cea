"""A long conversation: does the 200th turn of a chat cost the client what the 2nd did?

A scripted chat runs in this process against the loopback fake server (in a process of its
own): each turn goes through the chat's own path (`ReplState.compose`, `repl.loop.send`:
request building, the stream, the view that console gets (the plain one: it writes to
memory, not a terminal), saving to the history in SQLite), then the prompt's bottom toolbar is drawn once, as
it is at every key. What is measured is this process's CPU time per turn (the client's own
time, its view's ticker thread included; the server and the network wait are not in it).
Reported: the median of turns 2-11 and of the last ten, and their ratio.

    PYTHONPATH=. python bench/long_chat.py [--turns 200]

Goal: the last turns at most 1.5x the early ones. Exits 1 when it is missed. The request
body does grow with the conversation (its JSON is encoded each turn); with replies of
~1 KB that is a small part of a turn.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

GOAL = 1.5
QUESTION = "Explain the next step of the plan, with an example."
ANSWER = "Here is the next step, worked through with an example and its caveats. " * 14  # ~1 KB


def chat(turns: int, url: str) -> list[float]:
    from rich.console import Console

    from claudechat import settings as settings_mod
    from claudechat.connect import open_session
    from claudechat.history.store import HistoryStore
    from claudechat.repl.loop import Printer, send
    from claudechat.repl.prompt import toolbar
    from claudechat.repl.state import ReplState

    settings = settings_mod.load({"base_url": url, "model": "claude-sonnet-4-6"})
    session = open_session(settings)
    console = Console(file=io.StringIO(), width=100, height=40, force_terminal=True,
                      color_system="truecolor")
    out = Printer(console)
    state = ReplState(settings=settings, session=session, conversation=session.new_conversation(),
                      color=True, notify=out.notice)
    state.store = HistoryStore()
    state.start_recording(None, 0)
    draw = toolbar(state)
    times = []
    for n in range(turns):
        started = time.process_time()
        assert state.compose(f"{n + 1}. {QUESTION}")
        send(state, out)
        draw()
        times.append(time.process_time() - started)
        console.file = io.StringIO()  # what was drawn is not kept
    assert len(state.conversation.turns) == 2 * turns, "every turn got its reply"
    return times


def run(turns: int, url: str, home: str) -> list[float]:
    """The chat with a clean environment: no keys or settings of the user's."""
    for name in [k for k in os.environ if k.startswith(("CLAUDECHAT_", "ACEDATA_", "ANTHROPIC_"))]:
        del os.environ[name]
    for name in ("CONFIG", "CACHE", "DATA", "STATE"):
        os.environ[f"XDG_{name}_HOME"] = f"{home}/{name.lower()}"
    os.environ.update(ANTHROPIC_API_KEY="sk-bench", NO_PROXY="127.0.0.1")
    return chat(turns, url)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=200)
    args = parser.parse_args()
    server = subprocess.Popen([sys.executable, str(ROOT / "tests/helpers/fake_server.py"),
                               "--reply", ANSWER, "--auth", "x-api-key", "--key", "sk-bench"],
                              stdout=subprocess.PIPE, text=True)
    try:
        url = server.stdout.readline().strip()
        with tempfile.TemporaryDirectory() as home:
            times = run(args.turns, url, home)
    finally:
        server.terminate()
        server.wait()
    early = statistics.median(times[1:11])
    late = statistics.median(times[-10:])
    ratio = late / early
    print(f"a {args.turns}-turn chat in process against the fake server (client CPU per turn, "
          f"medians of ten turns)")
    print(f"  turns 2-11:   {early * 1000:6.2f} ms")
    print(f"  turns {args.turns - 9}-{args.turns}: {late * 1000:6.2f} ms")
    verdict = "met" if ratio <= GOAL else "MISSED"
    print(f"  ratio: {ratio:.2f}x  (goal <= {GOAL}x: {verdict})")
    return 0 if ratio <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
