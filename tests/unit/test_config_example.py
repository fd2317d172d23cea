"""config.example.toml documents every setting, and what it shows is valid."""

from __future__ import annotations

import re
from pathlib import Path

from claudechat.setting_keys import PROFILE_KEYS, TOP_KEYS
from claudechat.settings import read_config

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"


def test_every_setting_is_documented():
    text = EXAMPLE.read_text("utf-8")
    for key in sorted(set(TOP_KEYS) | set(PROFILE_KEYS)):
        assert re.search(rf"(?m)^#\s+{key}\b", text), f"{key} is not documented"


def test_the_examples_are_valid_when_uncommented(tmp_path):
    text = EXAMPLE.read_text("utf-8")
    uncommented = re.sub(r"(?m)^# ((?:\[|[a-z_]+ = ).*)$", r"\1", text)
    path = tmp_path / "config.toml"
    path.write_text(uncommented, "utf-8")
    config = read_config(path)
    assert {"acedata", "anthropic", "work"} <= set(config["profiles"])
    assert set(TOP_KEYS) <= set(config)


def test_the_starter_shipped_in_the_package_is_the_example():
    from claudechat.config_command import starter

    assert starter() == EXAMPLE.read_text("utf-8")
