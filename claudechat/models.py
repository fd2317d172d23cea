"""What each model accepts, as data: `ModelRules` per family and version (the
table below, from docs/API-2026.md §1, §3, §4), overridden by what
`GET /v1/models` says (cached for a day) and by the config file's
`[models."NAME"]` tables — the one place that knows model names.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from claudechat import private
from claudechat.errors import ApiError

EFFORTS = ("low", "medium", "high", "xhigh", "max")  # output_config.effort levels
THINKING_TYPES = ("adaptive", "enabled", "disabled", "between_tools")
MIN_THINKING_BUDGET = 1024  # the smallest budget_tokens the API accepts for enabled thinking
SAMPLING = ("temperature", "top_p", "top_k")
NO_SAMPLING_VERSION = "2026-10-21"  # the anthropic-version without sampling parameters
CACHE_TTL = 24 * 3600
PRICES_CHECKED = "2026-12-01"  # the prices below, against docs/API-2026.md §1a, §1b, §4, §6
NO_MODEL_LIST = frozenset({400, 404, 405, 501})  # answers meaning "no model list here"


@dataclass(frozen=True, slots=True)
class ModelRules:
    """What one model accepts; every field can be overridden in the config."""

    thinking_types: tuple[str, ...]  # thinking.type values the model accepts
    thinking_default: str  # "always" (cannot be turned off), "on" or "off" when unset
    efforts: tuple[str, ...] = ()  # output_config.effort levels; () = no effort
    default_effort: str | None = None
    disabled_max_effort: str | None = None  # thinking off only at this effort or lower
    sampling: str = "never"  # "never" (rejected) | "without_thinking" (only with thinking off)
    forced_tool_choice: bool = True  # tool_choice any/tool accepted
    prefill: bool = False  # a request may end with an assistant turn
    system_messages: bool = False  # role "system" messages mid-conversation
    display_default: str = "omitted"  # thinking text when display is not sent
    preserved_thinking: bool = False  # thinking blocks bound to their prefix (§2)
    cache_min: int = 1024  # smallest cacheable prompt, tokens
    context_window: int = 1_000_000
    max_output: int = 128_000
    price_in: float | None = None  # USD per million tokens; None: no price known
    price_out: float | None = None
    price_write_5m: float | None = None  # None: 1.25 x price_in (§4 multipliers)
    price_write_1h: float | None = None  # None: 2 x price_in
    price_read: float | None = None  # None: 0.1 x price_in
    price_search: float = 10.0  # USD per 1,000 web searches (§6)
    price_tier_tokens: int | None = None  # prompts above this many tokens cost price_tier_factor x
    price_tier_factor: float = 1.0
    released: str = ""  # which model is the newest: future names get its rules

    def takes(self, thinking_type: str) -> bool:
        return thinking_type in self.thinking_types


_ALL = EFFORTS
_V5 = ModelRules(("adaptive", "disabled"), "on", _ALL, "high", system_messages=True,
                 cache_min=512)
_ALWAYS = replace(_V5, thinking_types=("adaptive",), thinking_default="always")
_V46 = ModelRules(("adaptive", "enabled", "disabled"), "off", ("low", "medium", "high", "max"),
                  "high", sampling="without_thinking", display_default="summarized",
                  cache_min=1024, released="2026-02")
_V45 = ModelRules(("enabled", "disabled"), "off", sampling="without_thinking", prefill=True,
                  display_default="summarized", cache_min=4096, context_window=200_000,
                  max_output=64_000, released="2025")
_NO_THINKING = replace(_V45, thinking_types=(), cache_min=2048)
_BOUND = {"preserved_thinking": True, "forced_tool_choice": False}

# (family, (major, minor)) -> rules: docs/API-2026.md §1a-§1c, §3 (system), §4 (cache).
TABLE: dict[tuple[str, tuple[int, int]], ModelRules] = {
    ("fable", (5, 2)): replace(_ALWAYS, **_BOUND, price_in=8, price_out=40, price_read=0.20,
                              released="2026-11-09"),
    ("fable", (5, 1)): replace(_ALWAYS, **_BOUND, price_in=10, price_out=50, price_read=0.25,
                              released="2026-09-01"),
    ("fable", (5, 0)): replace(_ALWAYS, price_in=10, price_out=50, released="2026-06-09"),
    ("mythos", (5, 2)): replace(_ALWAYS, **_BOUND, released="2026-11-09"),
    ("mythos", (5, 1)): replace(_ALWAYS, **_BOUND, released="2026-09-01"),
    ("mythos", (5, 0)): replace(_ALWAYS, released="2026-06-09"),
    ("opus", (5, 5)): replace(_ALWAYS, **_BOUND, default_effort="medium", price_in=4,
                              price_out=20, price_write_5m=5, price_write_1h=8, price_read=0.20,
                              released="2026-09-22"),
    ("sonnet", (5, 5)): replace(_V5, **_BOUND, thinking_types=("adaptive", "between_tools"),
                                price_in=2, price_out=10, price_write_5m=2.50, price_write_1h=4,
                                price_read=0.20, released="2026-09-28"),  # read [U]: 0.20 or 0.10
    ("haiku", (5, 5)): replace(_V5, preserved_thinking=True, default_effort="medium",
                               disabled_max_effort="high", price_in=0.10, price_out=0.50,
                               price_read=0.01, price_tier_tokens=100_000, price_tier_factor=5,
                               released="2026-10-07"),
    ("opus", (5, 0)): replace(_V5, disabled_max_effort="high", price_in=5, price_out=25,
                              released="2026-07-24"),
    ("sonnet", (5, 0)): replace(_V5, system_messages=False, cache_min=1024, price_in=2,
                                price_out=10, released="2026-06-30"),
    ("opus", (4, 8)): replace(_V5, thinking_default="off", price_in=5, price_out=25,
                              cache_min=1024, released="2026-05-28"),
    ("opus", (4, 7)): replace(_V5, thinking_default="off", system_messages=False, price_in=5,
                              price_out=25, cache_min=2048, released="2026-04-16"),
    ("opus", (4, 6)): replace(_V46, cache_min=4096),
    ("sonnet", (4, 6)): _V46,
    ("haiku", (4, 5)): replace(_V45, price_in=1, price_out=5, released="2025-10"),
    ("opus", (4, 5)): _V45,
    ("sonnet", (4, 5)): replace(_V45, cache_min=1024),
    ("opus", (4, 1)): replace(_V45, max_output=32_000, cache_min=1024),
    ("opus", (4, 0)): replace(_V45, max_output=32_000, cache_min=1024),
    ("sonnet", (4, 0)): replace(_V45, cache_min=1024),
    ("sonnet", (3, 7)): replace(_V45, cache_min=1024, released="2025-02"),
    ("haiku", (3, 5)): replace(_NO_THINKING, max_output=8192),
    ("haiku", (3, 0)): replace(_NO_THINKING, max_output=4096),
}
NEWEST = max(TABLE, key=lambda k: TABLE[k].released)
# What Tab offers after /model when neither the server nor the config lists models.
CURRENT_MODELS = ["claude-sonnet-5-5", "claude-opus-5-5", "claude-fable-5-2", "claude-fable-5-1",
                  "claude-haiku-5-5", "claude-opus-5", "claude-sonnet-5", "claude-opus-4-8"]

_NEW_NAME = re.compile(r"^claude-(?P<family>[a-z]+)-(?P<major>\d+)(?:-(?P<minor>\d{1,2}))?(?=-|$)")
_OLD_NAME = re.compile(r"^claude-(?P<major>\d+)(?:-(?P<minor>\d))?-(?P<family>[a-z]+)(?=-|$)")


def parse_name(model: str) -> tuple[str, tuple[int, int]] | None:
    """("opus", (5, 5)) for claude-opus-5-5 (or claude-3-7-sonnet-…); None for other names."""
    name = model.lower().removesuffix("-thinking")
    m = _NEW_NAME.match(name) or _OLD_NAME.match(name)
    if not m:
        return None
    return m["family"], (int(m["major"]), int(m["minor"] or 0))


def table_rules(model: str) -> ModelRules:
    """The exact version's rules, else the nearest lower version of the family (the
    oldest when it is older than all); an unknown family: the newest model's rules."""
    parsed = parse_name(model)
    if parsed is None:
        return TABLE[NEWEST]
    family, version = parsed
    known = sorted(v for f, v in TABLE if f == family)
    if not known:
        return TABLE[NEWEST]
    lower = [v for v in known if v <= version]
    return TABLE[family, lower[-1] if lower else known[0]]


