"""The user's own tools in the chat on a pseudo-terminal: the confirmation keys (y, n, a, e,
Ctrl-C), the collapsed output and /expand, /tools and switching a tool off."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from helpers.fake_server import Reply
from helpers.received import posts, wait_for_bodies
from helpers.tools import results, tool_config, tools_off_after_a_reply

ASKED = "? [y]es / [n]o / [a]lways for echo_input / [e]dit the input:"


def call(tid: str, text: str) -> dict:
    return {"id": tid, "name": "echo_input", "input": {"text": text}}


@pytest.fixture
def chat(spawn, tmp_path):
    def start(*args: str, extra: str = "", **env: str):
        path = tmp_path / "tools.toml"
        path.write_text(tool_config(tmp_path / "bin", extra=extra), "utf-8")
        return spawn("--tool", "echo_input", *args, CLAUDECHAT_CONFIG=str(path), **env)
    return start


def test_y_runs_the_call_and_its_output_is_collapsed_until_expand(server, chat, tmp_path):
    server.enqueue(Reply(text="Looking.", tool_use=[call("toolu_1", "one")]), Reply(echo_results=True))
    term = chat()
    term.say("go")
    term.wait_text('Run echo_input {"text": "one"}' + ASKED)
    assert "tool call: echo_input" in term.text()  # the call, shown as it streamed
    term.send("y\r")
    term.wait_text("[toolu_1] got: one")
    assert "▸ echo_input: exit 0 · 1 line · 9 bytes (/expand 1 shows what went back)" in term.text()
    assert (tmp_path / "bin" / "ran.log").read_text() == "one\n"
    term.wait_prompt(after="[toolu_1] got: one")
    term.say("/expand 1")
    term.wait_text("echo_input result")
    assert results(posts(server)[1].json) == [
        {"type": "tool_result", "tool_use_id": "toolu_1", "content": "got: one\n"}]


@pytest.mark.parametrize("key", ["n\r", "\x03"], ids=["n", "ctrl-c"])
def test_n_or_ctrl_c_declines_and_the_model_is_told(server, chat, tmp_path, key):
    server.enqueue(Reply(text="", tool_use=[call("toolu_1", "no")]), Reply(echo_results=True))
    term = chat()
    term.say("go")
    term.wait_text(ASKED)
    term.send(key)
    term.wait_text("[toolu_1] (error) The user declined to run this tool call.")
    assert "declined: the model is told you refused to run echo_input" in term.text()
    assert not (tmp_path / "bin" / "ran.log").exists()
    assert results(wait_for_bodies(server, 2)[1])[0]["is_error"] is True


def test_a_means_always_for_that_tool_in_this_conversation(server, chat, tmp_path):
    server.enqueue(Reply(text="", tool_use=[call("toolu_1", "first")]), Reply(text="Done one."),
                   Reply(text="", tool_use=[call("toolu_2", "second")]), Reply(echo_results=True))
    term = chat()
    term.say("go")
    term.wait_text(ASKED)
    term.send("a\r")
    term.wait_text("Done one.")
    term.wait_prompt(after="Done one.")
    term.say("again")
    term.wait_text("[toolu_2] got: second")
    assert term.text().count(ASKED) == 1  # not asked the second time
    assert (tmp_path / "bin" / "ran.log").read_text() == "first\nsecond\n"


def test_e_edits_the_input_and_invalid_json_asks_again(server, chat, tmp_path):
    editor = tmp_path / "editor.py"
    editor.write_text("import sys, pathlib\n"
                      "count = pathlib.Path(sys.argv[1] + '.n')\n"
                      "n = int(count.read_text()) if count.exists() else 0\n"
                      "count.write_text(str(n + 1))\n"
                      "text = '{not json' if n == 0 else '{\"text\": \"edited\"}'\n"
                      "pathlib.Path(sys.argv[1]).write_text(text)\n", "utf-8")
    # one editor state across both edits: the counter lives beside a fixed path
    wrapper = tmp_path / "edit.sh"
    wrapper.write_text(f'#!/bin/sh\necho "$1" >> {tmp_path}/names\ncp "$1" {tmp_path}/buf\n'
                       f'{sys.executable} {editor} {tmp_path}/buf\ncp {tmp_path}/buf "$1"\n', "utf-8")
    wrapper.chmod(0o755)
    server.enqueue(Reply(text="", tool_use=[call("toolu_1", "original")]), Reply(echo_results=True))
    term = chat(EDITOR=str(wrapper), VISUAL=None)
    term.say("go")
    term.wait_text(ASKED)
    term.send("e\r")
    term.wait_text("the edited input is not valid JSON")
    term.wait(lambda: term.text().count(ASKED) == 2, "asked again")
    term.send("e\r")
    term.wait_text("edited input")
    term.wait_text('Run echo_input {"text": "edited"}' + ASKED)  # asked again, about the edited input
    term.send("y\r")
    term.wait_text("#2 · ")
    assert (tmp_path / "bin" / "ran.log").read_text() == "edited\n"
    [result] = results(posts(server)[1].json)
    assert result["content"] == ('(The user edited the input; the tool ran with: {"text": "edited"})\n'
                                 "got: edited\n")
    assert posts(server)[1].json["messages"][1]["content"][0]["input"] == {"text": "original"}  # as sent
    # the editor opened a .json file (highlighted as JSON), not the .md of a message
    assert [Path(n).suffix for n in (tmp_path / "names").read_text().split()] == [".json", ".json"]


def test_tools_off_on_a_model_with_mid_conversation_tool_changes(server, chat):
    server.enqueue(Reply(text="First."), Reply(text="Second."))
    term = chat("-m", "claude-opus-5-5")
    term.say("hi")
    term.wait_text("First.")
    term.wait_prompt(after="First.")
    term.say("/tools off echo_input")
    term.wait_text("echo_input is off: a tool_removal system message goes with your next message")
    term.say("/tools")
    term.wait_text("asks first")
    term.say("more")
    term.wait_text("Second.")
    first, second = wait_for_bodies(server, 2)
    assert second["tools"] == first["tools"]  # never edited
    assert second["messages"][3] == {"role": "system", "content": [
        {"type": "tool_removal", "tool": {"type": "tool_reference", "name": "echo_input"}}]}
    assert "mid-conversation-tool-changes-2026-07-01" in posts(server)[1].headers["anthropic-beta"]


def test_all_tools_off_without_tool_changes_sends_tool_choice_none(server, chat):
    server.enqueue(Reply(text="First."), Reply(text="Second."))
    term = chat("-m", "claude-sonnet-5")  # no mid-conversation system messages (§3)
    tools_off_after_a_reply(term, "echo_input is off: every tool is off, so requests say tool_choice none")
    first, second = wait_for_bodies(server, 2)
    assert second["tools"] == first["tools"] and second["tool_choice"] == {"type": "none"}
    assert not any(m["role"] == "system" for m in second["messages"])
