"""`claudechat models` (issue 14): the server's models from GET /v1/models, every page, as a
table on a terminal, tab-separated lines on a pipe and the server's own list with --json;
a server without the endpoint gets one line; the list it fetched is the one the chat's
/model (no argument) shows from the cache. The real CLI against the loopback fake server."""

from __future__ import annotations

import json
import re

from helpers.cli import TOKEN, run_cli
from helpers.fake_server import model_info
from helpers.pty_terminal import pexpect_child

SONNET_5_5 = ["claude-sonnet-5-5", "Claude Sonnet 5.5", "2026-09-28", "1000000", "128000",
              "adaptive", "low,medium,high,xhigh,max"]  # docs/API-2026.md §1a, as the fake lists it
HAIKU_4_5 = ["claude-haiku-4-5", "Claude Haiku 4.5", "2025-10-15", "200000", "64000", "enabled", "none"]


def model_gets(server) -> list:
    return [r for r in server.requests if r.method == "GET" and r.path == "/v1/models"]


def many(n: int) -> list[dict]:
    return [model_info(f"claude-test-{i:04d}", f"Test {i}", "2026-11-01T00:00:00Z",
                       enabled_thinking=False, adaptive_thinking=True) for i in range(n)]


def test_on_a_pipe_each_model_is_one_tab_separated_line(env, server):
    result = run_cli(env, "models")
    assert (result.code, result.err) == (0, ""), result
    assert b"\x1b" not in result.out
    rows = result.rows
    assert [row[0] for row in rows] == [m["id"] for m in server.models]  # the server's order
    assert SONNET_5_5 in rows and HAIKU_4_5 in rows


def test_every_page_is_fetched(env, server):
    server.models = many(1500)  # the API gives at most 1000 a page (limit 1..1000)
    result = run_cli(env, "models")
    assert result.code == 0, result
    assert [row[0] for row in result.rows] == [f"claude-test-{i:04d}" for i in range(1500)]
    first, second = model_gets(server)
    assert "after_id" not in first.query
    assert second.query["after_id"] == ["claude-test-0999"]


def test_a_chat_completions_profile_asks_its_server_with_its_token(chat_env, ace):
    result = run_cli(chat_env, "-p", "ace", "models")  # an option before the command applies to it
    assert (result.code, result.err) == (0, ""), result
    assert [row[0] for row in result.rows] == [m["id"] for m in ace.models]
    [request] = model_gets(ace)
    assert request.headers["authorization"] == f"Bearer {TOKEN}"


def test_json_is_the_list_as_the_server_sent_it(env, server):
    result = run_cli(env, "models", "--json")
    assert result.code == 0, result
    assert json.loads(result.out) == server.models


def test_a_server_without_the_endpoint_gets_one_line(servers, clean_env):
    server = servers(model_list=False)
    env = {**clean_env, "ANTHROPIC_API_KEY": "sk-ant-x", "ANTHROPIC_BASE_URL": server.url}
    result = run_cli(env, "models")
    assert (result.code, result.out) == (1, b""), result
    assert result.err_lines == [f"claudechat: the server of profile 'anthropic' ({server.url}) has no model "
                                f"list (GET /v1/models); use the model names its documentation gives "
                                f"with -m NAME"]


def test_a_refused_key_is_one_line_and_no_list(clean_env, server):
    result = run_cli({**clean_env, "ANTHROPIC_API_KEY": "sk-ant-wrong", "ANTHROPIC_BASE_URL": server.url},
                     "models")
    assert (result.code, result.out) == (1, b""), result
    assert len(result.err_lines) == 1 and "401" in result.err and "sk-ant-wrong" not in result.err


def test_on_a_terminal_a_table(env, server):
    child = pexpect_child(env, "models", cols=140)
    shown = child.read()
    child.close()
    assert child.exitstatus == 0, shown
    text = re.sub(r"\x1b\[[0-9;]*m", "", shown)  # colour and bold
    line = next(row for row in text.splitlines() if "claude-sonnet-5-5" in row)
    assert line.split() == ["▸", "claude-sonnet-5-5", "Claude", "Sonnet", "5.5", "2026-09-28", "1,000,000",
                            "128,000", "adaptive", "low–max"]
    assert "▸" not in text.replace(line, "")  # the default model (the profile's) is the one marked
    assert all(word in text for word in ("id", "name", "released", "context", "max output", "thinking"))


def test_text_from_the_server_cannot_drive_the_terminal(env, server):
    server.models = [model_info("claude-x\x1b]52;c;aGk=\x07", "Evil\x1b[2J name", "2026-11-01T00:00:00Z",
                                enabled_thinking=True, adaptive_thinking=False)]
    for args in (("models",), ("models", "--plain")):
        result = run_cli(env, *args)
        assert result.code == 0 and b"\x1b" not in result.out and b"\x07" not in result.out, result


def test_the_chat_shows_the_list_models_fetched_with_the_current_one_marked(env, server, spawn):
    run_cli(env, "models")
    server.models = many(3)  # changed on the server: the chat reads the list `models` cached
    term = spawn()
    shown = term.said("/model")
    assert shown.startswith("model: claude-sonnet-5-5 ")
    assert re.search(r"▸ +claude-sonnet-5-5 ", shown) and "claude-opus-5-5" in shown
    assert "claude-test" not in shown
    assert len(model_gets(server)) == 1  # the chat asked nothing
    assert run_cli(env, "models").code == 0  # asked again: the cache is the new list
    assert "claude-test-0002" in term.said("/model") and len(model_gets(server)) == 2
