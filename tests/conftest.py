"""Shared test set-up: helpers on the path, SIGINT for the CLIs, a clean environment.

Tests import their helpers as `from helpers.x import …` (tests/ is put on sys.path here);
nothing imports from this file."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

# A run started in the background (`pytest &` from a script) has SIGINT ignored, and children
# inherit that: the CLIs the Ctrl-C tests start would never see their KeyboardInterrupt. A handler,
# unlike SIG_IGN, is reset to the default across exec, so one installed here gives them SIGINT back.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


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
    env["PYTHONFAULTHANDLER"] = "1"  # so a hung CLI can be made to show where it is: see finish()
    env.pop("NO_COLOR", None)
    for sized in ("COLUMNS", "LINES"):  # set in pytest-xdist workers; rich prefers them to the pty size
        env.pop(sized, None)
    return env
