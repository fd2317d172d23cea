"""A loopback fake of the Claude Messages API and Ace Data Cloud's Chat Completions API.

Faithful to ``docs/PROTOCOL.md`` and ``docs/API-2026.md``: the same paths, headers, JSON shapes,
SSE framing and event order, error bodies, and the request validation the real
servers do, so end-to-end tests can run the real ``claudechat`` CLI against it.
Standard library only.

Scripting a test
----------------
::

    with FakeServer(auth="x-api-key", key="sk-test") as server:
        server.enqueue(
            Reply(text="Hi there", thinking="Let me think."),  # 1st POST
            ErrorReply(529, headers={"retry-after": "0"}),      # 2nd POST
            Reply(text=["a", "b"], drop_after=4),               # 3rd POST
        )
        run_cli("--base-url", server.url, ...)
        assert server.requests[0].json["model"] == "claude-sonnet-4-5"

* ``POST /v1/messages`` and ``POST /v1/chat/completions`` take the next scripted
  response from a FIFO (``enqueue``); when it is empty they use the default
  (``set_default``, initially ``Reply()``). A request that fails authentication or
  validation gets its 4xx and does not consume a scripted response.
* ``Reply`` renders as the request asks: SSE when the body has ``"stream": true``,
  else one JSON document; a Messages ``Message`` or a ``chat.completion`` by path.
  Its fault fields (``chunking``, ``line_ending``, ``drop_after``, ``stall_after``,
  ``error_after``, ``delay``, ``extra_events``) apply to streams. Events are
  counted from the first one (``message_start``, or the role chunk) = 1; 0 means
  "right after the response headers".
* ``ErrorReply`` is an HTTP error in ``anthropic``, ``ace``, ``html`` or ``text``
  style; ``RawSSE`` sends bytes verbatim (``RawSSE(fixture_bytes("rich_stream.sse"))``);
  ``Drop`` resets the connection without a response byte; ``Stall`` sends nothing
  until ``release()`` (then the default response) or until the client hangs up.
* ``release()`` lets go of every response whose request arrived before the call,
  including one that has not reached its stall point yet, so calling it right
  after ``wait_for_requests`` is race-free.
* Every request is recorded, in arrival order, in ``server.requests`` (``Recorded``).
* ``GET /v1/models`` (``limit``, ``after_id``, ``before_id``) serves ``models=`` or
  ``default_models()``; ``GET /v1/models/{id}`` one of them; ``model_list=False``: neither
  (the 404 of any unknown path, as a proxy without the list answers);
  ``POST /v1/messages/count_tokens`` answers ``estimate_tokens(body)``.

Validation (400 ``invalid_request_error``; Ace style ``token_mismatched`` when
``auth="bearer"``), as the real API does it: body not JSON; ``model``,
``messages``, ``max_tokens`` missing; roles not alternating or not starting with
user; empty content or empty text blocks; ``tool_result`` ids that don't answer the
previous turn's ``tool_use`` (or unanswered ``tool_use``); a thinking block sent
back without a ``signature`` (``messages.N.content.M.signature: Field required``) or
with a signature this server issued but altered text; a request (count_tokens too)
ending on an assistant message whose content ends in whitespace (``messages: final
assistant content cannot end with trailing whitespace``; both texts as issue 10
reports the real servers answered them); images with a bad media
type, base64, magic bytes, > 5 MB of base64 or > 8000 px (2000 px beyond 20
images); PDFs that aren't; ``temperature``/``top_p``/``top_k`` out of range or sent
with ``anthropic-version`` >= 2026-10-21; ``thinking`` enabled with a budget < 1024
or >= ``max_tokens``, with ``temperature``/``top_k``, ``top_p`` < 0.95 or a forced
tool. Bodies over ``server.max_request_bytes`` (32 MiB) get 413.

The 2026 rules (docs/API-2026.md; the table and checks are in ``fake_rules.py``,
each citing its section, with the documented error texts):

* ``anthropic-beta``: one header, comma-separated; a value not in ``KNOWN_BETAS``
  (§11) gets the §0 400, on every endpoint but Chat Completions.
* Retired models (§1b) get 404 ``not_found_error`` ``model: <id>``.
* Per model (``MODELS``, §1a-§1c, §3, §7; dated ids resolve to the bare id): the
  thinking types (``enabled``/``disabled``/``adaptive`` refused with the §1c texts,
  ``between_tools`` on Sonnet 5.5 only and never with xhigh/max, ``disabled`` on
  Haiku 5.5 and Opus 5 only at effort <= high), ``display`` (not with ``disabled``;
  ``updates`` needs its beta), efforts per model, non-default
  ``temperature``/``top_p``/``top_k`` under 2023-06-01 (``"`temperature` is
  deprecated for this model."``; older models only under thinking), forced
  ``tool_choice`` on Fable 5.x/Opus 5.5/Sonnet 5.5, a final assistant turn (prefill;
  a ``pause_turn`` reply sent back is no prefill), ``role: "system"`` messages and
  their §3 placement. Under 2026-10-21 also a ``document`` in an assistant message
  and user text with ``citations``. A model not in the table keeps the rules above
  (``enabled`` refused for Opus 4.7+/Claude 5 names or when the model list says so).
* ``Reply(thinking=..., unsigned=True)`` streams the thinking block with no signature at
  all (no ``signature`` field in ``content_block_start``, no ``signature_delta``), as
  Ace Data Cloud was seen to (issue 10).
* Thinking display (§1c): on models whose default is ``omitted`` a thinking block
  streams empty (start ``thinking: "", signature: ""``, one empty ``thinking_delta``,
  the ``signature_delta``, stop) unless the request asks ``display: "summarized"``
  (or ``updates``); the Message then has ``thinking: ""``.
* Preserved thinking (§2): a ``Reply`` without ``signature=`` gets an HMAC signature
  (a per-server secret) over its producing model and visible text, and, for models
  that run the prefix check, over the prefix it was written after (top-level
  ``system``, ``tools``, the messages before the reply; ``cache_control``, key order
  and thinking blocks don't count, so removing thinking at the start, the end or all
  of it is no edit). Blocks sent back: a model that can't read the producer's blocks
  drops them silently (§2.1); a signature this server never issued, or altered text,
  gets ``messages.N.content.M: Invalid `signature` in `thinking` block``; a prefix
  that changed gets the §2 "bound to a different conversation" 400 where the current
  model enforces (Fable 5.2 always; Opus 5.5 and Fable 5.1 when
  ``FakeServer(account_created=...)`` >= 2026-08-31, the default being 2026-09-01;
  Sonnet 5.5 and Haiku 5.5, [U] in the reference, always; any checking model when
  the request sets ``thinking.block_binding``). ``prefix_mismatch_behavior:
  "drop_block"`` (with the ``thinking-binding-controls-2026-08-01`` beta; without it
  ``thinking.block_binding: Extra inputs are not permitted``) drops the failing
  block and every later thinking block instead. With that beta header the reply
  carries ``input_transformations`` (on ``message_start.message``, or top level):
  ``thinking_dropped`` (``prefix_binding_mismatch``, ``model_binding_mismatch``) and
  ``thinking_mismatch_allowed``. ``count_tokens`` runs the same check.
* Replies (§5, §9): ``Reply(stop_details=...)`` goes in ``message_delta.delta`` and
  the Message (omitted when None); ``stop_reason`` may be ``refusal``,
  ``pause_turn``, ``model_context_window_exceeded``; ``Reply(fallback={"from",
  "to", "category"})`` puts a ``fallback`` block first (start/stop, no delta) and
  answers as ``to``; ``Reply(blocks=[...])`` adds whole blocks after the text.
  ``ErrorReply`` maps 402 ``billing_error``, 409 ``conflict_error``, 504
  ``timeout_error`` (§10).

Wire details
------------
Streams use ``transfer-encoding: chunked``, one HTTP chunk per write. A complete
stream ends with the terminating chunk and the connection stays alive for the next
request. ``drop_after`` closes the socket mid-body (FIN), which httpx reports as
``RemoteProtocolError`` ("incomplete chunked read") after delivering the events
already sent; ``Drop`` resets (RST) before any response byte. Messages JSON uses
compact separators and Chat Completions JSON ``", "``/``": "`` like the recorded
fixtures; text is raw UTF-8 (so ``chunking="bytes"`` splits characters).
Thinking signatures the server issued are remembered: a later request that sends
one back with altered thinking text gets the API's 400, as the real API does
(explicit ``Reply(signature=...)`` values included).

Standalone: ``python tests/helpers/fake_server.py [--port N] [--reply TEXT]
[--thinking TEXT [--unsigned]] [--auth bearer|x-api-key|any|none] [--key KEY]`` prints
``http://127.0.0.1:PORT`` on its first line and serves until SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import os
import random
import re
import select
import signal
import socket
import socketserver
import struct
import sys
import threading
import time
import traceback
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

if not __package__:  # run as a script: python tests/helpers/fake_server.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers.fake_cache import PromptCache  # noqa: E402
from helpers.fake_rules import (  # noqa: E402
    BINDING_BETA,
    EFFORTS,
    ENABLED_REFUSED,
    MODELS,
    RETIRED,
    ApiError,
    Binder,
    Rules,
    canonical,
    check_betas,
    check_request,
    check_system_messages,
    check_thinking,
    check_version_2026,
    invalid,
    parse_betas,
    rules_for,
)

__all__ = [
    "Drop",
    "Response",
    "ErrorReply",
    "FakeServer",
    "RawSSE",
    "Recorded",
    "Reply",
    "Stall",
    "default_models",
    "estimate_tokens",
    "model_info",
]

DEFAULT_TEXT = "Hello from the fake server."
MAX_REQUEST_BYTES = 32 * 1024 * 1024  # larger bodies get 413 request_too_large
MAX_IMAGE_BASE64 = 5 * 1024 * 1024  # the API measures the base64 string, not the decoded bytes
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
# Opus 4.7 and later, and the Claude 5 family, accept only adaptive thinking.
_ADAPTIVE_ONLY = re.compile(r"claude-(?:opus-4-[7-9]|(?:opus|sonnet|haiku)-[5-9])")
_CHUNKINGS = ("event", "bytes", "random")
_LINE_ENDINGS = ("\n", "\r\n", "\r")
_CLIENT_GONE = (ConnectionError, TimeoutError)  # BrokenPipe, ConnectionReset/Aborted, ...
_CHAT_ROLES = ("system", "user", "assistant", "tool")
_CHAT_STREAM_ERROR = {"error": {"message": "upstream overloaded", "type": "server_error",
                                "code": "overloaded"}}


# --------------------------------------------------------------------------- scripted responses


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
    blocks: Sequence[dict] = ()  # whole blocks (server tool results, compaction) after the text
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
        _check_framing(self.chunking, self.line_ending)
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
        _check_framing(self.chunking, "\n")


@dataclass
class Drop:
    """Read the request, then reset the connection without sending a byte."""


@dataclass
class Stall:
    """Send nothing until release() (then the default response) or until the client hangs up."""


Response = Reply | ErrorReply | RawSSE | Drop | Stall
_RESPONSE_TYPES = (Reply, ErrorReply, RawSSE, Drop, Stall)


def _check_framing(chunking: str, line_ending: str) -> None:
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


# --------------------------------------------------------------------------- fixtures and models


def model_info(
    model_id: str,
    display_name: str,
    created_at: str,
    *,
    enabled_thinking: bool,
    adaptive_thinking: bool,
    efforts: Sequence[str] = (),
    max_input_tokens: int = 200_000,
    max_tokens: int = 64_000,
) -> dict:
    """One ``GET /v1/models`` entry, capabilities included."""
    effort: dict[str, Any] = {"supported": bool(efforts)}
    effort.update({level: {"supported": level in efforts} for level in EFFORTS})
    return {
        "type": "model",
        "id": model_id,
        "display_name": display_name,
        "created_at": created_at,
        "max_input_tokens": max_input_tokens,
        "max_tokens": max_tokens,
        "capabilities": {
            "thinking": {
                "supported": enabled_thinking or adaptive_thinking,
                "types": {
                    "adaptive": {"supported": adaptive_thinking},
                    "enabled": {"supported": enabled_thinking},
                },
            },
            "effort": effort,
        },
    }


def default_models() -> list[dict]:
    """The line-up of docs/API-2026.md §1a/§1b (and Sonnet 4.5 of §1c), newest first as the API
    lists them, with the §1d capability fields taken from the rule table (fake_rules.MODELS)."""
    listed = sorted(((model_id, rules) for model_id, rules in MODELS.items() if rules.listed),
                    key=lambda item: item[1].created, reverse=True)
    return [_listing(model_id, rules) for model_id, rules in listed]


def _listing(model_id: str, rules: Rules) -> dict:
    return model_info(model_id, rules.name, f"{rules.created}T00:00:00Z",
                      enabled_thinking="enabled" in rules.thinking,
                      adaptive_thinking="adaptive" in rules.thinking,
                      efforts=rules.efforts, max_input_tokens=rules.context, max_tokens=rules.max_tokens)


def estimate_tokens(body: dict) -> int:
    """The deterministic count ``/v1/messages/count_tokens`` returns: text characters // 4 + 1."""
    chars = _text_chars(body.get("system")) + _text_chars(body.get("messages"))
    if body.get("tools"):
        chars += len(json.dumps(body["tools"]))
    return chars // 4 + 1


