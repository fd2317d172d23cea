"""The chat's pieces without a terminal: a session that needs no network, a Printer over
a string, and the real PromptSession run on typed keys (prompt_toolkit's pipe input)."""

from __future__ import annotations

import io
from pathlib import Path

from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from claudechat.conversation import Conversation, RequestParams, Thinking
from claudechat.repl.loop import Printer
from claudechat.repl.prompt import make_prompt
from claudechat.repl.state import ReplState
from claudechat.settings import Settings, load


class FakeSession:
    """Stands in for connect.Session: the parts the REPL reads, no network."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.params = RequestParams(model=settings.model, max_tokens=8192)
        self.catalog = None
        self.client = None
        self.wire = None

    def new_conversation(self) -> Conversation:
        return Conversation(params=self.params, system=self.settings.system)

    def apply(self, settings: Settings, notice=None) -> None:
        self.settings = settings
        thinking = Thinking("enabled", budget_tokens=settings.thinking_budget) if settings.thinking \
            else Thinking()
        self.params = RequestParams(model=settings.model, max_tokens=8192, thinking=thinking,
                                    temperature=settings.temperature)


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
