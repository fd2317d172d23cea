"""Options given before a command (issue 10, item 4): `claudechat -m X ask hi` is
`claudechat ask -m X hi` — what the server receives proves it — the same option after
the command wins, and an option a command has no use for (`claudechat -m X history
list`) is one stderr line naming it, exit 2. The real CLI against the fake server."""

from __future__ import annotations

import json

import pytest
from helpers.cli import KEY, TOKEN, Result, run_cli
from helpers.fake_server import FakeServer, Reply
from helpers.received import posts, text_of

TEXT = "Hello from the options test."


def body_of(result: Result, server: FakeServer) -> dict:
    assert (result.code, result.err) == (0, ""), result
    assert result.out == (TEXT + "\n").encode()
    [request] = posts(server)
    return request.json


def test_model_system_effort_and_max_tokens_before_ask_are_sent(env, server):
    server.enqueue(Reply(text=TEXT))
    result = run_cli(env, "-m", "claude-haiku-5-5", "-s", "Answer in one word.", "--effort", "low",
                     "--max-tokens", "3000", "ask", "hi")
    body = body_of(result, server)
    assert body["model"] == "claude-haiku-5-5"
    assert text_of(body["system"]) == "Answer in one word."
    assert body["output_config"] == {"effort": "low"}
    assert body["max_tokens"] == 3000


@pytest.mark.parametrize(("args", "thinking"), [
    (["-m", "claude-sonnet-5-5", "--no-think"], {"type": "between_tools"}),
    (["-m", "claude-opus-4-8", "--think"], {"type": "adaptive", "display": "summarized"}),
    (["-m", "claude-haiku-4-5", "--thinking-budget", "2048"], {"type": "enabled", "budget_tokens": 2048}),
])
def test_thinking_options_before_ask_are_sent(env, server, args, thinking):
    server.enqueue(Reply(text=TEXT))
    body = body_of(run_cli(env, *args, "ask", "hi"), server)
    assert body["thinking"] == thinking


def test_a_profile_before_ask_uses_its_server_and_its_key(clean_env, config, server, ace):
    env = config({**clean_env, "ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": server.url,
                  "OTHER_TOKEN": TOKEN}, f"""
[profiles.other]
base_url = "{ace.url}"
auth = "bearer"
api_key_env = "OTHER_TOKEN"
""")
    ace.enqueue(Reply(text=TEXT))
    result = run_cli(env, "-p", "other", "ask", "hi")
    assert (result.code, result.out) == (0, (TEXT + "\n").encode()), result
    [request] = posts(ace)
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert posts(server) == []


def test_a_base_url_before_ask_is_the_server_asked(clean_env, servers):
    first, second = servers(auth="x-api-key", key=KEY), servers(auth="x-api-key", key=KEY)
    env = {**clean_env, "ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": first.url}
    second.enqueue(Reply(text=TEXT))
    body_of(run_cli(env, "--base-url", second.url, "ask", "hi"), second)
    assert posts(first) == []


def test_the_same_option_after_ask_wins(env, server):
    server.enqueue(Reply(text=TEXT))
    result = run_cli(env, "-m", "claude-opus-5-5", "-s", "before", "ask", "-m", "claude-haiku-5-5", "hi")
    body = body_of(result, server)
    assert body["model"] == "claude-haiku-5-5"
    assert text_of(body["system"]) == "before"  # given once, before: it applies


def test_continue_and_no_save_before_ask(env, server):
    server.enqueue(Reply(text=TEXT), Reply(text=TEXT), Reply(text=TEXT))
    assert run_cli(env, "ask", "first").code == 0
    assert run_cli(env, "-c", "ask", "second").code == 0
    second = posts(server)[1].json
    assert [text_of(m["content"]) for m in second["messages"]] == ["first", TEXT, "second"]
    assert run_cli(env, "--no-save", "ask", "unsaved").code == 0
    listed = json.loads(run_cli(env, "history", "list", "--json").out)
    assert [c["title"] for c in listed] == ["first"]  # the continued one; nothing new