def _text_chars(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list):
        return sum(_text_chars(item) for item in value)
    if isinstance(value, dict):
        kind = value.get("type")
        if kind == "text":
            return _text_chars(value.get("text"))
        if kind == "thinking":
            return _text_chars(value.get("thinking"))
        if kind == "tool_use":
            return len(json.dumps(value.get("input", {})))
        return _text_chars(value.get("content"))  # a message or a tool_result
    return 0


# --------------------------------------------------------------------------- rendering replies


@dataclass
class _Plan:
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
class _Context:
    """What checking a Messages request found out, for rendering its reply."""

    display: str = "summarized"  # the thinking.display in effect (API-2026.md §1c)
    transformations: list[dict] | None = None  # reported only with the binding beta header (§2)
    sign: Callable[[str, str], str] | None = None  # (model, visible thinking) -> signature
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


def _thinking_block(reply: Reply, model: str, context: _Context) -> tuple[dict, list[dict], dict]:
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


def _make_plan(reply: Reply, request: dict, reply_id: str, new_tool_id: Callable[[], str],
               context: _Context | None = None) -> _Plan:
    context = context or _Context()
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
    usage.update(reply.usage or {})
    return _Plan(id=reply_id, model=model, blocks=blocks, thinking=thinking, text=text, tools=tools,
                 stop_reason=reply.stop_reason or ("tool_use" if reply.tool_use else "end_turn"),
                 stop_sequence=reply.stop_sequence, usage=usage, stop_details=reply.stop_details,
                 transformations=context.transformations, diagnostics=context.diagnostics)


