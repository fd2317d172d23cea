"""The 2026 request rules of docs/API-2026.md, for the demo server (claudechat/demo/).

Written from the reference, section by section, never from what claudechat sends. Each rule
cites its section; an error text marked [U] is not quoted in the reference (it documents only
"a 400"), so the server answers a plausible text of the same shape and tests must not match it
beyond the status and type.

* ``MODELS``: per model (§1a, §1b, §1c, §3, §7) the thinking types, efforts, display default,
  whether non-default sampling, forced ``tool_choice``, prefill and ``role: "system"`` messages
  are accepted, and whether the model runs the preserved-thinking prefix check (§2).
  Dated ids (``claude-haiku-4-5-20251001``) resolve to their bare id; ``RETIRED`` ids get a 404.
  A model not in the table keeps the server's older rules (see checks.py).
* ``check_request``: the per-model 400s, in the order the server applies them.
* ``Binder``: thinking signatures as HMACs (a per-server secret) and the §2 checks on the way
  back: model binding (drop silently), tampering (400), prefix binding (400 or ``drop_block``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

EFFORTS = ("low", "medium", "high", "xhigh", "max")
_NO_XHIGH = ("low", "medium", "high", "max")  # §1c Effort: xhigh only on Opus 4.7-5.5, Sonnet 5, 5.x
_BASIC = ("low", "medium", "high")  # Opus 4.5: the reference lists neither xhigh nor max for it
ADAPTIVE = ("adaptive",)

# §0 "anthropic-beta" and §11: the values this server knows; any other gets the §0 400.
KNOWN_BETAS = frozenset({
    "thinking-binding-controls-2026-08-01", "thinking-display-updates-2026-08-18",
    "mid-conversation-system-clear-at-2026-08-21", "mid-conversation-output-config-2026-07-01",
    "inline-tools-2026-09-15", "mid-conversation-tool-changes-2026-07-01", "compact-2026-01-12",
    "compact-2026-09-04", "context-management-2025-06-27", "server-side-fallback-2026-07-01",
    "server-side-fallback-2026-06-01", "fallback-credit-2026-07-01", "cache-diagnosis-2026-04-07",
    "model-context-window-exceeded-2025-08-26", "fine-grained-tool-streaming-2025-05-14",
    "fast-mode-2026-02-01", "output-300k-2026-03-24", "task-budgets-2026-03-13", "mcp-client-2026-09-15",
    "context-1m-2025-08-07",  # §8E: retired for Sonnet 4.5/4, "the header now does nothing"
})
BINDING_BETA = "thinking-binding-controls-2026-08-01"  # §2 "Request control"
UPDATES_BETA = "thinking-display-updates-2026-08-18"  # §1c "Thinking output shapes"

# §1b "Retired (requests error)"
RETIRED = frozenset({"claude-opus-4-1-20250805", "claude-sonnet-4-20250514", "claude-opus-4-20250514",
                     "claude-3-haiku-20240307", "claude-3-7-sonnet-20250219", "claude-3-5-haiku-20241022"})

# §1c "Exact 400 messages" and §7; [O] where the reference says so.
ENABLED_REFUSED = ('"thinking.type.enabled" is not supported for this model. Use "thinking.type.adaptive" '
                   'and "output_config.effort" to control thinking behavior.')
DISABLED_REFUSED = ('"thinking.type.disabled" is not supported for this model. Use "thinking.type.adaptive" '
                    'and "output_config.effort" to control thinking behavior.')
ADAPTIVE_REFUSED = "adaptive thinking is not supported on this model"
FORCED_TOOL_REFUSED = 'tool_choice: type "tool" and "any" are not supported for this model.'
PREFILL_REFUSED = ("This model does not support assistant message prefill. "
                   "The conversation must end with a user message.")
SAMPLING_REFUSED = "`{name}` is deprecated for this model."  # §0, [O] text
SYSTEM_ROLE_REFUSED = "role 'system' is not supported on this model"  # §3 Errors [O]
UNEXPECTED_SYSTEM_ROLE = ('messages: Unexpected role "system". The Messages API accepts a top-level `system` '
                          'parameter, not "system" as an input message role.')  # §1c, Haiku 4.5 [O]
SYSTEM_FIRST = ("messages.0: use the top-level 'system' parameter for the initial system prompt; the "
                "directive-only form (content: [] with output_config) is accepted at any position")  # §3 [O]
BOUND_ELSEWHERE = ("{path}: Invalid `signature` in `thinking` block. The block is bound to a different "
                   "conversation. Remove the block, or set `thinking.block_binding.prefix_mismatch_behavior` "
                   'to "drop_block".')  # §2 "Exact 400"
NEEDS_BINDING_BETA = (" That setting requires the `thinking-binding-controls-2026-08-01` value in the "
                      "`anthropic-beta` header.")  # §2, the continuation without the header
BAD_SIGNATURE = "{path}: Invalid `signature` in `thinking` block"  # §2: tampered, truncated or empty
UNKNOWN_BETA = ("Unexpected value(s) `{values}` for the `anthropic-beta` header. Please consult our "
                "documentation at docs.claude.com or try again without the header.")  # §0


class ApiError(Exception):
    """A request the API refuses: HTTP status, message, and error type (None: from the status)."""

    def __init__(self, status: int, message: str, kind: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.kind = status, message, kind


def invalid(message: str) -> ApiError:
    return ApiError(400, message)


@dataclass(frozen=True)
class Rules:
    """What one model accepts (§1c unless noted)."""

    name: str  # display_name of GET /v1/models
    created: str  # release date (§1a/§1b)
    thinking: tuple[str, ...]  # thinking.type values accepted
    efforts: tuple[str, ...] = EFFORTS  # §1c "Effort"
    default_effort: str = "high"  # §1c "Effort": medium on Opus 5.5 and Haiku 5.5
    disabled_up_to: str | None = None  # `disabled` only at effort <= this (Opus 5 §1b, Haiku 5.5 §1c)
    display: str = "omitted"  # the thinking.display default
    sampling_always: bool = True  # §0: non-default sampling refused even without thinking
    forced_tools: bool = True  # §1c/§7: tool_choice any/tool accepted (with adaptive thinking)
    prefill: bool = False  # a final assistant turn accepted
    system_role: str = "yes"  # §3: "yes" | "no" | "unexpected" (Haiku 4.5's text)
    prefix_check: str | None = None  # §2: None | "records" | "new_accounts" | "always"
    context: int = 1_000_000
    max_tokens: int = 128_000
    listed: bool = True  # in default_models() (restricted Mythos models are not)


def _fable(name: str, created: str, **kw: Any) -> Rules:
    return Rules(name, created, ADAPTIVE, **kw)


_OLD = dict(display="summarized", sampling_always=False, system_role="no")
# Haiku/Sonnet 4.5: no effort (the §1c "Effort" lists start at Opus 4.6; this server's list said so before)
_SONNET_45 = dict(_OLD, efforts=(), prefill=True, context=200_000, max_tokens=64_000)

MODELS: dict[str, Rules] = {
    # §1a current; Fable 5.2 rows are [U] "presumed like 5.1" where §1c says so
    "claude-fable-5-2": _fable("Claude Fable 5.2", "2026-11-09", forced_tools=False, prefix_check="always"),
    "claude-mythos-5-2": _fable("Claude Mythos 5.2", "2026-11-09", forced_tools=False,
                                prefix_check="always", listed=False),
    "claude-fable-5-1": _fable("Claude Fable 5.1", "2026-09-01", forced_tools=False,
                               prefix_check="new_accounts"),
    "claude-mythos-5-1": _fable("Claude Mythos 5.1", "2026-09-01", forced_tools=False,
                                prefix_check="records", listed=False),  # §2 "records only"
    "claude-opus-5-5": Rules("Claude Opus 5.5", "2026-09-22", ADAPTIVE, default_effort="medium",
                             forced_tools=False, prefix_check="new_accounts"),
    # Sonnet 5.5 / Haiku 5.5: enforcement by default is [U] (§2, §12); this server enforces.
    "claude-sonnet-5-5": Rules("Claude Sonnet 5.5", "2026-09-28", ("adaptive", "between_tools"),
                               forced_tools=False, prefix_check="always"),
    "claude-haiku-5-5": Rules("Claude Haiku 5.5", "2026-10-07", ("adaptive", "disabled"),
                              default_effort="medium", disabled_up_to="high", prefix_check="always"),
    # §1b legacy but active
    "claude-opus-5": Rules("Claude Opus 5", "2026-07-24", ("adaptive", "disabled"), disabled_up_to="high"),
    "claude-sonnet-5": Rules("Claude Sonnet 5", "2026-06-30", ("adaptive", "disabled"), system_role="no"),
    "claude-fable-5": _fable("Claude Fable 5", "2026-06-09"),
    "claude-mythos-5": _fable("Claude Mythos 5", "2026-06-09", listed=False),
    "claude-opus-4-8": Rules("Claude Opus 4.8", "2026-05-28", ("adaptive", "disabled")),
    "claude-opus-4-7": Rules("Claude Opus 4.7", "2026-04-16", ("adaptive", "disabled"), system_role="no"),
    # 4.6: released 2026-02 (§1b; the day is not in the reference); `enabled` deprecated but works
    "claude-opus-4-6": Rules("Claude Opus 4.6", "2026-02-05", ("adaptive", "enabled", "disabled"),
                             efforts=_NO_XHIGH, **_OLD),
    "claude-sonnet-4-6": Rules("Claude Sonnet 4.6", "2026-02-17", ("adaptive", "enabled", "disabled"),
                               efforts=_NO_XHIGH, **_OLD),
    "claude-haiku-4-5": Rules("Claude Haiku 4.5", "2025-10-15", ("enabled", "disabled"),
                              **dict(_SONNET_45, system_role="unexpected")),
    "claude-sonnet-4-5": Rules("Claude Sonnet 4.5", "2025-09-29", ("enabled", "disabled"), **_SONNET_45),
    "claude-opus-4-5": Rules("Claude Opus 4.5", "2025-11-24", ("enabled", "disabled"), listed=False,
                             **dict(_SONNET_45, efforts=_BASIC)),
}

_DATED = re.compile(r"^(.*)-\d{8}$")


def rules_for(model: str) -> Rules | None:
    """The table's rules for a model id (dated ids resolve to the bare id), or None."""
    if model in MODELS:
        return MODELS[model]
    dated = _DATED.match(model)
    return MODELS.get(dated.group(1)) if dated else None


