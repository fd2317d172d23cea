"""The fake server's prompt cache, read from docs/API-2026.md §4 (and nothing the client sends).

* Breakpoints: every block carrying ``cache_control`` and, with the top-level ``cache_control``
  (automatic caching), the last block of the last message. TTL ``5m`` unless ``"ttl": "1h"``.
* The prompt is a list of positions: ``tools`` (one), ``system`` (one), then every content block
  of every message. A prefix is keyed by the model, the thinking config and effort (they
  invalidate the messages, §4 "What invalidates") and the canonical positions up to it.
* Tokens are counted like ``count_tokens`` (``estimate_tokens``: characters // 4 + 1): the prefix
  up to a position is its characters // 4, so ``input_tokens`` is what follows the last
  breakpoint, plus one.
* A request reads the longest cached prefix within 20 positions before a breakpoint (lookback),
  writes at each later breakpoint whose prefix reaches the model's minimum (§4 "Minimum
  cacheable prompt"; below it nothing is cached and there is no error). A read refreshes the
  entry's TTL, counted from the request's start.
* ``diagnostics: {"previous_message_id": id | null}`` asks for the cache diagnosis: the
  reply carries top-level ``diagnostics`` with ``cache_miss_reason`` (null when the prompt
  continues the previous one; ``model_changed``, ``tools_changed``, ``system_changed``,
  ``messages_changed`` with ``cache_missed_input_tokens``; ``previous_message_not_found``).
  The fingerprint is stored only for requests that carry ``diagnostics``.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from typing import Any

from claudechat.demo.catalog import estimate_tokens, text_chars

TTLS = {"5m": 300.0, "1h": 3600.0}
LOOKBACK = 20
# §4 "Minimum cacheable prompt", by model id prefix (dated ids share the bare id's prefix)
_MINIMUM = (
    (("claude-fable-5", "claude-mythos-5", "claude-opus-5", "claude-sonnet-5-5", "claude-haiku-5-5"), 512),
    (("claude-opus-4-8", "claude-sonnet-5", "claude-sonnet-4-6", "claude-sonnet-4-5"), 1024),
    (("claude-opus-4-7", "claude-mythos-preview"), 2048),
    (("claude-opus-4-6", "claude-opus-4-5", "claude-haiku-4-5"), 4096),
)


def cache_minimum(model: str) -> int:
    for prefixes, minimum in _MINIMUM:
        if any(model == p or model.startswith(p + "-") for p in prefixes):
            return minimum
    return 1024  # a model the reference does not list


def _chars(value: Any) -> int:
    return text_chars(value)  # the count estimate_tokens uses


def _canon(value: Any) -> str:
    def strip(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: strip(x) for k, x in v.items() if k != "cache_control"}
        if isinstance(v, list):
            return [strip(x) for x in v]
        return v
    return json.dumps(strip(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass
class _Position:
    canon: str
    chars: int
    ttl: str | None  # a breakpoint's TTL, or None


def _blocks(message: dict) -> list[dict]:
    content = message.get("content")
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return [b for b in content or [] if isinstance(b, dict)]


def _ttl(marker: Any) -> str | None:
    if not isinstance(marker, dict):
        return None
    ttl = marker.get("ttl", "5m")
    return ttl if ttl in TTLS else "5m"


def positions(body: dict) -> list[_Position]:
    """The prompt's positions in order, each with its characters and breakpoint TTL."""
    out: list[_Position] = []
    if body.get("tools"):
        tools = body["tools"]
        ttl = next((_ttl(t.get("cache_control")) for t in reversed(tools)
                    if isinstance(t, dict) and t.get("cache_control")), None)
        out.append(_Position("tools:" + _canon(tools), len(json.dumps(tools)), ttl))
    system = body.get("system")
    if system:
        marked = [b for b in system if isinstance(b, dict) and b.get("cache_control")] \
            if isinstance(system, list) else []
        out.append(_Position("system:" + _canon(system), _chars(system),
                             _ttl(marked[-1]["cache_control"]) if marked else None))
    for message in body.get("messages") or []:
        if not isinstance(message, dict):
            continue
        for block in _blocks(message):
            out.append(_Position(f"{message.get('role')}:" + _canon(block), _chars([block]),
                                 _ttl(block.get("cache_control"))))
    automatic = _ttl(body.get("cache_control"))
    if automatic and out and out[-1].ttl is None:
        out[-1].ttl = automatic
    return out


