"""The Messages API wire format (`POST /v1/messages`): request bodies and events."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from claudechat.api.events import (
    BadShape,
    CitationsDelta,
    CompactionDelta,
    ContentBlockDelta,
    ContentBlockStart,
    ContentBlockStop,
    Delta,
    ErrorEvent,
    InputJsonDelta,
    MessageDelta,
    MessageStart,
    MessageStop,
    SignatureDelta,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    UnknownDelta,
    field,
    index_of,
    loads,
    not_json,
    what,
)
from claudechat.api.sse import ServerSentEvent
from claudechat.conversation import Conversation, RequestParams, Thinking
from claudechat.errors import MalformedStream, UsageError
from claudechat.message import Message
from claudechat.web import request_tools

PATH = "/v1/messages"
COUNT_PATH: str | None = "/v1/messages/count_tokens"
BINDING_BETA = "thinking-binding-controls-2026-08-01"  # docs/API-2026.md §2, §11
TOOL_CHANGES_BETA = "mid-conversation-tool-changes-2026-07-01"  # §3: tool_removal/tool_addition by reference
TOOL_CHANGES = frozenset({"tool_removal", "tool_addition"})


def build_body(conversation: Conversation, params: RequestParams, *, stream: bool,
               allow_trailing_assistant: bool = False) -> dict[str, Any]:
    """The request JSON for a conversation; `params` must already be `checked()`.
    A request ending on an assistant turn (prefill) is refused for models that refuse
    it, unless `allow_trailing_assistant` (a pause_turn continuation)."""
    messages = conversation.api_messages()
    check_prefill(messages, params, allow_trailing_assistant)
    body: dict[str, Any] = {
        "model": params.model,
        "max_tokens": params.max_tokens,
        "messages": messages,
    }
    if conversation.system:
        body["system"] = conversation.system
    for key in ("temperature", "top_p", "top_k"):
        value = getattr(params, key)
        if value is not None:
            body[key] = value
    if params.stop_sequences:
        body["stop_sequences"] = list(params.stop_sequences)
    body.update(thinking_fields(params.thinking))
    if conversation.drop_block and body.get("thinking", {}).get("type") in ("adaptive", "enabled"):
        # saved with the conversation, sent on every request (docs/API-2026.md §2)
        body["thinking"]["block_binding"] = {"prefix_mismatch_behavior": "drop_block"}
    own = conversation.request_tools(params.tools)  # the user's tools, as the conversation first sent them
    tools, choice = request_tools(own, params.server_tools, conversation.server_tools, params.tool_choice)
    if tools:
        body["tools"] = tools
    if choice:
        body["tool_choice"] = choice
    if params.cache_ttl:  # automatic caching, and why it missed (docs/API-2026.md §4)
        body["cache_control"] = {"type": "ephemeral", **({"ttl": "1h"} if params.cache_ttl == "1h" else {})}
        body["diagnostics"] = {"previous_message_id": conversation.last_reply_id()}
    if stream:
        body["stream"] = True
    return body


# what count_tokens takes of a request (docs/API-2026.md §8D)
COUNTED = ("model", "messages", "system", "tools", "tool_choice", "thinking", "output_config",
           "cache_control")


def count_body(conversation: Conversation, params: RequestParams) -> dict[str, Any]:
    """The count_tokens body for the request `build_body` would send (the same function, so
    the two cannot differ), with only the fields count_tokens takes. A conversation that
    ends on a reply is counted as it stands (a prefill is counted, not answered)."""
    body = build_body(conversation, params, stream=False, allow_trailing_assistant=True)
    return {key: value for key, value in body.items() if key in COUNTED}


def thinking_fields(thinking: Thinking) -> dict[str, Any]:
    """`thinking` and `output_config` for the Thinking: adaptive (+display), enabled with
    its budget (+display), disabled or between_tools (never with display), or none."""
    out: dict[str, Any] = {}
    if thinking.mode == "enabled":
        out["thinking"] = {"type": "enabled", "budget_tokens": thinking.budget_tokens}
    elif thinking.mode != "off":
        out["thinking"] = {"type": thinking.mode}
    if thinking.on and thinking.display:
        out["thinking"]["display"] = thinking.display
    if thinking.effort:
        out["output_config"] = {"effort": thinking.effort}
    return out


def check_prefill(messages: list[dict[str, Any]], params: RequestParams,
                  allow_trailing_assistant: bool) -> None:
    last = next((m for m in reversed(messages) if m.get("role") != "system"), None)
    if allow_trailing_assistant or last is None or last.get("role") != "assistant":
        return
    if not params.model_rules().prefill:
        raise UsageError(f"{params.model} does not accept a conversation that ends with its "
                         f"own reply (assistant prefill); add a message of yours and send again")


def beta_headers(body: dict[str, Any]) -> dict[str, str]:
    """The `anthropic-beta` header the body's beta fields need (none: {})."""
    betas = []
    thinking = body.get("thinking")
    if isinstance(thinking, dict) and "block_binding" in thinking:
        betas.append(BINDING_BETA)
    if any(m.get("role") == "system" and isinstance(m.get("content"), list)
           and any(b.get("type") in TOOL_CHANGES for b in m["content"]) for m in body.get("messages", ())):
        betas.append(TOOL_CHANGES_BETA)
    return {"anthropic-beta": ",".join(betas)} if betas else {}