_INPUT_USAGE = ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")


def _message_events(plan: _Plan, reply: Reply) -> list[tuple[str, dict]]:
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
    events.append(("message_delta", {"type": "message_delta", "delta": delta,
                                     "usage": {**{k: usage.get(k, 0) for k in _INPUT_USAGE},
                                               "output_tokens": usage["output_tokens"]}}))
    events.append(("message_stop", {"type": "message_stop"}))
    return events


def _message_json(plan: _Plan) -> dict:
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


def _chat_usage(plan: _Plan) -> dict:
    prompt, completion = plan.usage["input_tokens"], plan.usage["output_tokens"]
    usage: dict[str, Any] = {"prompt_tokens": prompt, "completion_tokens": completion,
                             "total_tokens": prompt + completion}
    if plan.thinking:
        usage["completion_tokens_details"] = {"reasoning_tokens": len(plan.thinking)}
    return usage


def _chat_chunks(plan: _Plan, reply: Reply, include_usage: bool, created: int) -> list[dict]:
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


def _chat_json(plan: _Plan, created: int) -> dict:
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


def _dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def _dumps_chat(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


def _event_frame(name: str, data: dict, eol: str) -> bytes:
    return f"event: {name}{eol}data: {_dumps(data)}{eol}{eol}".encode()


def _data_frame(payload: str, eol: str) -> bytes:
    return f"data: {payload}{eol}{eol}".encode()


# --------------------------------------------------------------------------- errors

_ANTHROPIC_TYPES = {400: "invalid_request_error", 401: "authentication_error", 402: "billing_error",
                    403: "permission_error", 404: "not_found_error", 409: "conflict_error",
                    413: "request_too_large", 429: "rate_limit_error", 504: "timeout_error",
                    529: "overloaded_error"}  # 402, 409, 504: docs/API-2026.md §10
_ACE_CODES = {400: "token_mismatched", 401: "invalid_token", 403: "forbidden", 404: "not_found",
              413: "request_too_large", 429: "too_many_requests"}
_DEFAULT_MESSAGES = {
    400: "Invalid request", 401: "invalid x-api-key", 402: "Your credit balance is too low.",
    403: "Your API key does not have permission to use the specified resource.", 404: "Not found",
    408: "Request timed out", 409: "Conflict", 413: "Request exceeds the maximum allowed number of bytes.",
    429: "Number of requests has exceeded your rate limit. Please try again later.",
    500: "Internal server error", 502: "Bad gateway", 503: "Service unavailable", 504: "Gateway timeout",
    529: "Overloaded",
}


def _reason(status: int) -> str:
    if status == 529:
        return "Site Overloaded"
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _render_error(error: ErrorReply, request_id: str) -> tuple[bytes, str]:
    """(body, content type) of an ErrorReply."""
    status, style = error.status, error.style
    message = error.message
    if message is None:
        message = "Invalid or missing token" if (style == "ace" and status == 401) else (
            _DEFAULT_MESSAGES.get(status) or _reason(status))
    if style == "anthropic":
        kind = error.type or _ANTHROPIC_TYPES.get(status) or (
            "api_error" if status >= 500 else "invalid_request_error")
        body = {"type": "error", "error": {"type": kind, "message": message}, "request_id": request_id}
        return _dumps(body).encode(), "application/json"
    if style == "ace":
        code = error.type or _ACE_CODES.get(status) or ("api_error" if status >= 500 else "bad_request")
        body = {"success": False, "error": {"code": code, "message": message}, "trace_id": str(uuid.uuid4())}
        return _dumps_chat(body).encode(), "application/json"
    if style == "html":
        title = f"{status} {_reason(status)}"
        page = (f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
                f"<p>{html.escape(message)}</p><hr><center>nginx</center></body></html>\n")
        return page.encode(), "text/html; charset=utf-8"
    return message.encode(), "text/plain; charset=utf-8"


_ApiError = ApiError  # a request the API refuses; rendered in the server's error style
_invalid = invalid


# --------------------------------------------------------------------------- request validation


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _parse_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError as exc:
        raise _invalid(f"There was an error parsing the body of your request: {exc}") from None


def _check_range(body: dict, name: str, low: float, high: float | None = None) -> None:
    if name not in body:
        return
    value = body[name]
    if not _is_number(value):
        raise _invalid(f"{name}: Input should be a valid number")
    if value < low:
        raise _invalid(f"{name}: Input should be greater than or equal to {low}")
    if high is not None and value > high:
        raise _invalid(f"{name}: Input should be less than or equal to {high}")


def _validate_messages_request(body: Any, *, version: str, adaptive_only: Callable[[str], bool],
                               issued: dict[str, set[str]], rules: Rules | None = None,
                               betas: Sequence[str] = (), paused: set[str] | None = None,
                               count_only: bool = False) -> None:
    """Raise the 400 the Messages API would answer to this body (count_only: count_tokens rules).
    `rules`: the model's row of the 2026 table (fake_rules.MODELS), None for a model not in it."""
    if not isinstance(body, dict):
        raise _invalid("body: Input should be a valid dictionary")
    for name in ("model", "messages") if count_only else ("model", "messages", "max_tokens"):
        if name not in body:
            raise _invalid(f"{name}: Field required")
    if not isinstance(body["model"], str) or not body["model"]:
        raise _invalid("model: Input should be a valid string")
    if not count_only and (not _is_int(body["max_tokens"]) or body["max_tokens"] < 1):
        raise _invalid("max_tokens: Input should be greater than or equal to 1")
    if "stream" in body and not isinstance(body["stream"], bool):
        raise _invalid("stream: Input should be a valid boolean")
    system = body.get("system")
    if system is not None and not isinstance(system, (str, list)):
        raise _invalid("system: Input should be a valid string or list of text blocks")
    if isinstance(body["messages"], list):
        check_system_messages(body["messages"], rules)  # API-2026.md §3
    _validate_turns(body["messages"], issued)
    if version >= "2026-10-21":  # API-2026.md §0
        for name in ("temperature", "top_p", "top_k"):
            if name in body:
                raise _invalid(f"{name}: Extra inputs are not permitted")
        check_version_2026(body["messages"])
    _check_range(body, "temperature", 0, 1)
    _check_range(body, "top_p", 0, 1)
    _check_range(body, "top_k", 0)
    stops = body.get("stop_sequences")
    if stops is not None and not (isinstance(stops, list) and all(isinstance(s, str) for s in stops)):
        raise _invalid("stop_sequences: Input should be a valid list of strings")
    _validate_thinking(body, adaptive_only, rules, betas)
    if rules is not None:  # count_tokens generates nothing: a final assistant turn is no prefill there ([U])
        check_request(body, rules, version=version, paused=paused or set(), prefill_check=not count_only)


def _validate_thinking(body: dict, adaptive_only: Callable[[str], bool], rules: Rules | None = None,
                       betas: Sequence[str] = ()) -> None:
    config = body.get("output_config")
    if isinstance(config, dict) and config.get("effort") is not None and config["effort"] not in EFFORTS:
        raise _invalid("output_config.effort: Input should be 'low', 'medium', 'high', 'xhigh' or 'max'")
    thinking = body.get("thinking")
    if thinking is None:
        return
    kind = thinking.get("type") if isinstance(thinking, dict) else None
    tags = ("adaptive", "disabled", "enabled")
    if rules and "between_tools" in rules.thinking:  # API-2026.md §1c: Sonnet 5.5 only
        tags = ("adaptive", "between_tools", "disabled", "enabled")
    if kind not in tags:
        raise _invalid(f"thinking: Input tag '{kind}' found using 'type' does not match any of the expected "
                       f"tags: {', '.join(repr(tag) for tag in tags)}")
    check_thinking(body, rules, list(betas))  # API-2026.md §1c, §2
    if kind != "enabled":
        return
    if rules is None and adaptive_only(body["model"]):
        raise _invalid(ENABLED_REFUSED)
    budget = thinking.get("budget_tokens")
    if not _is_int(budget):
        raise _invalid("thinking.enabled.budget_tokens: Field required")
    if budget < 1024:
        raise _invalid("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024")
    if _is_int(body.get("max_tokens")) and budget >= body["max_tokens"]:
        raise _invalid("`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our "
                       "documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking")
    for name in ("temperature", "top_k"):
        if name in body:
            raise _invalid(f"`{name}` must be unset when thinking is enabled")
    if "top_p" in body and not 0.95 <= body["top_p"] <= 1:
        raise _invalid("`top_p` must be between 0.95 and 1 when thinking is enabled")
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") in ("any", "tool"):
        raise _invalid("Thinking may not be enabled when tool_choice forces tool use.")


def _count_images(messages: list) -> int:
    def images(blocks: Any) -> int:
        if not isinstance(blocks, list):
            return 0
        return sum(images(block.get("content")) if block.get("type") == "tool_result"
                   else block.get("type") == "image"
                   for block in blocks if isinstance(block, dict))

    return sum(images(message.get("content")) for message in messages if isinstance(message, dict))


def _validate_turns(messages: Any, issued: dict[str, set[str]]) -> None:
    if not isinstance(messages, list):
        raise _invalid("messages: Input should be a valid list")
    if not messages:
        raise _invalid("messages: at least one message is required")
    images = _count_images(messages)
    if images > 100:
        raise _invalid(f"messages: Too many images and documents: {images} > 100")
    max_side = 2000 if images > 20 else 8000
    pending: list[str] = []  # tool_use ids of the previous assistant turn
    previous_role = None
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            raise _invalid(f"messages.{i}: Input should be a valid dictionary")
        role = message.get("role")
        if role == "system":  # checked by fake_rules.check_system_messages; no turn of its own
            continue
        if role not in ("user", "assistant"):
            raise _invalid(f"messages.{i}.role: Input should be 'user' or 'assistant'")
        if previous_role is None and role != "user":
            raise _invalid('messages: first message must use the "user" role')
        if role == previous_role:
            raise _invalid('messages: roles must alternate between "user" and "assistant", '
                           f'but found multiple "{role}" roles in a row')
        previous_role = role
        if "content" not in message:
            raise _invalid(f"messages.{i}.content: Field required")
        content = message["content"]
        if content in ("", []) and not (role == "assistant" and i == len(messages) - 1):
            raise _invalid(f"messages.{i}: all messages must have non-empty content except for the optional "
                           "final assistant message")
        if not isinstance(content, (str, list)):
            raise _invalid(f"messages.{i}.content: Input should be a valid string or list")
        blocks = content if isinstance(content, list) else []
        uses, results = _validate_blocks(blocks, f"messages.{i}.content", role, issued, max_side)
        if role == "assistant":
            pending = uses
            continue
        for j, tool_use_id in results:
            if tool_use_id not in pending:
                raise _invalid(f"messages.{i}.content.{j}: unexpected `tool_use_id` found in `tool_result` "
                               f"blocks: {tool_use_id}. Each `tool_result` block must have a corresponding "
                               "`tool_use` block in the previous message.")
        missing = [tool_id for tool_id in pending if tool_id not in {tid for _, tid in results}]
        if missing:
            raise _invalid(f"messages.{i - 1}: `tool_use` ids were found without `tool_result` blocks "
                           f"immediately after: {', '.join(missing)}. Each `tool_use` block must have a "
                           "corresponding `tool_result` block in the next message.")
        pending = []
    _check_final_whitespace(messages[-1])


def _check_final_whitespace(message: Any) -> None:
    """Issue 10 (what the API answered, count_tokens too): a request that ends on an assistant
    message whose content ends in whitespace is refused."""
    if not isinstance(message, dict) or message.get("role") != "assistant":
        return
    content = message.get("content")
    last = content[-1] if isinstance(content, list) and content else None
    text = content if isinstance(content, str) else last.get("text") if isinstance(last, dict) \
        and last.get("type") == "text" else None
    if isinstance(text, str) and text and text != text.rstrip():
        raise _invalid("messages: final assistant content cannot end with trailing whitespace")


def _validate_blocks(blocks: list, where: str, role: str, issued: dict[str, set[str]],
                     max_side: int) -> tuple[list[str], list[tuple[int, str]]]:
    """Check content blocks; return (tool_use ids, [(index, tool_result tool_use_id)])."""
    uses: list[str] = []
    results: list[tuple[int, str]] = []
    for j, block in enumerate(blocks):
        at = f"{where}.{j}"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            raise _invalid(f"{at}: Input should be a valid dictionary with a 'type'")
        kind = block["type"]
        if kind == "text":
            if not isinstance(block.get("text"), str):
                raise _invalid(f"{at}.text: Field required")
            if not block["text"]:
                raise _invalid("messages: text content blocks must be non-empty")
        elif kind == "image":
            _validate_image(block.get("source"), f"{at}.image.source", max_side)
        elif kind == "document":
            _validate_document(block.get("source"), f"{at}.document.source")
        elif kind == "tool_use":
            if role != "assistant":
                raise _invalid(f"{at}: `tool_use` blocks can only be in `assistant` messages")
            if not isinstance(block.get("id"), str) or not isinstance(block.get("name"), str):
                raise _invalid(f"{at}: `tool_use` blocks need an `id` and a `name`")
            if not isinstance(block.get("input"), dict):
                raise _invalid(f"{at}.input: Input should be a valid dictionary")
            uses.append(block["id"])
        elif kind == "tool_result":
            if role != "user":
                raise _invalid(f"{at}: `tool_result` blocks can only be in `user` messages")
            if not isinstance(block.get("tool_use_id"), str):
                raise _invalid(f"{at}.tool_use_id: Field required")
            inner = block.get("content")
            if isinstance(inner, list):
                _validate_blocks(inner, f"{at}.tool_result.content", role, issued, max_side)
            elif inner is not None and not isinstance(inner, str):
                raise _invalid(f"{at}.content: Input should be a valid string or list")
            results.append((j, block["tool_use_id"]))
        elif kind == "thinking":
            if "signature" not in block:  # issue 10: what the API answered a block sent back unsigned
                raise _invalid(f"{at}.signature: Field required")
            signature = block.get("signature")
            if signature in issued and block.get("thinking") not in issued[signature]:
                raise _invalid(f"{at}: Invalid `signature` in `thinking` block")
        # redacted_thinking, server tool blocks and unknown types pass through untouched
    return uses, results


def _b64decode(data: Any, at: str) -> bytes:
    if not isinstance(data, str):
        raise _invalid(f"{at}: Input should be a valid string")
    try:
        return base64.b64decode(data, validate=True)
    except ValueError:
        raise _invalid(f"{at}: invalid base64 data") from None


def _validate_image(source: Any, at: str, max_side: int) -> None:
    if not isinstance(source, dict):
        raise _invalid(f"{at}: Field required")
    kind = source.get("type")
    if kind in ("url", "file"):
        return
    if kind != "base64":
        raise _invalid(f"{at}: Input tag '{kind}' found using 'type' does not match any of the expected "
                       "tags: 'base64', 'url', 'file'")
    media_type = source.get("media_type")
    if media_type not in IMAGE_TYPES:
        raise _invalid(f"{at}.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' "
                       "or 'image/webp'")
    data = source.get("data")
    if isinstance(data, str) and len(data) > MAX_IMAGE_BASE64:
        raise _invalid(f"{at}.base64: image exceeds 5 MB maximum: "
                       f"{len(data)} bytes > {MAX_IMAGE_BASE64} bytes")
    raw = _b64decode(data, f"{at}.base64.data")
    actual = _sniff_image(raw)
    if actual is None:
        raise _invalid(f"{at}.base64.data: Could not process image")
    if actual != media_type:
        raise _invalid(f"{at}.base64: The image was specified using the {media_type} media type, but the "
                       f"image appears to be a {actual} image")
    size = _image_size(raw)
    if size is not None and max(size) > max_side:
        raise _invalid(f"{at}.base64.data: At least one of the image dimensions exceed max allowed size: "
                       f"{max_side} pixels")


def _validate_document(source: Any, at: str) -> None:
    if not isinstance(source, dict):
        raise _invalid(f"{at}: Field required")
    kind = source.get("type")
    if kind == "base64":
        if source.get("media_type") != "application/pdf":
            raise _invalid(f"{at}.base64.media_type: Input should be 'application/pdf'")
        if not _b64decode(source.get("data"), f"{at}.base64.data").startswith(b"%PDF-"):
            raise _invalid(f"{at}.base64.data: The PDF specified was not valid.")
    elif kind == "text":
        if not isinstance(source.get("data"), str):
            raise _invalid(f"{at}.text.data: Input should be a valid string")
    elif kind not in ("url", "content", "file"):
        raise _invalid(f"{at}: Input tag '{kind}' found using 'type' does not match any of the expected "
                       "tags: 'base64', 'text', 'content', 'url', 'file'")


def _sniff_image(raw: bytes) -> str | None:
    if raw.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if raw.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if raw[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if raw[:4] == b"RIFF" and raw[8:12] == b"WEBP":
        return "image/webp"
    return None


def _image_size(raw: bytes) -> tuple[int, int] | None:
    """(width, height) from the image header, or None when it can't be read."""
    try:
        if raw.startswith(b"\x89PNG"):
            return struct.unpack(">II", raw[16:24])
        if raw.startswith(b"GIF"):
            return struct.unpack("<HH", raw[6:10])
        if raw.startswith(b"\xff\xd8"):
            return _jpeg_size(raw)
        chunk = raw[12:16]
        if chunk == b"VP8X":
            return int.from_bytes(raw[24:27], "little") + 1, int.from_bytes(raw[27:30], "little") + 1
        if chunk == b"VP8 ":
            width, height = struct.unpack("<HH", raw[26:30])
            return width & 0x3FFF, height & 0x3FFF
        if chunk == b"VP8L":
            bits = int.from_bytes(raw[21:25], "little")
            return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    except struct.error:
        pass
    return None


def _jpeg_size(raw: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 <= len(raw):
        if raw[i] != 0xFF:
            return None
        marker = raw[i + 1]
        if marker == 0xFF or marker == 0x01 or 0xD0 <= marker <= 0xD8:  # fill byte or standalone marker
            i += 1 if marker == 0xFF else 2
            continue
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # a start-of-frame segment
            height, width = struct.unpack(">HH", raw[i + 5:i + 9])
            return width, height
        i += 2 + int.from_bytes(raw[i + 2:i + 4], "big")
    return None


def _validate_chat_request(body: Any) -> None:
    """Raise the 400 the Chat Completions endpoint would answer to this body."""
    if not isinstance(body, dict):
        raise _invalid("body: Input should be a valid dictionary")
    for name in ("model", "messages"):
        if name not in body:
            raise _invalid(f"{name}: Field required")
    if not isinstance(body["model"], str) or not body["model"]:
        raise _invalid("model: Input should be a valid string")
    messages = body["messages"]
    if not isinstance(messages, list) or not messages:
        raise _invalid("messages: at least one message is required")
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in _CHAT_ROLES:
            raise _invalid(f"messages.{i}.role: Input should be 'system', 'user', 'assistant' or 'tool'")
        if message["role"] == "tool" and not isinstance(message.get("tool_call_id"), str):
            raise _invalid(f"messages.{i}.tool_call_id: Field required")
        content = message.get("content")
        if isinstance(content, list):
            for j, part in enumerate(content):
                kind = part.get("type") if isinstance(part, dict) else None
                if kind == "image_url":
                    url = (part.get("image_url") or {}).get("url")
                    if not isinstance(url, str):
                        raise _invalid(f"messages.{i}.content.{j}.image_url.url: Field required")
                    header, _, data = url.partition(",")
                    if url.startswith("data:") and header.endswith(";base64"):
                        _b64decode(data, f"messages.{i}.content.{j}.image_url.url")
                elif kind != "text":
                    raise _invalid(f"messages.{i}.content.{j}.type: Input should be 'text' or 'image_url'")
        elif content is not None and not isinstance(content, str):
            raise _invalid(f"messages.{i}.content: Input should be a valid string or list")
    _check_range(body, "temperature", 0, 2)
    _check_range(body, "top_p", 0, 1)
    if "max_tokens" in body and (not _is_int(body["max_tokens"]) or body["max_tokens"] < 1):
        raise _invalid("max_tokens: Input should be greater than or equal to 1")
    if "stream" in body and not isinstance(body["stream"], bool):
        raise _invalid("stream: Input should be a valid boolean")


# --------------------------------------------------------------------------- HTTP plumbing


class _BodyWriter:
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


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "claudechat-fake-server/1.0"
    server: _Server

    _request_id = "req_0"
    _generation = 0
    _chunked = True

    # ---- connection lifecycle

    def setup(self) -> None:
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # a segment per write
        except OSError:
            pass
        self.server.fake._track(self.connection, add=True)

    def handle(self) -> None:
        try:
            super().handle()
        except _CLIENT_GONE:
            self.close_connection = True

    def finish(self) -> None:
        self.server.fake._track(self.connection, add=False)
        try:
            super().finish()
        except OSError:
            pass

    def log_message(self, *args: Any) -> None:  # no request logging
        pass

    def version_string(self) -> str:
        return self.server_version

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    # ---- dispatch

    def _dispatch(self) -> None:
        fake = self.server.fake
        arrived = time.monotonic()
        url = urlsplit(self.path)
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            name = name.lower()
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        try:
            body, bad_framing = self._read_body(), False
        except ValueError:
            body, bad_framing = b"", True
        query = parse_qs(url.query, keep_blank_values=True)
        record = Recorded(self.command, url.path, query, headers, body, arrived)
        self._generation = fake._record(record)
        self._request_id = fake._next_id("req_")
        self._headers_sent = False
        try:
            if bad_framing:
                self.close_connection = True
                raise _invalid("Could not read the request body")
            self._route(record)
        except _ApiError as error:
            self._send_error(fake._error_reply(error))
        except _CLIENT_GONE:
            self.close_connection = True
        except Exception:  # a bug in this file or in a test's script: say so loudly
            traceback.print_exc()
            self.close_connection = True
            if not self._headers_sent:
                self._send_error(ErrorReply(500, message="fake server error (see its stderr)"))

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            parts = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                parts.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):  # trailers
                pass
            return b"".join(parts)
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _route(self, record: Recorded) -> None:
        fake = self.server.fake
        route = _ROUTES.get((record.method, record.path))
        if route is None and record.method == "GET" and record.path.startswith("/v1/models/"):
            route = _Handler._get_model
        if not fake.model_list and record.path.startswith("/v1/models"):
            route = None
        if route is None:
            raise _ApiError(404, f"Not Found: {record.method} {record.path}")
        fake._check_auth(record.headers)
        if record.path != "/v1/chat/completions":  # API-2026.md §0: unknown betas are a 400
            check_betas(parse_betas(record.headers.get("anthropic-beta")))
        if record.method == "POST" and len(record.body) > fake.max_request_bytes:
            raise _ApiError(413, _DEFAULT_MESSAGES[413])
        route(self, record)

    # ---- endpoints

    def _messages(self, record: Recorded) -> None:
        body = _parse_json(record.body)
        context = self.server.fake._validate_messages(body, record.headers)
        self._respond(self.server.fake._next_response(), body, chat=False, context=context)

    def _chat_completions(self, record: Recorded) -> None:
        body = _parse_json(record.body)
        _validate_chat_request(body)
        self._respond(self.server.fake._next_response(), body, chat=True)

    def _count_tokens(self, record: Recorded) -> None:
        body = _parse_json(record.body)
        self.server.fake._validate_messages(body, record.headers, count_only=True)
        self._send_json({"input_tokens": estimate_tokens(body)})

    def _list_models(self, record: Recorded) -> None:
        models = self.server.fake.models
        query = {name: values[-1] for name, values in record.query.items()}
        try:
            limit = int(query.get("limit", "20"))
        except ValueError:
            raise _invalid("limit: Input should be a valid integer") from None
        if not 1 <= limit <= 1000:
            raise _invalid("limit: Input should be greater than or equal to 1 and less than or equal to 1000")
        ids = [model["id"] for model in models]
        if "after_id" in query:
            start = ids.index(query["after_id"]) + 1 if query["after_id"] in ids else len(ids)
            page, has_more = models[start:start + limit], start + limit < len(models)
        elif "before_id" in query:
            end = ids.index(query["before_id"]) if query["before_id"] in ids else 0
            start = max(0, end - limit)
            page, has_more = models[start:end], start > 0
        else:
            page, has_more = models[:limit], limit < len(models)
        self._send_json({"data": page, "has_more": has_more, "first_id": page[0]["id"] if page else None,
                         "last_id": page[-1]["id"] if page else None})

    def _get_model(self, record: Recorded) -> None:
        model_id = unquote(record.path[len("/v1/models/"):])
        for model in self.server.fake.models:
            if model["id"] == model_id:
                return self._send_json(model)
        raise _ApiError(404, f"model: {model_id}")

    # ---- rendering scripted responses

    def _respond(self, response: Response, body: dict, *, chat: bool,
                 context: _Context | None = None) -> None:
        fake = self.server.fake
        if isinstance(response, Reply):
            plan = fake._plan(response, body, chat=chat, context=context)
            if body.get("stream") is True:
                self._stream_reply(plan, response, body, chat=chat)
            elif chat:
                self._send_json(_chat_json(plan, int(time.time())), chat=True)
            else:
                self._send_json(_message_json(plan))
        elif isinstance(response, ErrorReply):
            self._send_error(response)
        elif isinstance(response, RawSSE):
            self._start_body(response.status, response.content_type, close=True)
            out = _BodyWriter(self.wfile, response.chunking, response.seed, self._chunked)
            out.write(response.data)
            out.end()
        elif isinstance(response, Drop):
            self._hang_up(reset=True)
        elif isinstance(response, Stall):
            if self._wait_for_release() and not isinstance(fake._default, Stall):
                self._respond(fake._default, body, chat=chat, context=context)
            else:
                self._hang_up()
        else:
            raise TypeError(f"not a scripted response: {response!r}")

    def _stream_reply(self, plan: _Plan, reply: Reply, body: dict, *, chat: bool) -> None:
        eol = reply.line_ending
        if chat:
            options = body.get("stream_options")
            include_usage = isinstance(options, dict) and options.get("include_usage") is True
            chunks = _chat_chunks(plan, reply, include_usage, int(time.time()))
            frames = [_data_frame(_dumps_chat(chunk), eol) for chunk in chunks] + [_data_frame("[DONE]", eol)]
            error_frame = _data_frame(_dumps_chat(_CHAT_STREAM_ERROR), eol)
        else:
            frames = [_event_frame(name, data, eol) for name, data in _message_events(plan, reply)]
            error = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"},
                     "request_id": self._request_id}
            error_frame = _event_frame("error", error, eol)
        # Chat Completions closes the connection after a stream error.
        close = chat and reply.error_after is not None
        self._start_body(200, "text/event-stream; charset=utf-8", close=close)
        out = _BodyWriter(self.wfile, reply.chunking, reply.seed, self._chunked)
        if not self._after_event(0, out, reply, error_frame, last=not frames):
            return
        for count, frame in enumerate(frames, 1):
            out.write(frame)
            if not self._after_event(count, out, reply, error_frame, last=count == len(frames)):
                return
        out.end()

    def _after_event(self, count: int, out: _BodyWriter, reply: Reply, error_frame: bytes, *,
                     last: bool) -> bool:
        """Apply the faults scheduled after `count` events; False when the body is over."""
        if reply.stall_after == count:
            out.flush()
            if not self._wait_for_release():
                self._hang_up()
                return False
        if reply.drop_after == count:
            out.flush()
            self._hang_up()
            return False
        if reply.error_after == count:
            out.write(error_frame)
            out.end()
            return False
        if reply.delay and count and not last:
            out.flush()
            if self.server.fake._stopping.wait(reply.delay):
                self._hang_up()
                return False
        return True

    # ---- low-level writes

    def _start_body(self, status: int, content_type: str, *, close: bool) -> None:
        """Headers of a streamed body: chunked, or close-delimited for an HTTP/1.0 client."""
        self._chunked = self.request_version != "HTTP/1.0"
        self.send_response(status, _reason(status))
        self.send_header("content-type", content_type)
        self.send_header("cache-control", "no-cache")
        self.send_header("request-id", self._request_id)
        if self._chunked:
            self.send_header("transfer-encoding", "chunked")
        if close or not self._chunked:
            self.send_header("connection", "close")
            self.close_connection = True
        self.end_headers()
        self._headers_sent = True

    def _send_bytes(self, status: int, body: bytes, content_type: str, headers: dict[str, str]) -> None:
        fields = {"content-type": content_type, "content-length": str(len(body))}
        fields.update({name.lower(): value for name, value in headers.items()})
        self.send_response(status, _reason(status))
        for name, value in fields.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("connection", "close")
        self.end_headers()
        self._headers_sent = True
        self.wfile.write(body)

    def _send_json(self, obj: Any, *, chat: bool = False) -> None:
        body = (_dumps_chat(obj) if chat else _dumps(obj)).encode()
        self._send_bytes(200, body, "application/json", {"request-id": self._request_id})

    def _send_error(self, error: ErrorReply) -> None:
        body, content_type = _render_error(error, self._request_id)
        headers = {"request-id": self._request_id} if error.style == "anthropic" else {}
        headers.update(error.headers)
        self._send_bytes(error.status, body, content_type, headers)

    def _hang_up(self, *, reset: bool = False) -> None:
        """Close the connection: FIN, or RST (SO_LINGER 0) when `reset`."""
        self.close_connection = True
        try:
            if reset:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                self.rfile.close()  # drops the last reference: the descriptor closes now, with a reset
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _wait_for_release(self) -> bool:
        """Block until release() covers this request (True) or the client or server goes away (False)."""
        fake = self.server.fake
        while True:
            with fake._cond:
                if fake._stopping.is_set():
                    return False
                if fake._release_generation > self._generation:
                    return True
                fake._cond.wait(0.05)
            if self._client_gone():
                return False

    def _client_gone(self) -> bool:
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True


_ROUTES: dict[tuple[str, str], Callable[[_Handler, Recorded], None]] = {
    ("POST", "/v1/messages"): _Handler._messages,
    ("POST", "/v1/messages/count_tokens"): _Handler._count_tokens,
    ("POST", "/v1/chat/completions"): _Handler._chat_completions,
    ("GET", "/v1/models"): _Handler._list_models,
}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    fake: FakeServer

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # skip HTTPServer's reverse DNS lookup
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], _CLIENT_GONE):
            super().handle_error(request, client_address)


