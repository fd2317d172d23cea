"""The user's own tools on the chat-completions wire format (api = "chat-completions"), through
the real CLI against the fake server's /v1/chat/completions: `tools` as functions, the calls
streamed as `tool_calls`, the results sent back as one `role: "tool"` message per call (a
failure says so in its text: this format has no is_error), ask without --yes, the chat's
confirmation, /tools off, and what this format cannot carry refused in one line."""

from __future__ import annotations

import json
import sys

import pytest
from helpers.cli import TOKEN, run_cli
from helpers.fake_server import Reply
from helpers.received import posts
from helpers.tools import assert_stopped_to_ask, tool_config, tools_off_after_a_reply

PATH = "/v1/chat/completions"
ASKED = "? [y]es / [n]o / [a]lways for echo_input / [e]dit the input:"


def call(name: str, tid: str, **input_: str) -> dict:
    return {"id": tid, "name": name, "input": input_}


def profile_toml(ace, tmp_path, extra: str = "", **settings: str) -> str:
    """default_profile "ace" (Chat Completions on the `ace` server) and helpers.tools' tools."""
    profile = (f'default_profile = "ace"\n{extra}\n[profiles.ace]\nbase_url = "{ace.url}"\nauth = "bearer"\n'
               f'api_key_env = "ACEDATA_API_TOKEN"\napi = "chat-completions"\n')
    return tool_config(tmp_path / "bin", extra=profile, **settings)


@pytest.fixture
def cc_env(clean_env, config, ace, tmp_path):
    def make(extra: str = "", **settings: str) -> dict[str, str]:
        toml = profile_toml(ace, tmp_path, extra, **settings)
        return config({**clean_env, "ACEDATA_API_TOKEN": TOKEN}, toml)
    return make


def function_call(tid: str, text: str) -> dict:
    return {"id": tid, "type": "function",
            "function": {"name": "echo_input", "arguments": json.dumps({"text": text})}}


def bodies(ace) -> list[dict]:
    return [r.json for r in posts(ace, PATH)]


def tool_messages(body: dict) -> list[dict]:
    """The role "tool" messages after the request's last assistant message."""
    messages = body["messages"]
    last = max(n for n, m in enumerate(messages) if m["role"] == "assistant")
    return [m for m in messages[last + 1:] if m["role"] == "tool"]


def test_a_two_round_loop_sends_functions_and_answers_each_call_with_a_tool_message(ace, cc_env, tmp_path):
    ace.enqueue(Reply(text="Let me look.", tool_use=[call("echo_input", "call_1", text="one")]),
                Reply(text="", tool_use=[call("echo_input", "call_2", text="two")]),
                Reply(echo_results=True))
    done = run_cli(cc_env(), "ask", "--tool", "echo_input", "--yes", "go")
    assert done.code == 0, done.err
    assert done.out.decode() == "Let me look.\nTool results:\n[call_2] got: two\n"
    first, second, third = bodies(ace)
    assert first["tools"] == [{"type": "function", "function": {
        "name": "echo_input", "description": "the echo_input tool",
        "parameters": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}}}]
    assert second["tools"] == third["tools"] == first["tools"]  # the same tools every round
    assert second["messages"][1:] == [
        {"role": "assistant", "content": "Let me look.", "tool_calls": [function_call("call_1", "one")]},
        {"role": "tool", "tool_call_id": "call_1", "content": "got: one\n"}]
    assert third["messages"][3] == {"role": "assistant", "content": None,
                                    "tool_calls": [function_call("call_2", "two")]}
    assert tool_messages(third) == [{"role": "tool", "tool_call_id": "call_2", "content": "got: two\n"}]
    assert (tmp_path / "bin" / "ran.log").read_text() == "one\ntwo\n"
    assert "tool echo_input ran: exit 0 · 1 line" in done.err
    assert posts(ace) == []  # nothing went to /v1/messages


