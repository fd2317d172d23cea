"""An ApiClient whose HTTP client is built at its first use (the chat's: connect.open_client
with deferred=True, then `warm()` on a thread once the prompt is drawn). Expected
behaviour from the docstrings of ApiClient.http and open_client and from README's
"Start-up": httpx is not imported before the client is built; a client that cannot be
built (a base URL httpx refuses) fails every request with the same one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from claudechat.api.client import ApiClient, Endpoint
from claudechat.errors import ConfigError

ENDPOINT = Endpoint(base_url="https://api.example.test", auth="x-api-key", api_key="sk-ant-unit-key",
                    key_source="$ANTHROPIC_API_KEY", profile="anthropic")
ROOT = Path(__file__).resolve().parents[3]


def answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"id": "msg_1", "type": "message"})


def test_a_client_given_as_a_function_is_built_at_the_first_request_and_once():
    built: list[httpx.Client] = []

    def build() -> httpx.Client:
        built.append(httpx.Client(transport=httpx.MockTransport(answer)))
        return built[-1]

    api = ApiClient(ENDPOINT, build_http=build, sleep=lambda s: None)
    assert built == []
    assert api.post_json("/v1/messages", {"model": "m"}) == {"id": "msg_1", "type": "message"}
    assert api.post_json("/v1/messages", {"model": "m"}) == {"id": "msg_1", "type": "message"}
    assert len(built) == 1 and api.http is built[0]


def test_warm_builds_it_before_any_request():
    built: list[int] = []

    def build() -> httpx.Client:
        built.append(1)
        return httpx.Client(transport=httpx.MockTransport(answer))

    api = ApiClient(ENDPOINT, build_http=build)
    api.warm()
    assert built == [1]
    api.post_json("/v1/messages", {"model": "m"})
    assert built == [1]


def test_a_client_that_cannot_be_built_fails_every_request_and_warm_leaves_it_for_them():
    calls: list[int] = []

    def build() -> httpx.Client:
        calls.append(1)
        raise ConfigError("the base URL is not a valid URL (bad host); fix base_url in the profile, "
                          "or --base-url")

    api = ApiClient(ENDPOINT, build_http=build, max_retries=0)
    api.warm()  # said by the request that needs it, not here
    for _ in range(2):
        with pytest.raises(ConfigError, match="the base URL is not a valid URL"):
            api.post_json("/v1/messages", {"model": "m"})
    assert len(calls) == 3  # tried again each time: nothing half-built is kept


def test_warm_on_its_thread_is_silent_whatever_fails_and_ready_raises_it(capsys):
    def build() -> httpx.Client:
        raise RuntimeError("a bug while building")

    api = ApiClient(ENDPOINT, build_http=build)
    api.warm()  # a traceback on the warm-up thread would land on the chat's screen
    assert capsys.readouterr() == ("", "")
    with pytest.raises(RuntimeError, match="a bug while building"):
        api.ready()


SESSION = """
import sys
from claudechat.options import Options
from claudechat.startup import prepare
session = prepare(Options()).connect(deferred={deferred})
print(type(sys.modules["httpx"]).__name__)
session.client.warm()
print(type(sys.modules["httpx"]).__name__, type(session.client.http).__name__)
"""


@pytest.mark.parametrize(("deferred", "before"), [(True, "_LazyModule"), (False, "module")])
def test_a_deferred_session_has_not_imported_httpx_until_its_client_is_built(tmp_path, deferred, before):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "ACEDATA_", "CLAUDECHAT_"))}
    env.update({f"XDG_{name}_HOME": str(tmp_path / name.lower())
                for name in ("CONFIG", "CACHE", "DATA", "STATE")})
    env.update(ANTHROPIC_API_KEY="sk-ant-unit-key", CLAUDECHAT_CONFIG=str(tmp_path / "none.toml"),
               PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", SESSION.format(deferred=deferred)], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == [before, "module Client"]


def test_it_takes_a_client_or_a_function_that_builds_one_not_both_nor_neither():
    client = httpx.Client(transport=httpx.MockTransport(answer))
    for args, kwargs in (((), {}), ((client,), {"build_http": lambda: client})):
        with pytest.raises(TypeError, match="one of the two"):
            ApiClient(ENDPOINT, *args, **kwargs)
