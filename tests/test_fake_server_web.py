"""The fake server's server tools and citations (claudechat/demo/web.py), over HTTP.

From docs/API-2026.md §5 and §6. Quoted texts are asserted; where the reference gives only
"a 400" the status and the error type are."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator

import httpx
import pytest
from helpers.fake_server import Cite, FakeServer, Fetch, Reply, Search

SEARCH_TOOL = {"type": "web_search_20250305", "name": "web_search"}
FETCH_TOOL = {"type": "web_fetch_20250910", "name": "web_fetch"}
CATS = "https://cats.example/a"


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        yield fake


def post(server: FakeServer, body: dict) -> httpx.Response:
    return httpx.post(server.url + "/v1/messages", json=body, timeout=10,
                      headers={"x-api-key": "sk-test", "anthropic-version": "2023-06-01"})


def body(*messages: dict, tools: list | None = None, **fields) -> dict:
    return {"model": "claude-opus-5-5", "max_tokens": 1024,
            "messages": list(messages) or [{"role": "user", "content": "cats?"}],
            **({"tools": tools} if tools is not None else {}), **fields}


def refused(response: httpx.Response) -> str:
    assert response.status_code == 400, response.text
    assert response.json()["error"]["type"] == "invalid_request_error"
    return response.json()["error"]["message"]


def searched(server: FakeServer, *steps, tools=(SEARCH_TOOL,), **fields) -> dict:
    server.enqueue(Reply(web=list(steps), text=""))
    response = post(server, body(tools=list(tools), **fields))
    assert response.status_code == 200, response.text
    return response.json()


def test_a_search_streams_its_query_and_cited_text_arrives_as_citations_delta(server):
    server.enqueue(Reply(web=[Search("cats", results=[("Cats", CATS)]), Cite("great", url=CATS)], text=""))
    events = []
    with httpx.stream("POST", server.url + "/v1/messages", json=body(tools=[SEARCH_TOOL], stream=True),
                      headers={"x-api-key": "k", "anthropic-version": "2023-06-01"}) as response:
        for line in response.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
    deltas = [e["delta"] for e in events if e["type"] == "content_block_delta"]
    streamed = "".join(d["partial_json"] for d in deltas if d["type"] == "input_json_delta")
    assert streamed == '{"query": "cats"}'
    [cited] = [d["citation"] for d in deltas if d["type"] == "citations_delta"]
    assert cited["type"] == "web_search_result_location" and cited["url"] == CATS
    starts = [e["content_block"] for e in events if e["type"] == "content_block_start"]
    assert starts[1]["type"] == "web_search_tool_result" and starts[1]["content"][0]["encrypted_content"]
    final = [e for e in events if e["type"] == "message_delta"][0]["usage"]
    assert final["server_tool_use"] == {"web_search_requests": 1, "web_fetch_requests": 0}


def follow_up(reply: dict, change=None) -> dict:
    content = copy.deepcopy(reply["content"])
    if change:
        change(content)
    return body({"role": "user", "content": "cats?"}, {"role": "assistant", "content": content},
                {"role": "user", "content": "more"}, tools=[SEARCH_TOOL])


def test_encrypted_values_must_come_back_unchanged(server):
    reply = searched(server, Search("cats", results=[("Cats", CATS)]), Cite("great", url=CATS))
    assert post(server, follow_up(reply)).status_code == 200

    def tamper(content):
        content[1]["content"][0]["encrypted_content"] += "x"

    assert "encrypted_content" in refused(post(server, follow_up(reply, tamper)))

    def drop(content):
        del content[2]["citations"][0]["encrypted_index"]

    assert "encrypted_index" in refused(post(server, follow_up(reply, drop)))


def test_a_server_tool_use_without_its_result_or_its_tool_is_refused(server):
    reply = searched(server, Search("cats", results=[("Cats", CATS)]))

    def orphan(content):
        del content[1]

    message = refused(post(server, follow_up(reply, orphan)))
    assert message.endswith("`web_search` tool use with id `srvtoolu_1` was found without a corresponding "
                            "`web_search_tool_result` block")  # §5, quoted
    no_tool = follow_up(reply)
    del no_tool["tools"]
    assert refused(post(server, no_tool)).endswith("but no `web_search` tool was provided")  # §5


@pytest.mark.parametrize("tool", [
    {**SEARCH_TOOL, "allowed_domains": ["a.example"], "blocked_domains": ["b.example"]},
    {**SEARCH_TOOL, "user_location": {"type": "approximate", "country": "Germany"}},
    {"type": "web_search_20260209", "name": "web_search"},
])
def test_tool_definitions_the_api_refuses(server, tool):
    refused(post(server, body(tools=[tool])))


def test_the_newer_versions_work_with_direct_callers(server):
    tool = {"type": "web_search_20260209", "name": "web_search", "allowed_callers": ["direct"]}
    assert post(server, body(tools=[tool])).status_code == 200


def test_max_uses_domains_and_tool_choice_none(server):
    limited = {**SEARCH_TOOL, "max_uses": 1, "blocked_domains": ["dogs.example"]}
    reply = searched(server, Search("cats", results=[("Cats", CATS), ("Dogs", "https://dogs.example/")]),
                     Search("again"), tools=[limited])
    first, second = reply["content"][1]["content"], reply["content"][3]["content"]
    assert [r["url"] for r in first] == [CATS]
    assert second == {"type": "web_search_tool_result_error", "error_code": "max_uses_exceeded"}
    quiet = searched(server, Search("cats"), "No search.", tool_choice={"type": "none"})
    assert [b["type"] for b in quiet["content"]] == ["text"]


def test_web_fetch_opens_only_urls_seen_before(server):
    page = "https://docs.example/guide"
    steps = [Fetch(page, title="Guide"), Fetch("https://other.example/"),
             Fetch("https://x.example/" + "a" * 250)]
    server.enqueue(Reply(web=steps, text=""))
    reply = post(server, body({"role": "user", "content": f"read {page} please"}, tools=[FETCH_TOOL])).json()
    results = [b["content"] for b in reply["content"] if b["type"] == "web_fetch_tool_result"]
    assert results[0]["url"] == page and results[0]["content"]["title"] == "Guide"
    assert [r.get("error_code") for r in results[1:]] == ["url_not_in_prior_context", "url_too_long"]


def test_document_citations_only_with_citations_enabled_on_all_or_none(server):
    text_doc = {"type": "document", "source": {"type": "text", "media_type": "text/plain",
                                               "data": "Cats sleep a lot."}, "citations": {"enabled": True}}
    ask = {"role": "user", "content": [text_doc, {"type": "text", "text": "cats?"}]}
    server.enqueue(Reply(web=[Cite("They sleep.", document=0, quote="sleep a lot")], text=""))
    [block] = post(server, body(ask)).json()["content"]
    assert block["citations"] == [{"type": "char_location", "cited_text": "sleep a lot", "document_index": 0,
                                   "document_title": None, "start_char_index": 5, "end_char_index": 16}]
    plain = {**text_doc}
    del plain["citations"]
    mixed = {"role": "user", "content": [text_doc, plain, {"type": "text", "text": "cats?"}]}
    refused(post(server, body(mixed)))
