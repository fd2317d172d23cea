"""connect: settings -> the headers each server gets, the wire format, and the thinking mode
resolved from the server's model list (or the model's name), all through the client's
transport seam (`open_session(..., transport=httpx.MockTransport(...))`). Expected values
from the README (profiles, thinking) and docs/PROTOCOL.md."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import httpx
import pytest

from claudechat import connect
from claudechat.api import chat_completions, messages
from claudechat.errors import UsageError
from claudechat.settings import load

KEY = "sk-ant-connect-SECRET-1b2c"


class Server:
    """Answers GET /v1/models with `models` (None: 404) and keeps every request."""

    def __init__(self, models: list[dict[str, Any]] | None = None) -> None:
        self.models = models
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/v1/models":
            if self.models is None:
                return httpx.Response(404, json={"type": "error", "error": {"type": "not_found_error",
                                                                             "message": "no"}})
            return httpx.Response(200, json={"data": self.models, "has_more": False})
        return httpx.Response(200, json={"ok": True})


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No real config, cache or key of the developer's: everything under tmp_path."""
    for name in ("ANTHROPIC_API_KEY", "ACEDATA_API_TOKEN", "CLAUDECHAT_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def session(monkeypatch, tmp_path, server: Server, flags: dict[str, Any] | None = None,
            toml: str = "", notice: Any = None, **variables: str) -> connect.Session:
    config = tmp_path / "config.toml"
    config.write_text(textwrap.dedent(toml), "utf-8")
    env = {"CLAUDECHAT_CONFIG": str(config), "ANTHROPIC_BASE_URL": "https://api.example.test",
           **variables}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return connect.open_session(load(flags, env), notice=notice, transport=httpx.MockTransport(server))


def caps(adaptive: bool, enabled: bool) -> dict[str, Any]:
    return {"thinking": {"supported": adaptive or enabled, "types": {
        "adaptive": {"supported": adaptive}, "enabled": {"supported": enabled}}}}


def test_the_anthropic_profile_sends_x_api_key_and_the_version(monkeypatch, tmp_path):
    server = Server()
    s = session(monkeypatch, tmp_path, server, ANTHROPIC_API_KEY=KEY)
    s.client.post_json("/v1/messages", {})
    headers = server.requests[-1].headers
    assert headers["x-api-key"] == KEY and "authorization" not in headers
    assert headers["anthropic-version"] == "2023-06-01"
    assert str(server.requests[-1].url) == "https://api.example.test/v1/messages"
    assert s.wire is messages


def test_a_bearer_profile_on_chat_completions(monkeypatch, tmp_path):
    server = Server()
    s = session(monkeypatch, tmp_path, server, {"profile": "ace"}, toml="""
        [profiles.ace]
        base_url = "https://ace.example.test"
        auth = "bearer"
        api_key_env = "ACE_TOKEN"
        api = "chat-completions"
        anthropic_version = "2024-01-01"
    """, ACE_TOKEN="ace-token-SECRET")
    s.client.post_json("/v1/chat/completions", {})
    headers = server.requests[-1].headers
    assert headers["authorization"] == "Bearer ace-token-SECRET" and "x-api-key" not in headers
    assert headers["anthropic-version"] == "2024-01-01"
    assert server.requests[-1].url.host == "ace.example.test"
    assert s.wire is chat_completions


def test_without_thinking_the_model_list_is_not_fetched(monkeypatch, tmp_path):
    server = Server([{"id": "claude-opus-4-7", "capabilities": caps(True, False)}])
    s = session(monkeypatch, tmp_path, server, {"model": "claude-opus-4-7"}, ANTHROPIC_API_KEY=KEY)
    assert s.params.thinking.mode == "off"
    assert server.requests == []


def test_the_servers_capabilities_decide_the_thinking_mode(monkeypatch, tmp_path):
    # a name the table calls budget-style, which the server says thinks adaptively
    server = Server([{"id": "claude-3-7-sonnet-20250219", "capabilities": caps(True, False)}])
    s = session(monkeypatch, tmp_path, server, {"model": "claude-3-7-sonnet-20250219", "thinking": True},
                ANTHROPIC_API_KEY=KEY)
    assert s.params.thinking.mode == "adaptive"
    assert [r.url.path for r in server.requests] == ["/v1/models"]


def test_a_budget_model_gets_enabled_thinking_with_the_budget(monkeypatch, tmp_path):
    server = Server([{"id": "claude-opus-5", "capabilities": caps(False, True)}])
    s = session(monkeypatch, tmp_path, server,
                {"model": "claude-opus-5", "thinking": True, "thinking_budget": 4096}, ANTHROPIC_API_KEY=KEY)
    assert (s.params.thinking.mode, s.params.thinking.budget_tokens) == ("enabled", 4096)
    assert s.params.max_tokens > 4096  # room for the answer after the thinking


def test_without_a_model_list_the_name_decides(monkeypatch, tmp_path):
    server = Server(None)  # 404: this server offers no model list
    s = session(monkeypatch, tmp_path, server, {"model": "claude-opus-4-7", "thinking": True},
                ANTHROPIC_API_KEY=KEY)
    assert s.params.thinking.mode == "adaptive"


def test_thinking_on_a_model_the_server_says_cannot_think_is_refused_in_one_line(monkeypatch, tmp_path):
    server = Server([{"id": "claude-plain", "capabilities": {"thinking": {"supported": False}}}])
    with pytest.raises(UsageError) as caught:
        session(monkeypatch, tmp_path, server, {"model": "claude-plain", "thinking": True},
                ANTHROPIC_API_KEY=KEY)
    assert str(caught.value) == "claude-plain cannot think; leave out --think (or thinking = true)"


def test_the_model_list_is_fetched_once_and_cached(monkeypatch, tmp_path):
    server = Server([{"id": "claude-opus-4-7", "capabilities": caps(True, False)}])
    flags = {"model": "claude-opus-4-7", "thinking": True}
    session(monkeypatch, tmp_path, server, flags, ANTHROPIC_API_KEY=KEY)
    session(monkeypatch, tmp_path, server, flags, ANTHROPIC_API_KEY=KEY)
    assert [r.url.path for r in server.requests] == ["/v1/models"]
