"""The history side of `ask` and the chat (README, History: "Continuing", "Not saving",
"What is saved, and when"): -c/--continue and --cid, the stored model and system prompt
filling in for flags not given, and the Recorder that saves each turn as it happens —
a conversation changed elsewhere meanwhile is saved as a copy, with a one-line notice.
The store is a real SQLite file under a tmp XDG_DATA_HOME."""

from __future__ import annotations

from pathlib import Path

import pytest

from claudechat.conversation import Conversation, RequestParams
from claudechat.errors import ClaudechatError, UsageError
from claudechat.history.saving import Continuation, Recorder, open_continuation
from claudechat.history.store import HistoryStore
from claudechat.message import Message
from claudechat.settings import load


@pytest.fixture(autouse=True)
def data_home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.fixture
def store():
    with HistoryStore() as store:
        yield store


def conversation(question: str, *, model: str = "claude-opus-4-7", system: str | None = None,
                 answer: str | None = None) -> Conversation:
    c = Conversation(params=RequestParams(model=model, max_tokens=1000), system=system)
    c.add_user(question)
    if answer is not None:
        answered(c, answer)
    return c


def answered(c: Conversation, text: str) -> None:
    c.add_assistant(Message(id="msg_1", model=c.params.model, content=[{"type": "text", "text": text}],
                            stop_reason="end_turn", usage={"input_tokens": 3, "output_tokens": 2}))


def saved(store: HistoryStore, c: Conversation, profile: str = "anthropic") -> str:
    cid, _ = store.save(c, cid=None, saved=0, profile=profile)
    return cid


def texts(turns) -> list[tuple[str, str]]:
    return [(t.role, "".join(b.get("text", "") for b in t.content)) for t in turns]


# -- open_continuation --------------------------------------------------------------------


def test_continue_and_cid_together_are_refused():
    with pytest.raises(UsageError, match="--cid"):
        open_continuation(True, "3f2a")


def test_neither_flag_continues_nothing(store):
    saved(store, conversation("an old one"))
    found = open_continuation(False, None)
    assert found.stored is None
    assert found.restore({"model": None, "system": None}) == {"model": None, "system": None}
    fresh = Conversation(params=RequestParams(model="m", max_tokens=1))
    assert found.resume(fresh).turns == []


def test_continue_with_an_empty_history_says_there_is_nothing_to_continue():
    with pytest.raises(UsageError, match="no conversation to continue"):
        open_continuation(True, None)


def test_continue_takes_the_most_recent_and_cid_any_unique_prefix(store):
    first = saved(store, conversation("first", answer="one"))
    second = saved(store, conversation("second", answer="two"))
    latest = open_continuation(True, None).stored
    assert latest.summary.id == second and texts(latest.turns) == [("user", "second"),
                                                                   ("assistant", "two")]
    assert open_continuation(False, first[:6]).stored.summary.id == first
    assert open_continuation(False, "last").stored.summary.id == second
    with pytest.raises(UsageError, match="no conversation with id"):
        open_continuation(False, "fffffffffffe")


# -- restore, resume ---------------------------------------------------------------------


def test_the_stored_model_and_system_prompt_fill_in_for_flags_not_given(store):
    saved(store, conversation("q", model="claude-opus-4-7", system="Be a careful reviewer.", answer="a"))
    found = open_continuation(True, None)
    assert found.restore({"model": None, "system": None, "temperature": 0.2}) == {
        "model": "claude-opus-4-7", "system": "Be a careful reviewer.", "temperature": 0.2}
    given = {"model": "claude-haiku-4-5", "system": "Be brief."}  # -m and -s say otherwise
    assert found.restore(given) == given


def test_a_conversation_without_a_system_prompt_overrides_the_configs(store, tmp_path):
    saved(store, conversation("q", system=None, answer="a"))
    config = tmp_path / "config.toml"
    config.write_text('system = "From the config file."\n', "utf-8")
    env = {"ANTHROPIC_API_KEY": "k", "CLAUDECHAT_CONFIG": str(config)}
    assert load({}, env).system == "From the config file."  # a new conversation gets it
    flags = open_continuation(True, None).restore({"model": None, "system": None})
    assert not load(flags, env).system  # the continued one had none, and keeps none


def test_resume_gives_the_conversation_the_stored_turns(store):
    saved(store, conversation("q", answer="a"))
    found = open_continuation(True, None)
    c = found.resume(Conversation(params=RequestParams(model="m", max_tokens=1)))
    assert texts(c.turns) == [("user", "q"), ("assistant", "a")]
    c.add_user("next")
    assert len(found.stored.turns) == 2  # the stored list is not the conversation's


