"""Fixtures shared by the unit tests."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator

import pytest


@pytest.fixture
def tty() -> Iterator[io.TextIOWrapper]:
    """A real terminal: the side of a pty pair a program writes to."""
    controller, terminal = os.openpty()
    try:
        with open(terminal, "w") as stream:
            yield stream
    finally:
        os.close(controller)


@pytest.fixture(autouse=True)
def _no_secrets_from_other_tests() -> Iterator[None]:
    """The redaction registry is the process's: what one test registered (a key it looked up)
    must not change what the next one sees."""
    from claudechat import redaction

    redaction.forget()
    yield
    redaction.forget()