def rules_for(model: str, info: dict[str, Any] | None = None,
              overrides: dict[str, dict[str, Any]] | None = None) -> ModelRules:
    """The table's rules for `model`, then what `GET /v1/models` says (`info`, its
    entry: thinking types, efforts), then the config's `[models."NAME"]` table."""
    table = (overrides or {}).get(model) or {}
    base = table.get("like")
    rules = table_rules(base if isinstance(base, str) else model)
    rules = with_capabilities(rules, info)
    changes = {k: tuple(v) if isinstance(v, list) else v for k, v in table.items() if k != "like"}
    return replace(rules, **changes)


def with_capabilities(rules: ModelRules, info: dict[str, Any] | None) -> ModelRules:
    caps = (info or {}).get("capabilities") or {}
    thinking, effort = caps.get("thinking"), caps.get("effort")
    if isinstance(thinking, dict):
        if thinking.get("supported") is False:
            rules = replace(rules, thinking_types=(), thinking_default="off")
        elif isinstance(thinking.get("types"), dict):
            said = thinking["types"]
            kept = [t for t in rules.thinking_types if t not in ("adaptive", "enabled")]
            listed = [t for t in ("adaptive", "enabled") if _supported(said.get(t))]
            rules = replace(rules, thinking_types=tuple(listed + kept))
    if isinstance(effort, dict):
        levels = tuple(k for k in EFFORTS if effort.get("supported") is not False
                       and _supported(effort.get(k)))
        default = rules.default_effort if rules.default_effort in levels else None
        rules = replace(rules, efforts=levels, default_effort=default)
    return rules


