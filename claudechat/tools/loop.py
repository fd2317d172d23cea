"""The tool loop: a reply that stops with `tool_use` has its calls answered (confirmed,
run, refused) in one user turn of `tool_result` blocks, and the conversation goes back
for the rest of the reply; until a stop reason other than `tool_use`, or max_tool_rounds.

Wire-independent: it reads the reply's content blocks and adds content blocks, and
run_turn sends them in the session's wire format. What the user sees and answers (the
confirmation, a run's output) goes through Hooks: the chat's prompt, or ask's rules.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol

from claudechat.api import messages as messages_wire
from claudechat.api.client import ApiClient
from claudechat.api.wire import Wire
from claudechat.conversation import Conversation
from claudechat.render.view import StreamView
from claudechat.tools import runner
from claudechat.tools.calls import (
    Call,
    ToolBox,
    add_results,
    choice_for,
    forced_choice_after_first,
    result_block,
    unanswered_calls,
)
from claudechat.tools.specs import ToolSpec, check_input
from claudechat.turn import TurnResult, run_turn


@dataclass(frozen=True)
class Decision:
    """What to do with a call: "run" (with `input`, when the user edited it), "always"
    (run, and never ask again about this tool in this conversation), "decline", or "stop"
    (run nothing more: `ask` without --yes)."""

    action: str
    input: Any = None
    edited: bool = False


class Hooks(Protocol):
    def decide(self, call: Call, spec: ToolSpec) -> Decision:
        """Ask the user about a call whose tool wants confirmation."""

    def ran(self, call: Call, text: str, is_error: bool, summary: str) -> None:
        """A call was answered: show what goes back (collapsed)."""

    def note(self, text: str) -> None:
        """One line about the loop itself (max_tool_rounds reached)."""


@dataclass
class ToolTurn:
    """The last reply of the turn, and why the loop stopped when it stopped early."""

    result: TurnResult
    rounds: int = 0
    stopped: str | None = None  # "confirm" (a call wanted a yes ask could not give), "rounds"
    calls: list[Call] | None = None  # the calls not run when stopped


def run_with_tools(conversation: Conversation, client: ApiClient, view: StreamView, box: ToolBox,
                   hooks: Hooks, *, wire: Wire = messages_wire, stream: bool = True,
                   persist: Callable[[Conversation], None] | None = None) -> ToolTurn:
    """run_turn, then answer the reply's tool calls and continue, as long as it asks."""
    params = conversation.params
    is_messages = wire is messages_wire
    conversation.pin_tools(params.tools)
    rounds = 0
    try:
        while True:
            choice = params.tool_choice if rounds == 0 else forced_choice_after_first(params.tool_choice)
            conversation.params = replace(params, tool_choice=choice_for(
                conversation, choice, params.tools, messages_wire=is_messages))
            result = run_turn(conversation, client, view, wire=wire, stream=stream, persist=persist)
            calls = unanswered_calls(conversation)
            if not calls or not conversation.request_tools(params.tools):
                return ToolTurn(result, rounds)  # no tools offered: nothing of ours to answer
            if not result.complete or result.message.stop_reason != "tool_use":
                _close(conversation, calls, _why_not(result), persist)
                return ToolTurn(result, rounds)
            if rounds >= box.max_rounds:
                _close(conversation, calls, f"not run: the turn reached max_tool_rounds ({box.max_rounds}) "
                                            f"and was ended by the user's client", persist)
                hooks.note(f"stopped after {box.max_rounds} rounds of tool calls (max_tool_rounds); "
                           f"the model was not asked to go on")
                return ToolTurn(result, rounds, "rounds", calls)
            rounds += 1
            blocks, stopped = answer_calls(calls, box, hooks, conversation.tools_off)
            add_results(conversation, blocks)
            if stopped:
                if persist is not None:
                    persist(conversation)
                return ToolTurn(result, rounds, "confirm", calls)
    finally:
        conversation.params = params


def _why_not(result: TurnResult) -> str:
    if result.message.stop_reason == "max_tokens":
        return "not run: the reply was cut off at max_tokens, so the call may be incomplete"
    return f"not run: the reply stopped ({result.message.stop_reason}) before the call could be answered"


def _close(conversation: Conversation, calls: list[Call], why: str,
           persist: Callable[[Conversation], None] | None) -> None:
    """Answer calls that will not run, so the conversation holds no call without a result."""
    add_results(conversation, [result_block(c, why, is_error=True) for c in calls])
    if persist is not None:
        persist(conversation)


def answer_calls(calls: list[Call], box: ToolBox, hooks: Hooks,
                 off: frozenset[str]) -> tuple[list[dict[str, Any]], bool]:
    """A result for every call, in order; True when one was "stop" (the rest are not run)."""
    blocks: list[dict[str, Any]] = []
    stopped = False
    for call in calls:
        if stopped:
            blocks.append(result_block(call, "not run: the user's client stopped before this call",
                                       is_error=True))
            continue
        try:
            text, is_error, summary = _answer(call, box, hooks, off)
        except KeyboardInterrupt:
            text, is_error, summary = "not run: the user interrupted", True, "interrupted"
        if summary == "stop":
            stopped = True
            text = "not run: the user's client needs a confirmation it could not ask for"
        blocks.append(result_block(call, text, is_error=is_error))
        if summary != "stop":
            hooks.ran(call, text, is_error, summary)
    return blocks, stopped


def _answer(call: Call, box: ToolBox, hooks: Hooks, off: frozenset[str]) -> tuple[str, bool, str]:
    """(the text sent back, is it an error, a summary for the user)."""
    spec = box.specs.get(call.name)
    if spec is None:
        return f"not run: no tool named {call.name!r} is defined on the user's side", True, "not defined here"
    if call.name in off:
        return f"not run: the user switched the tool {call.name} off", True, "switched off: declined"
    raw = call.invalid_json
    if raw is not None:  # §7: answered as an error holding the raw input
        return json.dumps({"INVALID_JSON": raw}, ensure_ascii=False), True, "invalid input JSON: not run"
    value, edited = call.input, False
    if box.needs_confirmation(spec):
        decision = hooks.decide(call, spec)
        if decision.action == "stop":
            return "", True, "stop"
        if decision.action == "decline":
            return "The user declined to run this tool call.", True, "declined"
        if decision.action == "always":
            box.always.add(spec.name)
        if decision.edited:
            value, edited = decision.input, True
    problem = check_input(spec.input_schema, value)
    if problem:
        return f"not run: {problem} (the tool's input_schema)", True, f"not run: {problem}"
    outcome = runner.run(spec, value, limit=box.output_limit)
    text = outcome.text
    if edited:
        ran_with = json.dumps(value, ensure_ascii=False)
        text = f"(The user edited the input; the tool ran with: {ran_with})\n{text}"
    return text, outcome.is_error, outcome.summary
