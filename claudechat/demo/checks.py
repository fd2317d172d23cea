"""Request validation as the API does it: the 400 a Messages or Chat Completions body gets."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from claudechat.demo.chat_tools import check_chat_tools
from claudechat.demo.media import b64decode, validate_document, validate_image
from claudechat.demo.rules import (
    EFFORTS,
    ENABLED_REFUSED,
    Rules,
    check_request,
    check_system_messages,
    check_thinking,
    check_version_2026,
    invalid,
)

_CHAT_ROLES = ("system", "user", "assistant", "tool")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def parse_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError as exc:
        raise invalid(f"There was an error parsing the body of your request: {exc}") from None


def _check_range(body: dict, name: str, low: float, high: float | None = None) -> None:
    if name not in body:
        return
    value = body[name]
    if not _is_number(value):
        raise invalid(f"{name}: Input should be a valid number")
    if value < low:
        raise invalid(f"{name}: Input should be greater than or equal to {low}")
    if high is not None and value > high:
        raise invalid(f"{name}: Input should be less than or equal to {high}")


def validate_messages_request(body: Any, *, version: str, adaptive_only: Callable[[str], bool],
                               issued: dict[str, set[str]], rules: Rules | None = None,
                               betas: Sequence[str] = (), paused: set[str] | None = None,
                               count_only: bool = False) -> None:
    """Raise the 400 the Messages API would answer to this body (count_only: count_tokens rules).
    `rules`: the model's row of the 2026 table (rules.MODELS), None for a model not in it."""
    if not isinstance(body, dict):
        raise invalid("body: Input should be a valid dictionary")
    for name in ("model", "messages") if count_only else ("model", "messages", "max_tokens"):
        if name not in body:
            raise invalid(f"{name}: Field required")
    if not isinstance(body["model"], str) or not body["model"]:
        raise invalid("model: Input should be a valid string")
    if not count_only and (not _is_int(body["max_tokens"]) or body["max_tokens"] < 1):
        raise invalid("max_tokens: Input should be greater than or equal to 1")
    if "stream" in body and not isinstance(body["stream"], bool):
        raise invalid("stream: Input should be a valid boolean")
    system = body.get("system")
    if system is not None and not isinstance(system, (str, list)):
        raise invalid("system: Input should be a valid string or list of text blocks")
    if isinstance(body["messages"], list):
        check_system_messages(body["messages"], rules)  # API-2026.md §3
    _validate_turns(body["messages"], issued)
    if version >= "2026-10-21":  # API-2026.md §0
        for name in ("temperature", "top_p", "top_k"):
            if name in body:
                raise invalid(f"{name}: Extra inputs are not permitted")
        check_version_2026(body["messages"])
    _check_range(body, "temperature", 0, 1)
    _check_range(body, "top_p", 0, 1)
    _check_range(body, "top_k", 0)
    stops = body.get("stop_sequences")
    if stops is not None and not (isinstance(stops, list) and all(isinstance(s, str) for s in stops)):
        raise invalid("stop_sequences: Input should be a valid list of strings")
    _validate_thinking(body, adaptive_only, rules, betas)
    if rules is not None:  # count_tokens generates nothing: a final assistant turn is no prefill there ([U])
        check_request(body, rules, version=version, paused=paused or set(), prefill_check=not count_only)


