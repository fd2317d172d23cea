"""The conversation around tool calls: results are never set aside, a later message goes
after them, and every call gets an answer."""

from __future__ import annotations

from claudechat.conversation import Conversation, RequestParams
from claudechat.message import Message
from claudechat.tools.calls import Call, add_results, result_block, switch, unanswered_calls
from claudechat.tools.specs import ToolSpec

USE = {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {"a": 1}}
SPEC = ToolSpec("f", "d", {"type": "object"}, ("true",))


def calling(model: str = "claude-sonnet-5") -> Conversation:
    conv = Conversation(params=RequestParams(model, 100, tools=(SPEC.definition(),)))
    conv.add_user("q")
    conv.add_assistant(Message(content=[USE], stop_reason="tool_use"))
    return conv


def test_results_that_got_no_reply_are_kept_and_the_next_message_follows_them():
    conv = calling()
    assert unanswered_calls(conv) == [Call("toolu_1", "f", {"a": 1})]
    add_results(conv, [result_block(Call("toolu_1", "f", {}), "42")])
    assert unanswered_calls(conv) == []
    conv.add_user("and then?")  # the results' request failed: they still go, first
    sent = conv.api_messages()
    assert sent[-1] == {"role": "user", "content": [
        {"type": "tool_result", "tool_use_id": "toolu_1", "content": "42"},
        {"type": "text", "text": "and then?"}]}


def test_an_empty_output_is_said_not_sent_empty():
    assert result_block(Call("t", "f", {}), "", is_error=True) == {
        "type": "tool_result", "tool_use_id": "t", "content": "(the tool printed nothing)", "is_error": True}


def test_an_interrupted_reply_has_no_calls_to_answer():
    conv = Conversation(params=RequestParams("claude-sonnet-5", 100))
    conv.add_user("q")
    conv.add_assistant(Message(content=[USE]), interrupted=True)
    assert unanswered_calls(conv) == []


def test_switching_off_on_a_model_without_system_messages_declines_or_says_none():
    conv = calling()
    said = switch(conv, "f", False, conv.params.tools, {"f": SPEC}, messages_wire=True)
    assert said == "f is off: every tool is off, so requests say tool_choice none"
    assert conv.tools_off == {"f"} and conv.tools == (SPEC.definition(),)
    assert switch(conv, "f", False, conv.params.tools, {"f": SPEC}, messages_wire=True) == "f is already off"


def test_undo_drops_the_whole_exchange_with_its_tool_rounds():
    conv = calling()
    add_results(conv, [result_block(Call("toolu_1", "f", {}), "42")])
    conv.add_assistant(Message(content=[{"type": "text", "text": "It is 42."}], stop_reason="end_turn"))
    user = conv.drop_exchange()
    assert user is not None and user.content == [{"type": "text", "text": "q"}]
    assert conv.turns == []
