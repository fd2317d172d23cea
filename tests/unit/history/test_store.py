"""HistoryStore in-process, on real SQLite files under tmp_path: exact round trips,
blobs, forks, titles, and the query shapes that keep big histories fast."""

from __future__ import annotations

import base64
import copy
import os
import signal
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from claudechat.conversation import Conversation, RequestParams, title_of
from claudechat.errors import ClaudechatError, UsageError
from claudechat.history.saving import Recorder
from claudechat.history.store import HistoryStore
from claudechat.message import Message

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PNG_B64 = base64.b64encode(PNG).decode()


def new(text: str | list[dict[str, Any]] = "hello") -> Conversation:
    conversation = Conversation(params=RequestParams(model="claude-sonnet-4-5", max_tokens=1000),
                                system="Be brief.")
    conversation.add_user(text)
    return conversation


def reply(conversation: Conversation, *blocks: dict[str, Any], interrupted: bool = False) -> None:
    message = Message(id="msg_1", model="claude-sonnet-4-5-20250929", content=list(blocks),
                      stop_reason=None if interrupted else "end_turn",
                      usage={"input_tokens": 3, "output_tokens": 5})
    conversation.add_assistant(message, interrupted=interrupted)


@pytest.fixture
def store(tmp_path: Path) -> HistoryStore:
    with HistoryStore(tmp_path / "data" / "history.db") as store:
        yield store


RICH_USER = [
    {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG_B64}},
    {"type": "document", "source": {"type": "base64", "media_type": "application/pdf",
                                    "data": base64.b64encode(b"%PDF-1.4 tiny").decode()},
     "title": "paper", "citations": {"enabled": True}},
    {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "plain doc"}},
    # Not canonical base64 (a line break): kept inline, so it comes back unchanged too.
    {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                 "data": PNG_B64[:76] + "\n" + PNG_B64[76:]}},
    {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}},
    {"type": "text", "text": "what are these? — ünïcödé 😀 \"quoted\" \\ back\\slash"},
]
RICH_REPLY = [
    {"type": "thinking", "thinking": "Hmm.", "signature": "sig"},
    {"type": "redacted_thinking", "data": "opaque"},
    {"type": "text", "text": "Here.", "citations": [{"type": "char_location", "cited_text": "x",
                                                      "document_index": 0, "start_char_index": 0,
                                                      "end_char_index": 1, "document_title": None}]},
    {"type": "tool_use", "id": "toolu_1", "name": "look", "input": {"n": 1.5, "deep": [None, True]}},
]


def test_every_block_comes_back_exactly_and_the_conversation_is_not_changed(store):
    conversation = new(copy.deepcopy(RICH_USER))
    reply(conversation, *copy.deepcopy(RICH_REPLY))
    conversation.add_user([{"type": "tool_result", "tool_use_id": "toolu_1", "content": [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG_B64}}]}])
    before = copy.deepcopy(conversation.turns)
    cid, _ = store.save(conversation, cid=None, saved=0, profile="anthropic")
    assert conversation.turns == before  # what is about to be sent is untouched
    loaded = store.load(cid)
    assert loaded.turns == before
    assert loaded.system == "Be brief."
    summary = loaded.summary
    assert (summary.id, summary.model, summary.profile, summary.turns) == (
        cid, "claude-sonnet-4-5", "anthropic", len(before))
    assert summary == store.summary(cid)
    assert loaded.settings["max_tokens"] == 1000
    assert store.db.execute("SELECT count(*) FROM blobs").fetchone()[0] == 2  # PNG (3 uses) and PDF


