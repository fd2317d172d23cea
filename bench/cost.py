"""What prompt caching saves: a scripted 20-turn chat on claude-sonnet-5-5 against the fake
server, with caching on (claudechat's default) and off, in the same run; tokens by kind and
the cost at the list prices of claudechat/models.py (docs/API-2026.md §1a, §4).

    /tmp/venv/bin/python bench/cost.py [--turns 20] [--model claude-sonnet-5-5]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from helpers.fake_server import FakeServer, Reply  # noqa: E402

from claudechat import costs  # noqa: E402
from claudechat.api import messages  # noqa: E402
from claudechat.conversation import Conversation, RequestParams  # noqa: E402
from claudechat.message import Message  # noqa: E402
from claudechat.models import PRICES_CHECKED, rules_for  # noqa: E402

SYSTEM = "You are a careful assistant. " * 60  # a system prompt of ~420 tokens
QUESTION = "Explain the next step of the plan in detail, with an example. " * 6
ANSWER = "Here is the next step, worked through with an example and its caveats. " * 20


def chat(server: FakeServer, model: str, turns: int, cache: bool) -> costs.Tokens:
    params = RequestParams(model=model, max_tokens=4096, cache_ttl="5m" if cache else None)
    conversation = Conversation(params=params, system=SYSTEM)
    total = costs.Tokens()
    for n in range(turns):
        conversation.add_user(f"{n + 1}. {QUESTION}")
        server.enqueue(Reply(text=ANSWER))
        body = messages.build_body(conversation, params, stream=False)
        answer = httpx.post(server.url + messages.PATH, json=body, timeout=30,
                            headers={"x-api-key": "k", "anthropic-version": "2023-06-01"})
        answer.raise_for_status()
        message = Message.from_dict(answer.json())
        conversation.add_assistant(message)
        total = total + costs.Tokens.of(message.usage)
    return total


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--model", default="claude-sonnet-5-5")
    args = parser.parse_args()
    rules = rules_for(args.model)
    results = {}
    for cache in (False, True):
        with FakeServer() as server:
            results[cache] = chat(server, args.model, args.turns, cache)
    print(f"{args.turns}-turn chat on {args.model}, list prices checked {PRICES_CHECKED}")
    for cache, tokens in results.items():
        cost = costs.price(tokens, rules)
        usd = costs.money(cost.total) if cost else "no price"
        print(f"  caching {'on ' if cache else 'off'}: {tokens.input:>7,} in  {tokens.write_5m:>6,} written  "
              f"{tokens.read:>7,} read  {tokens.output:>6,} out  {usd}")
    off, on = (costs.price(results[c], rules) for c in (False, True))
    if off and on:
        print(f"  with caching: {on.total / off.total:.0%} of the cost without")
    return 0


if __name__ == "__main__":
    sys.exit(main())
