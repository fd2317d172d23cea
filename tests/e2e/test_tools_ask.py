"""The user's own tools through `claudechat ask` against the fake server: the loop, --yes,
failures, timeouts, Ctrl-C, invalid JSON, the output cap, max_tool_rounds, thinking kept."""

from __future__ import annotations

import json
import signal
import subprocess
import time

import pytest
from helpers.cli import CLI, finish, run_cli
from helpers.fake_server import RawSSE, Reply
from helpers.received import posts, wait_for_bodies
from helpers.tools import assert_stopped_to_ask, pid_alive, results, tool_config


@pytest.fixture
def tools_env(env, config, tmp_path):
    def make(extra: str = "", **settings: str) -> dict[str, str]:
        return config(env, tool_config(tmp_path / "bin", extra=extra, **settings))
    return make


def call(name: str, tid: str, **input_: str) -> dict:
    return {"id": tid, "name": name, "input": input_}


def test_a_two_round_loop_runs_each_call_and_sends_its_output_back(server, tools_env, tmp_path):
    server.enqueue(Reply(text="Let me look.", tool_use=[call("echo_input", "toolu_1", text="one")]),
                   Reply(text="", tool_use=[call("echo_input", "toolu_2", text="two"),
                                            call("echo_input", "toolu_3", text="three")]),
                   Reply(echo_results=True))
    done = run_cli(tools_env(), "ask", "--tool", "echo_input", "--yes", "go")
    assert done.code == 0, done.err
    assert done.out.decode() == ("Let me look.\nTool results:\n[toolu_2] got: two\n\n"
                                 "[toolu_3] got: three\n")
    bodies = [r.json for r in posts(server)]
    assert len(bodies) == 3
    assert [t["name"] for t in bodies[0]["tools"]] == ["echo_input"]
    assert all(b["tools"] == bodies[0]["tools"] for b in bodies)  # the same tools every round
    assert results(bodies[1]) == [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "got: one\n"}]
    assert [r["tool_use_id"] for r in results(bodies[2])] == ["toolu_2", "toolu_3"]  # one message, in order
    assert bodies[2]["messages"][1]["content"][-1]["id"] == "toolu_1"  # the reply went back as it came
    assert (tmp_path / "bin" / "ran.log").read_text() == "one\ntwo\nthree\n"
    assert "tool echo_input ran: exit 0 · 1 line" in done.err


def test_without_yes_ask_prints_the_call_and_exits_1_with_a_hint(server, tools_env, tmp_path):
    server.enqueue(Reply(text="", tool_use=[call("echo_input", "toolu_1", text="rm -rf")]))
    done = run_cli(tools_env(), "ask", "--tool", "echo_input", "go")
    assert_stopped_to_ask(done, tmp_path / "bin", '{"text": "rm -rf"}')
    assert len(posts(server)) == 1


def test_a_tool_with_confirm_false_runs_without_yes(server, tools_env):
    server.enqueue(Reply(text="", tool_use=[call("echo_input", "toolu_1", text="ok")]),
                   Reply(echo_results=True))
    done = run_cli(tools_env(echo_input="confirm = false\n"), "ask", "--tool", "echo_input", "go")
    assert done.code == 0, done.err
    assert done.out.decode() == "Tool results:\n[toolu_1] got: ok\n"


def test_a_failing_tool_is_an_error_result_with_its_stderr(server, tools_env):
    server.enqueue(Reply(text="", tool_use=[call("fails", "toolu_1", text="x")]), Reply(echo_results=True))
    done = run_cli(tools_env(), "ask", "--tool", "fails", "-y", "go")
    assert done.code == 0, done.err
    [result] = results(posts(server)[1].json)
    assert result["is_error"] is True
    assert result["content"] == "the tool failed (exit 3)\nstderr:\ndisk on fire"
    assert "tool fails failed: exit 3: disk on fire" in done.err


def test_a_tool_over_its_timeout_is_stopped_with_its_process_group(server, tools_env, tmp_path):
    server.enqueue(Reply(text="", tool_use=[call("hangs", "toolu_1", text="x")]), Reply(echo_results=True))
    started = time.monotonic()
    done = run_cli(tools_env(hangs="timeout = 2\n"), "ask", "--tool", "hangs", "-y", "go")
    assert done.code == 0, done.err
    assert time.monotonic() - started < 30
    [result] = results(posts(server)[1].json)
    assert result["is_error"] is True and result["content"].startswith("the tool timed out after 2 s")
    pids = [int(p) for p in (tmp_path / "bin" / "pids").read_text().split()]
    assert not any(pid_alive(p) for p in pids)  # the tool and its grandchild


