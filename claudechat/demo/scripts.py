"""What a test (or the tour) scripts the server to answer: Reply, ErrorReply, RawSSE, Drop, Stall;
and Recorded, a request as the server received it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

DEFAULT_TEXT = "Hello from the fake server."
_CHUNKINGS = ("event", "bytes", "random")
_LINE_ENDINGS = ("\n", "\r\n", "\r")




@dataclass
class Reply:
    """A successful reply; see the module docstring for how it renders."""

    text: str | list[str] = DEFAULT_TEXT  # a list = the text_delta pieces; a str is cut every 4 chars
    thinking: str | list[str] | None = None  # a thinking block first, then a signature_delta
    signature: str | None = None  # default: an HMAC the server checks when the block comes back
    unsigned: bool = False  # the thinking block has no signature at all (Ace Data Cloud, issue 10)
    redacted: str | None = None  # a redacted_thinking block, after thinking
    tool_use: list[dict] | None = None  # [{"id"?, "name", "input"?: dict}] -> tool_use blocks after the text
    stop_reason: str | None = None  # default: "tool_use" if tool_use else "end_turn"
    stop_sequence: str | None = None
    usage: dict | None = None  # merged over {input_tokens: 12, cache_*: 0, output_tokens: <deltas>}
    model: str | None = None  # default: the request's model (the fallback's "to" with `fallback`)
    stop_details: dict | None = None  # e.g. {"type": "refusal", "category": "cyber", "explanation": ...}
    fallback: dict | None = None  # {"from": M1, "to": M2, "category": C}: a fallback block first
    echo_results: bool = False  # the text: the request's last tool results (tool messages on chat)
    blocks: Sequence[dict] = ()  # whole blocks (server tool results, compaction) after the text
    web: Sequence[Any] = ()  # web.py's Search, Fetch, Cite or str steps, in order, before the text
    id: str | None = None  # default: msg_<n> (chatcmpl-<n> on /v1/chat/completions)
    pings: bool = True  # a ping after message_start and one mid-stream (Messages only)
    # fault injection, streaming only:
    chunking: str = "event"  # "event" | "bytes" | "random" (seeded sizes 1..7, across event boundaries)
    line_ending: str = "\n"  # "\n" | "\r\n" | "\r", for every line of the body
    drop_after: int | None = None  # close the connection after this many events
    stall_after: int | None = None  # stop sending after this many events until release() / hang-up
    error_after: int | None = None  # send the stream-error event after this many events, then end
    delay: float = 0.0  # seconds between events
    extra_events: Sequence[tuple[str, dict]] = ()  # raw (event, data) right after message_start
    seed: int = 0  # seed of chunking="random"

    def __post_init__(self) -> None:
        check_framing(self.chunking, self.line_ending)
        for tool in self.tool_use or ():
            if not isinstance(tool, dict) or not isinstance(tool.get("name"), str):
                raise ValueError(f"tool_use entries need a 'name': {tool!r}")
            if not isinstance(tool.get("input", {}), dict):
                raise ValueError(f"tool_use 'input' must be a dict: {tool!r}")
        for name in ("drop_after", "stall_after", "error_after"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 0):
                raise ValueError(f"{name} must be an int >= 0, not {value!r}")
        if self.fallback is not None and not {"from", "to"} <= set(self.fallback):
            raise ValueError(f"fallback needs 'from' and 'to' models: {self.fallback!r}")
        for block in self.blocks:
            if not isinstance(block, dict) or not isinstance(block.get("type"), str):
                raise ValueError(f"blocks entries need a 'type': {block!r}")


@dataclass
class ErrorReply:
    """An HTTP error response."""

    status: int
    style: str = "anthropic"  # "anthropic" | "ace" | "html" | "text"
    type: str | None = None  # Anthropic error type / Ace code; default mapped from status
    message: str | None = None  # default: a sensible message for the status
    headers: dict[str, str] = field(default_factory=dict)  # e.g. {"retry-after": "0"}

    def __post_init__(self) -> None:
        if self.style not in ("anthropic", "ace", "html", "text"):
            raise ValueError(f"unknown error style {self.style!r}")


@dataclass
class RawSSE:
    """Send these bytes verbatim as the response body (e.g. a fixture), then close."""

    data: bytes
    chunking: str = "event"  # "event" = one write
    content_type: str = "text/event-stream"
    status: int = 200
    seed: int = 0

    def __post_init__(self) -> None:
        if isinstance(self.data, str):
            self.data = self.data.encode("utf-8")
        check_framing(self.chunking, "\n")


@dataclass
class Drop:
    """Read the request, then reset the connection without sending a byte."""


@dataclass
class Stall:
    """Send nothing until release() (then the default response) or until the client hangs up."""


Response = Reply | ErrorReply | RawSSE | Drop | Stall
RESPONSE_TYPES = (Reply, ErrorReply, RawSSE, Drop, Stall)


def check_framing(chunking: str, line_ending: str) -> None:
    if chunking not in _CHUNKINGS:
        raise ValueError(f"chunking must be one of {_CHUNKINGS}, not {chunking!r}")
    if line_ending not in _LINE_ENDINGS:
        raise ValueError(f"line_ending must be one of {_LINE_ENDINGS}, not {line_ending!r}")


@dataclass
class Recorded:
    """One request as the server received it."""

    method: str
    path: str  # without the query string
    query: dict[str, list[str]]
    headers: dict[str, str]  # names lower-cased; repeated headers joined with ", "
    body: bytes
    time: float  # time.monotonic() at arrival

    @property
    def json(self) -> Any:
        """The parsed body, or None when it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None

