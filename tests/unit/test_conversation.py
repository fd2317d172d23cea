"""conversation.py: the messages list sent to the API (api_messages), the request
parameters checked before sending (RequestParams.checked), and a Turn's dict form
(what the history stores). Expected values from docs/PROTOCOL.md ("Thinking") and the
module's docstrings. (title_of is tested in tests/unit/history/test_transcript.py.)"""

from __future__ import annotations

import pytest

from claudechat.conversation import Conversation, RequestParams, Thinking, Turn
from claudechat.errors import UsageError
from claudechat.message import Message


def conversation(**params) -> Conversation:
    return Conversation(params=RequestParams(model="claude-sonnet-4-5", max_tokens=1000, **params))


def reply(*blocks) -> Message:
    return Message(id="m", model="claude-sonnet-4-5", content=list(blocks), stop_reason="end_turn")


def text(value: str) -> dict:
    return {"type": "text", "text": value}


# -- api_messages -------------------------------------------------------------------


def test_an_interrupted_reply_is_sent_back_without_unusable_blocks():
    conv = conversation()
    conv.add_user("q1")
    conv.add_assistant(reply({"type": "thinking", "thinking": "half a thou", "signature": ""},
                             {"type": "text", "text": "partial answer"},
                             {"type": "tool_use", "id": "t1", "name": "f", "input": {}}),
                       interrupted=True)
    conv.add_user("go on")
    sent = conv.api_messages()
    assert sent == [
        {"role": "user", "content": [{"type": "text", "text": "q1"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "partial answer"}]},
        {"role": "user", "content": [{"type": "text", "text": "go on"}]},
    ]


def test_a_message_after_a_reply_with_nothing_usable_goes_out_alone():
    conv = conversation()
    conv.add_user("first try")
    conv.add_assistant(reply({"type": "text", "text": ""}), interrupted=True)
    conv.add_user("second try")
    assert conv.api_messages() == [{"role": "user", "content": [text("second try")]}]
    first = conv.turns[0]
    assert first.unanswered and first.content == [text("first try")]  # kept, marked


def test_a_message_after_one_that_got_no_reply_goes_out_alone():
    conv = conversation()
    conv.add_user("q1")
    conv.add_assistant(reply(text("a1")))
    conv.add_user("failed question")  # its request failed: no reply was added
    conv.add_user("q2")
    assert conv.api_messages() == [
        {"role": "user", "content": [text("q1")]},
        {"role": "assistant", "content": [text("a1")]},
        {"role": "user", "content": [text("q2")]},
    ]
    assert [t.unanswered for t in conv.turns] == [False, False, True, False]
    assert Turn.from_dict(conv.turns[2].to_dict()).unanswered


def test_set_aside_marks_every_message_at_the_end_without_a_reply_and_is_idempotent():
    conv = conversation()
    conv.add_user("q1")
    conv.add_assistant(reply(text("a1")))
    conv.turns += [Turn("user", [text("x")]), Turn("user", [text("y")])]  # stored by an older version
    assert [t.content for t in conv.set_aside()] == [[text("x")], [text("y")]]
    assert [t.content for t in conv.set_aside()] == [[text("x")], [text("y")]]
    assert conv.api_messages()[-1] == {"role": "assistant", "content": [text("a1")]}


def test_a_declined_exchange_is_not_set_aside_it_is_left_out_as_declined():
    conv = conversation()
    conv.add_user("q1")
    conv.add_assistant(Message(id="m", model="m", content=[], stop_reason="refusal"))
    assert conv.set_aside() == []
    conv.add_user("q2")
    assert conv.api_messages() == [{"role": "user", "content": [text("q2")]}]
    assert not conv.turns[0].unanswered


def test_retry_sends_an_unanswered_message_again_as_it_was():
    conv = conversation()
    conv.add_user("q1")
    conv.set_aside()
    assert conv.api_messages() == []
    assert conv.drop_reply() is True
    assert conv.api_messages() == [{"role": "user", "content": [text("q1")]}]


def test_roles_alternate_starting_with_a_user():
    conv = conversation()
    conv.add_user("q1")
    conv.add_assistant(reply(text("a1")))
    conv.add_user("q2")
    assert conv.api_messages() == [
        {"role": "user", "content": [text("q1")]},
        {"role": "assistant", "content": [text("a1")]},
        {"role": "user", "content": [text("q2")]},
    ]