# --------------------------------------------------------------------------- the server


class FakeServer:
    """A scriptable Messages / Chat Completions server on 127.0.0.1 (see the module docstring)."""

    def __init__(self, *, auth: str = "any", key: str | None = None, models: list[dict] | None = None,
                 port: int = 0, account_created: str = "2026-09-01",
                 refuse_cache_control: bool = False, model_list: bool = True) -> None:
        if auth not in ("any", "bearer", "x-api-key", "none"):
            raise ValueError(f"auth must be 'any', 'bearer', 'x-api-key' or 'none', not {auth!r}")
        self.auth, self.key, self.port_requested = auth, key, port
        # API-2026.md §2: Fable 5.1 and Opus 5.5 enforce the prefix check for accounts created on or
        # after 2026-08-31; the default account is newer, so they do.
        self.account_created = account_created
        # a proxy that forwards no cache fields: `cache_control` and `diagnostics` get a 400
        self.refuse_cache_control = refuse_cache_control
        self.cache = PromptCache()  # API-2026.md §4, in fake_cache.py
        self.clock_offset = 0.0  # advance() moves the cache's clock, not the wall clock
        self._binder = Binder(os.urandom(32))  # thinking signatures: HMACs with this server's secret
        self._paused: set[str] = set()  # canonical content of pause_turn replies (sent back: no prefill)
        self.models: list[dict] = list(models) if models is not None else default_models()
        self.model_list = model_list  # False: a server without GET /v1/models (its 404 for any unknown path)
        self.requests: list[Recorded] = []
        self.max_request_bytes = MAX_REQUEST_BYTES
        self._cond = threading.Condition()
        self._queue: deque[Response] = deque()
        self._default: Response = Reply()
        self._release_generation = 0
        self._stopping = threading.Event()
        self._counters: dict[str, int] = {}
        self._issued_thinking: dict[str, set[str]] = {}  # signature -> thinking texts sent with it
        self._connections: set[socket.socket] = set()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle

    def start(self) -> FakeServer:
        """Listen and serve in a background thread (once; a stopped server stays stopped)."""
        if self._stopping.is_set():
            raise RuntimeError("a stopped FakeServer cannot be started again")
        if self._httpd is None:
            httpd = _Server(("127.0.0.1", self.port_requested), _Handler)
            httpd.fake = self
            self._httpd = httpd
            self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                            name=f"fake-server-{self.port}", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, let go of stalled responses and close every open connection."""
        httpd = self._httpd
        if httpd is None or self._stopping.is_set():
            return
        with self._cond:
            self._stopping.set()
            self._release_generation += 1
            self._cond.notify_all()
            connections = list(self._connections)
        httpd.shutdown()
        httpd.server_close()
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``, no trailing slash."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("FakeServer is not started")
        return self._httpd.server_address[1]

    # ---- scripting

    def enqueue(self, *responses: Response) -> None:
        """Append scripted responses for the next POSTs to /v1/messages and /v1/chat/completions."""
        for response in responses:
            if not isinstance(response, _RESPONSE_TYPES):
                raise TypeError(f"not a scripted response: {response!r}")
        with self._cond:
            self._queue.extend(responses)

    def set_default(self, response: Response) -> None:
        """The response used when the queue is empty."""
        if not isinstance(response, _RESPONSE_TYPES):
            raise TypeError(f"not a scripted response: {response!r}")
        self._default = response

    @property
    def remaining(self) -> int:
        """How many scripted responses are still queued."""
        with self._cond:
            return len(self._queue)

    def release(self) -> None:
        """Let every stalled response (of a request that has arrived) continue."""
        with self._cond:
            self._release_generation += 1
            self._cond.notify_all()

    def wait_for_requests(self, n: int, timeout: float = 10) -> None:
        """Block until at least `n` requests have arrived; AssertionError after `timeout` seconds."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.requests) >= n, timeout):
                seen = [f"{r.method} {r.path}" for r in self.requests]
                raise AssertionError(f"expected {n} request(s) within {timeout}s, got {len(seen)}: {seen}")

    # ---- used by the handler threads

    def _record(self, record: Recorded) -> int:
        """Store a request; return the release generation it arrived in."""
        with self._cond:
            self.requests.append(record)
            self._cond.notify_all()
            return self._release_generation

    def _next_response(self) -> Response:
        with self._cond:
            return self._queue.popleft() if self._queue else self._default

    def _next_id(self, prefix: str) -> str:
        with self._cond:
            self._counters[prefix] = n = self._counters.get(prefix, 0) + 1
        return f"{prefix}{n}"

    def _track(self, connection: socket.socket, *, add: bool) -> None:
        with self._cond:
            if add:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def _error_reply(self, error: _ApiError) -> ErrorReply:
        style = "ace" if self.auth == "bearer" else "anthropic"
        return ErrorReply(error.status, style=style, type=error.kind, message=error.message)

    def _check_auth(self, headers: dict[str, str]) -> None:
        if self.auth == "none":
            return
        api_key = headers.get("x-api-key")
        authorization = headers.get("authorization", "")
        bearer = authorization[7:].strip() if authorization[:7].lower() == "bearer " else None
        if self.auth == "bearer":
            if not bearer or (self.key is not None and bearer != self.key):
                raise _ApiError(401, "Invalid or missing token" if bearer is None else "Invalid token")
        elif self.auth == "x-api-key":
            if api_key is None:
                raise _ApiError(401, "x-api-key header is required")
            if self.key is not None and api_key != self.key:
                raise _ApiError(401, "invalid x-api-key")
            if "anthropic-version" not in headers:
                raise _invalid("anthropic-version: header is required")
        elif self.key is not None and self.key not in (api_key, bearer):
            raise _ApiError(401, "invalid x-api-key")

    def advance(self, seconds: float) -> None:
        """Let `seconds` pass for the prompt cache (its TTLs), without waiting."""
        with self._cond:
            self.clock_offset += seconds

    def _cache_context(self, body: dict, context: _Context) -> _Context:
        """API-2026.md §4: the cache fields refused (a proxy), else the usage and diagnosis."""
        if self.refuse_cache_control:
            for name in ("cache_control", "diagnostics"):
                if name in body:
                    raise _invalid(f"{name}: Extra inputs are not permitted")
        with self._cond:
            now = time.monotonic() + self.clock_offset
        context.diagnostics = self.cache.diagnose(body)
        context.usage = self.cache.account(body, now)
        return context

    def _adaptive_only(self, model: str) -> bool:
        if _ADAPTIVE_ONLY.match(model):
            return True
        for info in self.models:
            if info.get("id") == model:
                types = info.get("capabilities", {}).get("thinking", {}).get("types", {})
                return types.get("enabled", {}).get("supported") is False
        return False

    def _validate_messages(self, body: Any, headers: dict[str, str], *, count_only: bool = False) -> _Context:
        """Raise the API's error for this body, else what its reply needs to know."""
        betas = parse_betas(headers.get("anthropic-beta"))
        model = body.get("model") if isinstance(body, dict) else None
        if isinstance(model, str) and model in RETIRED:  # API-2026.md §1b
            raise _ApiError(404, f"model: {model}", "not_found_error")
        rules = rules_for(model) if isinstance(model, str) else None
        with self._cond:
            paused = set(self._paused)
        _validate_messages_request(body, version=headers.get("anthropic-version", ""),
                                   adaptive_only=self._adaptive_only, issued=self._issued_thinking,
                                   rules=rules, betas=betas, paused=paused, count_only=count_only)
        transformations = self._check_binding(body, rules, betas)
        reported = BINDING_BETA in betas and not count_only  # §2, §8D: count_tokens reports none
        context = _Context(display=_display(body, rules),
                           transformations=transformations if reported else None,
                           sign=lambda producer, text: self._binder.sign(producer, body, text))
        return context if count_only else self._cache_context(body, context)

    def _check_binding(self, body: dict, rules: Rules | None, betas: list[str]) -> list[dict]:
        """API-2026.md §2: which thinking blocks sent back are dropped, or the 400."""
        thinking = body.get("thinking")
        opted_in = isinstance(thinking, dict) and isinstance(thinking.get("block_binding"), dict)
        check = rules.prefix_check if rules else None
        new_account = self.account_created >= "2026-08-31"
        enforce = opted_in or check == "always" or (check == "new_accounts" and new_account)
        enforce = enforce and check is not None
        with self._cond:
            issued = frozenset(self._issued_thinking)
        return self._binder.check(body, enforce=enforce, betas=betas, runs_check=check is not None,
                                  issued=issued)

    def _plan(self, reply: Reply, body: dict, *, chat: bool, context: _Context | None = None) -> _Plan:
        reply_id = reply.id or self._next_id("chatcmpl-" if chat else "msg_")
        plan = _make_plan(reply, body, reply_id, lambda: self._next_id("call_" if chat else "toolu_"),
                          None if chat else context)
        if not chat:
            content = [final for _, _, final in plan.blocks]
            with self._cond:
                for block in content:  # scripted signatures; the HMAC ones carry their own check
                    if block["type"] == "thinking" and reply.signature is not None:
                        self._issued_thinking.setdefault(block["signature"], set()).add(block["thinking"])
                if plan.stop_reason == "pause_turn":
                    self._paused.add(canonical(content))
            self.cache.remember(body, plan.id, content)
        return plan


