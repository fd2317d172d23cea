"""Settings that clash with thinking are refused when they are set (issue 10, item 5), in the
chat and on the command line, in one line that says what to do where the user is; the
state can no longer arise, so no message is sent with a setting dropped or warned about.

The rules are docs/PROTOCOL.md "Thinking" (with thinking on, temperature and top_k must not
be sent, top_p only within 0.95..1) and docs/API-2026.md §0 and §1c (non-default sampling
refused outright on the Claude 5 models and Opus 4.7/4.8; on older ones only while thinking
is on). The real CLI against the fake server, the chat on a pseudo-terminal."""

from __future__ import annotations

from helpers.cli import Result, run_cli
from helpers.fake_server import FakeServer, Reply
from helpers.pty_terminal import PROMPT, Term
from helpers.received import posts, wait_for_bodies


def refused(result: Result, server: FakeServer) -> str:
    assert (result.code, result.out) == (2, b""), result
    assert len(result.err_lines) == 1 and "Traceback" not in result.err, result.err
    assert posts(server) == []
    return result.err_lines[0]


def test_the_chat_refuses_temperature_while_thinking_and_thinking_while_temperature(server, spawn):
    server.enqueue(Reply(text="First."), Reply(text="Second."))
    term = spawn("-m", "claude-haiku-4-5")
    assert term.said("/set temperature 0.3") == "temperature = 0.3"
    assert term.said("/think on") == (
        "claude-haiku-4-5 does not accept temperature while thinking is on; "
        "turn thinking off (/think off), or /set temperature default")
    assert term.said("/think 2048") == term.said("/think on")  # a budget is thinking too
    term.say("one")
    term.wait_prompt(after="First.")
    [first] = wait_for_bodies(server, 1)
    assert first["temperature"] == 0.3 and "thinking" not in first  # nothing changed

    assert term.said("/set temperature default") == "temperature: the default (not sent)"
    assert term.said("/think on") == "thinking: on (4,096 tokens)"
    assert term.said("/set temperature 0.3") == (
        "claude-haiku-4-5 does not accept temperature while thinking is on; "
        "turn thinking off (/think off), or /set temperature default")
    assert term.said("/set top_k 5").startswith("claude-haiku-4-5 does not accept top_k while thinking")
    assert term.said("/set top_p 0.5").startswith(
        "claude-haiku-4-5 does not accept top_p below 0.95 while thinking is on")
    assert term.said("/set top_p 0.97") == "top_p = 0.97"  # allowed with thinking (PROTOCOL.md)
    term.say("two")
    row = term.wait_prompt(after="Second.")
    second = wait_for_bodies(server, 2)[1]
    assert second["thinking"] == {"type": "enabled", "budget_tokens": 4096}
    assert second["top_p"] == 0.97 and not {"temperature", "top_k"} & set(second)
    shown = " ".join(term.between(f"{PROMPT} two", row))
    assert "temperature" not in shown and "top_k" not in shown  # no per-message warning


def test_the_chat_refuses_a_model_that_rejects_what_is_set_and_keeps_the_model(server, spawn):
    server.enqueue(Reply(text="Still haiku."))
    term = spawn("-m", "claude-haiku-4-5")
    assert term.said("/set temperature 0.3") == "temperature = 0.3"
    assert term.said("/model claude-opus-5-5") == (
        "claude-opus-5-5 does not accept temperature (the API rejects sampling parameters on this "
        "model); /set temperature default and steer the reply with /think LEVEL instead")
    assert term.said("/model").startswith("model: claude-haiku-4-5 ")  # then the server's models
    term.say("hi")
    term.wait_prompt(after="Still haiku.")
    [body] = wait_for_bodies(server, 1)
    assert (body["model"], body["temperature"]) == ("claude-haiku-4-5", 0.3)


def test_ask_refuses_temperature_with_think_naming_the_option(env, server):
    line = refused(run_cli(env, "ask", "-m", "claude-haiku-4-5", "--temperature", "0.3", "--think", "hi"),
                   server)
    assert line == ("claudechat: claude-haiku-4-5 does not accept temperature while thinking is on; "
                    "turn thinking off (--no-think), or leave out --temperature")


def test_a_config_file_setting_both_is_refused_naming_the_file(env, server, config):
    env = config(env, 'model = "claude-haiku-4-5"\nthinking = true\ntemperature = 0.3\n')
    line = refused(run_cli(env, "ask", "hi"), server)
    assert line == ("claudechat: claude-haiku-4-5 does not accept temperature while thinking is on; "
                    f"turn thinking off (--no-think), or remove temperature from {env['CLAUDECHAT_CONFIG']}")
    server.enqueue(Reply(text="Without thinking."))
    result = run_cli(env, "ask", "--no-think", "hi")  # what the line says works
    assert (result.code, result.out) == (0, b"Without thinking.\n"), result
    assert posts(server)[0].json["temperature"] == 0.3


def test_the_chat_started_with_a_clash_in_the_config_says_so_in_one_line(env, server, config):
    from helpers.pty_terminal import chat_env

    env = config(env, 'model = "claude-haiku-4-5"\nthinking = true\ntop_k = 5\n')
    term = Term([], chat_env(env))
    try:
        assert term.exit_status() == 2
        assert "".join(term.lines()) == (  # one line, wrapped by the terminal
            "claudechat: claude-haiku-4-5 does not accept top_k while thinking is on; turn thinking off "
            f"(--no-think), or remove top_k from {env['CLAUDECHAT_CONFIG']}")
    finally:
        term.close()
    assert posts(server) == []
