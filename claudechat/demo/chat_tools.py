"""Client tools on the Chat Completions wire (`POST /v1/chat/completions`), as the demo server
reads docs/PROTOCOL.md ("POST /v1/chat/completions": `tools` of `{"type":"function","function":
{"name","description","parameters"}}`, `tool_choice`, messages of role `tool`) and, for the pairing
of calls and results, the rule the Messages API states for the same thing (docs/API-2026.md §5:
one result for every call, right after it, with the same `tools`); and a reply that echoes the
results it got, so a test sees the round trip.

The references quote no error text for this endpoint. Where OpenAI's Chat Completions API (the
format this one copies) has a known text for the same mistake it is used and marked [U: OpenAI's
text]; elsewhere [U]: a plausible text of the documented shape. Tests match the status, and the
words that name the mistake.
"""

from __future__ import annotations

from typing import Any

from claudechat.demo.rules import invalid

CHOICES = ("auto", "none", "required")


def check_chat_tools(body: dict) -> None:
    """The 400 for the tool parts of a Chat Completions request."""
    names = _declared(body.get("tools"))
    _check_choice(body.get("tool_choice"), names)
    pending: list[str] = []  # the calls of the last assistant message still without a tool message
    for i, message in enumerate(body.get("messages") or []):
        role = message.get("role")
        if role == "tool":
            if message.get("tool_call_id") not in pending:
                raise invalid(f"messages.{i}: Invalid parameter: messages with role 'tool' must be a "
                              f"response to a preceeding message with 'tool_calls'.")  # [U: OpenAI's text]
            pending.remove(message["tool_call_id"])
            _check_tool_content(message.get("content"), i)
            continue
        if pending:
            raise invalid(_unanswered(pending))
        if role == "assistant" and message.get("tool_calls") is not None:
            pending = _calls(message["tool_calls"], i, names)
    if pending:
        raise invalid(_unanswered(pending))


def _unanswered(ids: list[str]) -> str:
    """[U: OpenAI's text]; the Messages API's own is "`tool_use` ids were found without
    `tool_result` blocks immediately after" (§5)."""
    return ("An assistant message with 'tool_calls' must be followed by tool messages responding to each "
            f"'tool_call_id'. The following tool_call_ids did not have response messages: {', '.join(ids)}")


def _declared(tools: Any) -> set[str]:
    if tools is None:
        return set()
    if not isinstance(tools, list):
        raise invalid("tools: Input should be a valid list")  # [U]
    names = set()
    for k, tool in enumerate(tools):
        if not isinstance(tool, dict) or tool.get("type") != "function":
            raise invalid(f"tools.{k}.type: Input should be 'function'")  # [U]
        function = tool.get("function")
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            raise invalid(f"tools.{k}.function.name: Field required")  # [U]
        if not isinstance(function.get("parameters", {}), dict):
            raise invalid(f"tools.{k}.function.parameters: Input should be a valid dictionary")  # [U]
        if not isinstance(function.get("strict", False), bool):
            raise invalid(f"tools.{k}.function.strict: Input should be a valid boolean")  # [U]
        names.add(function["name"])
    return names


def _check_choice(choice: Any, names: set[str]) -> None:
    if choice is None or choice in CHOICES:
        return
    is_function = isinstance(choice, dict) and choice.get("type") == "function"
    function = choice.get("function") if is_function else None
    if not isinstance(function, dict) or not isinstance(function.get("name"), str):
        raise invalid("tool_choice: Input should be 'auto', 'none', 'required' or a function "
                      "({\"type\": \"function\", \"function\": {\"name\": ...}})")  # [U]
    if function["name"] not in names:
        raise invalid(f"tool_choice.function.name: no function named {function['name']!r} in `tools`")  # [U]


def _calls(calls: Any, i: int, names: set[str]) -> list[str]:
    """The ids of an assistant message's `tool_calls`, each checked."""
    if not isinstance(calls, list) or not calls:
        raise invalid(f"messages.{i}.tool_calls: Input should be a non-empty list")  # [U]
    ids = []
    for k, call in enumerate(calls):
        at = f"messages.{i}.tool_calls.{k}"
        if not isinstance(call, dict) or not isinstance(call.get("id"), str) or not call["id"]:
            raise invalid(f"{at}.id: Field required")  # [U]
        if call.get("type") != "function":
            raise invalid(f"{at}.type: Input should be 'function'")  # [U]
        function = call.get("function")
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            raise invalid(f"{at}.function.name: Field required")  # [U]
        if not isinstance(function.get("arguments"), str):  # a JSON text, not an object
            raise invalid(f"{at}.function.arguments: Input should be a valid string")  # [U]
        if function["name"] not in names:  # §5: results go back "with the same tools"
            raise invalid(f"{at}: a call of {function['name']!r}, but no `{function['name']}` function was "
                          f"provided in `tools`")  # [U]
        if call["id"] in ids:
            raise invalid(f"{at}.id: duplicate tool_call_id {call['id']!r}")  # [U]
        ids.append(call["id"])
    return ids


def _check_tool_content(content: Any, i: int) -> None:
    """A tool message's content: a string, or text parts."""
    if isinstance(content, str):
        return
    if isinstance(content, list) and all(isinstance(p, dict) and p.get("type") == "text" for p in content):
        return
    raise invalid(f"messages.{i}.content: a tool message's content should be a string or text parts")  # [U]


def chat_echo_text(body: dict) -> str:
    """What the model "says" after getting results: the tool messages after the last assistant
    message, "[tool_call_id] content" per line; a request with none says so."""
    messages = [m for m in body.get("messages") or [] if isinstance(m, dict)]
    last = max((n for n, m in enumerate(messages) if m.get("role") == "assistant"), default=-1)
    lines = []
    for message in messages[last + 1:]:
        if message.get("role") == "tool":
            content = message.get("content")
            text = content if isinstance(content, str) else " ".join(
                p.get("text", "") for p in content or [] if isinstance(p, dict))
            lines.append(f"[{message.get('tool_call_id')}] {text}")
    return "Tool results:\n" + "\n".join(lines) if lines else "No tool results came back."
