"""The fake server's 2026 rules (tests/helpers/fake_server.py, fake_rules.py), over real HTTP.

Each expected error text is quoted from docs/API-2026.md, with its section. Where the reference
gives no text (marked [U] there), only the status and error type are asserted."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from helpers.fake_server import ErrorReply, FakeServer, Reply, default_models

BINDING = "thinking-binding-controls-2026-08-01"
# §2 "Exact 400", and its continuation without the beta header
BOUND = ("{path}: Invalid `signature` in `thinking` block. The block is bound to a different conversation. "
         'Remove the block, or set `thinking.block_binding.prefix_mismatch_behavior` to "drop_block".')
NEEDS_HEADER = (" That setting requires the `thinking-binding-controls-2026-08-01` value in the `anthropic-beta` "
                "header.")
# §1c "Exact 400 messages"
ENABLED = ('"thinking.type.enabled" is not supported for this model. Use "thinking.type.adaptive" and '
           '"output_config.effort" to control thinking behavior.')
DISABLED = ('"thinking.type.disabled" is not supported for this model. Use "thinking.type.adaptive" and '
            '"output_config.effort" to control thinking behavior.')


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        yield fake


def post(server: FakeServer, body: dict, *, beta: str | None = None, version: str = "2023-06-01",
         path: str = "/v1/messages") -> httpx.Response:
    headers = {"x-api-key": "sk-test", "anthropic-version": version}
    if beta is not None:
        headers["anthropic-beta"] = beta
    return httpx.post(server.url + path, json=body, headers=headers, timeout=10)


def request(model: str, *messages: dict, **fields) -> dict:
    return {"model": model, "max_tokens": 2048, "messages": list(messages) or [user("hi")], **fields}


def user(text: str) -> dict:
    return {"role": "user", "content": text}


def assistant(content) -> dict:
    return {"role": "assistant", "content": content}


def system(text: str) -> dict:
    return {"role": "system", "content": text}


def refused(response: httpx.Response, status: int = 400, kind: str = "invalid_request_error") -> str:
    """The error message, after checking the status and the error type."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["type"] == kind, error
    return error["message"]


def ok(response: httpx.Response) -> dict:
    assert response.status_code == 200, response.text
    return response.json()


def events(response: httpx.Response) -> list[tuple[str, dict]]:
    assert response.status_code == 200, response.text
    found = []
    for frame in response.text.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in frame.splitlines() if ": " in line)
        if "event" in lines:
            found.append((lines["event"], json.loads(lines["data"])))
    return found


# -- §1c per-model thinking rules -----------------------------------------------------------------


@pytest.mark.parametrize(("model", "thinking", "effort", "message"), [
    ("claude-opus-5-5", {"type": "enabled", "budget_tokens": 1024}, None, ENABLED),
    ("claude-fable-5-1", {"type": "enabled", "budget_tokens": 1024}, None, ENABLED),
    ("claude-opus-4-7", {"type": "enabled", "budget_tokens": 1024}, None, ENABLED),
    ("claude-opus-5-5", {"type": "disabled"}, None, DISABLED),
    ("claude-fable-5-2", {"type": "disabled"}, None, DISABLED),
    ("claude-haiku-5-5", {"type": "disabled"}, "max", DISABLED),  # §1c: disabled at effort <= high
    ("claude-opus-5", {"type": "disabled"}, "xhigh", DISABLED),  # §1b: disabled only at effort <= high
    ("claude-haiku-4-5", {"type": "adaptive"}, None, "adaptive thinking is not supported on this model"),
    ("claude-sonnet-4-5", {"type": "adaptive"}, None, "adaptive thinking is not supported on this model"),
])
def test_thinking_types_a_model_refuses_get_the_documented_400(server, model, thinking, effort, message):
    extra = {"output_config": {"effort": effort}} if effort else {}
    assert refused(post(server, request(model, thinking=thinking, **extra))) == message
    assert server.remaining == 0  # a refused request consumes no scripted reply