def _validate_thinking(body: dict, adaptive_only: Callable[[str], bool], rules: Rules | None = None,
                       betas: Sequence[str] = ()) -> None:
    config = body.get("output_config")
    if isinstance(config, dict) and config.get("effort") is not None and config["effort"] not in EFFORTS:
        raise invalid("output_config.effort: Input should be 'low', 'medium', 'high', 'xhigh' or 'max'")
    thinking = body.get("thinking")
    if thinking is None:
        return
    kind = thinking.get("type") if isinstance(thinking, dict) else None
    tags = ("adaptive", "disabled", "enabled")
    if rules and "between_tools" in rules.thinking:  # API-2026.md §1c: Sonnet 5.5 only
        tags = ("adaptive", "between_tools", "disabled", "enabled")
    if kind not in tags:
        raise invalid(f"thinking: Input tag '{kind}' found using 'type' does not match any of the expected "
                       f"tags: {', '.join(repr(tag) for tag in tags)}")
    check_thinking(body, rules, list(betas))  # API-2026.md §1c, §2
    if kind != "enabled":
        return
    if rules is None and adaptive_only(body["model"]):
        raise invalid(ENABLED_REFUSED)
    budget = thinking.get("budget_tokens")
    if not _is_int(budget):
        raise invalid("thinking.enabled.budget_tokens: Field required")
    if budget < 1024:
        raise invalid("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024")
    if _is_int(body.get("max_tokens")) and budget >= body["max_tokens"]:
        raise invalid("`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our "
                       "documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking")
    for name in ("temperature", "top_k"):
        if name in body:
            raise invalid(f"`{name}` must be unset when thinking is enabled")
    if "top_p" in body and not 0.95 <= body["top_p"] <= 1:
        raise invalid("`top_p` must be between 0.95 and 1 when thinking is enabled")
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") in ("any", "tool"):
        raise invalid("Thinking may not be enabled when tool_choice forces tool use.")


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
        raise invalid("messages: Input should be a valid list")
    if not messages:
        raise invalid("messages: at least one message is required")
    images = _count_images(messages)
    if images > 100:
        raise invalid(f"messages: Too many images and documents: {images} > 100")
    max_side = 2000 if images > 20 else 8000
    pending: list[str] = []  # tool_use ids of the previous assistant turn
    previous_role = None
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            raise invalid(f"messages.{i}: Input should be a valid dictionary")
        role = message.get("role")
        if role == "system":  # checked by rules.check_system_messages; no turn of its own
            continue
        if role not in ("user", "assistant"):
            raise invalid(f"messages.{i}.role: Input should be 'user' or 'assistant'")
        if previous_role is None and role != "user":
            raise invalid('messages: first message must use the "user" role')
        if role == previous_role:
            raise invalid('messages: roles must alternate between "user" and "assistant", '
                           f'but found multiple "{role}" roles in a row')
        previous_role = role
        if "content" not in message:
            raise invalid(f"messages.{i}.content: Field required")
        content = message["content"]
        if content in ("", []) and not (role == "assistant" and i == len(messages) - 1):
            raise invalid(f"messages.{i}: all messages must have non-empty content except for the optional "
                           "final assistant message")
        if not isinstance(content, (str, list)):
            raise invalid(f"messages.{i}.content: Input should be a valid string or list")
        blocks = content if isinstance(content, list) else []
        uses, results = _validate_blocks(blocks, f"messages.{i}.content", role, issued, max_side)
        if role == "assistant":
            pending = uses
            continue
        for j, tool_use_id in results:
            if tool_use_id not in pending:
                raise invalid(f"messages.{i}.content.{j}: unexpected `tool_use_id` found in `tool_result` "
                               f"blocks: {tool_use_id}. Each `tool_result` block must have a corresponding "
                               "`tool_use` block in the previous message.")
        missing = [tool_id for tool_id in pending if tool_id not in {tid for _, tid in results}]
        if missing:
            raise invalid(f"messages.{i - 1}: `tool_use` ids were found without `tool_result` blocks "
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
        raise invalid("messages: final assistant content cannot end with trailing whitespace")


def _validate_blocks(blocks: list, where: str, role: str, issued: dict[str, set[str]],
                     max_side: int) -> tuple[list[str], list[tuple[int, str]]]:
    """Check content blocks; return (tool_use ids, [(index, tool_result tool_use_id)])."""
    uses: list[str] = []
    results: list[tuple[int, str]] = []
    for j, block in enumerate(blocks):
        at = f"{where}.{j}"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            raise invalid(f"{at}: Input should be a valid dictionary with a 'type'")
        kind = block["type"]
        if kind == "text":
            if not isinstance(block.get("text"), str):
                raise invalid(f"{at}.text: Field required")
            if not block["text"]:
                raise invalid("messages: text content blocks must be non-empty")
        elif kind == "image":
            validate_image(block.get("source"), f"{at}.image.source", max_side)
        elif kind == "document":
            validate_document(block.get("source"), f"{at}.document.source")
        elif kind == "tool_use":
            if role != "assistant":
                raise invalid(f"{at}: `tool_use` blocks can only be in `assistant` messages")
            if not isinstance(block.get("id"), str) or not isinstance(block.get("name"), str):
                raise invalid(f"{at}: `tool_use` blocks need an `id` and a `name`")
            if not isinstance(block.get("input"), dict):
                raise invalid(f"{at}.input: Input should be a valid dictionary")
            uses.append(block["id"])
        elif kind == "tool_result":
            if role != "user":
                raise invalid(f"{at}: `tool_result` blocks can only be in `user` messages")
            if not isinstance(block.get("tool_use_id"), str):
                raise invalid(f"{at}.tool_use_id: Field required")
            inner = block.get("content")
            if isinstance(inner, list):
                _validate_blocks(inner, f"{at}.tool_result.content", role, issued, max_side)
            elif inner is not None and not isinstance(inner, str):
                raise invalid(f"{at}.content: Input should be a valid string or list")
            results.append((j, block["tool_use_id"]))
        elif kind == "thinking":
            if "signature" not in block:  # issue 10: what the API answered a block sent back unsigned
                raise invalid(f"{at}.signature: Field required")
            signature = block.get("signature")
            if signature in issued and block.get("thinking") not in issued[signature]:
                raise invalid(f"{at}: Invalid `signature` in `thinking` block")
        # redacted_thinking, server tool blocks and unknown types pass through untouched
    return uses, results


def validate_chat_request(body: Any) -> None:
    """Raise the 400 the Chat Completions endpoint would answer to this body."""
    if not isinstance(body, dict):
        raise invalid("body: Input should be a valid dictionary")
    for name in ("model", "messages"):
        if name not in body:
            raise invalid(f"{name}: Field required")
    if not isinstance(body["model"], str) or not body["model"]:
        raise invalid("model: Input should be a valid string")
    messages = body["messages"]
    if not isinstance(messages, list) or not messages:
        raise invalid("messages: at least one message is required")
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in _CHAT_ROLES:
            raise invalid(f"messages.{i}.role: Input should be 'system', 'user', 'assistant' or 'tool'")
        if message["role"] == "tool" and not isinstance(message.get("tool_call_id"), str):
            raise invalid(f"messages.{i}.tool_call_id: Field required")
        content = message.get("content")
        if isinstance(content, list):
            for j, part in enumerate(content):
                kind = part.get("type") if isinstance(part, dict) else None
                if kind == "image_url":
                    url = (part.get("image_url") or {}).get("url")
                    if not isinstance(url, str):
                        raise invalid(f"messages.{i}.content.{j}.image_url.url: Field required")
                    header, _, data = url.partition(",")
                    if url.startswith("data:") and header.endswith(";base64"):
                        b64decode(data, f"messages.{i}.content.{j}.image_url.url")
                elif kind != "text":
                    raise invalid(f"messages.{i}.content.{j}.type: Input should be 'text' or 'image_url'")
        elif content is not None and not isinstance(content, str):
            raise invalid(f"messages.{i}.content: Input should be a valid string or list")
    _check_range(body, "temperature", 0, 2)
    _check_range(body, "top_p", 0, 1)
    if "max_tokens" in body and (not _is_int(body["max_tokens"]) or body["max_tokens"] < 1):
        raise invalid("max_tokens: Input should be greater than or equal to 1")
    if "stream" in body and not isinstance(body["stream"], bool):
        raise invalid("stream: Input should be a valid boolean")
    check_chat_tools(body)
