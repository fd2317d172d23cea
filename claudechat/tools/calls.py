"""Tool calls in a conversation: the calls a reply made, their `tool_result` blocks, and
switching a tool on or off for the conversation without editing its `tools`. Pure.

A reply that stops with `tool_use` is answered by ONE user turn holding a `tool_result`
for every call, the results first (docs/API-2026.md §5, §7). A call that cannot be run
(refused, switched off, cut off at max_tokens, invalid JSON) still gets a result, an error
that says why, so the conversation never holds a call without its answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from claudechat.conversation import Conversation, Turn
from claudechat.tools.specs import ToolSpec

INVALID_JSON = "INVALID_JSON"  # §7: the accumulator keeps an input that did not parse as {INVALID_JSON: raw}
NO_OUTPUT = "(the tool printed nothing)"


@dataclass(frozen=True)
class Call:
    """One `tool_use` block of a reply."""

    id: str
    name: str
    input: Any

    @property
    def invalid_json(self) -> str | None:
        """The raw input, when the model's input was not valid JSON (§7)."""
        value = self.input
        if isinstance(value, dict) and set(value) == {INVALID_JSON} and isinstance(value[INVALID_JSON], str):
            return value[INVALID_JSON]
        return None


def result_block(call: Call, text: str, *, is_error: bool = False) -> dict[str, Any]:
    """The `tool_result` that answers `call` (an empty output says so: content is never empty)."""
    block: dict[str, Any] = {"type": "tool_result", "tool_use_id": call.id, "content": text or NO_OUTPUT}
    if is_error:
        block["is_error"] = True
    return block


def unanswered_calls(conversation: Conversation) -> list[Call]:
    """The tool calls of the last reply when nothing answers them yet (it is the last turn,
    system messages aside, and finished: an interrupted reply's calls are never sent back)."""
    turns = [t for t in conversation.turns if t.role != "system"]
    last = turns[-1] if turns else None
    if last is None or last.role != "assistant" or last.interrupted:
        return []
    return [Call(str(b.get("id")), str(b.get("name")), b.get("input")) for b in last.content
            if b.get("type") == "tool_use"]


def add_results(conversation: Conversation, blocks: list[dict[str, Any]]) -> Turn:
    """The user turn that answers the last reply's calls (before system messages waiting)."""
    turn = Turn(role="user", content=list(blocks))
    at = len(conversation.turns)
    while at and conversation.turns[at - 1].role == "system":
        at -= 1
    conversation.turns.insert(at, turn)
    return turn


def tool_names(tools: tuple[dict[str, Any], ...]) -> list[str]:
    return [str(t.get("name")) for t in tools]


@dataclass
class ToolBox:
    """The tools a conversation can run: the config's specs, the output limit, the rounds
    a turn may take, and the tools the user said "always" to in this conversation."""

    specs: dict[str, ToolSpec] = field(default_factory=dict)
    output_limit: int = 100_000
    max_rounds: int = 10
    always: set[str] = field(default_factory=set)
    yes: bool = False  # ask --yes: every call runs unasked

    def needs_confirmation(self, spec: ToolSpec) -> bool:
        return spec.confirm and not self.yes and spec.name not in self.always


def mechanism(conversation: Conversation, *, messages_wire: bool) -> str:
    """How switching a tool off reaches the API without editing `tools`: "system" (a
    tool_removal in a role "system" message, §3), else "choice" (tool_choice none, when
    every tool is off) or "decline" (its calls answered as refused)."""
    if messages_wire and conversation.params.model_rules().system_messages:
        return "system"
    return "choice"


def switch(conversation: Conversation, name: str, on: bool, offered: tuple[dict[str, Any], ...],
           specs: dict[str, ToolSpec], *, messages_wire: bool) -> str:
    """Switch tool `name` on or off for the conversation; what was done, in one line.
    ValueError for a tool that cannot be switched so."""
    tools = conversation.request_tools(offered)
    names = tool_names(tools)
    if name not in names:
        if name not in specs:
            known = ", ".join(sorted(specs)) or "none (add a [tools.NAME] table to the config)"
            raise ValueError(f"no tool named {name!r}; defined: {known}")
        if not on:
            return f"{name} is not offered in this conversation: nothing to switch off"
        if conversation.tools is not None:
            raise ValueError(f"{name} is not among this conversation's tools ({', '.join(names) or 'none'}), "
                             f"which were fixed at its first request; /new starts one that offers it")
        conversation.tools = (*tools, specs[name].definition())  # nothing sent yet: no edit
        conversation.tools_off -= {name}
        return f"{name} is on: offered from this conversation's first request"
    if (name in conversation.tools_off) != on:
        return f"{name} is already {'on' if on else 'off'}"
    conversation.pin_tools(tools)
    conversation.tools_off = conversation.tools_off - {name} if on else conversation.tools_off | {name}
    how = mechanism(conversation, messages_wire=messages_wire)
    state = "on" if on else "off"
    if how == "system":
        kind = "tool_addition" if on else "tool_removal"
        block = {"type": kind, "tool": {"type": "tool_reference", "name": name}}
        conversation.turns.append(Turn(role="system", content=[block]))
        return (f"{name} is {state}: a {kind} system message goes with your next message "
                f"(the request's tools stay as they were)")
    if all(n in conversation.tools_off for n in names):
        return f"{name} is {state}: every tool is off, so requests say tool_choice none"
    if on:
        return f"{name} is {state}: its calls run again"
    return f"{name} is {state}: if the model calls it, the call is declined and the model told so"


def kept_tools_note(conversation: Conversation, offered: tuple[dict[str, Any], ...]) -> str | None:
    """A continued conversation keeps the tools it started with: the line that says so when
    the tools asked for now differ (None: they do not, or it has none fixed yet)."""
    if conversation.tools is None:
        return None
    kept, asked = tool_names(conversation.tools), tool_names(offered)
    missing = [n for n in asked if n not in kept]
    if not missing:
        return None
    return (f"this conversation keeps the tools it started with ({', '.join(kept) or 'none'}); "
            f"{', '.join(missing)} not added (editing its tools would break its cache and thinking); "
            f"start a new conversation to offer {'it' if len(missing) == 1 else 'them'}")


def forced_choice_after_first(choice: dict[str, Any] | None) -> dict[str, Any] | None:
    """A forced tool_choice (`tool`, `any`) holds for the first request of a turn only:
    the requests that send results back let the model answer (auto)."""
    if isinstance(choice, dict) and choice.get("type") in ("tool", "any"):
        return None
    return choice


def choice_for(conversation: Conversation, choice: dict[str, Any] | None, offered: tuple[dict[str, Any], ...],
               *, messages_wire: bool) -> dict[str, Any] | None:
    """The tool_choice to send: `none` when every tool is off and no system message says so."""
    names = tool_names(conversation.request_tools(offered))
    if names and all(n in conversation.tools_off for n in names) and \
            mechanism(conversation, messages_wire=messages_wire) != "system":
        return {"type": "none"}
    return choice