# -- recorder ------------------------------------------------------------------------------


def test_no_recorder_when_not_saving(data_home):
    assert Continuation().recorder(False, "anthropic", None) is None
    assert not (data_home / "claudechat" / "history.db").exists()  # nor any database made


def test_the_recorder_saves_each_turn_as_it_happens(store):
    record = Continuation().recorder(True, "anthropic", None)
    assert isinstance(record, Recorder)
    c = conversation("What is the capital of France?")
    record(c)  # the question, before the request is sent
    [row] = store.list()
    assert (row.turns, row.profile, row.title) == (1, "anthropic", "What is the capital of France?")
    answered(c, "Paris.")
    record(c)  # the reply, when it ends
    c.add_user("And its population?")
    record(c)
    assert [r.id for r in store.list()] == [row.id]  # one conversation, growing
    assert texts(store.load(row.id).turns) == [("user", "What is the capital of France?"),
                                               ("assistant", "Paris."), ("user", "And its population?")]


def test_a_continued_conversation_is_saved_under_its_own_id(store):
    cid = saved(store, conversation("q", answer="a"))
    found = open_continuation(False, cid)
    c = found.resume(Conversation(params=RequestParams(model="claude-opus-4-7", max_tokens=1)))
    c.add_user("one more thing")
    notices: list[str] = []
    found.recorder(True, "anthropic", notices.append)(c)
    assert [r.id for r in store.list()] == [cid]
    assert texts(store.load(cid).turns)[-1] == ("user", "one more thing")
    assert notices == []


def test_a_conversation_changed_elsewhere_meanwhile_is_saved_as_a_new_one(store):
    cid = saved(store, conversation("q", answer="a"))
    here, there = open_continuation(False, cid), open_continuation(False, cid)  # two terminals
    mine = here.resume(Conversation(params=RequestParams(model="m", max_tokens=1)))
    theirs = there.resume(Conversation(params=RequestParams(model="m", max_tokens=1)))
    theirs.add_user("theirs")
    there.recorder(True, "anthropic", None)(theirs)
    mine.add_user("mine")
    notices: list[str] = []
    record = here.recorder(True, "anthropic", notices.append)
    record(mine)
    assert texts(store.load(cid).turns)[-1] == ("user", "theirs")  # nothing overwritten
    copy = record.cid
    assert copy != cid and texts(store.load(copy).turns) == [("user", "q"), ("assistant", "a"),
                                                              ("user", "mine")]
    [notice] = notices
    assert cid in notice and copy in notice and "\n" not in notice
    answered(mine, "noted")
    record(mine)  # and it goes on in the copy, with no second notice
    assert len(store.load(copy).turns) == 4 and len(notices) == 1


def test_a_history_that_cannot_be_opened_says_how_to_ask_without_it(data_home):
    data_home.parent.mkdir(parents=True, exist_ok=True)
    data_home.write_text("a file where the data directory should be")
    with pytest.raises(ClaudechatError) as info:
        Continuation().recorder(True, "anthropic", None)
    assert "--no-save" in (info.value.hint or "")


def test_continuing_rewrites_a_stored_question_that_the_next_one_sets_aside(store):
    cid = saved(store, conversation("q", answer="a"))
    failed = open_continuation(False, cid)
    c = failed.resume(Conversation(params=RequestParams(model="m", max_tokens=1)))
    c.add_user("this one failed")
    failed.recorder(True, None, None)(c)  # saved before it was sent; then no reply came
    found = open_continuation(False, cid)
    c = found.resume(Conversation(params=RequestParams(model="m", max_tokens=1)))
    c.add_user("next")
    found.recorder(True, None, None)(c)
    assert [(t.role, t.unanswered) for t in store.load(cid).turns] == [
        ("user", False), ("assistant", False), ("user", True), ("user", False)]


def test_a_new_conversation_prunes_those_without_any_reply_after_seven_days(store):
    import time

    from claudechat.history.saving import UNREPLIED_DAYS

    old, recent = saved(store, conversation("old")), saved(store, conversation("recent"))
    answered_long_ago = saved(store, conversation("answered", answer="yes"))
    for cid, days in ((old, UNREPLIED_DAYS + 1), (recent, UNREPLIED_DAYS - 1), (answered_long_ago, 400)):
        store.db.execute("UPDATE conversations SET updated = ? WHERE id = ?",
                         (time.time() - days * 86400, cid))
    Recorder(store, profile=None)(conversation("a new one"))
    assert sorted(r.title for r in store.list()) == ["a new one", "answered", "recent"]