def test_parallel_calls_run_in_order_and_their_results_go_back_together(ace, cc_env, tmp_path):
    ace.enqueue(Reply(text="", tool_use=[call("echo_input", "call_a", text="first"),
                                         call("fails", "call_b", text="x"),
                                         call("echo_input", "call_c", text="third")]),
                Reply(echo_results=True))
    done = run_cli(cc_env(), "ask", "--tool", "echo_input", "--tool", "fails", "-y", "go")
    assert done.code == 0, done.err
    first, second = bodies(ace)
    assert [m["tool_call_id"] for m in tool_messages(second)] == ["call_a", "call_b", "call_c"]
    assert [m["role"] for m in second["messages"]] == ["user", "assistant", "tool", "tool", "tool"]
    assert [c["id"] for c in second["messages"][1]["tool_calls"]] == ["call_a", "call_b", "call_c"]
    assert (tmp_path / "bin" / "ran.log").read_text() == "first\nthird\n"
    assert done.out.decode().startswith("Tool results:\n[call_a] got: first\n")


def test_a_failing_tool_goes_back_as_a_tool_message_that_says_it_failed(ace, cc_env):
    ace.enqueue(Reply(text="", tool_use=[call("fails", "call_1", text="x")]), Reply(echo_results=True))
    done = run_cli(cc_env(), "ask", "--tool", "fails", "-y", "go")
    assert done.code == 0, done.err
    [result] = tool_messages(bodies(ace)[1])
    assert result == {"role": "tool", "tool_call_id": "call_1",
                      "content": "Error: the tool failed (exit 3)\nstderr:\ndisk on fire"}
    assert "tool fails failed: exit 3: disk on fire" in done.err


def test_without_yes_ask_prints_the_call_and_exits_1_with_a_hint(ace, cc_env, tmp_path):
    ace.enqueue(Reply(text="", tool_use=[call("echo_input", "call_1", text="rm -rf")]))
    done = run_cli(cc_env(), "ask", "--tool", "echo_input", "go")
    assert_stopped_to_ask(done, tmp_path / "bin", '{"text": "rm -rf"}')
    assert len(posts(ace, PATH)) == 1


def test_a_whole_reply_without_streaming_runs_the_loop_too(ace, cc_env):
    ace.enqueue(Reply(text="", tool_use=[call("echo_input", "call_1", text="whole")]),
                Reply(echo_results=True))
    done = run_cli(cc_env(), "ask", "--no-stream", "--tool", "echo_input", "-y", "go")
    assert done.code == 0, done.err
    assert done.out.decode() == "Tool results:\n[call_1] got: whole\n"
    assert all("stream" not in body for body in bodies(ace))


def test_a_strict_tool_and_tool_choice_are_sent_in_this_wire_s_shape(ace, cc_env, tmp_path):
    program = json.dumps([sys.executable, str(tmp_path / "bin" / "echo_input.py")])
    strict = (f'[tools.exact]\ndescription = "echo, strictly"\ncommand = {program}\nstrict = true\n'
              f'input_schema = {{ type = "object", properties = {{ text = {{ type = "string" }} }}, '
              f'required = ["text"], additionalProperties = false }}\n')
    ace.enqueue(Reply(text="Fine."))
    done = run_cli(cc_env(strict), "ask", "-m", "claude-sonnet-4-5",
                   "--tool", "exact", "--tool-choice", "exact", "go")
    assert done.code == 0, done.err
    [body] = bodies(ace)
    assert body["tools"] == [{"type": "function", "function": {
        "name": "exact", "description": "echo, strictly", "strict": True, "parameters": {
            "type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"],
            "additionalProperties": False}}}]
    assert body["tool_choice"] == {"type": "function", "function": {"name": "exact"}}