def test_only_new_turns_are_written_and_a_changed_conversation_is_forked(store):
    conversation = new("first")
    recorder = Recorder(store, profile="p")
    recorder(conversation)
    reply(conversation, {"type": "text", "text": "one"})
    recorder(conversation)
    cid = recorder.cid
    assert [t.role for t in store.load(cid).turns] == ["user", "assistant"]
    # Another process continues the same conversation meanwhile.
    other = new("first")
    other.turns = store.load(cid).turns
    other.add_user("theirs")
    Recorder(store, profile="p", cid=cid, saved=2)(other)
    notices: list[str] = []
    recorder.notice = notices.append
    conversation.add_user("mine")
    recorder(conversation)
    assert recorder.cid != cid and notices and cid in notices[0] and recorder.cid in notices[0]
    texts = [[b["text"] for t in store.load(i).turns for b in t.content] for i in (cid, recorder.cid)]
    assert texts == [["first", "one", "theirs"], ["first", "one", "mine"]]


def test_loading_a_long_conversation_takes_two_queries(store):
    conversation = new("start")
    for n in range(500):
        reply(conversation, {"type": "text", "text": f"answer {n}"})
        conversation.add_user(f"question {n}")
    cid, _ = store.save(conversation, cid=None, saved=0, profile=None)
    statements: list[str] = []
    store.db.set_trace_callback(statements.append)
    assert len(store.load(cid).turns) == 1001
    assert len(statements) == 2, statements


def test_list_reads_through_the_updated_index(store):
    store.add_many((new(f"c{n}"), None, float(n), float(n)) for n in range(50))
    statements: list[str] = []
    store.db.set_trace_callback(statements.append)
    assert [s.title for s in store.list(limit=3)] == ["c49", "c48", "c47"]
    store.db.set_trace_callback(None)
    (sql,) = statements
    plan = " ".join(row[-1] for row in store.db.execute("EXPLAIN QUERY PLAN " + sql))
    assert "INDEX conversations_updated" in plan and "TEMP B-TREE" not in plan, plan


def test_removing_deletes_messages_and_unshared_blobs(store):
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG_B64}}
    a, _ = store.save(new([image, {"type": "text", "text": "a"}]), cid=None, saved=0, profile=None)
    b, _ = store.save(new([copy.deepcopy(image), {"type": "text", "text": "b"}]), cid=None, saved=0,
                      profile=None)
    store.delete([a])
    assert store.load(b).turns[0].content[0] == image
    assert store.db.execute("SELECT count(*) FROM messages").fetchone()[0] == 1
    store.delete([b])
    assert store.db.execute("SELECT count(*) FROM blobs").fetchone()[0] == 0
    with pytest.raises(UsageError):
        store.resolve(a)


def test_a_new_database_is_in_wal_mode_at_the_current_schema_version(tmp_path):
    from claudechat.history.schema import MIGRATIONS

    path = tmp_path / "h.db"
    HistoryStore(path).close()
    HistoryStore(path).close()  # opening again migrates nothing
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) >= 1
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_a_directory_in_the_way_is_one_clear_error(tmp_path):
    (tmp_path / "history.db").mkdir()
    with pytest.raises(ClaudechatError, match="history.db"):
        HistoryStore(tmp_path / "history.db")


@pytest.mark.parametrize(("content", "title"), [
    ("  \n\n  Hello there  \nsecond", "Hello there"),
    ([{"type": "text", "text": '<document name="notes &amp; todo.txt">\nbody\n</document>'}],
     "notes & todo.txt"),
    ([{"type": "image", "source": {"type": "url", "url": "https://x"}}], "[image]"),
    ([{"type": "text", "text": '<document name="stdin">\nx\n</document>'},
      {"type": "text", "text": "review this\nplease"}], "review this"),
    ("a" * 100, "a" * 59 + "…"),
    ("word " * 30, ("word " * 11).strip() + "…"),
])
def test_titles(content, title):
    assert title_of(new(content).turns) == title


def test_ctrl_c_during_a_save_waits_for_the_commit(store):
    conversation = new("keep me")
    reply(conversation, {"type": "text", "text": "and me"})

    def interrupt(sql: str) -> None:
        if sql.startswith("INSERT OR REPLACE INTO messages"):
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C in the middle of the transaction

    store.db.set_trace_callback(interrupt)
    recorder = Recorder(store, profile=None)
    with pytest.raises(KeyboardInterrupt):
        recorder(conversation)
    store.db.set_trace_callback(None)
    (row,) = store.list()
    assert [t.content for t in store.load(row.id).turns] == [t.content for t in conversation.turns]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_the_history_lives_in_the_settings_data_dir(clean_env, monkeypatch):
    from claudechat.history.store import history_path
    from claudechat.settings import data_dir

    monkeypatch.setenv("XDG_DATA_HOME", clean_env["XDG_DATA_HOME"])
    assert history_path() == data_dir() / "history.db"
    assert str(history_path()).startswith(clean_env["XDG_DATA_HOME"])


