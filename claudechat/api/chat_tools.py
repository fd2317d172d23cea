"""The user's tools on the Chat Completions wire format, both ways: the request's `tools` and
`tool_choice`, an assistant turn's `tool_use` blocks as one message with `tool_calls`, a user
turn's `tool_result` blocks as `role: "tool"` messages, and a reply's tool calls back as
`tool_use` blocks. The tool loop (tools/loop.py) never knows which wire carried them.

The shapes are docs/PROTOCOL.md's ("POST /v1/chat/completions": `tools` as
`{"type":"function","function":{"name","description","parameters"}}`, `tool_choice`,
`tool_calls` merged by `index`, role `tool`). Where the references say no more, this follows
OpenAI's documented Chat Completions format, the one Ace Data Cloud's endpoint copies:
`function.strict`, the `tool_choice` values `"required"` and
`{"type":"function","function":{"name"}}`, an assistant message's `content` null beside its
`tool_calls`, `function.arguments` a JSON string, a tool message's `tool_call_id` and string
`content`.

This format has no `is_error` on a result: a failed call's text goes back after
ERROR_PREFIX, so the model still reads that it failed (the Messages wire sends the same text
with `is_error: true`).
"""

from __future__ import annotations

import json
from typing import Any

from claudechat.accumulator import INVALID_JSON
from claudechat.errors import MalformedStream, UsageError

ERROR_PREFIX = "Error: "
TOOL_CHOICE = {"auto": "auto", "any": "required", "none": "none"}
# an assistant turn's blocks that have no field on this format and are left out of its message:
# thinking comes back as `reasoning_content`, which a request has no field for (and no signature)
NOT_SENT = frozenset({"thinking", "redacted_thinking"})
USE_MESSAGES = 'use a profile with api = "messages"'


def tool(definition: dict[str, Any]) -> dict[str, Any]:
    """A `tools` entry (tools/specs.py's definition: name, description, input_schema, strict?)."""
    function: dict[str, Any] = {"name": definition["name"],
                                "parameters": definition.get("input_schema") or {"type": "object"}}
    if definition.get("description"):
        function["description"] = definition["description"]
    if definition.get("strict"):
        function["strict"] = True
    return {"type": "function", "function": function}


def tool_choice(choice: dict[str, Any]) -> Any:
    """The Messages `tool_choice` ({"type": auto|any|none} or {"type": "tool", "name"}) on this wire."""
    if choice.get("type") == "tool":
        return {"type": "function", "function": {"name": choice["name"]}}
    return TOOL_CHOICE.get(choice.get("type", "auto"), "auto")


def assistant_message(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    """One assistant turn -> one message: its text, and its `tool_use` blocks as `tool_calls`
    (arguments: the input as JSON text, as the Messages wire sends the input back)."""
    texts: list[str] = []
    calls: list[dict[str, Any]] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "text":  # a text's citations are the reply's notes on it: the text is what was said
            texts.append(block.get("text", ""))
        elif kind == "tool_use":
            arguments = json.dumps(block.get("input") or {}, ensure_ascii=False)
            calls.append({"id": block["id"], "type": "function",
                          "function": {"name": block["name"], "arguments": arguments}})
        elif kind not in NOT_SENT:
            raise UsageError(f"this conversation holds a {kind} block from the Messages API, which the "
                             f"chat-completions API cannot carry; {USE_MESSAGES} to continue it")
    text = "".join(texts)
    out: dict[str, Any] = {"role": "assistant", "content": text if text or not calls else None}
    if calls:
        out["tool_calls"] = calls
    return out


def tool_message(block: dict[str, Any]) -> dict[str, Any]:
    """A `tool_result` block -> a `role: "tool"` message (is_error: ERROR_PREFIX before its text)."""
    text = _result_text(block.get("content"))
    if block.get("is_error"):
        text = ERROR_PREFIX + text
    return {"role": "tool", "tool_call_id": block["tool_use_id"], "content": text}


def _result_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return "" if content is None else json.dumps(content, ensure_ascii=False)
    parts = []
    for block in content:
        kind = block.get("type") if isinstance(block, dict) else None
        if kind != "text":
            raise UsageError(f"a tool result with {kind} content cannot be sent with the chat-completions "
                             f"API (a tool message is text only); {USE_MESSAGES}")
        parts.append(block.get("text", ""))
    return "".join(parts)


def arguments(text: Any) -> Any:
    """A whole reply's `function.arguments` -> the tool_use input; arguments that are not JSON
    are kept as {"INVALID_JSON": raw}, as a streamed reply's are, and the loop answers them."""
    if not text:
        return {}
    try:
        return json.loads(text)
    except ValueError:
        return {INVALID_JSON: text}


def use_block(call: dict[str, Any], where: str) -> dict[str, Any]:
    """A tool call's first piece (or a whole reply's call) -> the tool_use block it starts;
    MalformedStream without the id or the name, which come first (docs/PROTOCOL.md)."""
    function = call.get("function") or {}
    for value, name in ((call.get("id"), "id"), (function.get("name"), "function.name")):
        if not value:
            raise MalformedStream(f"the server sent a tool call without its {name} ({where})")
    return {"type": "tool_use", "id": call["id"], "name": function["name"], "input": {}}
