"""History benchmark: a big store costs `history list` and `ask --cid` next to nothing.

Builds a store of 10,000 conversations and 200,000 messages (one of them 500
exchanges = 1,000 messages long, starting with an image; text of realistic
length) in one transaction through HistoryStore.add_many, then times, against
the loopback fake server, alternating, in the same run:

    claudechat --version                       the process's own start-up
    claudechat history list    (empty store)   the same command with nothing stored
    claudechat history list    (big store)
    claudechat ask "next"      (empty store)   a new conversation
    claudechat ask --cid BIG "next" (big store) continuing the 1,000-message one
    claudechat history list --search (big store, no match: every message is read)

and prints each big-store figure as a ratio to its empty-store twin and to
`--version`. Goal: within 1.5x of the empty-store figure.

    python bench/history.py [--runs 11] [--keep DIR]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from helpers.fake_server import FakeServer, Reply  # noqa: E402

from claudechat.conversation import Conversation, RequestParams  # noqa: E402
from claudechat.history.store import HistoryStore  # noqa: E402
from claudechat.message import Message  # noqa: E402

CONVERSATIONS = 10_000
MESSAGES = 200_000
BIG_EXCHANGES = 500
WORDS = ("the of and to in is that for it as with was on be by this are or from at which an "
         "function value error request server stream model token history conversation python "
         "sqlite index query table column file image thinking answer question because however "
         "moreover compile deploy benchmark latency throughput terminal markdown render").split()


def words(rng: random.Random, lo: int, hi: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi)))


def conversation(rng: random.Random, exchanges: int, first: list[dict] | None = None) -> Conversation:
    conv = Conversation(params=RequestParams(model="claude-sonnet-4-6", max_tokens=8192))
    for n in range(exchanges):
        text = [{"type": "text", "text": words(rng, 8, 60).capitalize() + "?"}]
        conv.add_user((first or []) + text if n == 0 else text)
        usage = {"input_tokens": 100 + n, "output_tokens": 200}
        conv.add_assistant(Message(id=f"msg_{n}", model="claude-sonnet-4-6", stop_reason="end_turn",
                                   content=[{"type": "text", "text": words(rng, 40, 200)}], usage=usage))
    return conv


def image_block() -> list[dict]:
    import base64

    try:
        from PIL import Image
    except ImportError:
        return []
    buf = io.BytesIO()
    Image.effect_noise((320, 240), 64).convert("RGB").save(buf, "PNG")
    data = base64.b64encode(buf.getvalue()).decode()
    return [{"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": data}}]


def build(path: Path) -> tuple[str, float]:
    rng = random.Random(5)
    rest = (MESSAGES - 2 * BIG_EXCHANGES) // 2  # exchanges for the other conversations
    sizes = [1] * (CONVERSATIONS - 1)
    for _ in range(rest - len(sizes)):
        sizes[rng.randrange(len(sizes))] += 1
    now = time.time()
    started = time.perf_counter()
    items = [(conversation(rng, n), "anthropic", now - 3e7 + i * 2000, now - 3e7 + i * 2000 + 600)
             for i, n in enumerate(sizes)]
    items.insert(rng.randrange(len(items)), (conversation(rng, BIG_EXCHANGES, image_block()),
                                             "anthropic", now - 1e7, now - 1e7 + 5000))
    with HistoryStore(path) as store:
        ids = store.add_many(items)
    big = ids[next(i for i, item in enumerate(items) if len(item[0].turns) == 2 * BIG_EXCHANGES)]
    return big, time.perf_counter() - started


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{cmd[2:5]} failed ({done.returncode}): {done.stderr.decode()[-300:]}")
    return elapsed


def environment(home: str, name: str, server: FakeServer) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ANTHROPIC_", "ACEDATA_", "CLAUDECHAT_", "XDG_"))}
    env.update(ANTHROPIC_API_KEY="sk-bench", ANTHROPIC_BASE_URL=server.url, NO_PROXY="127.0.0.1",
               XDG_CONFIG_HOME=f"{home}/config", XDG_CACHE_HOME=f"{home}/cache",
               XDG_DATA_HOME=f"{home}/{name}", XDG_STATE_HOME=f"{home}/state")
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--keep", help="build the store in this directory and keep it")
    args = parser.parse_args()
    home = args.keep or tempfile.mkdtemp(prefix="claudechat-bench-")
    db = Path(home) / "big" / "claudechat" / "history.db"
    with FakeServer(auth="x-api-key", key="sk-bench") as server:
        server.set_default(Reply(text="Noted; here is the next part."))
        big_env, empty_env = environment(home, "big", server), environment(home, "empty", server)
        big, seconds = build(db)
        size = sum(p.stat().st_size for p in db.parent.iterdir()) / 2**20
        print(f"store: {CONVERSATIONS:,} conversations, {MESSAGES:,} messages, {size:.0f} MiB, "
              f"built in {seconds:.1f} s; continuing {big} ({2 * BIG_EXCHANGES} messages)")
        cli = [sys.executable, "-m", "claudechat"]
        commands = {
            "claudechat --version": ([*cli, "--version"], empty_env),
            "history list (empty store)": ([*cli, "history", "list"], empty_env),
            "history list (big store)": ([*cli, "history", "list"], big_env),
            "ask next (empty store)": ([*cli, "ask", "next"], empty_env),
            f"ask --cid {big[:6]} next (big store)": ([*cli, "ask", "--cid", big[:6], "next"], big_env),
            "history list --search (no match; all text read)":
                ([*cli, "history", "list", "--search", "no such words"], big_env),
        }
        for cmd, env in commands.values():  # warm the file cache
            timed(cmd, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, (cmd, env) in commands.items():
                times[name].append(timed(cmd, env))
    report({name: statistics.median(values) for name, values in times.items()}, args.runs)
    if not args.keep:
        import shutil

        shutil.rmtree(home, ignore_errors=True)


def report(med: dict[str, float], runs: int) -> None:
    names = list(med)
    version, list_empty, list_big, ask_empty, ask_big, _search = (med[n] for n in names)
    print(f"median of {runs} runs each, alternating ({os.cpu_count()} CPUs)")
    for name, value in med.items():
        print(f"  {name:48s} {value * 1000:7.1f} ms")
    for label, value, floor, floor_name in (
        ("history list", list_big, list_empty, "the same on an empty store"),
        ("ask --cid (1,000 messages)", ask_big, ask_empty, "ask on an empty store"),
    ):
        verdict = "met" if value / floor <= 1.5 else "MISSED"
        print(f"{label:28s} {value / floor:.2f}x {floor_name} (goal <= 1.5x: {verdict}); "
              f"{value / version:.2f}x claudechat --version")


if __name__ == "__main__":
    main()
