"""Where the recorded streams live: tests/fixtures/, inside the repository (the one
place that names it)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def fixture_bytes(name: str) -> bytes:
    """The bytes of tests/fixtures/<name>."""
    return (FIXTURES / name).read_bytes()


def sse_fixtures() -> list[str]:
    """The names of every recorded stream (*.sse), sorted."""
    return sorted(p.name for p in FIXTURES.glob("*.sse"))


def replay(name: str, wire: Any, chunks: Callable[[bytes], list[bytes]] | None = None) -> tuple[list, Any]:
    """tests/fixtures/<name> through the SSE decoder (whole, or cut by `chunks`), `wire`'s
    events and an Accumulator: (the events, the accumulator)."""
    from claudechat.accumulator import Accumulator
    from claudechat.api.sse import SSEDecoder

    data = fixture_bytes(name)
    decoder = SSEDecoder()
    records = []
    for chunk in chunks(data) if chunks else [data]:
        records.extend(decoder.feed(chunk))
    records.extend(decoder.flush())
    acc = Accumulator()
    events = []
    for event in wire.events(records):
        events.append(event)
        acc.feed(event)
    return events, acc
