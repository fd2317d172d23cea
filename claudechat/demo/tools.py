"""Client tools on the Messages wire, as the demo server reads docs/PROTOCOL.md and
docs/API-2026.md §3, §5, §7: the request's `tools`, where `tool_result` blocks stand, the
tool changes of a role "system" message, and a reply that echoes the results it got (so a
test sees the round trip).

Where the references quote no error text the message is marked [U]: a plausible text of
the documented shape; tests match the status and type, not it.
"""

from __future__ import annotations

from typing import Any

from claudechat.demo.rules import invalid

TOOL_CHANGE_BETAS = ("inline-tools-2026-09-15", "mid-conversation-tool-changes-2026-07-01")  # §3


def check_tools(body: dict, betas: list[str], paused: set[str], *, is_paused: Any) -> None:
    """The 400 for the request's tool parts (after checks.py's pairing of ids)."""
    tools = body.get("tools")
    names = _declared(tools)
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") == "tool" and choice.get("name") not in names:
        raise invalid(f"tool_choice.name: no tool named {choice.get('name')!r} in `tools`")  # [U]
    messages = body.get("messages") or []
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or not isinstance(message.get("content"), list):
            continue
        blocks = message["content"]
        if message.get("role") == "assistant":
            for j, block in enumerate(blocks):
                is_use = isinstance(block, dict) and block.get("type") == "tool_use"
                used = block.get("name") if is_use else None
                if used is not None and used not in names:
                    # §5: results go back "with the same tools"; dropping the tool is a 400 ([U] text)
                    raise invalid(f"messages.{i}.content.{j}: tool use of {block.get('name')!r}, but no "
                                  f"`{block.get('name')}` tool was provided")
        elif message.get("role") == "user":
            _results_first(blocks, i)
        elif message.get("role") == "system":
            _tool_changes(blocks, i, names, betas, messages, is_paused)


def _declared(tools: Any) -> set[str]:
    if tools is None:
        return set()
    if not isinstance(tools, list):
        raise invalid("tools: Input should be a valid list")
    names = set()
    for k, tool in enumerate(tools):
        if not isinstance(tool, dict) or not isinstance(tool.get("name"), str):
            raise invalid(f"tools.{k}.name: Field required")
        names.add(tool["name"])
    return names


def _results_first(blocks: list, i: int) -> None:
    """§7: all results in one user message, `tool_result` blocks first (text after them ends the turn)."""
    seen_other = False
    for j, block in enumerate(blocks):
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "tool_result" and seen_other:
            raise invalid(f"messages.{i}.content.{j}: `tool_result` blocks must come first in the user "
                          f"message, before any other content")  # [U]
        seen_other = seen_other or kind != "tool_result"


def _tool_changes(blocks: list, i: int, names: set[str], betas: list[str], messages: list,
                  is_paused: Any) -> None:
    """§3: tool_removal / tool_addition need their beta header, name a declared tool, and may
    not follow a paused assistant turn."""
    for j, block in enumerate(blocks):
        kind = block.get("type") if isinstance(block, dict) else None
        if kind not in ("tool_removal", "tool_addition"):
            continue
        if not any(beta in betas for beta in TOOL_CHANGE_BETAS):  # §0: a beta field without its header
            raise invalid(f"messages.{i}.content.{j}.type: Input tag '{kind}' found using 'type' does not "
                          f"match any of the expected tags: 'text'")  # [U]
        tool = block.get("tool")
        if not isinstance(tool, dict) or tool.get("type") != "tool_reference":
            raise invalid(f"messages.{i}.content.{j}.tool: Input should be a tool_reference")  # [U]
        if tool.get("name") not in names:  # §3: error_code tool_reference_unresolved
            raise invalid(f"messages.{i}.content.{j}.tool: tool_reference_unresolved: no tool named "
                          f"{tool.get('name')!r} in `tools`")  # [U] beyond the code
        before = next((m for m in reversed(messages[:i]) if m.get("role") != "system"), None)
        if isinstance(before, dict) and before.get("role") == "assistant" and is_paused(before):
            raise invalid(f"messages.{i}: tool changes cannot follow a paused assistant turn; resume "
                          f"it first")  # §3 [U]


def echo_text(body: dict) -> str:
    """What the model "says" after getting results: each result of the last user message,
    "[id] (error) content" per line; a request with none says so."""
    messages = body.get("messages") or []
    last = next((m for m in reversed(messages) if isinstance(m, dict) and m.get("role") == "user"), {})
    content = last.get("content") if isinstance(last.get("content"), list) else []
    lines = []
    for block in content:
        if isinstance(block, dict) and block.get("type") == "tool_result":
            inner = block.get("content")
            text = inner if isinstance(inner, str) else " ".join(
                b.get("text", "") for b in inner or [] if isinstance(b, dict))
            error = " (error)" if block.get("is_error") else ""
            lines.append(f"[{block.get('tool_use_id')}]{error} {text}")
    return "Tool results:\n" + "\n".join(lines) if lines else "No tool results came back."
