"""Every setting the config file, a variable or a flag may give: its type and what it may be.

Data only (settings.py reads the file against it; config_command.py shows it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from claudechat.models import EFFORTS, MIN_THINKING_BUDGET

# -- the schema -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Spec:
    kind: type | tuple[type, ...]
    allowed: str  # how the value is described in an error
    check: Any = None  # value -> bool
    choices: tuple[str, ...] = ()


def _between(lo: float, hi: float) -> Any:
    return lambda v: lo <= v <= hi  # NaN and the infinities fall outside any range


MAX_TIMEOUT = 86_400  # a day: a longer wait is no timeout (and overflows the socket's)
MAX_COUNT = 2**31 - 1  # token counts the API takes: a JSON integer any server can read


def _seconds(v: float) -> bool:
    return 0 < v <= MAX_TIMEOUT


def _count(lo: int) -> Any:
    return lambda v: lo <= v <= MAX_COUNT


def valid_url(value: str) -> bool:
    """An http:// or https:// URL with a host (and a port that is a number, if any)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is no number
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and value.isprintable() \
        and not any(c.isspace() for c in value)


_NUM = (int, float)
REQUEST_KEYS: dict[str, Spec] = {
    "model": Spec(str, "a model name", lambda v: bool(v.strip())),
    "max_tokens": Spec(int, f"an integer from 1 to {MAX_COUNT}", _count(1)),
    "temperature": Spec(_NUM, "a number from 0 to 1", _between(0, 1)),
    "top_p": Spec(_NUM, "a number from 0 to 1", _between(0, 1)),
    "top_k": Spec(int, f"an integer from 1 to {MAX_COUNT}", _count(1)),
    "stop_sequences": Spec(list, "a list of strings", lambda v: all(isinstance(s, str) for s in v)),
    "system": Spec(str, "a string"),
    "thinking": Spec(bool, "true or false"),
    "thinking_budget": Spec(int, f"an integer from {MIN_THINKING_BUDGET} to {MAX_COUNT}",
                            _count(MIN_THINKING_BUDGET)),
    "effort": Spec(str, "one of " + ", ".join(EFFORTS), choices=EFFORTS),
    "thinking_text": Spec(str, '"auto", "summarized" or "omitted"',
                          choices=("auto", "summarized", "omitted")),
    "cache": Spec(bool, "true or false"),
    "cache_ttl": Spec(str, '"5m" or "1h"', choices=("5m", "1h")),
    "confirm_tokens": Spec(int, f"an integer from 0 to {MAX_COUNT}", _count(0)),
    # the API's own tools (web.py): offered or not, and their [web_search] / [web_fetch] tables
    "web": Spec(bool, "true or false"),
    "cite": Spec(bool, "true or false"),
    "web_search": Spec(dict, "a table ([web_search])"),
    "web_fetch": Spec(dict, "a table ([web_fetch])"),
    "tool_choice": Spec(str, '"auto", "none" or the name of an offered tool', lambda v: bool(v.strip())),
}
PROFILE_KEYS: dict[str, Spec] = {
    "base_url": Spec(str, "an http:// or https:// URL with a host name", valid_url),
    "auth": Spec(str, '"bearer" or "x-api-key"', choices=("bearer", "x-api-key")),
    "api_key_env": Spec(str, "the name of an environment variable",
                        lambda v: re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", v) is not None),
    "api_key_command": Spec(str, "a shell command that prints the key", lambda v: bool(v.strip())),
    "api_key": Spec(str, "a string (better: api_key_env or api_key_command)"),
    "api": Spec(str, '"messages" or "chat-completions"', choices=("messages", "chat-completions")),
    "anthropic_version": Spec(str, "a version date such as 2023-06-01", lambda v: bool(v.strip())),
    "allow_insecure_http": Spec(bool, "true or false"),
    "tools": Spec(list, "a list of tool names (each a [tools.NAME] table)",
                  lambda v: all(isinstance(s, str) for s in v)),
    **REQUEST_KEYS,
}
# Values never repeated in an error message: they may hold (or be) a key.
SECRET_KEYS = frozenset({"api_key", "api_key_env", "api_key_command"})
TOP_KEYS: dict[str, Spec] = {
    "default_profile": Spec(str, "a profile name"),
    "max_retries": Spec(int, "an integer from 0 to 10", _between(0, 10)),
    "connect_timeout": Spec(_NUM, f"a number of seconds above 0, at most {MAX_TIMEOUT}", _seconds),
    "idle_timeout": Spec(_NUM, f"a number of seconds above 0, at most {MAX_TIMEOUT}", _seconds),
    "resize_images": Spec(bool, "true or false"),
    "thinking_display": Spec(str, '"collapsed", "expanded" or "hidden"',
                             choices=("collapsed", "expanded", "hidden")),
    "editing_mode": Spec(str, '"emacs" or "vi"', choices=("emacs", "vi")),
    "models": Spec((list, dict), 'a table of [models."NAME"] sections (or a list of names)',
                   lambda v: all(isinstance(s, str) for s in v)),
    "save_history": Spec(bool, "true or false"),
    "max_tool_rounds": Spec(int, "an integer from 1 to 100", _between(1, 100)),
    "tool_output_limit": Spec(int, "a number of bytes of at least 1000", lambda v: v >= 1000),
    **REQUEST_KEYS,
    "tools": Spec(dict, "a table of [tools.NAME] sections"),  # the definitions; a profile's is a list
}

BUILTIN_PROFILES: dict[str, dict[str, Any]] = {
    "acedata": {
        "base_url": "https://api.acedata.cloud",
        "auth": "bearer",
        "api_key_env": "ACEDATA_API_TOKEN",
    },
    "anthropic": {
        "base_url": "https://api.anthropic.com",
        "auth": "x-api-key",
        "api_key_env": "ANTHROPIC_API_KEY",
    },
}
# Environment variables that stand in for a setting of one built-in profile.
BUILTIN_ENV = {"anthropic": {"base_url": "ANTHROPIC_BASE_URL"}}
DEMO_PROFILE, DEMO = "demo", {"auth": "x-api-key", "api_key": "demo"}  # --demo (cli/demo.py), any key
GENERAL_ENV = {"model": "CLAUDECHAT_MODEL", "base_url": "CLAUDECHAT_BASE_URL"}