def test_a_leading_assistant_turn_is_not_sent():
    conv = conversation()
    conv.turns.append(Turn("assistant", [text("left over")]))
    conv.add_user("q")
    assert conv.api_messages() == [{"role": "user", "content": [text("q")]}]


def test_stored_user_turns_in_a_row_that_were_answered_stay_merged():
    # an older claudechat sent them as one message, and a reply is bound to that prefix
    conv = conversation()
    conv.turns += [Turn("user", [text("q1")]), Turn("assistant", []), Turn("user", [text("q2")]),
                   Turn("assistant", [text("a2")])]
    conv.add_user("q3")
    assert conv.api_messages()[0] == {"role": "user", "content": [text("q1"), text("q2")]}
    assert not any(t.unanswered for t in conv.turns)


def test_an_interrupted_reply_keeps_signed_thinking_and_redacted_thinking():
    signed = {"type": "thinking", "thinking": "a whole thought", "signature": "sig"}
    redacted = {"type": "redacted_thinking", "data": "opaque"}
    conv = conversation()
    conv.add_user("q1")
    conv.add_assistant(reply(signed, redacted, text("half")), interrupted=True)
    conv.add_user("q2")
    assert conv.api_messages()[1] == {"role": "assistant", "content": [signed, redacted, text("half")]}


def test_a_finished_reply_goes_back_whole_even_with_an_empty_text_block():
    blocks = [{"type": "thinking", "thinking": "t", "signature": "s"}, text(""),
              {"type": "tool_use", "id": "t1", "name": "f", "input": {}}]
    conv = conversation()
    conv.add_user("q1")
    conv.add_assistant(reply(*blocks))
    conv.add_user([{"type": "tool_result", "tool_use_id": "t1", "content": "ok"}])
    assert conv.api_messages()[1]["content"] == blocks


def test_api_messages_leaves_the_stored_turns_alone():
    conv = conversation()
    conv.add_user("q1")
    conv.add_assistant(reply(text("")), interrupted=True)
    conv.add_user("q2")
    conv.api_messages()
    assert [t.content for t in conv.turns] == [[text("q1")], [text("")], [text("q2")]]


# -- RequestParams.checked --------------------------------------------------------------


def test_sampling_with_thinking_on_an_older_model_is_refused_in_one_line():
    params = RequestParams(model="claude-sonnet-4-5", max_tokens=8000, temperature=0.5,
                           thinking=Thinking("enabled", budget_tokens=2000))
    with pytest.raises(UsageError) as caught:
        params.checked()
    assert str(caught.value) == ("claude-sonnet-4-5 does not accept temperature while thinking is on; "
                                 "turn thinking off (--no-think), or leave out --temperature "
                                 "(or the temperature setting)")


def test_top_p_of_at_least_0_95_survives_thinking():
    params = RequestParams(model="claude-opus-4-6", max_tokens=8000, top_p=0.95,
                           thinking=Thinking("adaptive"))
    assert params.checked() == (params, [])


