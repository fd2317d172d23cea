"""Where the recorded streams live: tests/fixtures/, inside the repository (the one
place that names it)."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def fixture_bytes(name: str) -> bytes:
    """The bytes of tests/fixtures/<name>."""
    return (FIXTURES / name).read_bytes()


def sse_fixtures() -> list[str]:
    """The names of every recorded stream (*.sse), sorted."""
    return sorted(p.name for p in FIXTURES.glob("*.sse"))
