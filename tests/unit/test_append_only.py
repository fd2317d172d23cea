"""Append-only conversations (conversation.py, replay.py, history saving, api/messages.py):
what goes out stays the same prefix (docs/API-2026.md §2), system messages mid-conversation
are placed as §3 says, declined exchanges and fallback echoes follow §5, and the history
keeps what is needed to send the same again. Expected values come from the reference."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from claudechat.accumulator import Accumulator
from claudechat.api import messages as wire
from claudechat.api.sse import ServerSentEvent
from claudechat.conversation import Conversation, RequestParams, Thinking
from claudechat.errors import UsageError
from claudechat.history.saving import Recorder
from claudechat.history.store import HistoryStore
from claudechat.message import Message
from claudechat.models import rules_for

OPUS = "claude-opus-5-5"  # takes system messages, checks the prefix


def conversation(model: str = OPUS, **kwargs) -> Conversation:
    return Conversation(params=RequestParams(model=model, max_tokens=1000), **kwargs)


def text(value: str) -> dict:
    return {"type": "text", "text": value}


def answer(conv: Conversation, *blocks: dict, stop_reason: str = "end_turn", **extra) -> None:
    conv.add_assistant(Message(id="m", model=conv.params.model, content=list(blocks),
                               stop_reason=stop_reason, **extra))


def roles(messages: list[dict]) -> list[str]:
    return [m["role"] for m in messages]


# -- system messages (§3) -----------------------------------------------------------------


def test_a_new_system_prompt_goes_out_right_after_the_next_user_message():
    conv = conversation(system="Be terse.")
    conv.add_user("one")
    answer(conv, text("One."))
    said = conv.change_system("Answer in French.")
    assert "after your next message" in said
    assert conv.system == "Be terse."  # the top-level system is never edited
    assert roles(conv.api_messages()) == ["user", "assistant"]  # nothing to follow yet
    conv.add_user("two")
    sent = conv.api_messages()
    assert sent[2:] == [{"role": "user", "content": [text("two")]},
                        {"role": "system", "content": [text("Answer in French.")]}]
    answer(conv, text("Deux."))
    assert roles(conv.api_messages()) == ["user", "assistant", "user", "system", "assistant"]
    assert conv.current_system() == "Answer in French."
    assert [t.role for t in conv.turns] == ["user", "assistant", "user", "system", "assistant"]


def test_before_anything_was_sent_the_top_level_system_prompt_simply_changes():
    conv = conversation(system="Old.")
    assert conv.change_system("New.") == "system prompt set"
    conv.add_user("hi")
    assert conv.system == "New." and roles(conv.api_messages()) == ["user"]


def test_a_system_message_never_goes_out_between_two_user_messages():
    conv = conversation()
    conv.add_user("one")
    answer(conv, text("One."))
    conv.add_user("two")
    conv.change_system("Be brief.")  # follows a user message: goes out after it
    answer(conv)  # an empty reply: "two" is left unanswered, then another message
    conv.add_user("two, again")
    sent = conv.api_messages()
    assert roles(sent) == ["user", "assistant", "user", "system"]
    assert sent[2]["content"] == [text("two, again")]


def test_removing_the_system_prompt_mid_conversation_is_refused_where_it_would_break_thinking():
    conv = conversation(system="Be terse.")
    conv.add_user("one")
    answer(conv, text("One."))
    with pytest.raises(UsageError, match="/new"):
        conv.change_system(None)


def test_without_system_messages_a_prefix_checking_model_stops_sending_the_earlier_thinking():
    # a model configured (as [models."NAME"] can) to bind its thinking but take no system messages
    rules = replace(rules_for(OPUS), system_messages=False, preserved_thinking=True)
    conv = Conversation(params=RequestParams(model="claude-future-1", max_tokens=1000, rules=rules),
                        system="Be terse.")
    conv.add_user("one")
    answer(conv, {"type": "thinking", "thinking": "", "signature": "s1"}, text("One."))
    said = conv.change_system("Be verbose.")
    assert "earlier turns' thinking is no longer sent" in said
    conv.add_user("two")
    answer(conv, {"type": "thinking", "thinking": "", "signature": "s2"}, text("Two."))
    conv.add_user("three")
    sent = conv.api_messages()
    assert conv.system == "Be verbose."
    assert sent[1]["content"] == [text("One.")]
    assert sent[3]["content"][0]["signature"] == "s2"  # thinking made after the change stays


# -- dropping only from the end ------------------------------------------------------------------


def test_undo_drops_the_last_exchange_and_a_system_message_sent_with_it_waits_again():
    conv = conversation()
    conv.add_user("one")
    answer(conv, text("One."))
    conv.change_system("French.")
    conv.add_user("two")
    answer(conv, text("Deux."))
    removed = conv.drop_exchange()
    assert removed.content == [text("two")]
    conv.add_user("two, better")
    assert roles(conv.api_messages()) == ["user", "assistant", "user", "system"]
    assert conv.drop_reply() is True  # no reply to drop: the message is still to answer


def test_earlier_blocks_of_complete_replies_go_back_verbatim_even_after_a_model_switch():
    blocks = [{"type": "thinking", "thinking": "", "signature": "sig"},
              {"type": "redacted_thinking", "data": "abc"},
              {"type": "mystery_2027", "x": ""}, text("ok")]
    conv = conversation()
    conv.add_user("one")
    answer(conv, *blocks)
    conv.params = RequestParams(model="claude-haiku-4-5", max_tokens=1000)
    conv.add_user("two")
    assert conv.api_messages()[1]["content"] == blocks


# -- refusals and fallbacks (§5) ---------------------------------------------------------------


def test_a_declined_exchange_is_not_sent_but_its_system_message_is():
    conv = conversation()
    conv.add_user("one")
    answer(conv, text("One."))
    conv.change_system("Be careful.")
    conv.add_user("something refused")
    answer(conv, text("Here is how to st"), stop_reason="refusal")
    conv.add_user("something else")
    sent = conv.api_messages()
    assert roles(sent) == ["user", "assistant", "user", "system"]
    assert sent[2]["content"] == [text("something else")]
    assert conv.turns[4].declined  # kept, marked


def test_before_the_last_fallback_block_thinking_and_tool_calls_are_left_out():
    fallback = {"type": "fallback", "from": {"model": "a"}, "to": {"model": "b"}}
    after = {"type": "thinking", "thinking": "", "signature": "b1"}
    conv = conversation()
    conv.add_user("q")
    answer(conv, {"type": "thinking", "thinking": "", "signature": "a1"},
           {"type": "tool_use", "id": "t", "name": "f", "input": {}}, text("partial"), fallback,
           after, text("answer"))
    assert conv.api_messages()[1]["content"] == [text("partial"), fallback, after, text("answer")]


# -- recovery from a broken prefix (§2) ---------------------------------------------------------


def test_drop_block_goes_into_the_thinking_config_with_its_beta_header():
    conv = conversation()
    conv.add_user("q")
    params = RequestParams(model=OPUS, max_tokens=1000, thinking=Thinking("adaptive"))
    assert conv.recover_binding(can_bind=True) == "drop_block"
    body = wire.build_body(conv, params, stream=True)
    assert body["thinking"] == {"type": "adaptive",
                                "block_binding": {"prefix_mismatch_behavior": "drop_block"}}
    assert wire.beta_headers(body) == {"anthropic-beta": "thinking-binding-controls-2026-08-01"}
    assert conv.recover_binding(can_bind=True) == "strip"  # tried already: strip next
    assert conv.recover_binding(can_bind=True) is None


def test_input_transformations_and_stop_details_are_read_from_the_stream_and_whole_replies():
    acc = Accumulator()
    start = {"type": "message_start", "message": {
        "id": "m", "type": "message", "role": "assistant", "model": OPUS, "content": [],
        "usage": {}, "input_transformations": [{"type": "thinking_dropped", "path": "p"}]}}
    delta = {"type": "message_delta", "usage": {"output_tokens": 1}, "delta": {
        "stop_reason": "refusal", "stop_details": {"type": "refusal", "category": "bio"}}}
    for name, data in (("message_start", start), ("message_delta", delta)):
        event = wire.parse_event(ServerSentEvent(event=name, data=json.dumps(data)))
        message = acc.feed(event)
    assert message.input_transformations == [{"type": "thinking_dropped", "path": "p"}]
    assert message.stop_details == {"type": "refusal", "category": "bio"}
    whole = wire.parse_message({"content": [], "stop_reason": "refusal",
                                "stop_details": {"type": "refusal", "category": None}})
    assert whole.stop_details == {"type": "refusal", "category": None}
    assert whole.to_dict()["stop_details"] == {"type": "refusal", "category": None}


# -- the history --------------------------------------------------------------------------------


def test_the_history_keeps_drop_block_and_rewrites_a_system_message_moved_by_undo(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    with HistoryStore() as store:
        conv = conversation(system="Top.")
        record = Recorder(store, profile="p")
        conv.add_user("one")
        answer(conv, text("One."))
        conv.change_system("French.")
        conv.add_user("two")
        answer(conv, text("Deux."))
        conv.recover_binding(can_bind=True)
        record(conv)
        conv.drop_exchange()  # [user, assistant, system]: the system message moved up
        record(conv)
        stored = store.load(record.cid)
    assert [t.role for t in stored.turns] == ["user", "assistant", "system"]
    assert stored.system == "Top."
    again = conversation()
    again.restore_state(stored.settings)
    assert again.drop_block is True
