"""A Reply rendered as either wire format (Messages events or JSON, Chat Completions chunks or
JSON), and error bodies in each style."""

from __future__ import annotations

import html
import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from claudechat.demo.scripts import ErrorReply, Reply
from claudechat.demo.web import plan_blocks

CHAT_STREAM_ERROR = {"error": {"message": "upstream overloaded", "type": "server_error",
                                "code": "overloaded"}}





@dataclass
class Plan:
    """A Reply resolved against one request; both wire formats render from it."""

    id: str
    model: str
    blocks: list[tuple[dict, list[dict], dict]]  # (content_block_start block, deltas, final block)
    thinking: list[str] | None
    text: list[str]
    tools: list[tuple[str, str, list[str]]]  # (id, name, argument fragments, the first "")
    stop_reason: str
    stop_sequence: str | None
    usage: dict[str, Any]
    stop_details: dict | None = None
    transformations: list[dict] | None = None  # input_transformations (None: not reported)
    diagnostics: dict | None = None  # §4 cache diagnostics (None: not asked for)


@dataclass
class Context:
    """What checking a Messages request found out, for rendering its reply."""

    display: str = "summarized"  # the thinking.display in effect (API-2026.md §1c)
    transformations: list[dict] | None = None  # reported only with the binding beta header (§2)
    sign: Callable[[str, str], str] | None = None  # (model, visible thinking) -> signature
    issued: Any = None  # web.Issued: the server's encrypted values (server tools, web.py)
    usage: dict[str, Any] | None = None  # the input side of usage, from the prompt cache (§4)
    diagnostics: dict | None = None  # the cache diagnosis, when the request asked for one (§4)


def _split(value: str | list[str] | None, size: int) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value[i:i + size] for i in range(0, len(value), size)]
    return [str(piece) for piece in value]


def _whole(block: dict) -> tuple[dict, list[dict], dict]:
    """A block that arrives whole in content_block_start, with no delta."""
    return block, [], block


def _thinking_block(reply: Reply, model: str, context: Context) -> tuple[dict, list[dict], dict]:
    """§1c "Thinking output shapes": under `omitted` the text is empty, one empty thinking_delta."""
    pieces = [""] if context.display == "omitted" else _split(reply.thinking, 4)
    visible = "".join(pieces)
    deltas = [{"type": "thinking_delta", "thinking": piece} for piece in pieces]
    if reply.unsigned:  # issue 10: no signature field at the start, no signature_delta
        return {"type": "thinking", "thinking": ""}, deltas, {"type": "thinking", "thinking": visible}
    signature = reply.signature
    if signature is None:
        signature = context.sign(model, visible) if context.sign else "sig-fake-0001"
    deltas.append({"type": "signature_delta", "signature": signature})
    final = {"type": "thinking", "thinking": visible, "signature": signature}
    return {"type": "thinking", "thinking": "", "signature": ""}, deltas, final


