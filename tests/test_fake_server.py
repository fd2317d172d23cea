"""The fake server's 2026 rules (claudechat/demo/rules.py; helpers.fake_server to the tests), over HTTP.

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
NEEDS_HEADER = (" That setting requires the `thinking-binding-controls-2026-08-01` value in the "
                "`anthropic-beta` header.")
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
    off = request("claude-sonnet-5-5", thinking={"type": "disabled"})
    assert "between_tools" in refused(post(server, off))


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
    assert refused(post(server, request("claude-sonnet-5", top_p=0.9))) == \
        "`top_p` is deprecated for this model."
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
    assert message == ("Unexpected value(s) `bogus-2026-01-01` for the `anthropic-beta` header. Please "
                       "consult our documentation at docs.claude.com or try again without the header.")  # §0
    ok(post(server, request("claude-opus-5-5"), beta=f"{BINDING}, compact-2026-01-12"))


def test_version_2026_10_21_refuses_assistant_documents_and_user_citations(server):
    document = {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "x"}}
    body = request("claude-opus-5-5", user("hi"), assistant([document]), user("and?"))
    ok(post(server, body))
    refused(post(server, body, version="2026-10-21"))  # §0 (2): a 400, text [U]
    cited = {"type": "text", "text": "quote", "citations": [{"type": "char_location", "cited_text": "q"}]}
    citing = request("claude-opus-5-5", {"role": "user", "content": [cited]})
    refused(post(server, citing, version="2026-10-21"))


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


# -- §1c thinking output shapes --------------------------------------------------------------------


def test_omitted_thinking_streams_the_documented_shape(server):
    server.enqueue(Reply(thinking="A long secret thought.", text="Hi."))
    stream = events(post(server, request("claude-opus-5-5", stream=True)))
    thinking = [data for name, data in stream if data.get("index") == 0 and name.startswith("content_block")]
    assert thinking[0]["content_block"] == {"type": "thinking", "thinking": "", "signature": ""}
    assert thinking[1]["delta"] == {"type": "thinking_delta", "thinking": ""}  # exactly one, empty
    assert thinking[2]["delta"]["type"] == "signature_delta" and thinking[2]["delta"]["signature"]
    assert thinking[3] == {"type": "content_block_stop", "index": 0}
    assert len(thinking) == 4
    server.enqueue(Reply(thinking="A long secret thought.", text="Hi."))
    whole = ok(post(server, request("claude-fable-5-1")))
    assert whole["content"][0]["thinking"] == "" and whole["content"][0]["signature"]


def test_summarized_thinking_streams_its_text(server):
    server.enqueue(Reply(thinking="Let me think.", text="Hi."), Reply(thinking="Let me think.", text="Hi."))
    body = request("claude-opus-5-5", stream=True, thinking={"type": "adaptive", "display": "summarized"})
    deltas = [data["delta"] for name, data in events(post(server, body)) if name == "content_block_delta"
              and data["delta"]["type"] == "thinking_delta"]
    assert "".join(d["thinking"] for d in deltas) == "Let me think." and len(deltas) > 1
    old = ok(post(server, request("claude-sonnet-4-6")))  # display default summarized (§1c)
    assert old["content"][0]["thinking"] == "Let me think."


def test_an_unsigned_thinking_block_streams_without_a_signature_and_is_refused_back():
    # issue 10: Ace Data Cloud streamed thinking with no signature, and the API answered the
    # block sent back with "signature: Field required"
    with FakeServer(auth="bearer", key="ace-token") as ace:
        ace.enqueue(Reply(thinking="Unsigned thought.", text="Hi.", unsigned=True))
        ace.enqueue(Reply(thinking="Unsigned thought.", text="Hi.", unsigned=True))
        headers = {"authorization": "Bearer ace-token"}
        body = request("claude-sonnet-4-6", stream=True)
        response = httpx.post(ace.url + "/v1/messages", json=body, headers=headers, timeout=10)
        thinking = [data for name, data in events(response)
                    if data.get("index") == 0 and name.startswith("content_block")]
        assert thinking[0]["content_block"] == {"type": "thinking", "thinking": ""}  # no signature field
        assert [d["delta"]["type"] for d in thinking[1:-1]] == ["thinking_delta"] * len(thinking[2:])
        assert "".join(d["delta"]["thinking"] for d in thinking[1:-1]) == "Unsigned thought."
        whole = httpx.post(ace.url + "/v1/messages", json=request("claude-sonnet-4-6"), headers=headers,
                           timeout=10).json()
        block = whole["content"][0]
        assert block == {"type": "thinking", "thinking": "Unsigned thought."}
        back = request("claude-sonnet-4-6", user("hi"), assistant(whole["content"]), user("and?"))
        answer = httpx.post(ace.url + "/v1/messages", json=back, headers=headers, timeout=10)
        assert answer.status_code == 400
        assert answer.json()["error"]["message"] == "messages.1.content.0.signature: Field required"


def test_a_final_assistant_turn_ending_in_whitespace_is_refused_even_by_count_tokens(server):
    # issue 10 quotes the answer to /tokens: "final assistant content cannot end with trailing whitespace"
    refusal = "messages: final assistant content cannot end with trailing whitespace"
    for content in ("Sure.\n", [{"type": "text", "text": "Sure. "}]):
        body = request("claude-sonnet-4-6", user("hi"), assistant(content))
        assert refused(post(server, body)) == refusal
        del body["max_tokens"]
        assert refused(post(server, body, path="/v1/messages/count_tokens")) == refusal
    ended = request("claude-sonnet-4-6", user("hi"), assistant("Sure.\n"), user("and?"))
    ok(post(server, ended))  # not final: sent back as it came
    ok(post(server, request("claude-sonnet-4-5", user("hi"), assistant("Sure."))))  # a prefill it takes


# -- §2 preserved thinking -------------------------------------------------------------------------


def converse(server: FakeServer, model: str, turns: int, **fields) -> dict:
    """`turns` exchanges, each reply with thinking; the body of the last request sent."""
    messages: list[dict] = []
    for n in range(turns):
        messages.append(user(f"question {n}"))
        server.enqueue(Reply(thinking=f"thought {n}", text=f"answer {n}"))
        body = request(model, *messages, system="Be brief.", **fields)
        reply = ok(post(server, body))
        assert reply["content"][0]["type"] == "thinking"
        messages.append(assistant(reply["content"]))
    return request(model, *messages, user("next"), system="Be brief.", **fields)


@pytest.mark.parametrize("model", ["claude-opus-5-5", "claude-fable-5-1", "claude-fable-5-2",
                                   "claude-sonnet-5-5", "claude-haiku-5-5"])
def test_signatures_verify_across_a_three_turn_conversation(server, model):
    body = converse(server, model, 3)
    ok(post(server, body))
    body["system"] = [{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}]
    ok(post(server, body))  # same text as a block with a cache marker: no edit (§2 table)


def test_an_edited_system_prompt_breaks_the_next_request(server):
    body = converse(server, "claude-opus-5-5", 3)
    body["system"] = "Be verbose."
    assert refused(post(server, body)) == BOUND.format(path="messages.1.content.0") + NEEDS_HEADER
    assert refused(post(server, body, beta=BINDING)) == BOUND.format(path="messages.1.content.0")
    assert refused(post(server, body, beta=BINDING)) == BOUND.format(path="messages.1.content.0")  # again


def test_an_edited_earlier_message_breaks_the_blocks_after_it(server):
    body = converse(server, "claude-fable-5-2", 3)
    body["messages"][2] = user("a different question 1")
    assert refused(post(server, body)) == BOUND.format(path="messages.3.content.0") + NEEDS_HEADER
    edited_tools = converse(server, "claude-fable-5-2", 2, tools=[{"name": "f", "input_schema": {}}])
    edited_tools["tools"][0]["name"] = "g"
    assert refused(post(server, edited_tools)).startswith(BOUND.format(path="messages.1.content.0"))


def test_drop_block_recovers_and_reports_what_it_dropped(server):
    body = converse(server, "claude-opus-5-5", 3)
    body["system"] = "Be verbose."
    body["thinking"] = {"type": "adaptive", "block_binding": {"prefix_mismatch_behavior": "drop_block"}}
    assert refused(post(server, body)) == "thinking.block_binding: Extra inputs are not permitted"  # §2
    dropped = [{"type": "thinking_dropped", "path": f"messages.{i}.content.0",
                "reason": "prefix_binding_mismatch"} for i in (1, 3, 5)]
    assert ok(post(server, body, beta=BINDING))["input_transformations"] == dropped
    start = events(post(server, {**body, "stream": True}, beta=BINDING))[0][1]
    assert start["message"]["input_transformations"] == dropped  # on message_start.message (§2)


def test_a_clean_request_with_the_header_reports_no_transformations(server):
    body = converse(server, "claude-opus-5-5", 2)
    assert ok(post(server, body, beta=BINDING))["input_transformations"] == []
    assert "input_transformations" not in ok(post(server, body))


def test_tampered_signatures_get_the_short_400_even_with_drop_block(server):
    body = converse(server, "claude-opus-5-5", 2)
    body["thinking"] = {"type": "adaptive", "block_binding": {"prefix_mismatch_behavior": "drop_block"}}
    block = body["messages"][3]["content"][0]
    for signature in ("", "EsAAAA", block["signature"][:-4]):
        tampered = json.loads(json.dumps(body))
        tampered["messages"][3]["content"][0]["signature"] = signature
        assert refused(post(server, tampered, beta=BINDING)) == \
            "messages.3.content.0: Invalid `signature` in `thinking` block"  # §2
    edited = json.loads(json.dumps(body))
    edited["messages"][3]["content"][0]["thinking"] = "an invented thought"
    assert refused(post(server, edited, beta=BINDING)) == \
        "messages.3.content.0: Invalid `signature` in `thinking` block"


def test_an_old_model_keeps_its_rule_for_an_altered_thought(server):
    server.enqueue(Reply(thinking="Hmm.", signature="sig-1", text="a"))
    reply = ok(post(server, request("claude-sonnet-4-5")))
    reply["content"][0]["thinking"] = "Changed."
    body = request("claude-sonnet-4-5", user("hi"), assistant(reply["content"]), user("again"))
    assert refused(post(server, body)) == "messages.1.content.0: Invalid `signature` in `thinking` block"


def test_removing_thinking_at_the_end_or_all_of_it_is_no_edit(server):
    body = converse(server, "claude-opus-5-5", 3)
    last_dropped = json.loads(json.dumps(body))
    del last_dropped["messages"][5]["content"][0]
    ok(post(server, last_dropped))
    first_dropped = json.loads(json.dumps(body))
    del first_dropped["messages"][1]["content"][0]
    ok(post(server, first_dropped))
    for message in body["messages"]:
        if message["role"] == "assistant":
            del message["content"][0]
    ok(post(server, body))


def test_accounts_from_before_the_cut_off_are_not_enforced_unless_they_opt_in():
    with FakeServer(account_created="2026-08-30") as old:
        body = converse(old, "claude-opus-5-5", 2)
        body["system"] = "Be verbose."
        allowed = ok(post(old, body, beta=BINDING))["input_transformations"]
        assert allowed == [{"type": "thinking_mismatch_allowed", "path": f"messages.{i}.content.0",
                            "reason": "prefix_binding_mismatch"} for i in (1, 3)]
        binding = {"prefix_mismatch_behavior": "error"}
        opted = {**body, "thinking": {"type": "adaptive", "block_binding": binding}}
        assert refused(post(old, opted, beta=BINDING)) == BOUND.format(path="messages.1.content.0")
        fable = converse(old, "claude-fable-5-2", 1)  # Fable 5.2: every account
        fable["system"] = "Be verbose."
        refused(post(old, fable))


def test_a_block_the_model_cannot_read_is_dropped_silently(server):
    body = converse(server, "claude-fable-5-1", 2)
    body["model"] = "claude-opus-5-5"  # §2.1: Opus 5.5 doesn't read Fable blocks
    ok(post(server, body))
    assert ok(post(server, body, beta=BINDING))["input_transformations"] == [
        {"type": "thinking_dropped", "path": f"messages.{i}.content.0", "reason": "model_binding_mismatch"}
        for i in (1, 3)]
    body["model"] = "claude-fable-5-1"  # switching back restores them
    assert ok(post(server, body, beta=BINDING))["input_transformations"] == []


def test_count_tokens_runs_the_same_check(server):
    body = converse(server, "claude-opus-5-5", 2)
    body["system"] = "Be verbose."
    del body["max_tokens"]
    assert refused(post(server, body, path="/v1/messages/count_tokens")).startswith(
        BOUND.format(path="messages.1.content.0"))


# -- §3 mid-conversation system messages -----------------------------------------------------------


def test_system_messages_where_section_3_allows_them(server):
    ok(post(server, request("claude-opus-5-5", user("hi"), system("Now answer in French."))))
    placed = request("claude-opus-5-5", user("hi"), system("French."), assistant("Salut."), user("Et?"))
    ok(post(server, placed))
    ok(post(server, request("claude-opus-4-8", user("hi"), system("A."), system("B."))))  # a group
    directive = {"role": "system", "content": [], "output_config": {"effort": "low"}}
    ok(post(server, request("claude-opus-5-5", directive, user("hi"))))  # the effort-only form: anywhere


def test_misplaced_system_messages_are_refused(server):
    assert refused(post(server, request("claude-opus-5-5", system("First."), user("hi")))) == (
        "messages.0: use the top-level 'system' parameter for the initial system prompt; the directive-only "
        "form (content: [] with output_config) is accepted at any position")  # §3 Errors
    # §3 Placement: after a user turn, followed by an assistant turn or last (texts [U])
    refused(post(server, request("claude-opus-5-5", user("hi"), assistant("Hi."), system("X."), user("?"))))
    refused(post(server, request("claude-opus-5-5", user("hi"), system("X."), user("more"))))


def test_models_without_system_messages_refuse_them(server):
    body = request("claude-opus-4-7", user("hi"), system("French."))
    assert refused(post(server, body)) == "role 'system' is not supported on this model"  # §3 Errors
    body["model"] = "claude-sonnet-5"
    assert refused(post(server, body)) == "role 'system' is not supported on this model"
    body["model"] = "claude-haiku-4-5"
    assert refused(post(server, body)) == (  # §1c, Haiku 4.5
        'messages: Unexpected role "system". The Messages API accepts a top-level `system` parameter, not '
        '"system" as an input message role.')


def test_system_messages_are_part_of_the_prefix(server):
    messages = [user("hi"), system("Answer in French.")]
    server.enqueue(Reply(thinking="Hmm.", text="Salut."))
    reply = ok(post(server, request("claude-opus-5-5", *messages)))
    body = request("claude-opus-5-5", *messages, assistant(reply["content"]), user("encore"))
    ok(post(server, body))
    body["messages"][1] = system("Answer in German.")
    assert refused(post(server, body)).startswith(BOUND.format(path="messages.2.content.0"))


# -- §5, §9 replies and §10 errors -----------------------------------------------------------------------


def test_a_refusal_carries_stop_details(server):
    details = {"type": "refusal", "category": "cyber", "explanation": "Not this."}
    server.enqueue(Reply(text="Partial", stop_reason="refusal", stop_details=details),
                   Reply(text="", stop_reason="refusal", stop_details=details))
    stream = events(post(server, request("claude-opus-5-5", stream=True)))
    delta = next(data for name, data in stream if name == "message_delta")["delta"]
    assert (delta["stop_reason"], delta["stop_details"]) == ("refusal", details)
    whole = ok(post(server, request("claude-opus-5-5")))
    assert (whole["stop_reason"], whole["stop_details"], whole["content"]) == ("refusal", details, [])


@pytest.mark.parametrize("reason", ["pause_turn", "model_context_window_exceeded"])
def test_the_new_stop_reasons(server, reason):
    server.enqueue(Reply(text="So far.", stop_reason=reason))
    stream = events(post(server, request("claude-opus-5-5", stream=True)))
    assert next(data for name, data in stream if name == "message_delta")["delta"]["stop_reason"] == reason


def test_a_fallback_block_comes_first_and_the_serving_model_answers(server):
    fallback = {"from": "claude-fable-5-1", "to": "claude-opus-5-5", "category": "cyber"}
    server.enqueue(Reply(text="Answer.", fallback=fallback), Reply(text="Answer.", fallback=fallback))
    stream = events(post(server, request("claude-fable-5-1", stream=True)))
    assert stream[0][1]["message"]["model"] == "claude-opus-5-5"
    first = [(name, data) for name, data in stream if data.get("index") == 0]
    assert [name for name, _ in first] == ["content_block_start", "content_block_stop"]  # no deltas (§5)
    assert first[0][1]["content_block"] == {
        "type": "fallback", "from": {"model": "claude-fable-5-1"}, "to": {"model": "claude-opus-5-5"},
        "trigger": {"type": "refusal", "category": "cyber"}}
    whole = ok(post(server, request("claude-fable-5-1")))
    assert [block["type"] for block in whole["content"]] == ["fallback", "text"]


def test_whole_blocks_arrive_in_content_block_start_after_the_text(server):
    result = {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []}
    server.enqueue(Reply(text="Found.", blocks=[result]))
    stream = events(post(server, request("claude-opus-5-5", stream=True)))
    starts = [data["content_block"] for name, data in stream if name == "content_block_start"]
    assert starts == [{"type": "text", "text": ""}, result]
    assert not [data for name, data in stream if name == "content_block_delta" and data["index"] == 1]


@pytest.mark.parametrize(("status", "kind"), [(402, "billing_error"), (504, "timeout_error"),
                                              (409, "conflict_error")])
def test_the_2026_error_types(server, status, kind):
    server.enqueue(ErrorReply(status))
    refused(post(server, request("claude-opus-5-5")), status, kind)  # §10


def test_a_scripted_signature_is_valid_but_bound_to_nothing(server):
    server.enqueue(Reply(thinking="Hmm.", signature="sig-scripted", text="a"))
    reply = ok(post(server, request("claude-opus-5-5")))
    body = request("claude-opus-5-5", user("hi"), assistant(reply["content"]), user("again"), system="New.")
    ok(post(server, body))
    body["messages"][1]["content"][0]["signature"] = "sig-never-issued"
    assert refused(post(server, body)) == "messages.1.content.0: Invalid `signature` in `thinking` block"


# --------------------------------------------------------------------------- §4 prompt caching
# Tokens as count_tokens counts them (characters // 4 + 1); a prefix is its characters // 4.

LONG = "x" * 4000  # 1,000 tokens of system prompt
AUTO = {"type": "ephemeral"}


def cached(server: FakeServer, model: str, *messages: dict, **fields) -> dict:
    body = request(model, *messages, system=LONG, cache_control=AUTO, **fields)
    return ok(post(server, body))


def cache_usage(reply: dict) -> tuple[int, int, int]:
    usage = reply["usage"]
    return usage["input_tokens"], usage["cache_creation_input_tokens"], usage["cache_read_input_tokens"]


def test_automatic_caching_writes_the_prefix_then_reads_it(server):
    server.enqueue(Reply(text="Hello there!"))  # 12 characters
    first = cached(server, "claude-opus-5-5", user("hi"))
    # 4,002 characters: the breakpoint on "hi" covers 1,000 tokens; 1 token after it
    assert cache_usage(first) == (1, 1000, 0)
    assert first["usage"]["cache_creation"] == {"ephemeral_5m_input_tokens": 1000,
                                                "ephemeral_1h_input_tokens": 0}
    second = cached(server, "claude-opus-5-5", user("hi"), assistant("Hello there!"), user("next"))
    # 4,018 characters: 1,000 read, the 4 new ones written up to the new breakpoint (4018 // 4)
    assert cache_usage(second) == (1, 4, 1000)


def test_without_cache_control_nothing_is_cached(server):
    body = request("claude-opus-5-5", user("hi"), system=LONG)
    assert cache_usage(ok(post(server, body))) == (1001, 0, 0)
    assert cache_usage(ok(post(server, body))) == (1001, 0, 0)


def test_below_the_models_minimum_nothing_is_cached_and_nothing_fails(server):
    # Haiku 4.5 caches from 4,096 tokens (§4); Opus 4.8 from 1,024, Opus 5.5 from 512
    assert cache_usage(cached(server, "claude-haiku-4-5", user("hi"))) == (1001, 0, 0)
    assert cache_usage(cached(server, "claude-haiku-4-5", user("hi"))) == (1001, 0, 0)
    body = request("claude-opus-4-8", user("hi"), system="y" * 4096, cache_control=AUTO)
    assert cache_usage(ok(post(server, body))) == (1, 1024, 0)


def test_an_entry_expires_after_its_ttl_and_a_read_refreshes_it(server):
    cached(server, "claude-opus-5-5", user("hi"))
    server.advance(299)
    assert cache_usage(cached(server, "claude-opus-5-5", user("hi"))) == (1, 0, 1000)
    server.advance(299)  # 598 s after the write, 299 after the read that refreshed it
    assert cache_usage(cached(server, "claude-opus-5-5", user("hi"))) == (1, 0, 1000)
    server.advance(301)
    assert cache_usage(cached(server, "claude-opus-5-5", user("hi"))) == (1, 1000, 0)


def test_a_one_hour_ttl_is_written_as_such_and_outlives_five_minutes(server):
    hour = {"type": "ephemeral", "ttl": "1h"}
    body = request("claude-opus-5-5", user("hi"), system=LONG, cache_control=hour)
    assert ok(post(server, body))["usage"]["cache_creation"] == {
        "ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 1000}
    server.advance(3000)
    assert cache_usage(ok(post(server, body))) == (1, 0, 1000)


def test_the_cache_is_per_model_and_per_thinking_config(server):
    cached(server, "claude-opus-5-5", user("hi"))
    assert cache_usage(cached(server, "claude-sonnet-5-5", user("hi"))) == (1, 1000, 0)
    effort = {"effort": "low"}
    assert cache_usage(cached(server, "claude-opus-5-5", user("hi"), output_config=effort)) == (1, 1000, 0)


def test_streaming_carries_the_cache_fields_in_message_start_and_message_delta(server):
    cached(server, "claude-opus-5-5", user("hi"))
    body = request("claude-opus-5-5", user("hi"), system=LONG, cache_control=AUTO, stream=True)
    found = dict(events(post(server, body)))
    start = found["message_start"]["message"]["usage"]
    assert (start["input_tokens"], start["cache_read_input_tokens"]) == (1, 1000)
    assert found["message_delta"]["usage"]["cache_read_input_tokens"] == 1000


def test_diagnostics_say_why_the_cache_missed(server):
    server.enqueue(Reply(text="Hello there!"))
    first = cached(server, "claude-opus-5-5", user("hi"), diagnostics={"previous_message_id": None})
    assert first["diagnostics"] == {"cache_miss_reason": None}
    turn = (user("hi"), assistant("Hello there!"), user("next"))
    same = cached(server, "claude-opus-5-5", *turn, diagnostics={"previous_message_id": first["id"]})
    assert same["diagnostics"] == {"cache_miss_reason": None}
    switched = cached(server, "claude-sonnet-5-5", *turn, diagnostics={"previous_message_id": first["id"]})
    # the previous request's 1,001 input tokens could not be read
    assert switched["diagnostics"] == {"cache_miss_reason": {"type": "model_changed",
                                                             "cache_missed_input_tokens": 1001}}
    edited = cached(server, "claude-opus-5-5", user("HI"), assistant("x"), user("next"),
                    diagnostics={"previous_message_id": first["id"]})
    assert edited["diagnostics"]["cache_miss_reason"]["type"] == "messages_changed"
    lost = cached(server, "claude-opus-5-5", user("hi"), diagnostics={"previous_message_id": "msg_nope"})
    assert lost["diagnostics"] == {"cache_miss_reason": {"type": "previous_message_not_found"}}
    assert "diagnostics" not in cached(server, "claude-opus-5-5", user("hi"))


def test_a_proxy_refuses_the_cache_fields():
    with FakeServer(refuse_cache_control=True) as proxy:
        body = request("claude-opus-5-5", user("hi"), cache_control=AUTO)
        assert refused(post(proxy, body)) == "cache_control: Extra inputs are not permitted"
        del body["cache_control"]
        assert ok(post(proxy, body))["usage"]["cache_read_input_tokens"] == 0
