"""The API key: looked up only when a request is about to be made, so `--help` never runs a
password manager. Returns where the key came from, never echoes it."""

from __future__ import annotations

import os
import subprocess

from claudechat.errors import ConfigError, NoKeyError
from claudechat.settings import Settings


def resolve_key(settings: Settings, env: dict[str, str] | None = None) -> tuple[str, str]:
    """The API key and a description of where it came from (never the key)."""
    env = dict(os.environ) if env is None else env
    var = settings.api_key_env
    if var and env.get(var, "").strip():
        return env[var].strip(), f"${var}"
    if settings.api_key_command:
        return _run_key_command(settings), f"api_key_command of profile {settings.profile!r}"
    if settings.api_key:
        return settings.api_key, f"api_key of profile {settings.profile!r} in {settings.config_file}"
    raise NoKeyError(settings.profile, settings.config_file, var)


def _run_key_command(settings: Settings) -> str:
    command = settings.api_key_command or ""
    try:
        done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise ConfigError(f"api_key_command of profile {settings.profile!r} did not finish "
                          f"within 60 s") from None
    except OSError as exc:
        raise ConfigError(f"api_key_command of profile {settings.profile!r} could not run: "
                          f"{exc.strerror}") from None
    key = done.stdout.strip().splitlines()[0].strip() if done.stdout.strip() else ""
    if done.returncode != 0 or not key:
        why = f"exited with status {done.returncode}" if done.returncode else "printed nothing"
        raise ConfigError(f"api_key_command of profile {settings.profile!r} {why}; "
                          f"run it by hand to see why")
    return key
