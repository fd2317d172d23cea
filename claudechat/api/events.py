"""Typed stream events, shared by both wire formats (they add up to a Message).

The Messages API's SSE events map one to one onto these classes; the Chat
Completions adapter synthesises the same sequence, so everything after the
decoder (accumulator, views, run_turn) is written once.

Below the events, what both parsers use to check the server's data before it
becomes one: `loads` (JSON within MAX_DEPTH) and `field` (a field of the documented
JSON type, else BadShape naming it).
"""

from __future__ import annotations

import json
import re
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


# -- checking what the server sent ---------------------------------------------------------

# How deep the server's JSON may nest (objects and arrays). Real events nest under ten
# levels and a tool's input rarely past twenty; everything after the parser (copies, the
# history's json.dumps, the views) recurses once per level, and Python's recursion limit
# (1,000 frames) fails them from a few hundred levels, so deeper data is refused here.
MAX_DEPTH = 64
_scan = json.JSONDecoder().scan_once  # what json.loads runs after skipping whitespace
_JSON_TOKEN = re.compile(r'"(?:[^"\\]++|\\.)*+"|[\[\]{}]')
_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true/false",
          dict: "an object", list: "an array", type(None): "null"}


class BadShape(ValueError):
    """A field of an event that is missing or of the wrong JSON type; its text names the
    field by its path ("delta.text is an integer, not a string")."""


class TooDeep(ValueError):
    """JSON nested deeper than MAX_DEPTH."""

    def __init__(self) -> None:
        super().__init__(f"nests deeper than {MAX_DEPTH} levels")


def loads(text: str) -> Any:
    """The server's JSON; ValueError when it is not JSON, TooDeep (a ValueError) when it
    nests deeper than MAX_DEPTH."""
    if text.count("[") + text.count("{") > MAX_DEPTH and _depth(text) > MAX_DEPTH:
        raise TooDeep
    try:
        try:  # json.loads's own parser without its two whitespace scans: half the time per event
            value, end = _scan(text, 0)
            if end == len(text):
                return value
        except StopIteration:
            pass
        return json.loads(text)  # leading or trailing whitespace, or not JSON: json's own error
    except RecursionError:
        raise TooDeep from None


def not_json(exc: ValueError) -> str:
    """What is wrong with data `loads` refused, for a message: not JSON, or nested too deep."""
    return f"its JSON {exc}" if isinstance(exc, TooDeep) else "its data is not JSON"


def _depth(text: str) -> int:
    """How deep the JSON text nests (brackets in strings do not count), up to MAX_DEPTH + 1."""
    depth = deepest = 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                break
        elif token in "]}":
            depth -= 1
    return deepest


def what(value: Any) -> str:
    """A JSON value's type, as a sentence says it."""
    return _NAMES.get(type(value), type(value).__name__)


def field(data: dict[str, Any], key: str, *kinds: type, at: str = "", optional: bool = False) -> Any:
    """data[key], which must be of one of `kinds` (exactly: true is not an integer); a missing
    key is None when `optional`. `at`: the path to `data`, for the message ("delta.")."""
    if key not in data:
        if optional:
            return None
        raise BadShape(f"{at}{key} is missing")
    value = data[key]
    if type(value) not in kinds:
        raise BadShape(f"{at}{key} is {what(value)}, not {' or '.join(_NAMES[k] for k in kinds)}")
    return value


def index_of(data: dict[str, Any]) -> int:
    """A block's `index`: an integer >= 0."""
    index = field(data, "index", int)
    if index < 0:
        raise BadShape(f"index is {index}, not a position")
    return index