@pytest.mark.parametrize(
    "params",
    [
        RequestParams(model="m", max_tokens=4000, thinking=Thinking("enabled", budget_tokens=1023)),
        RequestParams(model="m", max_tokens=4000, thinking=Thinking("enabled", budget_tokens=4000)),
        RequestParams(model="m", max_tokens=4000, temperature=1.01),
        RequestParams(model="m", max_tokens=4000, temperature=-0.1),
        RequestParams(model="m", max_tokens=0),
        RequestParams(model="m", max_tokens=10, thinking=Thinking("adaptive", effort="extreme")),
    ],
    ids=["budget-too-small", "budget-not-below-max", "temp-high", "temp-negative", "max-zero", "bad-effort"],
)
def test_invalid_parameters_are_refused_before_sending(params):
    with pytest.raises(UsageError):
        params.checked()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (RequestParams(model="m", max_tokens=0), "max_tokens must be at least 1 (got 0)"),
        (RequestParams(model="m", max_tokens=10, temperature=1.5),
         "temperature must be between 0 and 1 (got 1.5)"),
        (RequestParams(model="m", max_tokens=10, top_p=-0.5), "top_p must be between 0 and 1 (got -0.5)"),
        (RequestParams(model="m", max_tokens=10, top_k=0), "top_k must be at least 1 (got 0)"),
        (RequestParams(model="m", max_tokens=4000, thinking=Thinking("enabled")),
         "the thinking budget must be at least 1024 tokens (got None)"),
        (RequestParams(model="m", max_tokens=4000, thinking=Thinking("enabled", budget_tokens=1000)),
         "the thinking budget must be at least 1024 tokens (got 1000)"),
        (RequestParams(model="m", max_tokens=2000, thinking=Thinking("enabled", budget_tokens=2000)),
         "the thinking budget (2000) must be below max_tokens (2000)"),
        (RequestParams(model="m", max_tokens=10, thinking=Thinking("adaptive", effort="extreme")),
         "effort must be one of low, medium, high, xhigh, max (got 'extreme')"),
    ],
    ids=["max-tokens", "temperature", "top-p", "top-k", "no-budget", "small-budget", "budget-at-max",
         "effort"],
)
def test_each_refusal_says_what_is_wrong(params, message):
    with pytest.raises(UsageError) as caught:
        params.checked()
    assert caught.value.message.startswith(message)


def test_the_edges_of_the_ranges_are_accepted():
    params = RequestParams(model="claude-haiku-4-5", max_tokens=1025, temperature=0, top_p=1, top_k=1)
    assert params.checked() == (params, [])
    thinking = RequestParams(model="claude-haiku-4-5", max_tokens=1025,
                             thinking=Thinking("enabled", budget_tokens=1024))
    assert thinking.checked() == (thinking, [])


@pytest.mark.parametrize(("field", "what"), [("temperature", "temperature"), ("top_k", "top_k"),
                                             ("top_p", "top_p below 0.95")])
def test_each_sampling_conflict_with_thinking_is_refused_naming_it(field, what):
    value = {"temperature": 0.5, "top_k": 3, "top_p": 0.5}[field]
    params = RequestParams(model="claude-opus-4-6", max_tokens=8000, thinking=Thinking("adaptive"),
                           **{field: value})
    with pytest.raises(UsageError, match=f"does not accept {what} while thinking is on"):
        params.checked()


def test_an_auto_tool_choice_and_sampling_without_thinking_are_sent_as_given():
    with_thinking = RequestParams(model="claude-haiku-4-5", max_tokens=8000, tool_choice={"type": "auto"},
                                  thinking=Thinking("enabled", budget_tokens=2000))
    assert with_thinking.checked() == (with_thinking, [])
    without = RequestParams(model="claude-haiku-4-5", max_tokens=8000, temperature=0.5, top_k=3,
                            top_p=0.5, tool_choice={"type": "any"})
    assert without.checked() == (without, [])


# -- Turn -------------------------------------------------------------------------------


def test_a_turn_survives_its_dict_form():
    turn = Turn("assistant", [{"type": "thinking", "thinking": "t", "signature": "s"}, text("a")],
                usage={"input_tokens": 3, "output_tokens": 4}, stop_reason="max_tokens",
                model="claude-sonnet-4-5", interrupted=True)
    assert Turn.from_dict(turn.to_dict()) == turn


def test_a_turns_dict_form_leaves_out_what_it_does_not_have():
    assert Turn("user", [text("q")]).to_dict() == {"role": "user", "content": [text("q")]}
    assert Turn.from_dict({"role": "user", "content": [text("q")]}) == Turn("user", [text("q")])


def test_a_turn_whose_content_is_a_string_becomes_one_text_block():
    assert Turn.from_dict({"role": "user", "content": "hi"}).content == [text("hi")]


def test_add_assistant_keeps_the_replys_blocks_usage_and_stop_reason():
    conv = conversation()
    message = Message(id="m", model="claude-x", content=[text("a")], stop_reason="end_turn",
                      usage={"output_tokens": 2})
    turn = conv.add_assistant(message, interrupted=True)
    assert conv.turns == [turn]
    assert (turn.role, turn.content, turn.usage, turn.stop_reason, turn.model, turn.interrupted) == (
        "assistant", [text("a")], {"output_tokens": 2}, "end_turn", "claude-x", True)