def parse_betas(header: str | None) -> list[str]:
    """§0: one header, values comma-separated (repeated headers arrive joined with ", ")."""
    return [value.strip() for value in (header or "").split(",") if value.strip()]


def check_betas(betas: list[str]) -> None:
    unknown = [value for value in betas if value not in KNOWN_BETAS]
    if unknown:
        raise invalid(UNKNOWN_BETA.format(values=",".join(unknown)))


# --------------------------------------------------------------------------- per-model request rules


def effective_effort(body: dict, rules: Rules) -> str:
    config = body.get("output_config")
    effort = config.get("effort") if isinstance(config, dict) else None
    return effort if effort in EFFORTS else rules.default_effort


def check_thinking(body: dict, rules: Rules | None, betas: list[str]) -> None:
    """§1c thinking types, display and §2 block_binding; the budget rules stay in checks.py."""
    thinking = body.get("thinking")
    if not isinstance(thinking, dict):
        return
    kind = thinking.get("type")
    if rules is not None and kind in ("enabled", "disabled", "adaptive", "between_tools"):
        if kind not in rules.thinking:
            raise invalid(_refusal_for(kind, rules))
        if kind == "disabled" and rules.disabled_up_to and \
                EFFORTS.index(effective_effort(body, rules)) > EFFORTS.index(rules.disabled_up_to):
            raise invalid(DISABLED_REFUSED)  # Opus 5 §1b / Haiku 5.5 §1c: only at effort <= high
        if kind == "between_tools" and effective_effort(body, rules) in ("xhigh", "max"):
            # §1c "between_tools": xhigh/max with between_tools is a 400 (text [U])
            raise invalid('"thinking.type.between_tools" is not supported with "output_config.effort" '
                          'of "xhigh" or "max".')
    if "display" in thinking:
        display = thinking["display"]
        if kind == "disabled":  # §1c: display is invalid together with disabled (text [U])
            raise invalid("thinking.disabled.display: Extra inputs are not permitted")
        if display not in ("summarized", "omitted") and not (display == "updates" and UPDATES_BETA in betas):
            # §1c: `updates` without its beta gets the same 400 as an unknown value (text [U])
            raise invalid(f"thinking.{kind}.display: Input should be 'summarized' or 'omitted'")
    if "block_binding" in thinking:
        if BINDING_BETA not in betas:  # §0 / §2: a beta field without its header
            raise invalid("thinking.block_binding: Extra inputs are not permitted")
        binding = thinking["block_binding"]
        behavior = binding.get("prefix_mismatch_behavior") if isinstance(binding, dict) else None
        if behavior not in ("error", "drop_block"):
            raise invalid("thinking.block_binding.prefix_mismatch_behavior: Input should be 'error' or "
                          "'drop_block'")


