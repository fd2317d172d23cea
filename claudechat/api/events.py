"""Typed stream events and the Message they add up to, shared by both wire formats.

The Messages API's SSE events map one to one onto these classes; the Chat
Completions adapter synthesises the same sequence, so everything after the
decoder (accumulator, views, run_turn) is written once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# -- deltas -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TextDelta:
    text: str


@dataclass(frozen=True, slots=True)
class ThinkingDelta:
    thinking: str


@dataclass(frozen=True, slots=True)
class SignatureDelta:
    signature: str


@dataclass(frozen=True, slots=True)
class InputJsonDelta:
    partial_json: str


@dataclass(frozen=True, slots=True)
class CitationsDelta:
    citation: dict[str, Any]


@dataclass(frozen=True, slots=True)
class UnknownDelta:
    """A delta type this version does not know; ignored by the accumulator."""

    type: str
    raw: dict[str, Any]


Delta = TextDelta | ThinkingDelta | SignatureDelta | InputJsonDelta | CitationsDelta | UnknownDelta

# -- events -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MessageStart:
    message: dict[str, Any]  # the Message with empty content, usage so far


@dataclass(frozen=True, slots=True)
class ContentBlockStart:
    index: int
    block: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ContentBlockDelta:
    index: int
    delta: Delta


@dataclass(frozen=True, slots=True)
class ContentBlockStop:
    index: int


@dataclass(frozen=True, slots=True)
class MessageDelta:
    stop_reason: str | None
    stop_sequence: str | None
    usage: dict[str, Any]


@dataclass(frozen=True, slots=True)
class MessageStop:
    pass


@dataclass(frozen=True, slots=True)
class ErrorEvent:
    """An `error` event inside a stream; what arrived before it stays real."""

    type: str
    message: str
    request_id: str | None = None


StreamEvent = (
    MessageStart
    | ContentBlockStart
    | ContentBlockDelta
    | ContentBlockStop
    | MessageDelta
    | MessageStop
    | ErrorEvent
)

# -- the Message --------------------------------------------------------------

_KNOWN_FIELDS = ("id", "type", "role", "model", "content", "stop_reason", "stop_sequence", "usage")


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
            "usage": self.usage,
            **self.extra,
        }

    @property
    def text(self) -> str:
        """The reply's text blocks joined: what a user reads as the answer."""
        return "".join(b.get("text", "") for b in self.content if b.get("type") == "text")
