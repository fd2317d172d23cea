"""A conversation: the system prompt, the turns, the request parameters, and its
title (what the history lists it as). Pure.

Content blocks are plain dicts in the API's own shape; assistant turns keep the
blocks the model produced unchanged (thinking with its signature, redacted
thinking, tool_use), because the API wants them back byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from claudechat import replay
from claudechat.advice import COMMAND_LINE, Advice
from claudechat.attachments import document_name
from claudechat.errors import UsageError
from claudechat.message import Message
from claudechat.models import (
    EFFORTS,
    MIN_THINKING_BUDGET,
    NO_SAMPLING_VERSION,
    SAMPLING,
    ModelRules,
    rules_for,
)
from claudechat.sanitize import sanitize

ThinkingMode = Literal["off", "enabled", "adaptive", "disabled", "between_tools"]
TITLE_WIDTH = 60


@dataclass(frozen=True, slots=True)
class Thinking:
    """The `thinking` field to send; mode "off" sends none (the model's own default)."""

    mode: ThinkingMode = "off"
    budget_tokens: int | None = None  # mode "enabled"
    effort: str | None = None  # output_config.effort (any mode but "enabled"-only models)
    display: str | None = None  # "summarized" | "omitted"; None: the model's default
    by_default: bool = False  # on because the model thinks unasked, not because the user asked

    @property
    def on(self) -> bool:
        return self.mode in ("enabled", "adaptive")


@dataclass(frozen=True, slots=True)
class RequestParams:
    model: str
    max_tokens: int
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    stop_sequences: tuple[str, ...] = ()
    thinking: Thinking = Thinking()
    tools: tuple[dict[str, Any], ...] = ()
    tool_choice: dict[str, Any] | None = None
    server_tools: tuple[dict[str, Any], ...] = ()  # the API's own tools wanted now (web.py)
    rules: ModelRules | None = None  # None: the table's rules for `model`
    api_version: str = "2023-06-01"  # the anthropic-version header sent with it
    cache_ttl: str | None = None  # "5m" | "1h": automatic prompt caching; None: off

    def model_rules(self) -> ModelRules:
        return self.rules if self.rules is not None else rules_for(self.model)

    def checked(self, advice: Advice = COMMAND_LINE) -> tuple[RequestParams, list[str]]:
        """Validate before sending: UsageError, in one line that says what to do instead
        (in `advice`'s words: the chat's or the command line's), for what the API or this
        model would refuse. Nothing is dropped silently."""
        if self.max_tokens < 1:
            raise UsageError(f"max_tokens must be at least 1 (got {self.max_tokens})")
        if self.temperature is not None and not 0 <= self.temperature <= 1:
            raise UsageError(f"temperature must be between 0 and 1 (got {self.temperature})")
        if self.top_p is not None and not 0 <= self.top_p <= 1:
            raise UsageError(f"top_p must be between 0 and 1 (got {self.top_p})")
        if self.top_k is not None and self.top_k < 1:
            raise UsageError(f"top_k must be at least 1 (got {self.top_k})")
        t = self.thinking
        if t.mode == "enabled":
            budget = t.budget_tokens
            if budget is None or budget < MIN_THINKING_BUDGET:
                raise UsageError(
                    f"the thinking budget must be at least {MIN_THINKING_BUDGET} tokens (got {budget})"
                )
            if budget >= self.max_tokens:
                raise UsageError(
                    f"the thinking budget ({budget}) must be below max_tokens ({self.max_tokens}); "
                    f"raise max_tokens or lower the thinking budget"
                )
        if t.effort is not None and t.effort not in EFFORTS:
            raise UsageError(f"effort must be one of {', '.join(EFFORTS)} (got {t.effort!r})")
        rules = self.model_rules()
        if t.mode != "off" and not rules.takes(t.mode):
            raise UsageError(f"{self.model} does not take thinking type {t.mode!r}")
        self._check_sampling(rules, advice)
        self._check_tool_choice(rules, advice)
        return self, []

    def _check_sampling(self, rules: ModelRules, advice: Advice) -> None:
        for name in SAMPLING:
            value = getattr(self, name)
            if value is None:
                continue
            if self.api_version == NO_SAMPLING_VERSION:
                raise UsageError(f"anthropic-version {NO_SAMPLING_VERSION} has no {name}; "
                                 f"{advice.unset(name)} and steer the reply with "
                                 f"{advice.effort()} instead")
            if rules.sampling == "never":
                raise UsageError(f"{self.model} does not accept {name} (the API rejects sampling "
                                 f"parameters on this model); {advice.unset(name)} and steer the "
                                 f"reply with {advice.effort()} instead")
            if self.thinking.on and not (name == "top_p" and value >= 0.95):  # docs/PROTOCOL.md
                what = "top_p below 0.95" if name == "top_p" else name
                raise UsageError(f"{self.model} does not accept {what} while thinking is on; turn "
                                 f"thinking off ({advice.thinking(False)}), or {advice.unset(name)}")

    def _check_tool_choice(self, rules: ModelRules, advice: Advice) -> None:
        if not self.tool_choice or self.tool_choice.get("type") not in ("any", "tool"):
            return
        if not rules.forced_tool_choice:
            raise UsageError(f"{self.model} does not accept a forced tool_choice (any or tool: the API "
                             f"refuses it on this model); leave tool_choice at auto and mark the tool "
                             f"strict = true in its [tools.NAME] table, so its input always fits its schema")
        if self.thinking.mode == "enabled":
            raise UsageError(f"a forced tool_choice cannot be combined with thinking on "
                             f"{self.model}; turn thinking off ({advice.thinking(False)}) or use "
                             f"tool_choice auto")


@dataclass(slots=True)
class Turn:
    role: Literal["user", "assistant", "system"]
    content: list[dict[str, Any]]
    usage: dict[str, Any] | None = None
    stop_reason: str | None = None
    model: str | None = None
    interrupted: bool = False
    unanswered: bool = False  # a user message that got no usable reply: not sent again
    invalid_utf8: bool = False  # the server sent bytes that were not UTF-8: U+FFFD stands for them
    id: str | None = field(default=None, compare=False)  # the reply's message id (this process only)

    @property
    def declined(self) -> bool:
        """A reply the model refused (stop reason `refusal`): its exchange is not sent back."""
        return self.role == "assistant" and self.stop_reason == "refusal"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"role": self.role, "content": self.content}
        for key in ("usage", "stop_reason", "model"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        for key in ("interrupted", "unanswered", "invalid_utf8"):
            if getattr(self, key):
                data[key] = True
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Turn:
        content = data["content"]
        if isinstance(content, str):
            content = [{"type": "text", "text": content}]
        return cls(
            role=data["role"],
            content=list(content),
            usage=data.get("usage"),
            stop_reason=data.get("stop_reason"),
            model=data.get("model"),
            interrupted=bool(data.get("interrupted", False)),
            unanswered=bool(data.get("unanswered", False)),
            invalid_utf8=bool(data.get("invalid_utf8", False)),
        )


@dataclass(slots=True)
class Conversation:
    """Append-only: what was sent once is sent the same way again (docs/API-2026.md §2).
    `system` is the top-level prompt the conversation started with; a later one is a
    `system` turn. `drop_block`: send `prefix_mismatch_behavior: "drop_block"` (a broken
    prefix was recovered). `thinking_cut`: the thinking of the first N turns is not sent."""

    params: RequestParams
    system: str | None = None
    turns: list[Turn] = field(default_factory=list)
    drop_block: bool = False
    thinking_cut: int = 0
    server_tools: tuple[dict[str, Any], ...] = ()  # the web tools once sent: sent the same ever after
    tools: tuple[dict[str, Any], ...] | None = None  # the `tools` sent, fixed at the first request
    tools_off: frozenset[str] = frozenset()  # switched off for this conversation (/tools off)

    def add_user(self, content: str | list[dict[str, Any]]) -> Turn:
        """The user's next message, placed before system messages still waiting for one.
        A message before it that got no reply is set aside (see set_aside), never merged."""
        self.set_aside()
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else list(content)
        turn = Turn(role="user", content=blocks)
        at = len(self.turns)
        while at and self.turns[at - 1].role == "system":
            at -= 1
        if at and self.turns[at - 1].role == "user":
            at = len(self.turns)  # they follow a user message already: they went out after it
        self.turns.insert(at, turn)
        return turn

    def unanswered(self) -> list[Turn]:
        """The user messages at the end that no usable reply followed, oldest first."""
        return [self.turns[i] for i in replay.unanswered(self.turns)]

    def set_aside(self) -> list[Turn]:
        """Mark the user messages at the end that got no usable reply as unanswered: they
        stay (in the history too) but are not sent again. Each marked turn is a new object,
        so the history's recorder sees it changed. The turns set aside, oldest first."""
        marked = []
        for index in replay.unanswered(self.turns):
            if not self.turns[index].unanswered:
                self.turns[index] = replace(self.turns[index], unanswered=True)
            marked.append(self.turns[index])
        return marked

    def add_assistant(self, message: Message, *, interrupted: bool = False,
                      invalid_utf8: bool = False) -> Turn:
        turn = Turn(
            role="assistant",
            content=list(message.content),
            usage=dict(message.usage) or None,
            stop_reason=message.stop_reason,
            model=message.model or None,
            interrupted=interrupted,
            invalid_utf8=invalid_utf8,
            id=message.id or None,
        )
        self.turns.append(turn)
        return turn

    def last_reply_id(self) -> str | None:
        """The id of the last reply received in this process (cache diagnostics, §4)."""
        for turn in reversed(self.turns):
            if turn.role == "assistant":
                return turn.id
        return None

    def current_system(self) -> str | None:
        """The system prompt in force: the last system message, else the top-level one."""
        for turn in reversed(self.turns):
            if turn.role == "system" and any(b.get("type") == "text" for b in turn.content):
                return "".join(b.get("text", "") for b in turn.content if b.get("type") == "text")
        return self.system

    def change_system(self, text: str | None) -> str:
        """A new system prompt (None: none) that edits nothing already sent; what happened,
        in a line. UsageError when it cannot be done without breaking the conversation."""
        model, rules = self.params.model, self.params.model_rules()
        if not any(t.role != "system" for t in self.turns):
            self.system = text
            return "system prompt cleared" if text is None else "system prompt set"
        if text is not None and rules.system_messages:
            self.turns.append(Turn(role="system", content=[{"type": "text", "text": text}]))
            return ("system prompt set: it goes out as a system message after your next message "
                    "(the conversation's start stays as it was)")
        if not rules.preserved_thinking:
            self.system = text
            return (f"system prompt {'cleared' if text is None else 'set'}: {model} takes no "
                    f"system messages mid-conversation, so the top-level one was changed "
                    f"(harmless on {model}: it does not bind thinking to it)")
        if rules.system_messages:
            raise UsageError("a system prompt cannot be removed mid-conversation without breaking "
                             "its thinking; /system TEXT gives new instructions, /new starts afresh")
        self.system = text
        self.thinking_cut = len(self.turns)
        return (f"system prompt {'cleared' if text is None else 'set'}: {model} takes no system "
                f"messages mid-conversation, so the earlier turns' thinking is no longer sent")

    def drop_reply(self) -> bool:
        """Remove the last reply from the end (system messages after it stay, waiting);
        is there a user message left to answer? One left unanswered is to be sent again."""
        waiting = self._pop_system()
        while self.turns and self.turns[-1].role == "assistant":
            self.turns.pop()
        if self.turns and self.turns[-1].role == "user" and self.turns[-1].unanswered:
            self.turns[-1] = replace(self.turns[-1], unanswered=False)
        self.turns.extend(waiting)
        return any(t.role == "user" for t in self.turns) and self._last_role() == "user"

    def drop_exchange(self) -> Turn | None:
        """Remove the last exchange (the reply and the message it answers) from the end;
        the user message removed (marked unanswered if it got no reply). System messages
        sent with it wait for the next one."""
        waiting = self._pop_system()
        while self.turns and (self.turns[-1].role == "assistant" or replay.tool_results(self.turns[-1])):
            self.turns.pop()  # the reply, and its rounds of tool calls and results
        waiting = self._pop_system() + waiting
        user = self.turns.pop() if self.turns and self.turns[-1].role == "user" else None
        self.turns.extend(waiting)
        return user

    def _pop_system(self) -> list[Turn]:
        at = len(self.turns)
        while at and self.turns[at - 1].role == "system":
            at -= 1
        waiting = self.turns[at:]
        del self.turns[at:]
        return waiting

    def _last_role(self) -> str | None:
        return next((t.role for t in reversed(self.turns) if t.role != "system"), None)

    def ends_on_paused_turn(self) -> bool:
        """Does the conversation end on a reply paused by the server (`pause_turn`), which
        is sent back as the last message (the one exception to ending on a user turn)?"""
        last = self.turns[-1] if self.turns else None
        return last is not None and last.role == "assistant" and last.stop_reason == "pause_turn"

    def recover_binding(self, can_bind: bool) -> str | None:
        """After "The block is bound to a different conversation": "drop_block" (sent from
        now on) when the request's thinking config takes it (adaptive or enabled), or
        "strip" (the thinking of the turns so far is no longer sent); None when both were tried."""
        if can_bind and not self.drop_block:
            self.drop_block = True
            return "drop_block"
        if self.thinking_cut < len(self.turns):
            self.thinking_cut = len(self.turns)
            return "strip"
        return None

    def api_messages(self) -> list[dict[str, Any]]:
        """The `messages` list to send, the same prefix every time (see replay.messages)."""
        return replay.messages(self.turns, thinking_cut=self.thinking_cut)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"system": self.system, "turns": [t.to_dict() for t in self.turns]}
        data.update(self.state())
        return data

    def state(self) -> dict[str, Any]:
        """What must be kept with the conversation besides its turns (saved in the history)."""
        state: dict[str, Any] = {}
        if self.drop_block:
            state["drop_block"] = True
        if self.thinking_cut:
            state["thinking_cut"] = self.thinking_cut
        if self.server_tools:
            state["server_tools"] = list(self.server_tools)
            state["web"] = bool(self.params.server_tools)  # on or off when it was saved
        if self.tools is not None:
            state["tools"] = list(self.tools)
        if self.tools_off:
            state["tools_off"] = sorted(self.tools_off)
        return state

    def restore_state(self, state: dict[str, Any]) -> None:
        self.drop_block = state.get("drop_block") is True
        cut = state.get("thinking_cut")
        self.thinking_cut = cut if isinstance(cut, int) and cut > 0 else 0
        tools = state.get("server_tools")
        self.server_tools = tuple(t for t in tools if isinstance(t, dict)) if isinstance(tools, list) else ()
        tools, off = state.get("tools"), state.get("tools_off")
        self.tools = tuple(t for t in tools if isinstance(t, dict)) if isinstance(tools, list) else None
        self.tools_off = frozenset(n for n in off if isinstance(n, str)) if isinstance(off, list) \
            else frozenset()

    def request_tools(self, offered: tuple[dict[str, Any], ...]) -> tuple[dict[str, Any], ...]:
        """The `tools` to send: those of the conversation's first request, whatever is offered
        now (an edit of `tools` breaks the prompt cache and preserved thinking, §2)."""
        return self.tools if self.tools is not None else offered

    def pin_tools(self, offered: tuple[dict[str, Any], ...]) -> None:
        """The request is going out: from now on its `tools` are the conversation's."""
        if self.tools is None and offered:
            self.tools = tuple(offered)


def title_of(turns: list[Turn]) -> str:
    """The first line of the first user message, shortened; attachments only when
    there are no words of the user's own."""
    for turn in turns:
        if turn.role != "user":
            continue
        texts = [b for b in turn.content if b.get("type") == "text" and isinstance(b.get("text"), str)]
        names = [name for b in texts if (name := document_name(b)) is not None]
        for block in texts:
            if document_name(block) is None:
                line = next((ln.strip() for ln in sanitize(block["text"]).splitlines() if ln.strip()), "")
                if line:
                    return shorten_title(line.replace("\t", " "))
        kinds = names + [f"[{b.get('type')}]" for b in turn.content if b.get("type") != "text"]
        if kinds:
            return shorten_title(sanitize(", ".join(kinds)).replace("\t", " ").replace("\n", " "))
    return "(empty)"


def shorten_title(text: str, width: int = TITLE_WIDTH) -> str:
    """One line of at most `width` characters, cut after a word when one ends past half of it."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > width // 2 else cut).rstrip() + "…"
