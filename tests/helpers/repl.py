"""The chat's pieces without a terminal: a session that needs no network, a Printer over
a string, and the real PromptSession run on typed keys (prompt_toolkit's pipe input)."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from claudechat.api.client import ApiClient, Endpoint
from claudechat.connect import Session
from claudechat.conversation import Conversation, RequestParams
from claudechat.repl.loop import Printer
from claudechat.repl.prompt import make_prompt
from claudechat.repl.state import ReplState
from claudechat.settings import Settings, load

ENDPOINT = Endpoint(base_url="https://api.example.test", auth="x-api-key", api_key="k",
                    key_source="$ANTHROPIC_API_KEY", profile="anthropic")


def no_network(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"a unit test of the chat sent a request: {request.method} {request.url}")


class FakeSession:
    """Stands in for connect.Session: the parts the REPL reads, no network."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.params = RequestParams(model=settings.model, max_tokens=8192)
        self.apply(settings)
        self.catalog = None
        self.client = ApiClient(ENDPOINT, build_http=lambda: httpx.Client(
            transport=httpx.MockTransport(no_network)))
        self.wire = None

    def new_conversation(self) -> Conversation:
        return Conversation(params=self.params, system=self.settings.system)

    def apply(self, settings: Settings, notice=None, advice=None) -> None:
        """The real connect.Session.apply, without a model list: the model's rules decide."""
        real = Session(settings=settings, client=None, wire=None, params=self.params)
        real.apply(settings, notice=notice, advice=advice)
        self.settings, self.params = real.settings, real.params


def settings_for(tmp_path: Path, **changes) -> Settings:
    """The settings of a user with an Anthropic key and no config file."""
    from dataclasses import replace

    settings = load({}, {"ANTHROPIC_API_KEY": "k", "CLAUDECHAT_CONFIG": str(tmp_path / "none.toml")})
    return replace(settings, **changes)


def new_state(settings: Settings) -> ReplState:
    session = FakeSession(settings)
    return ReplState(settings=settings, session=session, conversation=session.new_conversation())


def printer() -> Printer:
    """The screen commands print on: a console writing into a string (`.console.file`)."""
    return Printer(Console(file=io.StringIO(), width=80, color_system=None))


def typed(state: ReplState, *messages: str, out: Printer | None = None) -> list[str]:
    """Run one real PromptSession on typed keys, once per message (a message's keys
    end with its Enter); what each prompt returned."""
    out = out or printer()
    results = []
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        prompt = make_prompt(state, out)
        for keys in messages:
            pipe.send_text(keys)
            results.append(prompt.prompt())
    return results


class Programs:
    """Stand-in programs (wl-copy, xclip, pbcopy, wl-paste, pngpaste…) in a folder that is
    the whole PATH: each keeps the arguments and the stdin it was given."""

    def __init__(self, folder: Path) -> None:
        import shutil

        self.folder = folder
        self.cat, self.sleep = shutil.which("cat"), shutil.which("sleep")  # PATH will not find them
        assert self.cat and self.sleep
        folder.mkdir(parents=True, exist_ok=True)

    def add(self, name: str, *, prints: bytes = b"", status: int = 0, reads_stdin: bool = False,
            hangs: bool = False, complains: bytes = b"") -> None:
        """A program that prints `prints` (and `complains` on stderr) and exits with `status`
        (or never ends)."""
        path = self.folder / name
        (self.folder / f"{name}.prints").write_bytes(prints)
        (self.folder / f"{name}.complains").write_bytes(complains)
        lines = ["#!/bin/sh", 'printf "%s\\n" "$@" > "$0.args"']
        if reads_stdin:
            lines.append(f'{self.cat} > "$0.stdin"')
        lines.append(f'{self.cat} "$0.complains" >&2')
        lines.append(f"exec {self.sleep} 60" if hangs else f'{self.cat} "$0.prints"; exit {status}')
        path.write_text("\n".join(lines) + "\n")
        path.chmod(0o755)

    def add_unrunnable(self, name: str) -> None:
        """An executable whose interpreter does not exist: found on PATH, but cannot be run."""
        path = self.folder / name
        path.write_text("#!/nonexistent/interpreter\n")
        path.chmod(0o755)

    def ran(self, name: str) -> bool:
        return (self.folder / f"{name}.args").exists()

    def args(self, name: str) -> list[str]:
        return (self.folder / f"{name}.args").read_text().splitlines()

    def stdin(self, name: str) -> bytes:
        return (self.folder / f"{name}.stdin").read_bytes()
