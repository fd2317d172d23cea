"""message.py: a reply as the non-streaming API returns it. Per its docstring, content
blocks stay plain dicts so block types this version does not know are kept exactly, and
top-level fields it does not know are kept too; `.text` is what a user reads as the answer."""

from __future__ import annotations

import copy

from claudechat.message import Message

FROM_THE_API = {
    "id": "msg_01", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
    "content": [
        {"type": "thinking", "thinking": "hmm", "signature": "sig"},
        {"type": "text", "text": "Hello, ", "citations": None},
        {"type": "brand_new_block", "payload": {"nested": [1, 2, {"x": None}]}, "flag": True},
        {"type": "tool_use", "id": "t", "name": "f", "input": {"text": "not the answer"}},
        {"type": "text", "text": "world."},
    ],
    "stop_reason": "end_turn", "stop_sequence": None,
    "usage": {"input_tokens": 5, "output_tokens": 7, "server_tool_use": {"web_search_requests": 1}},
    "container": {"id": "c1", "expires_at": "2026-01-01T00:00:00Z"},
    "context_management": None,
}


def test_a_message_goes_back_to_exactly_the_dict_it_came_from():
    data = copy.deepcopy(FROM_THE_API)
    assert Message.from_dict(data).to_dict() == FROM_THE_API


def test_unknown_top_level_fields_and_block_types_are_kept_as_they_came():
    message = Message.from_dict(copy.deepcopy(FROM_THE_API))
    assert message.extra == {"container": FROM_THE_API["container"], "context_management": None}
    assert message.content[2] == FROM_THE_API["content"][2]


def test_from_dict_copies_the_blocks_so_the_source_can_change():
    data = copy.deepcopy(FROM_THE_API)
    message = Message.from_dict(data)
    data["content"][1]["text"] = "changed"
    assert message.content[1]["text"] == "Hello, "


def test_text_joins_only_the_text_blocks():
    assert Message.from_dict(FROM_THE_API).text == "Hello, world."
    assert Message(content=[{"type": "thinking", "thinking": "t"}]).text == ""


def test_missing_fields_take_their_defaults():
    message = Message.from_dict({"content": [{"type": "text", "text": "x"}]})
    assert (message.id, message.model, message.role, message.stop_reason, message.usage, message.extra) == (
        "", "", "assistant", None, {}, {})
    assert message.to_dict()["type"] == "message"
