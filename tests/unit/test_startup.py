"""startup.py: options -> the conversation to continue -> settings -> the conversation.
Expected behaviour from the README ("History": continuing takes the conversation's model
and system prompt unless -m or -s say otherwise; --no-save/--save and save_history; the
config file's precedence: flags beat the environment, which beats the file) and the
module's docstrings. Everything lives under tmp_path (XDG_*_HOME, CLAUDECHAT_CONFIG)."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from claudechat.conversation import Conversation, RequestParams
from claudechat.errors import UsageError
from claudechat.history.store import HistoryStore
from claudechat.message import Message
from claudechat.options import Options
from claudechat.startup import prepare


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.startswith(("ANTHROPIC_", "ACEDATA_", "CLAUDECHAT_")):
            monkeypatch.delenv(name)
    for name in ("CONFIG", "CACHE", "DATA", "STATE"):
        (tmp_path / name.lower()).mkdir()
        monkeypatch.setenv(f"XDG_{name}_HOME", str(tmp_path / name.lower()))
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-unit-key")  # the profile follows the key found
    config = tmp_path / "claudechat.toml"
    monkeypatch.setenv("CLAUDECHAT_CONFIG", str(config))
    return tmp_path


def write_config(home: Path, text: str) -> None:
    (home / "claudechat.toml").write_text(text)


def store_conversation(model: str, system: str | None, question: str = "stored question") -> str:
    conversation = Conversation(params=RequestParams(model=model, max_tokens=100), system=system)
    conversation.add_user(question)
    conversation.add_assistant(Message(id="m", model=model, content=[{"type": "text", "text": "answer"}],
                                       stop_reason="end_turn"))
    cid, _ = HistoryStore().save(conversation, cid=None, saved=0, profile="anthropic")
    return cid


def test_flags_beat_the_environment_which_beats_the_config_file(home, monkeypatch):
    write_config(home, 'model = "claude-from-file"\nmax_tokens = 500\ntemperature = 0.3\n')
    start = prepare(Options())
    assert (start.settings.model, start.settings.max_tokens, start.settings.temperature) == (
        "claude-from-file", 500, 0.3)
    monkeypatch.setenv("CLAUDECHAT_MODEL", "claude-from-env")
    assert prepare(Options()).settings.model == "claude-from-env"
    start = prepare(Options(model="claude-from-flag", max_tokens=42))
    assert (start.settings.model, start.settings.max_tokens, start.settings.temperature) == (
        "claude-from-flag", 42, 0.3)
    assert start.settings.config_file == home / "claudechat.toml"


def test_a_new_conversation_has_nothing_to_continue(home):
    write_config(home, 'system = "Be brief."\n')
    start = prepare(Options())
    assert start.history.stored is None
    assert start.settings.system == "Be brief."


def test_continue_with_an_empty_history_is_a_usage_error_that_says_how_to_start():
    with pytest.raises(UsageError) as caught:
        prepare(Options(continue_last=True))
    assert "there is no conversation to continue yet" in caught.value.message
    assert 'claudechat ask "' in caught.value.message


def test_continue_and_cid_together_are_refused():
    with pytest.raises(UsageError, match="either -c/--continue or --cid"):
        prepare(Options(continue_last=True, cid="abc"))


def test_the_continued_conversations_model_and_system_prompt_fill_in_for_flags_not_given(home):
    write_config(home, 'model = "claude-from-file"\nsystem = "from the file"\n')
    store_conversation("claude-stored", "Be terse.")
    start = prepare(Options(continue_last=True))
    assert (start.settings.model, start.settings.system) == ("claude-stored", "Be terse.")
    start = prepare(Options(continue_last=True, model="claude-flag", system="from the flag"))
    assert (start.settings.model, start.settings.system) == ("claude-flag", "from the flag")


def test_a_continued_conversation_without_a_system_prompt_does_not_take_the_files(home):
    write_config(home, 'system = "from the file"\n')
    store_conversation("claude-stored", None)
    assert not prepare(Options(continue_last=True)).settings.system


def test_cid_names_a_conversation_by_a_prefix_of_its_id(home):
    first = store_conversation("claude-first", "first system", "first question")
    store_conversation("claude-second", "second system", "second question")
    start = prepare(Options(cid=first[:6]))
    assert start.history.stored.summary.id == first
    assert (home / "data" / "claudechat" / "history.db").is_file()  # XDG_DATA_HOME, not the real one
    assert (start.settings.model, start.settings.system) == ("claude-first", "first system")


def test_the_conversation_continues_with_the_stored_turns_and_the_sessions_parameters():
    store_conversation("claude-stored", "Be terse.")
    start = prepare(Options(continue_last=True, max_tokens=77))
    session = start.connect()
    session.client.http = httpx.Client(transport=httpx.MockTransport(
        lambda request: pytest.fail(f"nothing is to be sent: {request.url}")))
    conversation = start.conversation(session)
    assert [(t.role, t.content) for t in conversation.turns] == [
        ("user", [{"type": "text", "text": "stored question"}]),
        ("assistant", [{"type": "text", "text": "answer"}]),
    ]
    assert (conversation.system, conversation.params.model, conversation.params.max_tokens) == (
        "Be terse.", "claude-stored", 77)


@pytest.mark.parametrize(
    ("config", "flag", "saved"),
    [
        ("", None, True),
        ("save_history = false\n", None, False),
        ("save_history = false\n", True, True),
        ("", False, False),
        ("save_history = true\n", False, False),
    ],
    ids=["default", "setting-off", "save-beats-setting", "no-save", "no-save-beats-setting"],
)
def test_save_follows_the_flag_then_the_save_history_setting(home, config, flag, saved):
    write_config(home, config)
    assert prepare(Options(save=flag)).save is saved