def _supported(entry: Any) -> bool:
    return isinstance(entry, dict) and entry.get("supported") is True


# -- the config's [models."NAME"] tables ---------------------------------------------

_CHOICE = {"thinking_default": ("always", "on", "off"), "sampling": ("never", "without_thinking"),
           "display_default": ("omitted", "summarized")}
_LISTS = {"thinking_types": THINKING_TYPES, "efforts": EFFORTS}
_EFFORT_KEYS = ("default_effort", "disabled_max_effort")
_NUMBERS = ("cache_min", "context_window", "max_output", "price_in", "price_out", "price_write_5m",
            "price_write_1h", "price_read", "price_search", "price_tier_tokens", "price_tier_factor")
OVERRIDE_KEYS = ("like", *(f.name for f in fields(ModelRules) if f.name != "released"))


def override_problem(key: str, value: Any) -> str | None:
    """What is wrong with `key = value` in a [models."NAME"] table, as "must be …", or None."""
    if key not in OVERRIDE_KEYS:
        return "is not a model rule (known: " + ", ".join(OVERRIDE_KEYS) + ")"
    if key == "like":
        ok, allowed = isinstance(value, str) and bool(value.strip()), "a model name"
    elif key in _LISTS:
        allowed = "a list of " + ", ".join(_LISTS[key])
        ok = isinstance(value, list) and all(v in _LISTS[key] for v in value)
    elif key in _CHOICE:
        allowed = " or ".join(f'"{c}"' for c in _CHOICE[key])
        ok = value in _CHOICE[key]
    elif key in _EFFORT_KEYS:
        ok, allowed = value in EFFORTS, "one of " + ", ".join(EFFORTS)
    elif key in _NUMBERS:
        ok = isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < float("inf")
        allowed = "a number of at least 0"
    else:
        ok, allowed = isinstance(value, bool), "true or false"
    return None if ok else f"must be {allowed}"


