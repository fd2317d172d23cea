"""The Messages API wire format (`POST /v1/messages`): request bodies and events."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from claudechat.api.events import (
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
)
from claudechat.api.sse import ServerSentEvent
from claudechat.conversation import Conversation, RequestParams, Thinking
from claudechat.errors import MalformedStream, UsageError
from claudechat.message import Message

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
    tools = conversation.request_tools(params.tools)
    if tools:
        body["tools"] = list(tools)
    if params.tool_choice:
        body["tool_choice"] = params.tool_choice
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


def events(records: Iterable[ServerSentEvent]) -> Iterator[StreamEvent]:
    """SSE records -> typed events, skipping pings and unknown event types."""
    for record in records:
        event = parse_event(record)
        if event is not None:
            yield event


def parse_event(sse: ServerSentEvent) -> StreamEvent | None:
    """One SSE record -> a typed event; None for pings and unknown event types."""
    name = sse.event
    if name in ("ping", "message") and not sse.data.strip():
        return None
    try:
        data = json.loads(sse.data)
    except ValueError:
        raise MalformedStream(f"the server sent malformed data in a {name!r} event") from None
    if not isinstance(data, dict):
        raise MalformedStream(f"the server sent malformed data in a {name!r} event")
    kind = data.get("type", name) if name == "message" else name
    try:
        return _event(kind, data)
    except (KeyError, TypeError, ValueError):
        raise MalformedStream(f"the server sent a {kind!r} event with missing fields") from None


def _event(kind: str, data: dict[str, Any]) -> StreamEvent | None:
    if kind == "message_start":
        if not isinstance(data["message"], dict):
            raise TypeError("message")
        return MessageStart(message=data["message"])
    if kind == "content_block_start":
        if not isinstance(data["content_block"], dict):
            raise TypeError("content_block")
        return ContentBlockStart(index=int(data["index"]), block=data["content_block"])
    if kind == "content_block_delta":
        return ContentBlockDelta(index=int(data["index"]), delta=_delta(data["delta"]))
    if kind == "content_block_stop":
        return ContentBlockStop(index=int(data["index"]))
    if kind == "message_delta":
        delta = data.get("delta") or {}
        details = delta.get("stop_details")
        changes = data.get("input_transformations")
        return MessageDelta(
            stop_reason=delta.get("stop_reason"),
            stop_sequence=delta.get("stop_sequence"),
            usage=dict(data.get("usage") or {}),
            stop_details=details if isinstance(details, dict) else None,
            input_transformations=changes if isinstance(changes, list) else None,
        )
    if kind == "message_stop":
        return MessageStop()
    if kind == "error":
        error = data.get("error") or {}
        return ErrorEvent(
            type=str(error.get("type") or "error"),
            message=str(error.get("message") or "the server reported an error"),
            request_id=data.get("request_id"),
        )
    return None  # ping, and event types newer than this client


def _delta(delta: dict[str, Any]) -> Delta:
    kind = delta.get("type")
    if kind == "text_delta":
        return TextDelta(_str(delta, "text"))
    if kind == "thinking_delta":
        return ThinkingDelta(_str(delta, "thinking"))
    if kind == "signature_delta":
        return SignatureDelta(_str(delta, "signature"))
    if kind == "input_json_delta":
        return InputJsonDelta(_str(delta, "partial_json"))
    if kind == "citations_delta":
        citation = delta["citation"]
        if not isinstance(citation, dict):
            raise TypeError("citation")
        return CitationsDelta(citation)
    if kind == "compaction_delta":
        content, encrypted = delta.get("content"), delta.get("encrypted_content")
        if not isinstance(content, str | None) or not isinstance(encrypted, str | None):
            raise TypeError("content")
        return CompactionDelta(content, encrypted)
    return UnknownDelta(type=str(kind), raw=delta)


def _str(data: dict[str, Any], key: str) -> str:
    value = data[key]
    if not isinstance(value, str):
        raise TypeError(key)
    return value


def parse_message(data: Any) -> Message:
    """A non-streaming response body -> Message."""
    if not isinstance(data, dict) or not isinstance(data.get("content"), list):
        raise MalformedStream("the server's reply is not a Messages API message")
    return Message.from_dict(data)