def test_debug_before_ask_shows_the_request_with_the_key_redacted(env, server):
    server.enqueue(Reply(text=TEXT))
    result = run_cli(env, "--debug", "ask", "hi")
    assert result.code == 0, result
    assert any(line.startswith("debug: ") for line in result.err_lines), result.err
    assert KEY not in result.err


# Every option of the top-level command: how it is written before `history list`, how the
# refusal names it, and the form it suggests with ask.
BEFORE_HISTORY = {
    "model": (["-m", "claude-haiku-5-5"], "-m/--model", "--model NAME"),
    "system": (["-s", "terse"], "-s/--system", "--system TEXT"),
    "profile": (["-p", "anthropic"], "-p/--profile", "--profile NAME"),
    "think": (["--no-think"], "--think/--no-think", "--no-think"),
    "thinking_budget": (["--thinking-budget", "2048"], "--thinking-budget", "--thinking-budget N"),
    "effort": (["--effort", "low"], "--effort", "--effort LEVEL"),
    "max_tokens": (["--max-tokens", "100"], "--max-tokens", "--max-tokens N"),
    "base_url": (["--base-url", "http://127.0.0.1:9"], "--base-url", "--base-url URL"),
    "continue_last": (["-c"], "-c/--continue", "--continue"),
    "cid": (["--cid", "last"], "--cid", "--cid ID"),
    "save": (["--no-save"], "--save/--no-save", "--no-save"),
    "resize": (["--resize"], "--resize/--no-resize", "--resize"),
    "demo": (["--demo"], "--demo", "--demo"),
    "web": (["--web"], "--web/--no-web", "--web"),
    "cite": (["--cite"], "--cite/--no-cite", "--cite"),
    "tool": (["--tool", "read_file"], "--tool", "--tool NAME"),
    "tool_choice": (["--tool-choice", "auto"], "--tool-choice", "--tool-choice auto|none|NAME"),
}
EVERYWHERE = {"version", "plain", "debug"}  # --version exits; --plain and --debug apply to every command


@pytest.mark.parametrize("name", sorted(BEFORE_HISTORY))
def test_an_option_history_has_no_use_for_is_refused_in_one_line(env, server, name):
    args, flags, form = BEFORE_HISTORY[name]
    result = run_cli(env, *args, "history", "list")
    assert (result.code, result.out) == (2, b""), result
    assert result.err_lines == [f"claudechat: {flags} does not apply to `claudechat history`; it "
                                f"goes with the chat (claudechat {form}) or with ask "
                                f"(claudechat ask {form} PROMPT)"]


def test_every_option_of_the_top_level_command_is_checked_before_history():
    import typer.main

    from claudechat.cli import app

    root = typer.main.get_command(app)
    assert {p.name for p in root.params} == set(BEFORE_HISTORY) | EVERYWHERE


def test_plain_before_history_applies_to_it(env, server):
    server.enqueue(Reply(text=TEXT))
    assert run_cli(env, "ask", "hi").code == 0
    result = run_cli(env, "--plain", "history", "list")
    assert result.code == 0, result
    [row] = result.rows
    assert row[2] == "hi"


@pytest.mark.parametrize("args", [["-t", "0.3"], ["--json"], ["--stop", "END"], ["-f", "notes.txt"]])
def test_an_option_of_ask_given_before_it_says_where_it_goes(env, server, args):
    result = run_cli(env, *args, "ask", "hi")
    assert (result.code, result.out) == (2, b""), result
    assert result.err_lines == [f"claudechat: {args[0]} is an option of ask, not of the chat: "
                                f"put it after ask (claudechat ask {args[0]} …)"]
    assert posts(server) == []


def test_an_option_nobody_has_is_typers_line_with_where_to_look(env, server):
    result = run_cli(env, "--colour", "ask", "hi")
    assert (result.code, result.err_lines) == (2, ["claudechat: No such option: --colour "
                                                   "(see claudechat --help)"]), result
