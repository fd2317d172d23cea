"""The fake server's client-tool rules (claudechat/demo/tools.py), over HTTP: tool_result placement
(§5, §7), tool changes in a role "system" message (§3), and Reply(echo_results). Texts the
reference does not quote ([U]) are checked by status and type only."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from helpers.fake_server import FakeServer, Reply

TOOLS = [{"name": "f", "input_schema": {"type": "object"}}]
USE = {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}}
RESULT = {"type": "tool_result", "tool_use_id": "toolu_1", "content": "42"}
TEXT = {"type": "text", "text": "and then?"}


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        yield fake


def post(server: FakeServer, messages: list, *, beta: str | None = None, **fields) -> httpx.Response:
    headers = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
    if beta:
        headers["anthropic-beta"] = beta
    body = {"model": "claude-opus-5-5", "max_tokens": 100, "messages": messages, "tools": TOOLS, **fields}
    return httpx.post(server.url + "/v1/messages", json=body, headers=headers)


def exchange(*after: dict) -> list:
    return [{"role": "user", "content": "q"}, {"role": "assistant", "content": [USE]}, *after]


def status(response: httpx.Response) -> int:
    if response.status_code != 200:
        assert response.json()["error"]["type"] == "invalid_request_error"
    return response.status_code


def test_results_first_then_text_is_taken_text_first_is_refused(server):
    assert status(post(server, exchange({"role": "user", "content": [RESULT, TEXT]}))) == 200
    assert status(post(server, exchange({"role": "user", "content": [TEXT, RESULT]}))) == 400


def test_a_call_without_its_result_right_after_is_the_documented_400(server):
    response = post(server, exchange({"role": "user", "content": [TEXT]}))
    assert "`tool_use` ids were found without `tool_result` blocks immediately after" in \
        response.json()["error"]["message"]  # §5


def test_results_for_a_tool_no_longer_in_tools_are_refused(server):
    assert status(post(server, exchange({"role": "user", "content": [RESULT]}), tools=[])) == 400


REMOVAL = {"role": "system",
           "content": [{"type": "tool_removal", "tool": {"type": "tool_reference", "name": "f"}}]}
BETA = "mid-conversation-tool-changes-2026-07-01"


def test_a_tool_removal_needs_its_beta_header_and_a_declared_tool(server):
    messages = [{"role": "user", "content": "q"}, REMOVAL]
    assert status(post(server, messages)) == 400
    assert status(post(server, messages, beta=BETA)) == 200
    assert status(post(server, messages, beta="inline-tools-2026-09-15")) == 200
    unknown = {"role": "system", "content": [{"type": "tool_addition",
                                              "tool": {"type": "tool_reference", "name": "g"}}]}
    response = post(server, [{"role": "user", "content": "q"}, unknown], beta=BETA)
    assert "tool_reference_unresolved" in response.json()["error"]["message"]  # §3 error_code


def test_a_tool_removal_between_a_call_and_its_result_is_refused(server):
    assert status(post(server, exchange(REMOVAL, {"role": "user", "content": [RESULT]}), beta=BETA)) == 400


def test_a_tool_removal_after_a_paused_turn_is_refused(server):
    server.enqueue(Reply(text="partly", stop_reason="pause_turn"))
    paused = post(server, [{"role": "user", "content": "q"}]).json()
    assert paused["stop_reason"] == "pause_turn"
    messages = [{"role": "user", "content": "q"}, {"role": "assistant", "content": paused["content"]},
                REMOVAL]
    assert status(post(server, messages, beta=BETA)) == 400


def test_echo_results_answers_with_the_results_it_got(server):
    server.enqueue(Reply(echo_results=True))
    error = {**RESULT, "is_error": True, "content": [{"type": "text", "text": "boom"}]}
    answer = post(server, exchange({"role": "user", "content": [error]})).json()
    assert answer["content"][0]["text"] == "Tool results:\n[toolu_1] (error) boom"
