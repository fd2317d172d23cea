"""GET /v1/models entries and the count_tokens estimate."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from claudechat.demo.rules import EFFORTS, MODELS, Rules


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
    lists them, with the §1d capability fields taken from the rule table (rules.MODELS)."""
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
    chars = text_chars(body.get("system")) + text_chars(body.get("messages"))
    if body.get("tools"):
        chars += len(json.dumps(body["tools"]))
    return chars // 4 + 1


def text_chars(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list):
        return sum(text_chars(item) for item in value)
    if isinstance(value, dict):
        kind = value.get("type")
        if kind == "text":
            return text_chars(value.get("text"))
        if kind == "thinking":
            return text_chars(value.get("thinking"))
        if kind == "tool_use":
            return len(json.dumps(value.get("input", {})))
        return text_chars(value.get("content"))  # a message or a tool_result
    return 0