def _refusal_for(kind: str, rules: Rules) -> str:
    if kind == "enabled":
        return ENABLED_REFUSED
    if kind == "adaptive":
        return ADAPTIVE_REFUSED
    if kind == "disabled":
        if "between_tools" in rules.thinking:  # §1c: Sonnet 5.5's text points to between_tools ([U])
            return ('"thinking.type.disabled" is not supported for this model. Use '
                    '"thinking.type.between_tools" for the lowest thinking setting.')
        return DISABLED_REFUSED
    return ("thinking: Input tag 'between_tools' found using 'type' does not match any of the expected tags: "
            "'adaptive', 'disabled', 'enabled'")  # only Sonnet 5.5 knows between_tools (§1c)


def check_request(body: dict, rules: Rules, *, version: str, paused: set[str],
                  prefill_check: bool = True) -> None:
    """Effort, sampling, forced tool_choice and prefill for a model of the table (§0, §1c, §7)."""
    config = body.get("output_config")
    effort = config.get("effort") if isinstance(config, dict) else None
    if effort in EFFORTS and effort not in rules.efforts:  # §1c "Effort" (text [U])
        raise invalid(f"output_config.effort: '{effort}' is not supported for this model")
    if version < "2026-10-21":
        _check_sampling(body, rules)
    choice = body.get("tool_choice")
    if not rules.forced_tools and isinstance(choice, dict) and choice.get("type") in ("any", "tool"):
        raise invalid(FORCED_TOOL_REFUSED)
    messages = body.get("messages") or []
    if prefill_check and not rules.prefill and messages and isinstance(messages[-1], dict) \
            and messages[-1].get("role") == "assistant" and not continues(messages[-1], paused):
        raise invalid(PREFILL_REFUSED)


