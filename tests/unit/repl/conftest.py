"""Fixtures of the chat's unit tests: a ReplState over a session with no network (its
input history under tmp_path) and a Printer writing into a string."""

from __future__ import annotations

import pytest
from helpers.repl import Programs, new_state, printer, settings_for


@pytest.fixture
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return new_state(settings_for(tmp_path))


@pytest.fixture
def out():
    """The screen the commands print on: a console writing into a string."""
    return printer()


@pytest.fixture
def programs(tmp_path, monkeypatch) -> Programs:
    """An empty folder that is the whole PATH: no clipboard program until a test adds one."""
    found = Programs(tmp_path / "bin")
    monkeypatch.setenv("PATH", str(found.folder))
    return found
