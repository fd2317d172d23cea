"""api/messages.py, the /v1/messages wire format: request bodies built from a Conversation
(pure, no I/O) and the typed events read from a recorded stream (docs/PROTOCOL.md)."""

from __future__ import annotations

import pytest
from helpers.fixtures import replay

from claudechat.api import messages
from claudechat.conversation import Conversation, RequestParams, Thinking
from claudechat.message import Message

PNG = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}}


def conversation(**params) -> Conversation:
    return Conversation(params=RequestParams(model="claude-sonnet-4-5", max_tokens=1000, **params))


def reply(*blocks) -> Message:
    return Message(id="m", model="claude-sonnet-4-5", content=list(blocks), stop_reason="end_turn")


def test_messages_body_carries_every_parameter():
    conv = conversation(temperature=0.2, top_p=0.9, top_k=5, stop_sequences=("END", "STOP"),
                        tools=({"name": "f", "input_schema": {"type": "object"}},),
                        tool_choice={"type": "auto"})
    conv.system = "Be brief."
    conv.add_user("hello")
    body = messages.build_body(conv, conv.params, stream=True)
    assert body == {
        "model": "claude-sonnet-4-5", "max_tokens": 1000, "system": "Be brief.",
        "messages": [{"role": "user", "content": [{"type": "text", "text": "hello"}]}],
        "temperature": 0.2, "top_p": 0.9, "top_k": 5, "stop_sequences": ["END", "STOP"],
        "tools": [{"name": "f", "input_schema": {"type": "object"}}], "tool_choice": {"type": "auto"},
        "stream": True,
    }
    assert "stream" not in messages.build_body(conv, conv.params, stream=False)


def test_assistant_blocks_go_back_unchanged_signature_included():
    conv = conversation()
    conv.add_user("q1")
    thinking = {"type": "thinking", "thinking": "hmm", "signature": "sig-1"}
    redacted = {"type": "redacted_thinking", "data": "opaque"}
    conv.add_assistant(reply(thinking, redacted, {"type": "text", "text": "a1"}))
    conv.add_user([{"type": "text", "text": "q2"}, PNG])
    sent = messages.build_body(conv, conv.params, stream=True)["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert sent[1]["content"] == [thinking, redacted, {"type": "text", "text": "a1"}]
    assert sent[2]["content"][1] == PNG


@pytest.mark.parametrize(
    ("thinking", "expected", "extra"),
    [
        (Thinking("enabled", budget_tokens=2048), {"type": "enabled", "budget_tokens": 2048}, {}),
        (Thinking("adaptive", effort="high", display="summarized"),
         {"type": "adaptive", "display": "summarized"}, {"output_config": {"effort": "high"}}),
        (Thinking("adaptive"), {"type": "adaptive"}, {}),
    ],
)
def test_thinking_forms(thinking, expected, extra):
    conv = conversation(thinking=thinking)
    conv.add_user("q")
    body = messages.build_body(conv, conv.params, stream=False)
    assert body["thinking"] == expected
    assert {k: body[k] for k in extra} == extra
    if not extra:
        assert "output_config" not in body


# -- events ------------------------------------------------------------------------


def test_rich_stream_event_sequence_skips_pings_and_unknown_events():
    events, _ = replay("rich_stream.sse", messages)
    kinds = [type(e).__name__ for e in events]
    assert kinds[0] == "MessageStart" and kinds[-2:] == ["MessageDelta", "MessageStop"]
    assert kinds.count("ContentBlockStart") == 6 == kinds.count("ContentBlockStop")
    # the fixture has 11 content_block_delta events, one of them a citations_delta
    assert kinds.count("ContentBlockDelta") == 11
    assert len(events) == 1 + 6 + 6 + 11 + 2