def _check_sampling(body: dict, rules: Rules) -> None:
    """§0: non-default values refused on the new models; on older ones only while thinking is on.
    Defaults taken as temperature 1 and top_p 1; top_k has none, so any value counts ([U])."""
    thinking = body.get("thinking")
    thinking_on = isinstance(thinking, dict) and thinking.get("type") in ("enabled", "adaptive")
    if not rules.sampling_always:
        if thinking_on and thinking.get("type") == "adaptive":  # `enabled` keeps the older rule's texts
            for name in ("temperature", "top_k"):
                if name in body:
                    raise invalid(f"`{name}` must be unset when thinking is enabled")
        return
    for name, default in (("temperature", 1), ("top_p", 1), ("top_k", None)):
        if name in body and body[name] != default:
            raise invalid(SAMPLING_REFUSED.format(name=name))


_SERVER_RESULT = re.compile(r"^(server_tool_use|\w+_tool_result)$")


def continues(message: dict, paused: set[str]) -> bool:
    """A trailing assistant turn that is a paused turn sent back (§5 pause_turn), not a prefill."""
    content = message.get("content")
    if isinstance(content, list) and content and isinstance(content[-1], dict) \
            and _SERVER_RESULT.match(str(content[-1].get("type"))):
        return True
    # roles alternate (PROTOCOL.md), so a reply paused twice goes back as one assistant turn
    # holding both parts: it ends with the latest paused reply
    return isinstance(content, list) and any(canonical(content[k:]) in paused for k in range(len(content)))