@pytest.mark.parametrize(("model", "thinking", "effort"), [
    ("claude-opus-5-5", {"type": "adaptive"}, "medium"),
    ("claude-sonnet-5-5", {"type": "between_tools"}, "high"),
    ("claude-haiku-5-5", {"type": "disabled"}, "high"),
    ("claude-haiku-5-5", {"type": "disabled"}, None),  # its default effort is medium
    ("claude-opus-5", {"type": "disabled"}, None),  # its default effort is high
    ("claude-sonnet-5", {"type": "disabled"}, "max"),
    ("claude-sonnet-4-6", {"type": "enabled", "budget_tokens": 1024}, None),  # deprecated but works
    ("claude-haiku-4-5", {"type": "enabled", "budget_tokens": 1024}, None),
    ("claude-nova-9", {"type": "enabled", "budget_tokens": 1024}, None),  # unknown: accepted as before
])
def test_thinking_types_a_model_takes_are_accepted(server, model, thinking, effort):
    extra = {"output_config": {"effort": effort}} if effort else {}
    ok(post(server, request(model, thinking=thinking, **extra)))


def test_between_tools_is_sonnet_5_5_only_and_never_with_xhigh_or_max(server):
    body = request("claude-sonnet-5-5", thinking={"type": "between_tools"}, output_config={"effort": "xhigh"})
    refused(post(server, body))  # §1c "between_tools": a 400 (text [U])
    body["output_config"]["effort"] = "max"
    refused(post(server, body))
    message = refused(post(server, request("claude-opus-5-5", thinking={"type": "between_tools"})))
    assert "between_tools" in message
    # §1c: on Sonnet 5.5 `disabled` is refused with a message that points to between_tools ([U] text)
    assert "between_tools" in refused(post(server, request("claude-sonnet-5-5", thinking={"type": "disabled"})))


def test_display_rules(server):
    refused(post(server, request("claude-sonnet-5", thinking={"type": "disabled", "display": "summarized"})))
    updates = request("claude-opus-5-5", thinking={"type": "adaptive", "display": "updates"})
    refused(post(server, updates))  # §1c: `updates` without its beta header, like an unknown value
    ok(post(server, updates, beta="thinking-display-updates-2026-08-18"))
    refused(post(server, request("claude-opus-5-5", thinking={"type": "adaptive", "display": "loud"})))


def test_effort_levels_per_model(server):
    # §1c "Effort": xhigh only on Fable 5.x, Mythos 5.x, Opus 4.7-5.5 and Sonnet 5 (and 5.5, Haiku 5.5)
    refused(post(server, request("claude-sonnet-4-6", output_config={"effort": "xhigh"})))
    ok(post(server, request("claude-sonnet-4-6", output_config={"effort": "max"})))
    ok(post(server, request("claude-opus-5-5", output_config={"effort": "xhigh"})))
    ok(post(server, request("claude-haiku-5-5", output_config={"effort": "max"})))


# -- §0 sampling, §1c/§7 tool_choice and prefill ----------------------------------------------------


def test_non_default_sampling_is_refused_on_the_new_models(server):
    # §0: "`temperature` is deprecated for this model." under 2023-06-01
    assert refused(post(server, request("claude-opus-5-5", temperature=0.5))) == \
        "`temperature` is deprecated for this model."
    assert refused(post(server, request("claude-sonnet-5", top_p=0.9))) == "`top_p` is deprecated for this model."
    ok(post(server, request("claude-opus-5-5", temperature=1)))  # the default value is fine
    ok(post(server, request("claude-haiku-4-5", temperature=0.5, top_k=5)))  # older: only under thinking
    # §0: under 2026-10-21 any sampling parameter, even at the default, is an extra input
    assert refused(post(server, request("claude-haiku-4-5", temperature=1), version="2026-10-21")) == \
        "temperature: Extra inputs are not permitted"


@pytest.mark.parametrize("model", ["claude-fable-5-1", "claude-opus-5-5", "claude-sonnet-5-5"])
def test_forced_tool_choice_is_refused_where_section_1c_says(server, model):
    tools = [{"name": "f", "input_schema": {"type": "object"}}]
    for choice in ({"type": "any"}, {"type": "tool", "name": "f"}):
        assert refused(post(server, request(model, tools=tools, tool_choice=choice))) == \
            'tool_choice: type "tool" and "any" are not supported for this model.'
    ok(post(server, request(model, tools=tools, tool_choice={"type": "auto"})))


