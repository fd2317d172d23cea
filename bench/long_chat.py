"""A long conversation: does the 200th turn of a chat cost the client what the 2nd did?

A scripted chat runs in this process against the loopback fake server (in a process of its
own): each turn goes through the chat's own path (`ReplState.compose`, `repl.loop.send`:
request building, the stream, the view that console gets (the plain one: it writes to
memory, not a terminal), saving to the history in SQLite), then the prompt's bottom toolbar is drawn once, as
it is at every key. What is measured is this process's CPU time per turn (the client's own
time, its view's ticker thread included; the server and the network wait are not in it).

The machines are noisy, and the long chat's first and last turns are minutes apart, so
beside it runs a control: a second chat, in the same process and the same history, that
starts afresh every two turns, so that each of its measured turns is a 2nd turn. After each
turn of the long chat comes one measured 2nd turn of the control, so both see the same
noise. Reported: the medians of the long chat's turns 2-11 and of its last ten, the
control's median over the same last ten rounds, and the ratio that is judged: the median
of the last ten rounds' (long chat's turn / control's 2nd turn).

    PYTHONPATH=. python bench/long_chat.py [--turns 200]

Goal: the last turns at most 1.5x a 2nd turn. Exits 1 when it is missed. The request
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
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

GOAL = 1.5
QUESTION = "Explain the next step of the plan, with an example."
ANSWER = "Here is the next step, worked through with an example and its caveats. " * 14  # ~1 KB


def chat(turns: int, url: str) -> tuple[list[float], list[float]]:
    """(CPU seconds of each turn of the long chat, of the control's 2nd turn after each)."""
    from rich.console import Console

    from claudechat import settings as settings_mod
    from claudechat.connect import open_session
    from claudechat.history.store import HistoryStore
    from claudechat.repl.loop import Printer, send
    from claudechat.repl.prompt import toolbar
    from claudechat.repl.state import ReplState

    settings = settings_mod.load({"base_url": url, "model": "claude-sonnet-4-6"})
    session = open_session(settings)
    store = HistoryStore()

    def new_chat() -> tuple[ReplState, Printer, Any]:
        console = Console(file=io.StringIO(), width=100, height=40, force_terminal=True,
                          color_system="truecolor")
        out = Printer(console)
        state = ReplState(settings=settings, session=session, conversation=session.new_conversation(),
                          color=True, notify=out.notice)
        state.store = store
        state.start_recording(None, 0)
        return state, out, toolbar(state)

    def turn(state: ReplState, out: Printer, draw: Any, n: int) -> float:
        started = time.process_time()
        assert state.compose(f"{n + 1}. {QUESTION}")
        send(state, out)
        draw()
        spent = time.process_time() - started
        out.console.file = io.StringIO()  # what was drawn is not kept
        return spent

    long_chat, control = new_chat(), new_chat()
    times, seconds = [], []
    for n in range(turns):
        times.append(turn(*long_chat, n))
        control[0].new_conversation()
        turn(*control, 0)
        seconds.append(turn(*control, 1))
    assert len(long_chat[0].conversation.turns) == 2 * turns, "every turn got its reply"
    return times, seconds


def run(turns: int, url: str, home: str) -> tuple[list[float], list[float]]:
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
            times, seconds = run(args.turns, url, home)
    finally:
        server.terminate()
        server.wait()
    early = statistics.median(times[1:11])
    late = statistics.median(times[-10:])
    control = statistics.median(seconds[-10:])
    ratio = statistics.median(t / c for t, c in zip(times[-10:], seconds[-10:], strict=True))
    print(f"a {args.turns}-turn chat in process against the fake server (client CPU per turn, "
          f"medians of ten turns)")
    print(f"  turns 2-11:   {early * 1000:6.2f} ms")
    print(f"  turns {args.turns - 9}-{args.turns}: {late * 1000:6.2f} ms")
    print(f"  a 2nd turn, beside those: {control * 1000:6.2f} ms")
    verdict = "met" if ratio <= GOAL else "MISSED"
    print(f"  ratio (turn {args.turns - 9}-{args.turns} / the 2nd turn beside it, median): "
          f"{ratio:.2f}x  (goal <= {GOAL}x: {verdict})")
    return 0 if ratio <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