def test_ctrl_c_during_a_tool_kills_its_process_group_and_returns_an_error(server, tools_env, tmp_path):
    server.enqueue(Reply(text="", tool_use=[call("hangs", "toolu_1", text="x")]), Reply(echo_results=True))
    proc = subprocess.Popen([*CLI, "ask", "--tool", "hangs", "-y", "go"], env=tools_env(),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    pid_file = tmp_path / "bin" / "pids"
    deadline = time.monotonic() + 20
    while not pid_file.exists() or len(pid_file.read_text().split()) < 2:
        assert time.monotonic() < deadline, "the tool never started"
        time.sleep(0.05)
    pids = [int(p) for p in pid_file.read_text().split()]
    proc.send_signal(signal.SIGINT)
    done = finish(proc)
    assert done.code == 0, done.err
    assert not any(pid_alive(p) for p in pids)
    [result] = results(wait_for_bodies(server, 2)[1])
    assert result["is_error"] is True and "interrupted" in result["content"]
    assert "interrupted (Ctrl-C): the tool was stopped" in done.err


def test_invalid_input_json_is_answered_as_documented_and_not_run(server, tools_env, tmp_path):
    events = [
        ("message_start", {"type": "message_start", "message": {
            "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-5-5",
            "content": [],
            "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 5, "output_tokens": 1}}}),
        ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {
            "type": "tool_use", "id": "toolu_1", "name": "echo_input", "input": {}}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0,
                                 "delta": {"type": "input_json_delta",
                                           "partial_json": '{"text": "unterminated'}}),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_delta", {"type": "message_delta",
                           "delta": {"stop_reason": "tool_use", "stop_sequence": None},
                           "usage": {"output_tokens": 9}}),
        ("message_stop", {"type": "message_stop"}),
    ]
    raw = "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events)
    server.enqueue(RawSSE(raw), Reply(echo_results=True))
    done = run_cli(tools_env(), "ask", "--tool", "echo_input", "-y", "go")
    assert done.code == 0, done.err
    [result] = results(posts(server)[1].json)
    assert result["is_error"] is True
    assert json.loads(result["content"]) == {"INVALID_JSON": '{"text": "unterminated'}
    assert not (tmp_path / "bin" / "ran.log").exists()


def test_output_over_the_limit_is_cut_with_a_note(server, tools_env):
    server.enqueue(Reply(text="", tool_use=[call("big", "toolu_1", text="x")]), Reply(echo_results=True))
    done = run_cli(tools_env(extra="tool_output_limit = 1000\n"), "ask", "--tool", "big", "-y", "go")
    assert done.code == 0, done.err
    [result] = results(posts(server)[1].json)
    assert result["content"] == "x" * 1000 + "\n[output cut at 1,000 of 5,000 bytes]"


def test_max_tool_rounds_ends_the_turn_with_one_line(server, tools_env):
    server.set_default(Reply(text="", tool_use=[call("echo_input", "", text="again")]))
    done = run_cli(tools_env(extra="max_tool_rounds = 2\n"), "ask", "--tool", "echo_input", "-y", "go")
    assert done.code == 0, done.err
    assert len(posts(server)) == 3  # the question and two rounds of results
    assert ("claudechat: stopped after 2 rounds of tool calls (max_tool_rounds); the model was not asked "
            "to go on") in done.err_lines


def test_thinking_blocks_and_signatures_go_back_unchanged_across_the_loop(server, tools_env):
    server.enqueue(Reply(thinking="I should read it.", text="",
                         tool_use=[call("echo_input", "toolu_1", text="a")]),
                   Reply(thinking="Now answer.", text="", tool_use=[call("echo_input", "toolu_2", text="b")]),
                   Reply(echo_results=True))
    done = run_cli(tools_env(), "ask", "-m", "claude-fable-5-2", "--tool", "echo_input", "-y", "go")
    assert done.code == 0, done.err  # Fable 5.2 checks every signature's prefix (§2): any edit is a 400
    bodies = [r.json for r in posts(server)]
    first_reply = bodies[1]["messages"][1]["content"]
    assert first_reply[0]["type"] == "thinking" and first_reply[0]["signature"]
    assert bodies[2]["messages"][1]["content"] == first_reply  # unchanged in the next round
    assert bodies[2]["messages"][3]["content"][0]["thinking"] == "Now answer."


def test_an_unknown_tool_name_is_one_line_listing_the_defined_ones(tools_env):
    done = run_cli(tools_env(), "ask", "--tool", "echo", "hi")
    assert done.code == 2
    assert done.err_lines == ["claudechat: --tool: no tool named 'echo' is defined; defined tools: big, "
                              "echo_input, fails, hangs"]


def test_a_forced_tool_choice_on_a_model_that_refuses_it_is_never_sent(server, tools_env):
    done = run_cli(tools_env(), "ask", "-m", "claude-opus-5-5", "--tool", "echo_input",
                   "--tool-choice", "echo_input", "hi")
    assert done.code == 2
    assert "strict = true" in done.err and "Traceback" not in done.err
    assert posts(server) == []


def test_the_history_holds_the_calls_and_results(server, tools_env):
    server.enqueue(Reply(text="Checking.", tool_use=[call("echo_input", "toolu_1", text="hello")]),
                   Reply(text="It said hello."))
    env = tools_env()
    assert run_cli(env, "ask", "--tool", "echo_input", "-y", "go").code == 0
    shown = run_cli(env, "history", "show", "last", "--plain")
    assert shown.code == 0, shown.err
    text = shown.out.decode()
    assert "echo_input" in text and '"text": "hello"' in text and "got: hello" in text
    exported = run_cli(env, "history", "export", "last")
    assert exported.code == 0, exported.err
    assert "echo_input" in exported.out.decode() and "got: hello" in exported.out.decode()
    # continuing sends the whole exchange again, with the tools it started with
    server.enqueue(Reply(text="More."))
    assert run_cli(env, "ask", "-c", "and then?").code == 0
    last = posts(server)[-1].json
    assert [t["name"] for t in last["tools"]] == ["echo_input"]
    assert [m["role"] for m in last["messages"]] == ["user", "assistant", "user", "assistant", "user"]


def test_continuing_keeps_the_tools_the_conversation_started_with_and_says_so(server, tools_env):
    server.enqueue(Reply(text="One."), Reply(text="Two."))
    env = tools_env()
    assert run_cli(env, "ask", "--tool", "echo_input", "first").code == 0
    done = run_cli(env, "ask", "-c", "--tool", "fails", "second")
    assert done.code == 0, done.err
    assert done.err_lines == ["claudechat: this conversation keeps the tools it started with (echo_input); "
                              "fails not added (editing its tools would break its cache and thinking); "
                              "start a new conversation to offer it"]
    first, second = (r.json for r in posts(server))
    assert second["tools"] == first["tools"]