def test_an_unanswered_message_is_kept_marked_and_a_conversation_without_replies_is_found(store):
    conversation = new("no reply came")
    conversation.set_aside()
    lone, _ = store.save(conversation, cid=None, saved=0, profile=None)
    answered = new("q")
    reply(answered, {"type": "text", "text": "a"})
    kept, _ = store.save(answered, cid=None, saved=0, profile=None)
    assert [t.unanswered for t in store.load(lone).turns] == [True]
    assert [r.id for r in store.list(replied=True)] == [kept]
    assert {r.id for r in store.list()} == {lone, kept}
    assert store.count_unreplied() == 1 and store.count_unreplied("no reply") == 1
    assert store.count_unreplied("nothing like it") == 0
    assert store.unreplied_before(time.time() + 1) == [lone] and store.unreplied_before(0) == []


def test_a_schema_1_database_is_migrated_counting_each_conversations_replies(tmp_path):
    from claudechat.history.schema import MIGRATIONS

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        for statement in MIGRATIONS[0]:
            db.execute(statement)
        db.execute("PRAGMA user_version = 1")
        for cid, roles in (("a" * 12, ["user", "assistant"]), ("b" * 12, ["user"]),
                           ("c" * 12, ["user", "assistant"])):
            db.execute("INSERT INTO conversations VALUES (?, 't', 1, 1, NULL, 'm', NULL, '{}', ?)",
                       (cid, len(roles)))
            for position, role in enumerate(roles):
                empty = cid.startswith("c") and role == "assistant"
                content = "[]" if empty else '[{"type":"text","text":"x"}]'
                db.execute("INSERT INTO messages VALUES (?, ?, ?, ?, NULL, NULL, NULL, 0, 1)",
                           (cid, position, role, content))
    db.close()
    with HistoryStore(path) as store:
        assert [r.id for r in store.list(replied=True)] == ["a" * 12]  # an empty reply is no reply
        assert store.count_unreplied() == 2
        assert [t.unanswered for t in store.load("b" * 12).turns] == [False]  # nothing guessed


def test_a_reply_marked_invalid_utf8_round_trips_and_a_schema_2_database_gains_the_mark(tmp_path):
    from claudechat.history.schema import MIGRATIONS

    path = tmp_path / "v2.db"
    with sqlite3.connect(path) as db:
        for statements in MIGRATIONS[:2]:
            for statement in statements:
                db.execute(statement)
        db.execute("PRAGMA user_version = 2")
        db.execute("INSERT INTO conversations VALUES (?, 't', 1, 1, NULL, 'm', NULL, '{}', 2, 1)",
                   ("a1a1a1a1a1a1",))
        for position, role in enumerate(["user", "assistant"]):
            db.execute("INSERT INTO messages VALUES (?, ?, ?, ?, NULL, NULL, NULL, 0, 1, 0)",
                       ("a1a1a1a1a1a1", position, role, '[{"type":"text","text":"x"}]'))
    db.close()
    conversation = new("hi")
    conversation.add_assistant(Message(content=[{"type": "text", "text": "a\ufffdb"}]), invalid_utf8=True)
    with HistoryStore(path) as store:
        assert [t.invalid_utf8 for t in store.load("a1a1a1a1a1a1").turns] == [False, False]
        cid, _ = store.save(conversation, cid=None, saved=0, profile=None)
        assert [t.invalid_utf8 for t in store.load(cid).turns] == [False, True]
        assert store.load(cid).turns[1].content == [{"type": "text", "text": "a\ufffdb"}]
