"""keys.py: a key that cannot go in a header is refused without being quoted, and plain
http:// is for this machine only."""

from __future__ import annotations

import pytest

from claudechat.keys import is_loopback, key_problem


@pytest.mark.parametrize(("key", "problem"), [
    ("sk-ant-good-0123", None),
    ("sk-ant\nsecond", "is more than one line"),
    ("sk-ant\rsecond", "is more than one line"),
    ("sk ant", "has a space inside (character 3)"),
    ("sk\tant", "has a space inside (character 3)"),
    ("sk-\u201cant", "has a character that is not ASCII (character 4: a quote or dash pasted from a "
                     "document?)"),
    ("sk-\x00ant", "has a control character (character 4)"),
])
def test_key_problem_says_what_is_wrong_with_the_key(key, problem):
    assert key_problem(key) == problem


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.3.2.1", True), ("::1", True), ("::ffff:127.0.0.1", True),
    ("localhost", True), ("LOCALHOST.", True), ("api.localhost", True),
    ("10.0.0.1", False), ("example.com", False), ("localhost.example.com", False), ("::2", False),
    ("", False),
])
def test_loopback_is_127_slash_8_and_colon_colon_1_and_localhost(host, loopback):
    assert is_loopback(host) is loopback
