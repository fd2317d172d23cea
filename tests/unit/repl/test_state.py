"""The chat's state stands without the screen: importing it loads neither rich nor
prompt_toolkit, and its operations return what happened instead of printing."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest
from helpers.repl import ENDPOINT, no_network

from claudechat import attachments
from claudechat.api.client import ApiClient
from claudechat.conversation import Conversation, RequestParams, Turn
from claudechat.errors import ConfigError, UsageError
from claudechat.repl.state import ReplState, choose
from claudechat.settings import load


def test_the_state_imports_no_console_and_no_prompt_toolkit():
    code = ("import sys, claudechat.repl.state, claudechat.repl.mentions; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'rich', 'prompt_toolkit'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def client(fails: ConfigError | None = None) -> ApiClient:
    """A real ApiClient whose HTTP client is built at the first use (the chat's), and fails
    to be built with `fails`; it never sends anything."""

    def build() -> httpx.Client:
        if fails is not None:
            raise fails
        return httpx.Client(transport=httpx.MockTransport(no_network))

    return ApiClient(ENDPOINT, build_http=build)


class Session:
    """The parts of connect.Session the state reads; no network."""

    def __init__(self, settings):
        self.settings = settings
        self.params = RequestParams(model=settings.model, max_tokens=8192)
        self.client = client()

    def new_conversation(self):
        return Conversation(params=self.params, system=self.settings.system)


@pytest.fixture
def state(tmp_path):
    settings = load({}, {"ANTHROPIC_API_KEY": "k", "CLAUDECHAT_CONFIG": str(tmp_path / "none.toml")})
    session = Session(settings)
    return ReplState(settings=settings, session=session, conversation=session.new_conversation())


def test_a_message_becomes_the_next_user_turn_and_a_bad_path_comes_back_to_fix(state, tmp_path,
                                                                               capsys):
    (tmp_path / "notes.txt").write_text("the notes")
    assert state.compose(f"read @{tmp_path / 'notes.txt'} please")
    blocks = state.conversation.turns[-1].content
    assert [attachments.document_name(b) for b in blocks] == ["notes.txt", None]
    assert "the notes" in blocks[0]["text"] and blocks[1]["text"].startswith("read @")
    with pytest.raises(UsageError, match="no such file"):
        state.compose("and @missing/file.txt too")
    assert state.prefill == "and @missing/file.txt too"
    assert not state.compose("   ")  # nothing to send
    assert capsys.readouterr() == ("", "")  # and nothing printed, whatever happened


def test_a_client_that_cannot_be_built_keeps_nothing_and_the_message_comes_back(state):
    state.session.client = client(fails=ConfigError("the base URL is not a valid URL (bad host)"))
    with pytest.raises(ConfigError, match="the base URL is not a valid URL"):
        state.compose("hello there")
    assert state.prefill == "hello there" and state.conversation.turns == []
    state.session.client = client()
    assert state.compose("hello there") and len(state.conversation.turns) == 1


def test_replies_are_chosen_by_number(state):
    state.conversation.turns = [Turn("user", [{"type": "text", "text": "q"}]),
                                Turn("assistant", [{"type": "text", "text": "one"}]),
                                Turn("user", [{"type": "text", "text": "q2"}]),
                                Turn("assistant", [{"type": "text", "text": "two"}])]
    assert state.reply("").text == "two" and state.reply("1").text == "one"
    with pytest.raises(UsageError, match=r"no reply 3 \(there are 2\)"):
        state.reply("3")
    assert choose("1", 1, "attachment") == 1
    assert state.retry() and state.conversation.turns[-1].role == "user"


def test_the_history_without_a_store_is_a_usage_error(state):
    with pytest.raises(UsageError, match="history cannot be read"):
        state.recent()
    with pytest.raises(UsageError, match="history cannot be read"):
        state.load("last")


def test_an_at_folder_is_refused_naming_how_to_reach_its_files(state, tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "my docs").mkdir()
    with pytest.raises(UsageError) as caught:
        state.compose(f"see @{tmp_path}/docs/")
    assert str(caught.value) == (f"@{tmp_path}/docs/ is a directory, not a file: attach files from it "
                                 f"with @{tmp_path}/docs/NAME (Tab lists them), or write @@ for a plain @")
    with pytest.raises(UsageError, match=f'with @"{tmp_path}/my docs/NAME"'):
        state.compose(f'see @"{tmp_path}/my docs"')
    assert state.prefill == f'see @"{tmp_path}/my docs"' and state.conversation.turns == []