_DATED = re.compile(r"-\d{8}$")


def listed(model: str, ids: list[str]) -> bool:
    """Is `model` one of the listed `ids`: as listed, or the bare or dated name of one
    (claude-haiku-4-5 / claude-haiku-4-5-20251001), or its -thinking name (Ace Data Cloud)."""
    def bare(name: str) -> str:
        return _DATED.sub("", name.removesuffix("-thinking"))

    return model in ids or bare(model) in {bare(i) for i in ids}


def cached_models(cache_dir: Path) -> list[dict[str, Any]]:
    """Every model the cached lists hold (of any server), without asking one: what shell
    completion offers. Unreadable or expired files count all the same."""
    seen: dict[str, dict[str, Any]] = {}
    for path in sorted(cache_dir.glob("models-*.json")):
        try:
            data = json.loads(path.read_text("utf-8")).get("data") or []
        except (OSError, ValueError, AttributeError):
            continue
        for entry in data if isinstance(data, list) else []:
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                seen.setdefault(entry["id"], entry)
    return list(seen.values())


class ModelCatalog:
    """`GET /v1/models`, cached per base URL in the cache dir."""

    def __init__(self, client: Any, cache_dir: Path, *, now: float | None = None) -> None:
        self.client = client
        digest = hashlib.sha256(client.endpoint.base_url.encode()).hexdigest()[:16]
        self.path = cache_dir / f"models-{digest}.json"
        self._now = now
        self.problem: str | None = None  # why the last models() could not ask (None: it could)

    def info(self, model: str) -> dict[str, Any] | None:
        for entry in self.models() or []:
            if entry.get("id") == model:
                return entry
        return None

    def models(self) -> list[dict[str, Any]] | None:
        now = self._now if self._now is not None else time.time()
        self.problem = None
        cached = self._read()
        if cached is not None and now - cached.get("fetched", 0) < CACHE_TTL:
            return cached.get("data")
        try:
            return self.refresh()
        except ApiError as exc:
            # transient, or a key problem the real request will report: don't remember
            self.problem = None if cached else str(exc)
            return cached.get("data") if cached else None

    def refresh(self) -> list[dict[str, Any]] | None:
        """Ask the server now (`claudechat models`) and remember the answer for Tab and /model:
        the list, or None when the server has none (an answer of NO_MODEL_LIST). Any other
        error is raised, and what was remembered stays."""
        try:
            data: list[dict[str, Any]] | None = self._fetch()
        except ApiError as exc:
            if exc.status not in NO_MODEL_LIST:
                raise
            data = None  # the server does not offer the list
        self._write({"fetched": self._now if self._now is not None else time.time(), "data": data})
        return data

    def _fetch(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        params: dict[str, Any] = {"limit": 1000}
        for _ in range(20):
            page = self.client.get_json("/v1/models", params)
            if not isinstance(page, dict) or not isinstance(page.get("data"), list):
                raise ApiError("the model list is not in the expected shape", status=200)
            out.extend(e for e in page["data"] if isinstance(e, dict))
            if not page.get("has_more") or not page.get("last_id"):
                break
            params = {"limit": 1000, "after_id": page["last_id"]}
        return out

    def _read(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def _write(self, data: dict[str, Any]) -> None:
        try:
            private.make_dirs(self.path.parent)
            tmp = self.path.with_suffix(".tmp")
            tmp.unlink(missing_ok=True)  # made anew: 0600
            private.write_text(tmp, json.dumps(data))
            tmp.replace(self.path)
        except OSError:
            pass  # a cache that cannot be written is only slower