def test_with_thinking_the_reasoning_is_shown_but_has_no_field_to_go_back_in(ace, cc_env):
    ace.enqueue(Reply(thinking="I should read it.", text="",
                      tool_use=[call("echo_input", "call_1", text="a")]), Reply(echo_results=True))
    done = run_cli(cc_env(), "ask", "-m", "claude-sonnet-4-5", "--think", "--show-thinking",
                   "--tool", "echo_input", "-y", "go")
    assert done.code == 0, done.err
    assert "I should read it." in done.err
    first, second = bodies(ace)
    assert first["model"] == second["model"] == "claude-sonnet-4-5-thinking"
    assert second["messages"][1] == {"role": "assistant", "content": None,
                                     "tool_calls": [function_call("call_1", "a")]}


def test_the_history_shows_the_calls_and_a_continuation_sends_them_back(ace, cc_env):
    ace.enqueue(Reply(text="Checking.", tool_use=[call("echo_input", "call_1", text="hello")]),
                Reply(text="It said hello."), Reply(text="More."))
    env = cc_env()
    assert run_cli(env, "ask", "--tool", "echo_input", "-y", "go").code == 0
    shown = run_cli(env, "history", "show", "last", "--plain")
    assert shown.code == 0, shown.err
    assert "echo_input" in shown.out.decode() and "got: hello" in shown.out.decode()
    assert run_cli(env, "ask", "-c", "and then?").code == 0
    last = bodies(ace)[-1]
    assert [m["role"] for m in last["messages"]] == ["user", "assistant", "tool", "assistant", "user"]
    assert last["tools"] == bodies(ace)[0]["tools"]


def test_cited_documents_are_refused_in_one_line_and_nothing_is_sent(ace, cc_env, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("the moon is made of rock\n", "utf-8")
    done = run_cli(cc_env(), "ask", "--cite", "-f", str(notes), "what is the moon made of?")
    assert done.code != 0 and posts(ace, PATH) == []
    [line] = done.err_lines
    assert "citations" in line and "chat-completions" in line and 'api = "messages"' in line


# -- the chat ----------------------------------------------------------------------------------


@pytest.fixture
def chat(spawn, ace, tmp_path):
    def start(*args: str):
        path = tmp_path / "tools.toml"
        path.write_text(profile_toml(ace, tmp_path), "utf-8")
        path.chmod(0o600)
        return spawn("--tool", "echo_input", *args, CLAUDECHAT_CONFIG=str(path), ACEDATA_API_TOKEN=TOKEN)
    return start


def test_the_chat_asks_runs_on_y_and_the_model_is_told_on_n(ace, chat, tmp_path):
    ace.enqueue(Reply(text="Looking.", tool_use=[call("echo_input", "call_1", text="one")]),
                Reply(echo_results=True),
                Reply(text="", tool_use=[call("echo_input", "call_2", text="no")]),
                Reply(echo_results=True))
    term = chat()
    term.say("go")
    term.wait_text('Run echo_input {"text": "one"}' + ASKED)
    assert "tool call: echo_input" in term.text()
    term.send("y\r")
    term.wait_text("[call_1] got: one")
    term.wait_prompt(after="[call_1] got: one")
    term.say("again")
    term.wait(lambda: term.text().count(ASKED) == 2, "asked again")
    term.send("n\r")
    term.wait_text("[call_2] Error: The user declined to run this tool call.")
    assert (tmp_path / "bin" / "ran.log").read_text() == "one\n"
    sent = bodies(ace)
    assert tool_messages(sent[1]) == [{"role": "tool", "tool_call_id": "call_1", "content": "got: one\n"}]
    assert tool_messages(sent[3]) == [{"role": "tool", "tool_call_id": "call_2",
                                       "content": "Error: The user declined to run this tool call."}]


def test_tools_off_in_the_chat_sends_tool_choice_none_and_keeps_the_tools(ace, chat):
    ace.enqueue(Reply(text="First."), Reply(text="Second."))
    term = chat("-m", "claude-opus-5-5")  # takes system messages on Messages; this wire has no tool_removal
    tools_off_after_a_reply(term, "echo_input is off: every tool is off, so requests say tool_choice none")
    first, second = bodies(ace)
    assert second["tools"] == first["tools"] and second["tool_choice"] == "none"
    assert not any(m["role"] == "system" for m in second["messages"])

