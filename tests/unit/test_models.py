"""Which thinking form a model takes: the server's capabilities first, then its name."""

from __future__ import annotations

import pytest

from claudechat.errors import UsageError
from claudechat.models import check_effort, thinking_mode


@pytest.mark.parametrize(
    ("model", "mode"),
    [
        ("claude-3-7-sonnet-20250219", "enabled"),
        ("claude-sonnet-4-20250514", "enabled"),
        ("claude-opus-4-1-20250805", "enabled"),
        ("claude-sonnet-4-5", "enabled"),
        ("claude-haiku-4-5-20251001", "enabled"),
        ("claude-opus-4-5", "enabled"),
        ("claude-sonnet-4-6", "adaptive"),
        ("claude-opus-4-6", "adaptive"),
        ("claude-opus-4-7", "adaptive"),
        ("claude-opus-4-7-20260301", "adaptive"),
        ("claude-opus-5", "adaptive"),
        ("claude-sonnet-5-20261001", "adaptive"),
        ("claude-fable-5", "adaptive"),
        ("some-proxy-model", "enabled"),
    ],
)
def test_pattern_table(model, mode):
    assert thinking_mode(model) == mode


def caps(adaptive, enabled, supported=True):
    return {"id": "x", "capabilities": {"thinking": {"supported": supported, "types": {
        "adaptive": {"supported": adaptive}, "enabled": {"supported": enabled}}}}}


def test_the_servers_capabilities_win_over_the_name():
    assert thinking_mode("claude-3-7-sonnet-20250219", caps(True, False)) == "adaptive"
    assert thinking_mode("claude-opus-5", caps(False, True)) == "enabled"
    assert thinking_mode("claude-opus-4-6", caps(True, True)) == "adaptive"
    assert thinking_mode("claude-opus-4-6", caps(False, False, supported=False)) is None


def test_a_model_entry_without_capabilities_falls_back_to_the_name():
    assert thinking_mode("claude-opus-4-7", {"id": "claude-opus-4-7"}) == "adaptive"


def test_effort_levels_the_server_lists():
    info = {"capabilities": {"effort": {"supported": True, "low": {"supported": True},
                                        "high": {"supported": True}, "max": {"supported": False}}}}
    check_effort("m", "high", info)
    check_effort("m", "max", None)  # the server says nothing: let it decide
    with pytest.raises(UsageError, match="low, high"):
        check_effort("m", "max", info)
