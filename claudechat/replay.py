"""What a conversation's turns are sent as: the same prefix on every request.

On the current models every thinking block is bound to everything before it
(docs/API-2026.md §2): an edit of what was sent once makes every later request
fail. So a complete reply goes back unchanged (empty thinking with its
signature, unknown blocks, `fallback` blocks), and the only differences from
the stored turns are the documented ones, made the same way every time:

- an interrupted reply goes back with only its usable blocks (a server tool call whose
  result never came is left out: the API refuses a `server_tool_use` without its result, §5);
- a thinking block without a signature (Ace Data Cloud sends some) is never sent: the
  API cannot verify it and refuses it ("signature: Field required"); it is left out of
  every request alike, so the prefix does not change (issue 10);
- a request that ends on an assistant message (counting tokens, a `pause_turn`
  continuation) goes without the whitespace that ends it, which the API refuses
  ("final assistant content cannot end with trailing whitespace");
- a declined exchange (a `refusal` and the message it answered) is not sent (§5);
- a user message marked unanswered (its request failed, or was stopped before anything
  usable arrived) is not sent: the next message goes out on its own, never merged with it;
- before the last `fallback` block of a reply, thinking, connector text and
  client tool calls are left out (§5 "When echoing");
- a system message goes right after a user message, never first (§3);
- the thinking of the first `thinking_cut` turns is not sent (the system prompt
  changed on a model that takes no system messages).

Pure; turns are duck-typed (`role`, `content`, `interrupted`, `declined`, `unanswered`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

THINKING = frozenset({"thinking", "redacted_thinking"})
_BEFORE_FALLBACK = frozenset({*THINKING, "connector_text", "tool_use"})


def messages(turns: Sequence[Any], *, thinking_cut: int = 0) -> list[dict[str, Any]]:
    """The `messages` list for `turns`. Empty turns are skipped and consecutive turns of
    one role merged; system messages wait for a user message and go out right after it."""
    out: list[dict[str, Any]] = []
    waiting: list[dict[str, Any]] = []
    skipped = declined(turns) | {i for i, t in enumerate(turns) if getattr(t, "unanswered", False)}
    for index, turn in enumerate(turns):
        blocks = [] if index in skipped else _blocks(turn, cut=index < thinking_cut)
        if not blocks:
            continue
        if turn.role == "system":
            waiting.append({"role": "system", "content": blocks})
            continue
        if out and out[-1]["role"] == "user" and turn.role != "user":
            out.extend(waiting)
            waiting = []
        if out and out[-1]["role"] == turn.role:
            out[-1]["content"] = out[-1]["content"] + blocks
        else:
            out.append({"role": turn.role, "content": blocks})
    while out and out[0]["role"] != "user":
        out.pop(0)
    if out and out[-1]["role"] == "user":
        out.extend(waiting)
    if out and out[-1]["role"] == "assistant":
        out[-1] = _trimmed(out[-1])
    return out


def unsigned(block: dict[str, Any]) -> bool:
    """A thinking block without its signature: kept and shown, never sent back."""
    return block.get("type") == "thinking" and not block.get("signature")


def unsigned_note(turns: Sequence[Any]) -> str | None:
    """What to say when the last reply (a finished one) has thinking without a signature:
    the first time in a conversation, and whenever nothing of the reply can go back."""
    last = turns[-1] if turns else None
    if last is None or last.role != "assistant" or last.interrupted:
        return None
    if not any(unsigned(b) for b in last.content):
        return None
    if not _blocks(last, cut=False):
        return ("this reply is only thinking, which the server sent without a signature: it is kept "
                "in the history, but the model will not see it; ask again for an answer")
    if any(unsigned(b) for t in turns[:-1] if t.role == "assistant" and not t.interrupted
           for b in t.content):
        return None
    return ("this server sent thinking without a signature: it is kept in the history, "
            "but not sent back to the model (the API would refuse it)")


def _trimmed(message: dict[str, Any]) -> dict[str, Any]:
    """The final assistant message without the whitespace its last text ends with (a copy)."""
    content = message["content"]
    last = content[-1] if content else {}
    text = last.get("text") if last.get("type") == "text" else None
    if not isinstance(text, str) or text == text.rstrip():
        return message
    kept = [{**last, "text": text.rstrip()}] if text.strip() else []
    return {**message, "content": content[:-1] + kept}


def declined(turns: Sequence[Any]) -> set[int]:
    """The indexes of declined exchanges: each refusal and the user messages it answered
    (system messages among them stay, to go out after the next user message)."""
    skipped: set[int] = set()
    for index, turn in enumerate(turns):
        if not turn.declined:
            continue
        skipped.add(index)
        back = index - 1
        while back >= 0 and turns[back].role != "assistant":
            if turns[back].role == "user":
                skipped.add(back)
            back -= 1
    return skipped


def unanswered(turns: Sequence[Any]) -> list[int]:
    """The indexes of the user messages at the end that no usable reply followed (the
    request failed, or the reply stopped before anything that can be sent back), oldest
    first. A declined exchange ends the search: it is left out as a whole."""
    found: list[int] = []
    for index in range(len(turns) - 1, -1, -1):
        turn = turns[index]
        if turn.role == "user" and tool_results(turn):
            break  # answers the tool calls before it: it goes out whatever follows
        if turn.role == "user":
            found.append(index)
        elif turn.role == "assistant" and (turn.declined or _blocks(turn, cut=False)):
            break
    return found[::-1]


def tool_results(turn: Any) -> bool:
    """Does this user turn answer tool calls (it holds `tool_result` blocks)?"""
    return any(b.get("type") == "tool_result" for b in turn.content)


def _blocks(turn: Any, *, cut: bool) -> list[dict[str, Any]]:
    content = turn.content
    if len(content) == 1 and not turn.interrupted and content[0].get("type") == "text":
        return [content[0]]  # the common turn, one text block: nothing to leave out (a copy)
    blocks = _usable(content) if turn.interrupted else [b for b in content if not unsigned(b)]
    if cut:
        blocks = [b for b in blocks if b.get("type") not in THINKING]
    fallbacks = [i for i, b in enumerate(blocks) if b.get("type") == "fallback"]
    if turn.role == "assistant" and fallbacks:
        last = fallbacks[-1]
        blocks = [b for i, b in enumerate(blocks) if i >= last or b.get("type") not in _BEFORE_FALLBACK]
    return blocks


def _usable(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An interrupted reply's blocks the API takes back: a thinking block without its
    signature, a tool call without its result or an empty text would be refused."""
    answered = {b.get("tool_use_id") for b in blocks if str(b.get("type", "")).endswith("_tool_result")}
    keep = []
    for block in blocks:
        kind = block.get("type")
        if unsigned(block):
            continue
        if kind == "tool_use" or (kind == "server_tool_use" and block.get("id") not in answered):
            continue
        if kind == "text" and not block.get("text"):
            continue
        keep.append(block)
    return keep