class PromptCache:
    """Cache entries and diagnosis fingerprints of one fake server."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, str]] = {}  # prefix key -> (expires at, ttl)
        self._prints: dict[str, dict] = {}  # reply id -> what the request looked like

    def account(self, body: dict, now: float) -> dict[str, Any]:
        """The usage fields for this request, cache entries read, refreshed and written."""
        model = str(body.get("model"))
        salt = model + "|" + _canon([body.get("thinking"), body.get("output_config")])
        found = positions(body)
        keys, tokens, chars, digest = [], [], 0, hashlib.sha256(salt.encode())
        for position in found:
            digest.update(position.canon.encode())
            keys.append(digest.copy().hexdigest())
            chars += position.chars
            tokens.append(chars // 4)
        total = chars // 4 + 1
        breaks = [i for i, p in enumerate(found) if p.ttl]
        read_at, written = -1, {"5m": 0, "1h": 0}
        with self._lock:
            for b in breaks:
                for i in range(b, max(-1, b - LOOKBACK), -1):
                    if i <= read_at:
                        break
                    entry = self._entries.get(keys[i])
                    if entry and entry[0] > now:
                        read_at = i
                        self._entries[keys[i]] = (now + TTLS[entry[1]], entry[1])
                        break
            read = tokens[read_at] if read_at >= 0 else 0
            done = read
            for b in breaks:
                if b > read_at and tokens[b] >= cache_minimum(model):
                    ttl = str(found[b].ttl)
                    self._entries[keys[b]] = (now + TTLS[ttl], ttl)
                    written[ttl] += tokens[b] - done
                    done = tokens[b]
        return {"input_tokens": total - done, "cache_creation_input_tokens": done - read,
                "cache_read_input_tokens": read,
                "cache_creation": {"ephemeral_5m_input_tokens": written["5m"],
                                   "ephemeral_1h_input_tokens": written["1h"]}}

    def diagnose(self, body: dict) -> dict | None:
        """The `diagnostics` object for a request that asked for one, else None."""
        asked = body.get("diagnostics")
        if not isinstance(asked, dict):
            return None
        previous = asked.get("previous_message_id")
        if previous is None:
            return {"cache_miss_reason": None}
        with self._lock:
            before = self._prints.get(previous) if isinstance(previous, str) else None
        if before is None:
            return {"cache_miss_reason": {"type": "previous_message_not_found"}}
        now = _fingerprint(body)
        missed = {"cache_missed_input_tokens": before["tokens"]}
        for kind in ("model", "tools", "system"):
            if now[kind] != before[kind]:
                return {"cache_miss_reason": {"type": f"{kind}_changed", **missed}}
        if now["messages"][:len(before["messages"])] != before["messages"]:
            return {"cache_miss_reason": {"type": "messages_changed", **missed}}
        return {"cache_miss_reason": None}

    def remember(self, body: dict, reply_id: str, content: list[dict]) -> None:
        """Store the fingerprint of a request that asked for diagnostics, with its reply."""
        if not isinstance(body.get("diagnostics"), dict):
            return
        prints = _fingerprint(body)
        prints["messages"].append(_canon({"role": "assistant", "content": content}))
        prints["tokens"] = estimate_tokens(body)
        with self._lock:
            self._prints[reply_id] = prints


def _fingerprint(body: dict) -> dict:
    settings = _canon([body.get("thinking"), body.get("output_config")])
    messages = [_canon({"role": m.get("role"), "content": _blocks(m)})
                for m in body.get("messages") or [] if isinstance(m, dict)]
    return {"model": body.get("model"), "tools": _canon(body.get("tools")),
            "system": _canon(body.get("system")), "messages": [settings, *messages]}
