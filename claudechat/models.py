"""What a model can do: its thinking mode, from `GET /v1/models` when the server
describes capabilities (cached for a day), else from the pattern table below —
the one place that knows model names.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from pathlib import Path
from typing import Any

from claudechat.errors import ApiError, UsageError

EFFORTS = ("low", "medium", "high", "xhigh", "max")  # adaptive thinking's effort levels
MIN_THINKING_BUDGET = 1024  # the smallest budget_tokens the API accepts for enabled thinking
CACHE_TTL = 24 * 3600
NO_MODEL_LIST = frozenset({400, 404, 405, 501})  # answers meaning "no model list here"

# The pattern table: (family version) -> thinking mode. Claude 4.6 accepts both
# forms but deprecates "enabled"; Opus 4.7 and the Claude 5 family reject it.
_VERSIONED = re.compile(r"^claude-(?P<family>[a-z]+)-(?P<major>\d+)(?:-(?P<minor>\d{1,2}))?(?=-|$)")
ADAPTIVE_FROM = (4, 6)


def thinking_mode(model: str, info: dict[str, Any] | None = None) -> str | None:
    """"adaptive" or "enabled" for `model`; None when the server says it cannot think."""
    caps = (info or {}).get("capabilities") or {}
    thinking = caps.get("thinking")
    if isinstance(thinking, dict):
        if thinking.get("supported") is False:
            return None
        types = thinking.get("types") or {}
        if _supported(types.get("adaptive")):
            return "adaptive"
        if _supported(types.get("enabled")):
            return "enabled"
    return _mode_from_name(model)


def supported_efforts(info: dict[str, Any] | None) -> tuple[str, ...] | None:
    """The effort levels the server lists for a model, or None if it does not say."""
    effort = ((info or {}).get("capabilities") or {}).get("effort")
    if not isinstance(effort, dict):
        return None
    return tuple(k for k, v in effort.items() if k != "supported" and _supported(v))


def check_effort(model: str, effort: str, info: dict[str, Any] | None) -> None:
    levels = supported_efforts(info)
    if levels is not None and effort not in levels:
        raise UsageError(f"{model} does not support effort {effort!r} "
                         f"(it supports: {', '.join(levels) or 'none'})")


def _supported(entry: Any) -> bool:
    return isinstance(entry, dict) and entry.get("supported") is True


def _mode_from_name(model: str) -> str:
    m = _VERSIONED.match(model.lower())
    if m:
        version = (int(m["major"]), int(m["minor"] or 0))
        return "adaptive" if version >= ADAPTIVE_FROM else "enabled"
    return "enabled"  # older names (claude-3-7-sonnet-…) and anything unknown


class ModelCatalog:
    """`GET /v1/models`, cached per base URL in the cache dir."""

    def __init__(self, client: Any, cache_dir: Path, *, now: float | None = None) -> None:
        self.client = client
        digest = hashlib.sha256(client.endpoint.base_url.encode()).hexdigest()[:16]
        self.path = cache_dir / f"models-{digest}.json"
        self._now = now

    def info(self, model: str) -> dict[str, Any] | None:
        for entry in self.models() or []:
            if entry.get("id") == model:
                return entry
        return None

    def models(self) -> list[dict[str, Any]] | None:
        now = self._now if self._now is not None else time.time()
        cached = self._read()
        if cached is not None and now - cached.get("fetched", 0) < CACHE_TTL:
            return cached.get("data")
        try:
            data: list[dict[str, Any]] | None = self._fetch()
        except ApiError as exc:
            if exc.status not in NO_MODEL_LIST:
                # transient, or a key problem the real request will report: don't remember
                return cached.get("data") if cached else None
            data = None  # the server does not offer the list
        self._write({"fetched": now, "data": data})
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
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data), "utf-8")
            tmp.replace(self.path)
        except OSError:
            pass  # a cache that cannot be written is only slower
