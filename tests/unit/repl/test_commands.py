"""The REPL's prompt, completion and command table, with prompt_toolkit's pipe
input (the keys a user types) and no terminal."""

from __future__ import annotations

import io

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from claudechat.conversation import Conversation, RequestParams, Thinking
from claudechat.errors import UsageError
from claudechat.repl import commands
from claudechat.repl.completer import ReplCompleter
from claudechat.repl.loop import Printer
from claudechat.repl.prompt import make_prompt
from claudechat.repl.state import ReplState
from claudechat.settings import load


class FakeSession:
    """Stands in for connect.Session: the parts the REPL reads, no network."""

    def __init__(self, settings):
        self.settings = settings
        self.params = RequestParams(model=settings.model, max_tokens=8192)
        self.catalog = None
        self.client = None
        self.wire = None

    def new_conversation(self):
        return Conversation(params=self.params, system=self.settings.system)

    def apply(self, settings, notice=None):
        self.settings = settings
        thinking = Thinking("enabled", budget_tokens=settings.thinking_budget) if settings.thinking \
            else Thinking()
        self.params = RequestParams(model=settings.model, max_tokens=8192, thinking=thinking,
                                    temperature=settings.temperature)


@pytest.fixture
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    settings = load({}, {"ANTHROPIC_API_KEY": "k", "CLAUDECHAT_CONFIG": str(tmp_path / "none.toml")})
    session = FakeSession(settings)
    return ReplState(settings=settings, session=session, conversation=session.new_conversation())


@pytest.fixture
def out():
    """The screen the commands print on: a console writing into a string."""
    return Printer(Console(file=io.StringIO(), width=80, color_system=None))


def typed(state, keystrokes: str) -> str:
    """Run the real PromptSession on typed keys; what it returns."""
    out = Printer(Console(file=io.StringIO(), width=80, color_system=None))
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        prompt = make_prompt(state, out)
        pipe.send_text(keystrokes)
        return prompt.prompt()


def test_enter_sends_and_ctrl_j_or_esc_enter_add_a_line(state):
    assert typed(state, "hello\r") == "hello"
    assert typed(state, "one\ntwo\r") == "one\ntwo"  # \n is Ctrl-J
    assert typed(state, "a\x1b\rb\r") == "a\nb"  # Esc Enter


def test_a_pasted_block_keeps_its_newlines_and_is_one_message(state):
    assert typed(state, "\x1b[200~line 1\nline 2\nline 3\x1b[201~\r") == "line 1\nline 2\nline 3"


def test_a_long_paste_shows_a_placeholder_and_is_sent_in_full(state):
    block = "\n".join(f"row {i}" for i in range(40))
    text = typed(state, f"look: \x1b[200~{block}\x1b[201~\r")
    assert text == "look: [pasted 40 lines #1]"
    assert state.expand_pastes(text) == "look: " + block


def test_ctrl_c_at_the_prompt_raises_keyboard_interrupt(state):
    with pytest.raises(KeyboardInterrupt):
        typed(state, "half typed\x03")


def completions(text: str, models=lambda: ["claude-opus-4-7", "claude-sonnet-4-6"]):
    completer = ReplCompleter(models)
    return [c.text for c in completer.get_completions(Document(text, len(text)), CompleteEvent())]


def test_completion_of_commands_models_and_paths(tmp_path, monkeypatch):
    assert completions("/mo") == ["/model"]
    assert set(completions("/")) == {"/" + name for name in commands.COMMANDS}
    assert completions("/model claude-o") == ["claude-opus-4-7"]
    (tmp_path / "shot.png").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("x")
    monkeypatch.chdir(tmp_path)
    assert completions("/image sh") == ["ot.png"]
    assert completions("look at @no") == ["tes.txt"]
    assert completions("plain words") == []


def test_every_command_in_the_issue_is_registered():
    wanted = {"help", "model", "system", "think", "expand", "image", "file", "detach", "retry",
              "undo", "edit", "copy", "new", "history", "load", "save", "tokens", "set", "quit",
              "paste"}
    assert wanted <= set(commands.COMMANDS)


def test_unknown_commands_and_bad_arguments_are_one_clear_line(state, out):
    with pytest.raises(UsageError, match="did you mean /model"):
        commands.dispatch(state, "/modle x", out)
    for line in ("/think maybe", "/set temperature hot", "/set colour 1", "/detach 3", "/expand",
                 "/undo", "/retry", "/image", "/load"):
        with pytest.raises(UsageError) as info:
            commands.dispatch(state, line, out)
        assert "\n" not in str(info.value)


def test_settings_commands_change_what_the_next_request_sends(state, out):
    commands.dispatch(state, "/model claude-opus-4-7", out)
    commands.dispatch(state, "/set temperature 0.3", out)
    commands.dispatch(state, "/system Be terse.", out)
    assert state.conversation.params.model == "claude-opus-4-7"
    assert state.conversation.params.temperature == 0.3
    assert state.conversation.system == "Be terse."
    commands.dispatch(state, "/system clear", out)
    assert state.conversation.system is None
    commands.dispatch(state, "/think 2048", out)
    assert state.conversation.params.thinking == Thinking("enabled", budget_tokens=2048)
    with pytest.raises(UsageError):
        commands.dispatch(state, "/set temperature 1.5", out)


def test_quit_and_its_aliases(state, out):
    for line in ("/quit", "/exit", "/q"):
        state.quit = False
        commands.dispatch(state, line, out)
        assert state.quit


def test_an_editor_that_cannot_be_run_is_one_line_and_keeps_the_text(state, out, tmp_path, monkeypatch):
    editor = tmp_path / "not-a-program"
    editor.write_text("no execute bit")
    monkeypatch.setenv("VISUAL", str(editor))
    with pytest.raises(UsageError) as info:
        commands.dispatch(state, "/edit keep me", out)
    assert str(info.value) == (f"the editor ({editor}) cannot be run (Permission denied): set VISUAL "
                               f"or EDITOR to an editor that works; nothing sent")
    assert state.prefill == "keep me" and state.conversation.turns == []
    monkeypatch.setenv("VISUAL", 'vi "unclosed')
    with pytest.raises(UsageError, match="is not a command line"):
        commands.dispatch(state, "/edit", out)
