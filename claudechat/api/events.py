"""Typed stream events, shared by both wire formats (they add up to a Message).

The Messages API's SSE events map one to one onto these classes; the Chat
Completions adapter synthesises the same sequence, so everything after the
decoder (accumulator, views, run_turn) is written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# -- deltas -----------------------------------------------------------------


@dataclass(slots=True)
class TextDelta:
    text: str


@dataclass(slots=True)
class ThinkingDelta:
    thinking: str


@dataclass(slots=True)
class SignatureDelta:
    signature: str


@dataclass(slots=True)
class InputJsonDelta:
    partial_json: str


@dataclass(slots=True)
class CitationsDelta:
    citation: dict[str, Any]


@dataclass(slots=True)
class CompactionDelta:
    """The whole summary of a `compaction` block, in one delta."""

    content: str | None
    encrypted_content: str | None = None


@dataclass(slots=True)
class UnknownDelta:
    """A delta type this version does not know; ignored by the accumulator."""

    type: str
    raw: dict[str, Any]


Delta = (TextDelta | ThinkingDelta | SignatureDelta | InputJsonDelta | CitationsDelta | CompactionDelta
         | UnknownDelta)

# -- events -----------------------------------------------------------------


@dataclass(slots=True)
class MessageStart:
    message: dict[str, Any]  # the Message with empty content, usage so far


@dataclass(slots=True)
class ContentBlockStart:
    index: int
    block: dict[str, Any]


@dataclass(slots=True)
class ContentBlockDelta:
    index: int
    delta: Delta


@dataclass(slots=True)
class ContentBlockStop:
    index: int


@dataclass(slots=True)
class MessageDelta:
    stop_reason: str | None
    stop_sequence: str | None
    usage: dict[str, Any]
    stop_details: dict[str, Any] | None = None  # with stop_reason "refusal"
    input_transformations: list[dict[str, Any]] | None = None  # repeated after a fallback


@dataclass(slots=True)
class MessageStop:
    pass


@dataclass(slots=True)
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
