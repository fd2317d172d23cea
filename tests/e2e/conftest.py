"""The end-to-end tests' fixtures: fake servers, an environment pointing the real CLI at one,
a config file, and the chat on a pseudo-terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import KEY, TOKEN
from helpers.fake_server import FakeServer
from helpers.pty_terminal import COLS, PROMPT, Term
from helpers.pty_terminal import chat_env as terminal_env


@pytest.fixture
def servers() -> Iterator[Callable[..., FakeServer]]:
    """make(**FakeServer kwargs) -> a started server, released and stopped at teardown."""
    started: list[FakeServer] = []

    def make(**kwargs: Any) -> FakeServer:
        server = FakeServer(**kwargs).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.release()
        server.stop()


@pytest.fixture
def server(servers: Callable[..., FakeServer]) -> FakeServer:
    """An Anthropic-style server that accepts only KEY."""
    return servers(auth="x-api-key", key=KEY)


@pytest.fixture
def ace(servers: Callable[..., FakeServer]) -> FakeServer:
    """An Ace Data Cloud-style server that accepts only TOKEN."""
    return servers(auth="bearer", key=TOKEN)


@pytest.fixture
def env(clean_env: dict[str, str], server: FakeServer) -> dict[str, str]:
    """The built-in anthropic profile pointed at `server`."""
    return {**clean_env, "ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": server.url}


@pytest.fixture
def config(tmp_path: Path) -> Callable[[dict[str, str], str], dict[str, str]]:
    """config(env, toml) -> env with CLAUDECHAT_CONFIG naming a file holding `toml`."""

    def write(env: dict[str, str], toml: str) -> dict[str, str]:
        path = tmp_path / "claudechat-e2e.toml"
        path.write_text(toml, "utf-8")
        path.chmod(0o600)  # as a file holding api_key is kept (else a warning line: test_secret_scan)
        return {**env, "CLAUDECHAT_CONFIG": str(path)}

    return write


@pytest.fixture
def spawn(env: dict[str, str]) -> Iterator[Callable[..., Term]]:
    """spawn(*args, answer_cpr=False, cols=COLS, **env_changes) -> the chat on a pty, at its first
    prompt (an env_changes value of None removes the variable); closed at teardown. A test that types
    a tmp_path takes more columns: under pytest-xdist the path is longer (…/popen-gw0/…)."""
    terms: list[Term] = []

    def start(*args: str, answer_cpr: bool = False, cols: int = COLS, **env_changes: str) -> Term:
        run_env = {k: v for k, v in {**terminal_env(env), **env_changes}.items() if v is not None}
        term = Term(list(args), run_env, answer_cpr=answer_cpr, cols=cols)
        terms.append(term)
        term.wait(lambda: term.lines()[term.cursor_row()] == PROMPT, "the first prompt")
        return term

    yield start
    for term in terms:
        term.close()


@pytest.fixture
def chat_env(clean_env: dict[str, str], config: Callable[..., dict[str, str]],
             ace: FakeServer) -> dict[str, str]:
    """A profile "ace" on `ace` that speaks Chat Completions (api = "chat-completions")."""
    return config({**clean_env, "ACEDATA_API_TOKEN": TOKEN}, f"""
[profiles.ace]
base_url = "{ace.url}"
auth = "bearer"
api_key_env = "ACEDATA_API_TOKEN"
api = "chat-completions"
""")
