"""Cache health: when a turn that should have read the prompt cache did not, one line
saying why (docs/API-2026.md §4).

A miss is a turn that reads nothing from the cache but writes to it, after a turn that
wrote or read a cache entry. The reason is the API's `diagnostics.cache_miss_reason`
where it gives one, else what claudechat knows changed between the two requests: the
model, the effort or thinking, the system prompt, or more idle time than the cache
keeps an entry (5 minutes, or an hour with cache_ttl = "1h").
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from claudechat.costs import Tokens

TTL_SECONDS = {"5m": 300.0, "1h": 3600.0}
_API_REASONS = {
    "model_changed": "the model changed",
    "system_changed": "the system prompt changed",
    "tools_changed": "the tools changed",
    "messages_changed": "earlier messages changed",
}


@dataclass(frozen=True, slots=True)
class Sent:
    """What a request's cache depends on, as claudechat sent it (None: not known)."""

    model: str
    at: float  # when it was sent (seconds, the watch's clock)
    ttl: str | None = None  # the cache TTL asked for; None: caching off
    thinking: tuple[Any, ...] | None = None  # mode, budget, effort
    system: str | None = None

    @classmethod
    def of(cls, conversation: Any, at: float) -> Sent:
        params = conversation.params
        thinking = params.thinking
        return cls(model=params.model, at=at, ttl=params.cache_ttl,
                   thinking=(thinking.mode, thinking.budget_tokens, thinking.effort),
                   system=conversation.current_system() or "")


def missed(before: dict[str, Any] | None, usage: dict[str, Any] | None) -> bool:
    """Did this turn miss a cache the turn before it had (wrote or read)?"""
    was, now = Tokens.of(before), Tokens.of(usage)
    had = was.read + was.write_5m + was.write_1h
    return had > 0 and now.read == 0 and now.write_5m + now.write_1h > 0


def api_reason(diagnostics: Any) -> str | None:
    """The API's cache_miss_reason in words; None when it gives none that says why."""
    reason = diagnostics.get("cache_miss_reason") if isinstance(diagnostics, dict) else None
    kind = reason.get("type") if isinstance(reason, dict) else None
    return _API_REASONS.get(kind) if isinstance(kind, str) else None


def own_reason(before: Sent | None, now: Sent) -> str | None:
    """What claudechat knows changed between the two requests."""
    if before is None:
        return None
    if before.model != now.model:
        return f"the model changed ({before.model} → {now.model})"
    if before.thinking is not None and now.thinking is not None and before.thinking != now.thinking:
        return "the thinking or effort setting changed"
    if before.system is not None and now.system is not None and before.system != now.system:
        return "the system prompt changed"
    ttl = before.ttl or "5m"
    idle = now.at - before.at
    if idle > TTL_SECONDS.get(ttl, 300.0):
        return f"{_duration(idle)} since the last request, longer than the cache keeps it ({ttl})"
    return None


def _duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 120:
        return f"{minutes} minutes"
    return f"{minutes // 60} h {minutes % 60} min"


def miss_line(before_usage: dict[str, Any] | None, before: Sent | None, message: Any,
              now: Sent) -> str | None:
    """"cache missed: the model changed — 9,057 tokens written again", or None."""
    if not missed(before_usage, message.usage):
        return None
    reason = api_reason(message.extra.get("diagnostics")) or own_reason(before, now) \
        or "reason unknown"
    tokens = Tokens.of(message.usage)
    return f"cache missed: {reason} — {tokens.write_5m + tokens.write_1h:,} tokens written again"


class CacheWatch:
    """Follows a conversation's requests: `sending(conversation)` before each, then
    `received(message)` with the reply gives the miss line, if any."""

    def __init__(self, clock: Callable[[], float] = time.time, *, last: Sent | None = None,
                 last_usage: dict[str, Any] | None = None) -> None:
        self.clock, self.last, self.last_usage = clock, last, last_usage
        self._now: Sent | None = None

    def sending(self, conversation: Any) -> None:
        self._now = Sent.of(conversation, self.clock())

    def received(self, message: Any) -> str | None:
        now, self._now = self._now, None
        if now is None or not message.usage:
            return None
        line = miss_line(self.last_usage, self.last, message, now)
        self.last, self.last_usage = now, message.usage
        return line

    @classmethod
    def resuming(cls, conversation: Any, times: list[float],
                 clock: Callable[[], float] = time.time) -> CacheWatch:
        """A watch that knows the continued conversation's last reply (`ask -c`): its
        usage, model and when it was saved; what else it was asked with is not known."""
        turns = conversation.turns
        for i in range(len(turns) - 1, -1, -1):
            turn = turns[i]
            if turn.role == "assistant" and turn.usage:
                at = times[i] if i < len(times) else clock()
                sent = Sent(model=turn.model or conversation.params.model, at=at,
                            ttl=conversation.params.cache_ttl)
                return cls(clock, last=sent, last_usage=turn.usage)
        return cls(clock)