def make_plan(reply: Reply, request: dict, reply_id: str, new_tool_id: Callable[[], str],
               context: Context | None = None) -> Plan:
    context = context or Context()
    model = reply.model or (reply.fallback or {}).get("to") or request.get("model")
    model = model if isinstance(model, str) else "claude-sonnet-4-5"
    blocks: list[tuple[dict, list[dict], dict]] = []
    if reply.fallback is not None:  # §5: a content_block_start/stop pair with no deltas, first
        blocks.append(_whole({"type": "fallback", "from": {"model": reply.fallback["from"]},
                              "to": {"model": reply.fallback["to"]},
                              "trigger": {"type": "refusal", "category": reply.fallback.get("category")}}))
    thinking = None if reply.thinking is None else _split(reply.thinking, 4)
    if thinking is not None:
        blocks.append(_thinking_block(reply, model, context))
    if reply.redacted is not None:
        blocks.append(_whole({"type": "redacted_thinking", "data": reply.redacted}))
    web_run = plan_blocks(reply.web, request, context.issued, new_tool_id) \
        if reply.web and context.issued is not None else None
    blocks += web_run.blocks if web_run else []
    text = _split(reply.text, 4)
    if text:
        deltas = [{"type": "text_delta", "text": piece} for piece in text]
        blocks.append(({"type": "text", "text": ""}, deltas, {"type": "text", "text": "".join(text)}))
    blocks += [_whole(dict(block)) for block in reply.blocks]
    tools = []
    for tool in reply.tool_use or ():
        tool_id, name, arguments = tool.get("id") or new_tool_id(), tool["name"], tool.get("input", {})
        fragments = ["", *_split(json.dumps(arguments, ensure_ascii=False), 5)]
        tools.append((tool_id, name, fragments))
        deltas = [{"type": "input_json_delta", "partial_json": piece} for piece in fragments]
        final = {"type": "tool_use", "id": tool_id, "name": name, "input": arguments}
        blocks.append(({"type": "tool_use", "id": tool_id, "name": name, "input": {}}, deltas, final))
    usage: dict[str, Any] = dict(context.usage) if context.usage else {
        "input_tokens": 12, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
    usage["output_tokens"] = sum(len(deltas) for _, deltas, _ in blocks)
    if web_run is not None:  # §9
        usage["server_tool_use"] = web_run.counts()
    usage.update(reply.usage or {})
    return Plan(id=reply_id, model=model, blocks=blocks, thinking=thinking, text=text, tools=tools,
                 stop_reason=reply.stop_reason or ("tool_use" if reply.tool_use else "end_turn"),
                 stop_sequence=reply.stop_sequence, usage=usage, stop_details=reply.stop_details,
                 transformations=context.transformations, diagnostics=context.diagnostics)


_INPUT_USAGE = ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")


def message_events(plan: Plan, reply: Reply) -> list[tuple[str, dict]]:
    usage = plan.usage
    start_usage = {key: usage.get(key, 0) for key in _INPUT_USAGE}
    if "cache_creation" in usage:
        start_usage["cache_creation"] = usage["cache_creation"]
    start_usage["output_tokens"] = 1
    message = {"id": plan.id, "type": "message", "role": "assistant", "model": plan.model, "content": [],
               "stop_reason": None, "stop_sequence": None, "usage": start_usage}
    if plan.transformations is not None:  # §2: on message_start.message when streaming
        message["input_transformations"] = plan.transformations
    if plan.diagnostics is not None:  # §4: top-level on the message
        message["diagnostics"] = plan.diagnostics
    ping = ("ping", {"type": "ping"})
    events = [("message_start", {"type": "message_start", "message": message}), *reply.extra_events]
    if reply.pings:
        events.append(ping)
    body: list[tuple[str, dict]] = []
    for index, (start, deltas, _) in enumerate(plan.blocks):
        body.append(("content_block_start",
                     {"type": "content_block_start", "index": index, "content_block": start}))
        body += [("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta})
                 for delta in deltas]
        body.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    if reply.pings and body:
        body.insert(len(body) // 2, ping)
    events += body
    delta = {"stop_reason": plan.stop_reason, "stop_sequence": plan.stop_sequence}
    if plan.stop_details is not None:  # API-2026.md §5 (the API sends null otherwise; this server omits it)
        delta["stop_details"] = plan.stop_details
    final_usage = {**{k: usage.get(k, 0) for k in _INPUT_USAGE}, "output_tokens": usage["output_tokens"]}
    if "server_tool_use" in usage:  # §9: message_delta.usage carries server_tool_use
        final_usage["server_tool_use"] = usage["server_tool_use"]
    events.append(("message_delta", {"type": "message_delta", "delta": delta, "usage": final_usage}))
    events.append(("message_stop", {"type": "message_stop"}))
    return events


def message_json(plan: Plan) -> dict:
    message = {"id": plan.id, "type": "message", "role": "assistant", "model": plan.model,
               "content": [final for _, _, final in plan.blocks], "stop_reason": plan.stop_reason,
               "stop_sequence": plan.stop_sequence, "usage": plan.usage}
    if plan.stop_details is not None:  # API-2026.md §5, top-level (omitted when null, as in the stream)
        message["stop_details"] = plan.stop_details
    if plan.transformations is not None:  # §2: top-level in JSON
        message["input_transformations"] = plan.transformations
    if plan.diagnostics is not None:  # §4
        message["diagnostics"] = plan.diagnostics
    return message


_FINISH_REASONS = {"end_turn": "stop", "stop_sequence": "stop", "pause_turn": "stop", "max_tokens": "length",
                   "model_context_window_exceeded": "length", "tool_use": "tool_calls",
                   "refusal": "content_filter"}


def _chat_usage(plan: Plan) -> dict:
    prompt, completion = plan.usage["input_tokens"], plan.usage["output_tokens"]
    usage: dict[str, Any] = {"prompt_tokens": prompt, "completion_tokens": completion,
                             "total_tokens": prompt + completion}
    if plan.thinking:
        usage["completion_tokens_details"] = {"reasoning_tokens": len(plan.thinking)}
    return usage


def chat_chunks(plan: Plan, reply: Reply, include_usage: bool, created: int) -> list[dict]:
    base = {"id": plan.id, "object": "chat.completion.chunk", "created": created, "model": plan.model,
            "system_fingerprint": None}

    def chunk(delta: dict, finish_reason: str | None = None) -> dict:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        return {**base, "choices": [choice], "usage": None}

    chunks = [chunk({"role": "assistant", "content": ""}), *(data for _, data in reply.extra_events)]
    chunks += [chunk({"reasoning_content": piece}) for piece in plan.thinking or ()]
    chunks += [chunk({"content": piece}) for piece in plan.text]
    for index, (tool_id, name, fragments) in enumerate(plan.tools):
        function = {"name": name, "arguments": ""}
        chunks.append(chunk({"tool_calls": [{"index": index, "id": tool_id, "type": "function",
                                             "function": function}]}))
        chunks += [chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
                   for piece in fragments[1:]]
    chunks.append(chunk({}, _FINISH_REASONS.get(plan.stop_reason, "stop")))
    if include_usage:
        chunks.append({**base, "choices": [], "usage": _chat_usage(plan)})
    return chunks


def chat_json(plan: Plan, created: int) -> dict:
    text = "".join(plan.text)
    message: dict[str, Any] = {"role": "assistant", "content": text or (None if plan.tools else "")}
    if plan.thinking is not None:
        message["reasoning_content"] = "".join(plan.thinking)
    if plan.tools:
        message["tool_calls"] = [{"id": tool_id, "type": "function",
                                  "function": {"name": name, "arguments": "".join(fragments)}}
                                 for tool_id, name, fragments in plan.tools]
    choice = {"index": 0, "message": message, "logprobs": None,
              "finish_reason": _FINISH_REASONS.get(plan.stop_reason, "stop")}
    return {"id": plan.id, "object": "chat.completion", "created": created, "model": plan.model,
            "system_fingerprint": None, "choices": [choice], "usage": _chat_usage(plan)}


def dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def dumps_chat(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


def event_frame(name: str, data: dict, eol: str) -> bytes:
    return f"event: {name}{eol}data: {dumps(data)}{eol}{eol}".encode()


def data_frame(payload: str, eol: str) -> bytes:
    return f"data: {payload}{eol}{eol}".encode()


# --------------------------------------------------------------------------- errors

_ANTHROPIC_TYPES = {400: "invalid_request_error", 401: "authentication_error", 402: "billing_error",
                    403: "permission_error", 404: "not_found_error", 409: "conflict_error",
                    413: "request_too_large", 429: "rate_limit_error", 504: "timeout_error",
                    529: "overloaded_error"}  # 402, 409, 504: docs/API-2026.md §10
_ACE_CODES = {400: "token_mismatched", 401: "invalid_token", 403: "forbidden", 404: "not_found",
              413: "request_too_large", 429: "too_many_requests"}
DEFAULT_MESSAGES = {
    400: "Invalid request", 401: "invalid x-api-key", 402: "Your credit balance is too low.",
    403: "Your API key does not have permission to use the specified resource.", 404: "Not found",
    408: "Request timed out", 409: "Conflict", 413: "Request exceeds the maximum allowed number of bytes.",
    429: "Number of requests has exceeded your rate limit. Please try again later.",
    500: "Internal server error", 502: "Bad gateway", 503: "Service unavailable", 504: "Gateway timeout",
    529: "Overloaded",
}


def reason_phrase(status: int) -> str:
    if status == 529:
        return "Site Overloaded"
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def render_error(error: ErrorReply, request_id: str) -> tuple[bytes, str]:
    """(body, content type) of an ErrorReply."""
    status, style = error.status, error.style
    message = error.message
    if message is None:
        message = "Invalid or missing token" if (style == "ace" and status == 401) else (
            DEFAULT_MESSAGES.get(status) or reason_phrase(status))
    if style == "anthropic":
        kind = error.type or _ANTHROPIC_TYPES.get(status) or (
            "api_error" if status >= 500 else "invalid_request_error")
        body = {"type": "error", "error": {"type": kind, "message": message}, "request_id": request_id}
        return dumps(body).encode(), "application/json"
    if style == "ace":
        code = error.type or _ACE_CODES.get(status) or ("api_error" if status >= 500 else "bad_request")
        body = {"success": False, "error": {"code": code, "message": message}, "trace_id": str(uuid.uuid4())}
        return dumps_chat(body).encode(), "application/json"
    if style == "html":
        title = f"{status} {reason_phrase(status)}"
        page = (f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
                f"<p>{html.escape(message)}</p><hr><center>nginx</center></body></html>\n")
        return page.encode(), "text/html; charset=utf-8"
    return message.encode(), "text/plain; charset=utf-8"




# --------------------------------------------------------------------------- request validation


class BodyWriter:
    """Writes a response body in the scripted pieces: one HTTP chunk per write (raw for HTTP/1.0)."""

    def __init__(self, wfile: Any, chunking: str, seed: int, chunked: bool) -> None:
        self._wfile, self._mode, self._chunked = wfile, chunking, chunked
        self._rng = random.Random(seed)
        self._size = self._rng.randint(1, 7)
        self._pending = bytearray()

    def write(self, data: bytes) -> None:
        if self._mode == "event":
            self._send(data)
        elif self._mode == "bytes":
            for i in range(len(data)):
                self._send(data[i:i + 1])
        else:  # random sizes, carried across event boundaries
            self._pending += data
            while len(self._pending) >= self._size:
                self._send(bytes(self._pending[:self._size]))
                del self._pending[:self._size]
                self._size = self._rng.randint(1, 7)

    def flush(self) -> None:
        if self._pending:
            self._send(bytes(self._pending))
            self._pending.clear()

    def end(self) -> None:
        self.flush()
        if self._chunked:
            self._wfile.write(b"0\r\n\r\n")

    def _send(self, data: bytes) -> None:
        if data:  # an empty chunk would end the body
            self._wfile.write(b"%X\r\n%s\r\n" % (len(data), data) if self._chunked else data)