NONE = type(None)
KNOWN_EVENTS = frozenset({"message_start", "content_block_start", "content_block_delta",
                          "content_block_stop", "message_delta", "message_stop", "error"})
_USAGE_COUNTS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
# the fields of the block types this client reads (others are kept as they come)
_BLOCK_FIELDS: dict[str, tuple[tuple[str, tuple[type, ...], bool], ...]] = {
    "text": (("text", (str,), False), ("citations", (list, NONE), True)),
    "thinking": (("thinking", (str,), False), ("signature", (str, NONE), True)),
    "redacted_thinking": (("data", (str,), False),),
    "tool_use": (("id", (str,), False), ("name", (str,), False), ("input", (dict,), True)),
    "server_tool_use": (("id", (str,), False), ("name", (str,), False), ("input", (dict,), True)),
    "compaction": (("content", (str, NONE), True),),
}


def events(records: Iterable[ServerSentEvent]) -> Iterator[StreamEvent]:
    """SSE records -> typed events, skipping pings and unknown event types."""
    for record in records:
        event = parse_event(record)
        if event is not None:
            yield event


def parse_event(sse: ServerSentEvent) -> StreamEvent | None:
    """One SSE record -> a typed event; None for pings and unknown event types (not even
    parsed). A known event whose data is not of its documented shape (PROTOCOL.md
    "Streaming", API-2026.md §9) is MalformedStream, naming the event and the field."""
    name = sse.event
    if name not in KNOWN_EVENTS and (name != "message" or not sse.data.strip()):
        return None
    try:
        data = loads(sse.data)
    except ValueError as exc:
        raise MalformedStream(f"the server sent a malformed {name} event ({not_json(exc)})") from None
    if type(data) is dict and name == "content_block_delta" and (fast := _text_delta(data)) is not None:
        return fast
    if not isinstance(data, dict):
        raise MalformedStream(f"the server sent a malformed {name} event (its data is {what(data)}, "
                              f"not an object)")
    kind = data.get("type", name) if name == "message" else name
    if not isinstance(kind, str):
        raise MalformedStream(f"the server sent an event whose type is {what(kind)}, not a string")
    if kind not in KNOWN_EVENTS:
        return None
    try:
        if data.get("type", kind) != kind:
            said = data["type"]
            raise BadShape(f"its data's type is {said[:40]!r}" if isinstance(said, str) else
                           f"its data's type is {what(said)}")
        return _event(kind, data)
    except BadShape as exc:
        raise MalformedStream(f"the server sent a malformed {kind} event ({exc})") from None


def _text_delta(data: dict[str, Any]) -> ContentBlockDelta | None:
    """The commonest event, a text delta of the documented shape, checked in one expression
    (most of a reply's events are these); None for anything else, which the general path
    then checks field by field, naming what is wrong."""
    delta, index = data.get("delta"), data.get("index")
    if (type(delta) is dict and type(index) is int and index >= 0
            and data.get("type", "content_block_delta") == "content_block_delta"
            and delta.get("type") == "text_delta" and type(text := delta.get("text")) is str):
        return ContentBlockDelta(index, TextDelta(text))
    return None


