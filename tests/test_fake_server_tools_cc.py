"""The fake server's client-tool rules on /v1/chat/completions (claudechat/demo/chat_tools.py),
over HTTP: tool calls streamed in pieces (docs/PROTOCOL.md: `id` and `function.name` first,
`arguments` in fragments, merged by `index`), one `role: "tool"` message for every call right
after it (the rule API-2026.md §5 states for the Messages API), and Reply(echo_results). The
references quote no error text for this endpoint: the 400s are matched by status and by the
words that name the mistake."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from helpers.fake_server import FakeServer, Reply

FUNCTION = {"name": "f", "description": "the f tool", "parameters": {"type": "object"}}
TOOLS = [{"type": "function", "function": FUNCTION}]
CALL = {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
CALLED = {"role": "assistant", "content": None, "tool_calls": [CALL]}


def answer(tid: str = "call_1", content: str = "42") -> dict:
    return {"role": "tool", "tool_call_id": tid, "content": content}


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        yield fake


def post(server: FakeServer, messages: list, **fields) -> httpx.Response:
    body = {"model": "claude-sonnet-4-5", "max_tokens": 100, "messages": messages, "tools": TOOLS, **fields}
    return httpx.post(server.url + "/v1/chat/completions", json=body, headers={"authorization": "Bearer k"})


def chunks(response: httpx.Response) -> list[dict]:
    lines = [line[6:] for line in response.text.splitlines() if line.startswith("data: ")]
    assert lines[-1] == "[DONE]"
    return [json.loads(line) for line in lines[:-1]]


def exchange(*after: dict) -> list:
    return [{"role": "user", "content": "q"}, CALLED, *after]


def error(response: httpx.Response) -> str:
    assert response.status_code == 400, response.text
    return response.json()["error"]["message"]


def test_a_call_streams_its_id_and_name_first_then_its_arguments_in_pieces(server):
    server.enqueue(Reply(text="Looking.", tool_use=[{"id": "call_7", "name": "f", "input": {"path": "a/b"}}]))
    got = chunks(post(server, [{"role": "user", "content": "q"}], stream=True))
    calls = [c["choices"][0]["delta"]["tool_calls"][0] for c in got if c["choices"]
             and "tool_calls" in c["choices"][0]["delta"]]
    assert calls[0] == {"index": 0, "id": "call_7", "type": "function",
                        "function": {"name": "f", "arguments": ""}}
    assert len(calls) > 2 and all(set(c) == {"index", "function"} and set(c["function"]) == {"arguments"}
                                  for c in calls[1:])
    assert json.loads("".join(c["function"]["arguments"] for c in calls[1:])) == {"path": "a/b"}
    finish = [c["choices"][0]["finish_reason"] for c in got if c["choices"]]
    assert finish[-1] == "tool_calls" and set(finish[:-1]) == {None}


def test_two_parallel_calls_keep_their_index_and_a_whole_reply_lists_both(server):
    two = [{"id": "call_a", "name": "f", "input": {"n": 1}}, {"id": "call_b", "name": "f", "input": {"n": 2}}]
    server.enqueue(Reply(text="", tool_use=two), Reply(text="", tool_use=two))
    got = chunks(post(server, [{"role": "user", "content": "q"}], stream=True))
    pieces: dict[int, list[str]] = {}
    for chunk in got:
        for call in (chunk["choices"][0]["delta"].get("tool_calls") or []) if chunk["choices"] else []:
            pieces.setdefault(call["index"], []).append(call["function"]["arguments"])
    assert {i: json.loads("".join(p)) for i, p in pieces.items()} == {0: {"n": 1}, 1: {"n": 2}}
    whole = post(server, [{"role": "user", "content": "q"}]).json()["choices"][0]
    assert whole["finish_reason"] == "tool_calls" and whole["message"]["content"] is None
    assert [(c["id"], json.loads(c["function"]["arguments"])) for c in whole["message"]["tool_calls"]] == [
        ("call_a", {"n": 1}), ("call_b", {"n": 2})]


def test_one_tool_message_for_each_call_is_taken_and_echoed(server):
    two = {**CALLED, "tool_calls": [CALL, {**CALL, "id": "call_2"}]}
    server.enqueue(Reply(echo_results=True))
    messages = [{"role": "user", "content": "q"}, two, answer("call_2", "second"),
                answer("call_1", "Error: x")]
    reply = post(server, messages).json()["choices"][0]["message"]["content"]
    assert reply == "Tool results:\n[call_2] second\n[call_1] Error: x"


@pytest.mark.parametrize("after", [
    (),
    ({"role": "user", "content": "and?"},),
    ({"role": "user", "content": "and?"}, answer()),
], ids=["nothing", "a user message", "a user message first"])
def test_a_call_without_its_tool_message_right_after_is_a_400(server, after):
    assert "did not have response messages: call_1" in error(post(server, exchange(*after)))


def test_the_second_of_two_calls_unanswered_is_named(server):
    two = {**CALLED, "tool_calls": [CALL, {**CALL, "id": "call_2"}]}
    message = error(post(server, [{"role": "user", "content": "q"}, two, answer("call_1")]))
    assert message.endswith("did not have response messages: call_2")


@pytest.mark.parametrize("messages", [
    [{"role": "user", "content": "q"}, answer()],
    exchange(answer(), answer()),
    exchange(answer("call_9")),
], ids=["no call before", "answered twice", "another id"])
def test_a_tool_message_that_answers_no_call_is_a_400(server, messages):
    assert "must be a response to a preceeding message with 'tool_calls'" in error(post(server, messages))


def test_a_call_of_a_function_not_in_tools_is_a_400(server):
    other = [{"type": "function", "function": {"name": "g"}}]
    for tools in ([], other):
        assert "no `f` function was provided" in error(post(server, exchange(answer()), tools=tools))


@pytest.mark.parametrize(("call", "names"), [
    ({**CALL, "function": {"name": "f", "arguments": {}}}, "function.arguments"),
    ({**CALL, "type": "tool_use"}, "type"),
    ({"type": "function", "function": {"name": "f", "arguments": "{}"}}, "id"),
], ids=["arguments an object", "not a function", "no id"])
def test_a_malformed_call_is_a_400_naming_its_field(server, call, names):
    messages = [{"role": "user", "content": "q"}, {**CALLED, "tool_calls": [call]}, answer()]
    message = error(post(server, messages))
    assert f"messages.1.tool_calls.0.{names}" in message


@pytest.mark.parametrize(("choice", "ok"), [
    ("auto", True), ("none", True), ("required", True), ("any", False),
    ({"type": "function", "function": {"name": "f"}}, True),
    ({"type": "function", "function": {"name": "g"}}, False),
    ({"type": "tool", "name": "f"}, False),
])
def test_tool_choice_takes_this_wire_s_values(server, choice, ok):
    response = post(server, [{"role": "user", "content": "q"}], tool_choice=choice)
    assert response.status_code == (200 if ok else 400), response.text


@pytest.mark.parametrize("tools", [
    [{"name": "f", "input_schema": {"type": "object"}}],  # the Messages API's shape
    [{"type": "function", "function": {"description": "no name"}}],
    [{"type": "function", "function": {"name": "f", "strict": "yes"}}],
], ids=["messages shape", "no name", "strict not a bool"])
def test_tools_of_another_shape_are_a_400(server, tools):
    assert error(post(server, [{"role": "user", "content": "q"}], tools=tools)).startswith("tools.0.")