def _display(body: dict, rules: Rules | None) -> str:
    """The thinking display in effect: asked for, else the model's default (API-2026.md §1c)."""
    thinking = body.get("thinking")
    asked = thinking.get("display") if isinstance(thinking, dict) else None
    if asked in ("summarized", "omitted", "updates"):
        return "omitted" if asked == "omitted" else "summarized"
    return rules.display if rules else "summarized"


# --------------------------------------------------------------------------- standalone


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the claudechat fake Messages API on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: any free port)")
    parser.add_argument("--reply", help="the text of every reply")
    parser.add_argument("--auth", choices=("bearer", "x-api-key", "any", "none"), default="any")
    parser.add_argument("--key", help="the API key or token to require")
    parser.add_argument("--thinking", help="a thinking block of this text before every reply")
    parser.add_argument("--unsigned", action="store_true",
                        help="send that thinking block without a signature (as Ace Data Cloud did)")
    args = parser.parse_args(argv)

    server = FakeServer(auth=args.auth, key=args.key, port=args.port)
    if args.reply is not None or args.thinking is not None:
        server.set_default(Reply(text=DEFAULT_TEXT if args.reply is None else args.reply,
                                 thinking=args.thinking, unsigned=args.unsigned))
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    with server:
        print(server.url, flush=True)
        while not done.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