def _event(kind: str, data: dict[str, Any]) -> StreamEvent | None:
    if kind == "message_start":
        return MessageStart(message=_message(field(data, "message", dict)))
    if kind == "content_block_start":
        index = index_of(data)
        return ContentBlockStart(index=index, block=_block(field(data, "content_block", dict)))
    if kind == "content_block_delta":
        index = index_of(data)
        return ContentBlockDelta(index=index, delta=_delta(field(data, "delta", dict)))
    if kind == "content_block_stop":
        return ContentBlockStop(index=index_of(data))
    if kind == "message_delta":
        delta = field(data, "delta", dict, optional=True) or {}
        return MessageDelta(
            stop_reason=field(delta, "stop_reason", str, NONE, at="delta.", optional=True),
            stop_sequence=field(delta, "stop_sequence", str, NONE, at="delta.", optional=True),
            usage=_usage(field(data, "usage", dict, NONE, optional=True) or {}),
            stop_details=field(delta, "stop_details", dict, NONE, at="delta.", optional=True),
            input_transformations=field(data, "input_transformations", list, NONE, optional=True),
        )
    if kind == "message_stop":
        return MessageStop()
    if kind == "error":
        error = field(data, "error", dict)
        return ErrorEvent(
            type=field(error, "type", str, NONE, at="error.", optional=True) or "error",
            message=field(error, "message", str, NONE, at="error.", optional=True)
            or "the server reported an error",
            request_id=field(data, "request_id", str, NONE, optional=True),
        )
    return None  # ping, and event types newer than this client


def _message(message: dict[str, Any]) -> dict[str, Any]:
    for key in ("id", "model", "role", "stop_reason", "stop_sequence"):
        field(message, key, str, NONE, at="message.", optional=True)
    field(message, "stop_details", dict, NONE, at="message.", optional=True)
    for block in field(message, "content", list, at="message.", optional=True) or ():
        if type(block) is not dict:
            raise BadShape(f"message.content holds {what(block)}, not an object")
        _block(block, at="message.content[].")
    _usage(field(message, "usage", dict, NONE, at="message.", optional=True) or {}, at="message.")
    return message


def _block(block: dict[str, Any], at: str = "content_block.") -> dict[str, Any]:
    kind = field(block, "type", str, at=at)
    for key, kinds, optional in _BLOCK_FIELDS.get(kind, ()):
        field(block, key, *kinds, at=at, optional=optional)
    return block


def _usage(usage: dict[str, Any], at: str = "") -> dict[str, Any]:
    for key in _USAGE_COUNTS:
        count = field(usage, key, int, NONE, at=f"{at}usage.", optional=True)
        if count is not None and count < 0:
            raise BadShape(f"{at}usage.{key} is {count}, below zero")
    for key in ("cache_creation", "server_tool_use"):
        field(usage, key, dict, NONE, at=f"{at}usage.", optional=True)
    return dict(usage)


def _delta(delta: dict[str, Any]) -> Delta:
    kind = field(delta, "type", str, at="delta.")
    if kind == "text_delta":
        return TextDelta(field(delta, "text", str, at="delta."))
    if kind == "thinking_delta":
        return ThinkingDelta(field(delta, "thinking", str, at="delta."))
    if kind == "signature_delta":
        return SignatureDelta(field(delta, "signature", str, at="delta."))
    if kind == "input_json_delta":
        return InputJsonDelta(field(delta, "partial_json", str, at="delta."))
    if kind == "citations_delta":
        return CitationsDelta(field(delta, "citation", dict, at="delta."))
    if kind == "compaction_delta":
        return CompactionDelta(field(delta, "content", str, NONE, at="delta.", optional=True),
                               field(delta, "encrypted_content", str, NONE, at="delta.", optional=True))
    return UnknownDelta(type=kind, raw=delta)


def parse_message(data: Any) -> Message:
    """A non-streaming response body -> Message."""
    if not isinstance(data, dict) or not isinstance(data.get("content"), list):
        raise MalformedStream("the server's reply is not a Messages API message")
    return Message.from_dict(data)
