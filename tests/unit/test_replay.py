"""replay.py, issue 10: a thinking block without a signature is kept in the turns but never
sent (the API answers "signature: Field required"), the same way on every request so the
prefix does not change (docs/API-2026.md §2); a request ending on an assistant message goes
without the whitespace that ends it (the API refuses "final assistant content cannot end
with trailing whitespace"); and what the user is told about unsigned thinking."""

from __future__ import annotations

from claudechat import replay
from claudechat.api import messages as wire
from claudechat.conversation import Conversation, RequestParams
from claudechat.message import Message

UNSIGNED = {"type": "thinking", "thinking": "Unsigned thought."}
SIGNED = {"type": "thinking", "thinking": "Signed thought.", "signature": "sig"}


def conversation() -> Conversation:
    return Conversation(params=RequestParams(model="claude-sonnet-4-5", max_tokens=1000))


def text(value: str) -> dict:
    return {"type": "text", "text": value}


def answer(conv: Conversation, *blocks: dict, interrupted: bool = False) -> None:
    conv.add_assistant(Message(id="m", model="claude-sonnet-4-5", content=list(blocks),
                               stop_reason="end_turn"), interrupted=interrupted)


def test_unsigned_thinking_stays_in_the_turns_but_is_never_sent():
    conv = conversation()
    conv.add_user("q1")
    answer(conv, UNSIGNED, text("a1"))
    conv.add_user("q2")
    first = conv.api_messages()
    assert first[1] == {"role": "assistant", "content": [text("a1")]}
    assert conv.turns[1].content == [UNSIGNED, text("a1")]  # kept, unchanged
    answer(conv, SIGNED, text("a2"))
    conv.add_user("q3")
    later = conv.api_messages()
    assert later[: len(first)] == first  # the same prefix on the next request (append-only)
    assert later[3] == {"role": "assistant", "content": [SIGNED, text("a2")]}  # signed: sent as it came


def test_unsigned_thinking_before_a_tool_call_leaves_the_call_in_place():
    use = {"type": "tool_use", "id": "t1", "name": "f", "input": {}}
    conv = conversation()
    conv.add_user("q1")
    answer(conv, UNSIGNED, text("calling"), use)
    conv.add_user([{"type": "tool_result", "tool_use_id": "t1", "content": "ok"}])
    assert conv.api_messages()[1]["content"] == [text("calling"), use]


def test_the_whitespace_ending_a_final_assistant_message_is_left_out_of_a_copy():
    conv = conversation()
    conv.add_user("q1")
    answer(conv, text("Sure.\n\n"))
    body = wire.count_body(conv, conv.params)
    assert body["messages"][-1] == {"role": "assistant", "content": [text("Sure.")]}
    assert conv.turns[-1].content == [text("Sure.\n\n")]  # the turn keeps it
    conv.add_user("q2")
    assert conv.api_messages()[1] == {"role": "assistant", "content": [text("Sure.\n\n")]}  # not final


def test_a_final_text_of_only_whitespace_is_left_out_whole():
    conv = conversation()
    conv.add_user("q1")
    answer(conv, SIGNED, text(" \n"))
    assert conv.api_messages()[-1] == {"role": "assistant", "content": [SIGNED]}


def test_count_body_is_build_body_with_only_the_fields_count_tokens_takes():
    conv = Conversation(params=RequestParams(model="claude-sonnet-4-5", max_tokens=1000, temperature=0.5,
                                             stop_sequences=("END",), cache_ttl="5m"), system="Be brief.")
    conv.add_user("q1")
    sent = wire.build_body(conv, conv.params, stream=True)
    counted = wire.count_body(conv, conv.params)
    # docs/API-2026.md §8D: model, messages, system, tools, tool_choice, thinking, output_config,
    # cache_control
    assert counted == {"model": "claude-sonnet-4-5", "messages": sent["messages"], "system": "Be brief.",
                       "cache_control": {"type": "ephemeral"}}


def test_the_user_is_told_once_and_always_when_nothing_of_a_reply_goes_back():
    conv = conversation()
    conv.add_user("q1")
    answer(conv, SIGNED, text("a1"))
    assert replay.unsigned_note(conv.turns) is None
    conv.add_user("q2")
    answer(conv, UNSIGNED, text("a2"))
    assert "not sent back" in (replay.unsigned_note(conv.turns) or "")
    conv.add_user("q3")
    answer(conv, UNSIGNED, text("a3"))
    assert replay.unsigned_note(conv.turns) is None  # said once
    conv.add_user("q4")
    answer(conv, UNSIGNED)
    assert "the model will not see it" in (replay.unsigned_note(conv.turns) or "")
    conv.add_user("q5")
    answer(conv, {"type": "thinking", "thinking": "half", "signature": ""}, interrupted=True)
    assert replay.unsigned_note(conv.turns) is None  # an interrupted reply says so already


def test_an_interrupted_search_goes_back_without_the_call_that_got_no_result():
    done = {"type": "server_tool_use", "id": "s1", "name": "web_search", "input": {"query": "a"}}
    result = {"type": "web_search_tool_result", "tool_use_id": "s1", "content": []}
    cut = {"type": "server_tool_use", "id": "s2", "name": "web_search", "input": {"query": "b"}}
    conv = conversation()
    conv.add_user("search")
    answer(conv, done, result, text("Found"), cut, interrupted=True)
    conv.add_user("go on")
    assert conv.api_messages()[1]["content"] == [done, result, text("Found")]