def test_forced_tool_choice_is_fine_on_opus_5(server):
    tools = [{"name": "f", "input_schema": {"type": "object"}}]
    ok(post(server, request("claude-opus-5", tools=tools, tool_choice={"type": "any"})))


def test_prefill_is_refused_on_the_new_models_but_a_paused_turn_may_go_back(server):
    prefill = request("claude-opus-5-5", user("hi"), assistant("Sure,"))
    assert refused(post(server, prefill)) == ("This model does not support assistant message prefill. "
                                              "The conversation must end with a user message.")  # §1c
    ok(post(server, request("claude-haiku-4-5", user("hi"), assistant("Sure,"))))
    server.enqueue(Reply(text="Searching", stop_reason="pause_turn"))
    paused = ok(post(server, request("claude-opus-5-5")))
    assert paused["stop_reason"] == "pause_turn"
    # §5 pause_turn: send the assistant content back unchanged as the last turn
    ok(post(server, request("claude-opus-5-5", user("hi"), assistant(paused["content"]))))


def test_retired_models_get_a_404(server):
    for model in ("claude-3-7-sonnet-20250219", "claude-opus-4-1-20250805", "claude-sonnet-4-20250514"):
        assert refused(post(server, request(model)), 404, "not_found_error") == f"model: {model}"


def test_unknown_betas_are_refused(server):
    message = refused(post(server, request("claude-opus-5-5"), beta=f"{BINDING},bogus-2026-01-01"))
    assert message == ("Unexpected value(s) `bogus-2026-01-01` for the `anthropic-beta` header. Please consult "
                       "our documentation at docs.claude.com or try again without the header.")  # §0
    ok(post(server, request("claude-opus-5-5"), beta=f"{BINDING}, compact-2026-01-12"))


def test_version_2026_10_21_refuses_assistant_documents_and_user_citations(server):
    document = {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "x"}}
    body = request("claude-opus-5-5", user("hi"), assistant([document]), user("and?"))
    ok(post(server, body))
    refused(post(server, body, version="2026-10-21"))  # §0 (2): a 400, text [U]
    cited = {"type": "text", "text": "quote", "citations": [{"type": "char_location", "cited_text": "q"}]}
    refused(post(server, request("claude-opus-5-5", {"role": "user", "content": [cited]}), version="2026-10-21"))


# -- §1d the model list ---------------------------------------------------------------------------------


def test_the_model_list_is_the_current_line_up_with_capabilities(server):
    listed = httpx.get(server.url + "/v1/models", headers={"x-api-key": "k"}).json()["data"]
    ids = [model["id"] for model in listed]
    assert ids[:5] == ["claude-fable-5-2", "claude-haiku-5-5", "claude-sonnet-5-5", "claude-opus-5-5",
                       "claude-fable-5-1"]  # newest first (§1a release dates)
    assert {"claude-opus-5", "claude-sonnet-5", "claude-opus-4-8", "claude-haiku-4-5"} <= set(ids)
    assert "claude-3-7-sonnet-20250219" not in ids
    opus = httpx.get(server.url + "/v1/models/claude-opus-5-5", headers={"x-api-key": "k"}).json()
    assert (opus["display_name"], opus["created_at"]) == ("Claude Opus 5.5", "2026-09-22T00:00:00Z")
    assert (opus["max_input_tokens"], opus["max_tokens"]) == (1_000_000, 128_000)
    assert opus["capabilities"]["thinking"]["types"] == {"adaptive": {"supported": True},
                                                         "enabled": {"supported": False}}
    assert opus["capabilities"]["effort"]["xhigh"] == {"supported": True}
    haiku = next(model for model in default_models() if model["id"] == "claude-haiku-4-5")
    assert (haiku["max_input_tokens"], haiku["max_tokens"]) == (200_000, 64_000)
    assert haiku["capabilities"]["thinking"]["types"]["adaptive"] == {"supported": False}