def check_version_2026(messages: list) -> None:
    """§0: under 2026-10-21, a document block in an assistant message, or a user text block with
    non-empty citations (directly or inside search_result), gets a 400 (texts [U])."""
    for i, message in enumerate(messages):
        content = message.get("content") if isinstance(message, dict) else None
        for j, block in enumerate(content if isinstance(content, list) else []):
            if not isinstance(block, dict):
                continue
            if message.get("role") == "assistant" and block.get("type") == "document":
                raise invalid(f"messages.{i}.content.{j}: `document` blocks are not permitted in "
                              "`assistant` messages")
            inner = block.get("content") if block.get("type") == "search_result" else [block]
            if message.get("role") == "user" and any(
                    isinstance(b, dict) and b.get("type") == "text" and b.get("citations")
                    for b in (inner if isinstance(inner, list) else [])):
                raise invalid(f"messages.{i}.content.{j}: `citations` are not permitted on text in `user` "
                              "messages")


# --------------------------------------------------------------------------- §3 system messages


def check_system_messages(messages: list, rules: Rules | None) -> None:
    """§3: where a `role: "system"` message may stand, and on which models."""
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") != "system":
            continue
        if rules is None:
            raise invalid(f"messages.{i}.role: Input should be 'user' or 'assistant'")  # as before 2026
        if rules.system_role == "unexpected":
            raise invalid(UNEXPECTED_SYSTEM_ROLE)
        if rules.system_role == "no":
            raise invalid(SYSTEM_ROLE_REFUSED)
        content = message.get("content")
        if content in ([], None) and "output_config" in message:
            continue  # the effort-only form is allowed anywhere
        if content in ("", [], None):
            raise invalid(f"messages.{i}: all messages must have non-empty content except for the optional "
                          "final assistant message")
        if i == 0:
            raise invalid(SYSTEM_FIRST)
        before = next((m for m in reversed(messages[:i]) if m.get("role") != "system"), None)
        after = next((m for m in messages[i + 1:] if m.get("role") != "system"), None)
        if before is None:
            raise invalid(SYSTEM_FIRST)
        if before.get("role") != "user" and not _ends_in_server_result(before):
            raise invalid(f"messages.{i}: a system message must come right after a user turn")  # text [U]
        if after is not None and after.get("role") != "assistant":
            raise invalid(f"messages.{i}: a system message must be followed by an assistant turn or be the "
                          "last message")  # text [U]


def _ends_in_server_result(message: dict) -> bool:
    content = message.get("content")
    last = content[-1] if isinstance(content, list) and content else None
    return isinstance(last, dict) and str(last.get("type", "")).endswith("_tool_result")


# --------------------------------------------------------------------------- §2 preserved thinking


def canonical(value: Any) -> str:
    """The prefix as the check sees it: JSON key order, formatting and cache_control markers are no
    edits, nor is removing thinking blocks (at the start, the end, or all of them; §2 table), so
    thinking blocks are left out. (Removing one from the middle is an edit the server misses.)"""
    return json.dumps(_strip(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        if isinstance(value.get("role"), str) and isinstance(value.get("content"), str):
            value = {**value, "content": [{"type": "text", "text": value["content"]}]}
        return {k: _strip(v) for k, v in value.items() if k != "cache_control"}
    if isinstance(value, list):
        return [_strip(v) for v in value
                if not (isinstance(v, dict) and v.get("type") in ("thinking", "redacted_thinking"))]
    return value


