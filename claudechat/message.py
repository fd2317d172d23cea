"""Message: an assistant reply as the non-streaming API returns it.

A leaf module (it imports nothing from claudechat): the conversation, the
stream accumulator, the views and the history store all speak it, and both
wire formats produce it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

_KNOWN_FIELDS = ("id", "type", "role", "model", "content", "stop_reason", "stop_sequence",
                 "stop_details", "usage")


@dataclass(slots=True)
class Message:
    """An assistant reply as the non-streaming API returns it.

    Content blocks stay plain dicts in the API's own shape, so block types
    this version does not know are kept exactly as they came.
    """

    id: str = ""
    model: str = ""
    role: str = "assistant"
    content: list[dict[str, Any]] = field(default_factory=list)
    stop_reason: str | None = None
    stop_sequence: str | None = None
    usage: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # unknown top-level fields
    stop_details: dict[str, Any] | None = None  # {"type": "refusal", "category", "explanation", …}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        return cls(
            id=data.get("id") or "",
            model=data.get("model") or "",
            role=data.get("role") or "assistant",
            content=[dict(b) for b in data.get("content") or []],
            stop_reason=data.get("stop_reason"),
            stop_sequence=data.get("stop_sequence"),
            usage=dict(data.get("usage") or {}),
            stop_details=data["stop_details"] if isinstance(data.get("stop_details"), dict) else None,
            extra={k: v for k, v in data.items() if k not in _KNOWN_FIELDS},
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": "message",
            "role": self.role,
            "model": self.model,
            "content": self.content,
            "stop_reason": self.stop_reason,
            "stop_sequence": self.stop_sequence,
            **({"stop_details": self.stop_details} if self.stop_details is not None else {}),
            "usage": self.usage,
            **self.extra,
        }

    @property
    def input_transformations(self) -> list[dict[str, Any]]:
        """What the API did to the request before reading it (thinking blocks it dropped…)."""
        value = self.extra.get("input_transformations")
        return [t for t in value if isinstance(t, dict)] if isinstance(value, list) else []

    @property
    def text(self) -> str:
        """The reply's text blocks joined: what a user reads as the answer."""
        return "".join(b.get("text", "") for b in self.content if b.get("type") == "text")


def fallback_note(block: dict[str, Any]) -> str:
    """"answered by MODEL after a refusal by MODEL" for a `fallback` block (docs/API-2026.md
    §5); not sanitised."""
    def model(side: str) -> str:
        value = block.get(side)
        return str(value.get("model")) if isinstance(value, dict) else "another model"

    trigger = block.get("trigger")
    category = trigger.get("category") if isinstance(trigger, dict) else None
    return f"answered by {model('to')} after a refusal by {model('from')}" + \
        (f" ({category})" if category else "")
