"""The API key: looked up only when a request is about to be made, so `--help` never runs a
password manager. Returns where the key came from, never echoes it.

Before the key is used: the base URL must not send it in clear over the network (plain
http:// only to this machine, unless the profile says `allow_insecure_http = true`), and
the key must be one line of printable ASCII (an HTTP header cannot carry anything else).
The key found is registered with redaction.py at once, so no line printed after holds it.
"""

from __future__ import annotations

import ipaddress
import os
import subprocess
from urllib.parse import urlsplit

from claudechat import redaction
from claudechat.errors import ConfigError, NoKeyError
from claudechat.settings import Settings


def resolve_key(settings: Settings, env: dict[str, str] | None = None) -> tuple[str, str]:
    """The API key and a description of where it came from (never the key)."""
    check_transport(settings)
    key, source = _find_key(settings, dict(os.environ) if env is None else env)
    redaction.add_key(key)
    problem = key_problem(key)
    if problem:
        raise ConfigError(f"the API key from {source} {problem}; {_fix(settings, source)}")
    return key, source


def _find_key(settings: Settings, env: dict[str, str]) -> tuple[str, str]:
    var = settings.api_key_env
    if var and env.get(var, "").strip():
        return env[var].strip(), f"${var}"
    if settings.api_key_command:
        return _run_key_command(settings), f"api_key_command of profile {settings.profile!r}"
    if settings.api_key:
        return settings.api_key, f"api_key of profile {settings.profile!r} in {settings.config_file}"
    raise NoKeyError(settings.profile, settings.config_file, var)


def key_problem(key: str) -> str | None:
    """What keeps `key` out of an HTTP header, in words that never quote it (None: fine)."""
    if "\n" in key or "\r" in key:
        return "is more than one line"
    for at, char in enumerate(key, 1):
        if char in " \t":
            return f"has a space inside (character {at})"
        if not char.isascii():
            return (f"has a character that is not ASCII (character {at}: a quote or dash "
                    f"pasted from a document?)")
        if not char.isprintable():
            return f"has a control character (character {at})"
    return None


def _fix(settings: Settings, source: str) -> str:
    if source.startswith("$"):
        return f"set {source[1:]} to the key alone"
    if source.startswith("api_key_command"):
        return "make the command print the key alone on its first line"
    return f"fix api_key of profile {settings.profile!r} in {settings.config_file}"


def check_transport(settings: Settings) -> None:
    """Refuse to send the key over plain http to another machine, unless the profile allows it."""
    try:
        parts = urlsplit(settings.base_url)
        host = parts.hostname or ""
    except ValueError as exc:
        raise ConfigError(f"the base URL {settings.base_url!r} of profile {settings.profile!r} "
                          f"is not a valid URL ({exc}); fix base_url or --base-url") from None
    if parts.scheme.lower() != "http" or settings.allow_insecure_http or is_loopback(host):
        return
    raise ConfigError(
        f"the base URL of profile {settings.profile!r} is plain http:// to {host}: the API key "
        f"would cross the network unencrypted; use https://, or set allow_insecure_http = true "
        f"in [profiles.{settings.profile}] of {settings.config_file}")


def is_loopback(host: str) -> bool:
    """This machine: 127.0.0.0/8, ::1 (also IPv4-mapped), localhost and *.localhost."""
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def _run_key_command(settings: Settings) -> str:
    command = settings.api_key_command or ""
    try:
        done = subprocess.run(command, shell=True, capture_output=True, timeout=60,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise ConfigError(f"api_key_command of profile {settings.profile!r} did not finish "
                          f"within 60 s") from None
    except OSError as exc:
        raise ConfigError(f"api_key_command of profile {settings.profile!r} could not run: "
                          f"{exc.strerror}") from None
    printed = done.stdout.decode("utf-8", "replace").strip()  # not UTF-8: key_problem says so
    key = printed.splitlines()[0].strip() if printed else ""
    if done.returncode != 0 or not key:
        why = f"exited with status {done.returncode}" if done.returncode else "printed nothing"
        raise ConfigError(f"api_key_command of profile {settings.profile!r} {why}; "
                          f"run it by hand to see why")
    return key

