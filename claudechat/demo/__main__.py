"""python -m claudechat.demo: serve on 127.0.0.1 until SIGTERM or SIGINT."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence

from claudechat.demo.scripts import DEFAULT_TEXT, Reply
from claudechat.demo.server import FakeServer
from claudechat.demo.tour import responder


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the claudechat demo Messages API on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: any free port)")
    parser.add_argument("--reply", help="the text of every reply")
    parser.add_argument("--auth", choices=("bearer", "x-api-key", "any", "none"), default="any")
    parser.add_argument("--key", help="the API key or token to require")
    parser.add_argument("--thinking", help="a thinking block of this text before every reply")
    parser.add_argument("--unsigned", action="store_true",
                        help="send that thinking block without a signature (as Ace Data Cloud did)")
    parser.add_argument("--tour", action="store_true", help="answer as claudechat --demo does")
    args = parser.parse_args(argv)

    server = FakeServer(auth=args.auth, key=args.key, port=args.port,
                        responder=responder if args.tour else None)
    if args.reply is not None or args.thinking is not None:
        server.set_default(Reply(text=DEFAULT_TEXT if args.reply is None else args.reply,
                                 thinking=args.thinking, unsigned=args.unsigned))
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    with server:
        print(server.url, flush=True)
        while not done.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
