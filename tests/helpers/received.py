"""What the fake server received: its POSTs, their bodies, and the text in messages."""

from __future__ import annotations

from typing import Any

from helpers.fake_server import FakeServer, Recorded


def posts(server: FakeServer, path: str = "/v1/messages") -> list[Recorded]:
    """Every POST to `path` the server has seen so far, in order."""
    return [r for r in server.requests if r.method == "POST" and r.path == path]


def wait_for_bodies(server: FakeServer, n: int) -> list[dict[str, Any]]:
    """The JSON bodies of the POSTs to /v1/messages once there are at least n (waits for them)."""
    want = n
    while True:
        server.wait_for_requests(want)
        bodies = [r.json for r in posts(server)]
        if len(bodies) >= n:
            return bodies
        want = len(server.requests) + 1


def text_of(content: str | list[dict[str, Any]]) -> str:
    """A message's (or system prompt's) text, whether sent as a string or as text blocks."""
    if isinstance(content, str):
        return content
    return "".join(block["text"] for block in content if block.get("type") == "text")


def user(text: str) -> dict[str, Any]:
    """A user message of one text block."""
    return {"role": "user", "content": [{"type": "text", "text": text}]}


def assistant(text: str) -> dict[str, Any]:
    """An assistant message of one text block."""
    return {"role": "assistant", "content": [{"type": "text", "text": text}]}


def plain(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Messages with string content turned into one text block, for comparison."""
    out = []
    for m in messages:
        content = m["content"]
        if isinstance(content, str):
            content = [{"type": "text", "text": content}]
        out.append({"role": m["role"],
                    "content": [{k: v for k, v in b.items() if k != "cache_control"} for b in content]})
    return out


def texts(message: dict[str, Any]) -> list[str]:
    """The texts of a message's text blocks (its content if a string)."""
    content = message["content"]
    if isinstance(content, str):
        return [content]
    return [b["text"] for b in content if b.get("type") == "text"]
