"""Both wire formats are modules that satisfy the Wire protocol, member for member."""

from __future__ import annotations

import inspect

import pytest

from claudechat.api import chat_completions, messages
from claudechat.api.wire import Wire

METHODS = ("build_body", "events", "parse_message")


def test_the_protocol_has_the_members_run_turn_uses():
    assert {"PATH", *METHODS} <= set(dir(Wire)) | set(Wire.__annotations__)


@pytest.mark.parametrize("module", [messages, chat_completions], ids=lambda m: m.__name__)
def test_a_wire_module_satisfies_the_protocol(module):
    assert isinstance(module.PATH, str) and module.PATH.startswith("/v1/")
    for name in METHODS:
        wanted = inspect.signature(getattr(Wire, name))
        wanted = wanted.replace(parameters=list(wanted.parameters.values())[1:])  # no self
        assert inspect.signature(getattr(module, name)) == wanted, name
