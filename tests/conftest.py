"""Shared test helpers: the recorded fixtures and a clean environment for the CLI."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

# CI clones the repository next to a copy of shared/: <clone>/../shared/fixtures
FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def clean_env(tmp_path: Path) -> dict[str, str]:
    """An environment with no keys, no profile choice, and every XDG dir under tmp_path."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ANTHROPIC_", "ACEDATA_", "CLAUDECHAT_", "XDG_"))}
    for name in ("CONFIG", "CACHE", "DATA", "STATE"):
        path = tmp_path / name.lower()
        path.mkdir()
        env[f"XDG_{name}_HOME"] = str(path)
    env["HOME"] = str(tmp_path)
    env["NO_PROXY"] = "127.0.0.1,localhost"
    env.pop("NO_COLOR", None)
    return env
