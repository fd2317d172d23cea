"""End-to-end tests of the conversation history: the real CLI in subprocesses
against the loopback fake server (tests/helpers/fake_server.py), with real SQLite files
under tmp_path (XDG_DATA_HOME).

Expectations come from the README (History) and the Messages API's shapes, not
from the code under test. No mocks, no sleeps: the tests synchronise on the
child's output, on the server's records and on process exit.
"""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import CLI, KEY, Result, finish, interrupted, read_until, run_cli, stacks
from helpers.fake_server import FakeServer, Reply, Stall
from helpers.images import PDF, png
from helpers.pty_terminal import pexpect_child
from helpers.received import assistant, posts, text_of, user
from helpers.seeding import seed_history

TEXT = "Hello from the history server."


def run(env: dict[str, str], *args: str, stdin: bytes | None = None) -> Result:
    return run_cli(env, *args, stdin=stdin)


def ok(result: Result) -> Result:
    assert (result.code, result.err) == (0, ""), result
    return result


def one_error_line(result: Result, code: int) -> str:
    """The one stderr line of a refused command: no traceback, nothing on stdout."""
    assert result.code == code, result
    assert "Traceback" not in result.err, result.err
    assert len(result.err_lines) == 1, result.err
    assert result.out == b"", result
    return result.err_lines[0]


def db_path(env: dict[str, str]) -> Path:
    """Where platformdirs puts the user data dir on Linux: $XDG_DATA_HOME/claudechat."""
    return Path(env["XDG_DATA_HOME"]) / "claudechat" / "history.db"


@pytest.fixture
def server(server: FakeServer) -> FakeServer:
    """The e2e server, answering TEXT to whatever it is not told to answer otherwise."""
    server.set_default(Reply(text=TEXT))
    return server


def listed(env: dict[str, str], *args: str) -> list[dict[str, Any]]:
    result = ok(run(env, "history", "list", "--json", *args))
    return json.loads(result.out)


# -- continuing: -c and --cid -----------------------------------------------------------------


def test_the_first_run_makes_a_complete_database_and_leaves_nothing_else(env, server):
    ok(run(env, "ask", "hello"))
    made = sorted(p.name for p in db_path(env).parent.iterdir())
    assert made[0] == "history.db" and all(name.startswith("history.db") for name in made), made
    with sqlite3.connect(db_path(env)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.execute("SELECT count(*) FROM conversations").fetchone() == (1,)


def test_continue_sends_the_first_exchange(env, server):
    server.enqueue(Reply(text="Paris."), Reply(text="About two million."))
    assert ok(run(env, "ask", "What is the capital of France?")).out == b"Paris.\n"
    assert ok(run(env, "ask", "-c", "How many people live there?")).out == b"About two million.\n"
    first, second = posts(server)
    assert first.json["messages"] == [user("What is the capital of France?")]
    assert second.json["messages"] == [
        user("What is the capital of France?"),
        assistant("Paris."),
        user("How many people live there?"),
    ]
    (row,) = listed(env)
    assert (row["title"], row["turns"]) == ("What is the capital of France?", 4)


def test_continue_sends_thinking_blocks_back_byte_for_byte(env, server):
    # The fake server, like the API, refuses a thinking block whose text changed.
    server.enqueue(Reply(thinking="Let me think — καλημέρα 😀.", signature="sig-h-1", text="Done."))
    ok(run(env, "ask", "--think", "-m", "claude-sonnet-4-5", "first"))
    ok(run(env, "ask", "--think", "-m", "claude-sonnet-4-5", "-c", "second"))
    sent = posts(server)[1].json["messages"]
    assert sent[1]["content"][0] == {"type": "thinking", "thinking": "Let me think — καλημέρα 😀.",
                                     "signature": "sig-h-1"}
    assert sent[1]["content"][1] == {"type": "text", "text": "Done."}


def test_cid_continues_the_named_conversation_by_any_unique_prefix(env, server):
    server.enqueue(Reply(text="one"), Reply(text="two"))
    ok(run(env, "ask", "first conversation"))
    ok(run(env, "ask", "second conversation"))
    rows = listed(env)
    assert [r["title"] for r in rows] == ["second conversation", "first conversation"]
    first_id = rows[1]["id"]
    prefix = next(first_id[:n] for n in range(1, len(first_id) + 1)
                  if not rows[0]["id"].startswith(first_id[:n]))
    ok(run(env, "ask", "--cid", prefix, "more on the first"))
    assert posts(server)[2].json["messages"] == [user("first conversation"), assistant("one"),
                                                 user("more on the first")]
    ok(run(env, "ask", "--cid", "last", "and again"))  # "last" = the most recently updated
    assert text_of(posts(server)[3].json["messages"][0]["content"]) == "first conversation"
    assert [r["turns"] for r in listed(env)] == [6, 2]


def test_continuing_restores_model_and_system_unless_flags_override(env, server, config):
    ok(run(env, "ask", "-m", "claude-haiku-4-5", "-s", "Answer in French.", "hi"))
    ok(run(env, "ask", "-c", "again"))
    body = posts(server)[1].json
    assert body["model"] == "claude-haiku-4-5"
    assert text_of(body["system"]) == "Answer in French."
    changed = run(env, "ask", "-c", "-m", "claude-opus-4-1", "-s", "Answer in German.", "once more")
    assert changed.code == 0 and len(changed.err_lines) == 1, changed  # a changed system prompt
    assert changed.err.startswith("claudechat: system prompt set: claude-opus-4-1 takes no system "
                                  "messages mid-conversation, so the top-level one was changed")
    body = posts(server)[2].json
    assert body["model"] == "claude-opus-4-1"
    assert text_of(body["system"]) == "Answer in German."
    # A conversation started without a system prompt keeps having none, whatever the
    # config says now; a new conversation gets the config's.
    ok(run(env, "ask", "-m", "claude-haiku-4-5", "plain start"))
    env = config(env, 'system = "From the config."\nmodel = "claude-sonnet-4-5"\n')
    ok(run(env, "ask", "-c", "plain continued"))
    body = posts(server)[4].json
    assert "system" not in body and body["model"] == "claude-haiku-4-5"
    ok(run(env, "ask", "fresh"))
    assert text_of(posts(server)[5].json["system"]) == "From the config."


def test_continuing_works_over_chat_completions_too(clean_env, config):
    token = "ace-history-SECRET-token-77"
    ace = FakeServer(auth="bearer", key=token).start()
    try:
        env = config({**clean_env, "ACEDATA_API_TOKEN": token},
                     f'[profiles.ace]\nbase_url = "{ace.url}"\nauth = "bearer"\n'
                     f'api_key_env = "ACEDATA_API_TOKEN"\napi = "chat-completions"\n')
        ace.enqueue(Reply(text="First answer."))
        ok(run(env, "ask", "-p", "ace", "-m", "claude-sonnet-4-5", "first question"))
        ok(run(env, "ask", "-p", "ace", "-c", "second question"))
    finally:
        ace.stop()
    bodies = [r.json for r in ace.requests if r.path == "/v1/chat/completions"]
    assert bodies[1]["model"] == "claude-sonnet-4-5"
    assert [(m["role"], text_of(m["content"])) for m in bodies[1]["messages"]] == [
        ("user", "first question"), ("assistant", "First answer."), ("user", "second question")]


def test_continue_needs_a_conversation_and_one_way_to_name_it(env, server):
    line = one_error_line(run(env, "ask", "-c", "hi"), 2)
    assert "no conversation to continue" in line
    ok(run(env, "ask", "hi"))
    line = one_error_line(run(env, "ask", "-c", "--cid", "last", "hi"), 2)
    assert "-c" in line and "--cid" in line
    line = one_error_line(run(env, "ask", "--cid", "zzzz", "hi"), 2)
    assert "zzzz" in line and "history list" in line
    assert len(posts(server)) == 1


# -- what is saved, and when -----------------------------------------------------------------


def test_no_save_and_save_history_false_keep_nothing(env, server, config):
    ok(run(env, "ask", "--no-save", "not kept"))
    assert not db_path(env).exists()
    assert listed(env) == []
    off = config(env, "save_history = false\n")
    ok(run(off, "ask", "not kept either"))
    assert listed(off) == []
    ok(run(off, "ask", "--save", "kept after all"))
    assert [r["title"] for r in listed(off)] == ["kept after all"]
    ok(run(off, "ask", "-c", "continued, not saved"))  # reading still works with saving off
    assert text_of(posts(server)[3].json["messages"][0]["content"]) == "kept after all"
    assert listed(off)[0]["turns"] == 2


def test_the_api_key_never_reaches_the_history(env, server, config):
    ok(run(env, "ask", "hello"))
    in_file = "sk-ant-IN-CONFIG-FILE-9f9f"
    server2 = FakeServer(auth="x-api-key", key=in_file).start()
    try:
        env2 = config(env, f'[profiles.filekey]\nbase_url = "{server2.url}"\nauth = "x-api-key"\n'
                           f'api_key = "{in_file}"\n')
        ok(run(env2, "ask", "-p", "filekey", "-c", "more"))
    finally:
        server2.stop()
    files = list(db_path(env).parent.iterdir())
    assert db_path(env) in files
    for path in files:
        data = path.read_bytes()
        assert KEY.encode() not in data and in_file.encode() not in data, path
    exported = ok(run(env, "history", "export", "last", "--format", "json")).out
    assert KEY.encode() not in exported and in_file.encode() not in exported
    assert json.loads(exported)["profile"] == "filekey"


def test_title_is_the_first_line_of_the_users_own_words(env, server):
    long_line = "Explain " + " ".join(f"word{i}" for i in range(60))
    ok(run(env, "ask", long_line + "\nsecond line"))
    ok(run(env, "ask", "review this", stdin=b"diff --git a/x b/x\n+added\n"))
    ok(run(env, "ask", "\x1b[31mred\x1b[0m\ttabbed title"))
    titles = [r["title"] for r in listed(env)]
    assert titles[1] == "review this"  # not the piped document
    assert titles[0] == "red tabbed title"  # no escape codes, no tabs
    shortened = titles[2]
    assert shortened.endswith("…") and len(shortened) <= 80
    assert long_line.startswith(shortened[:-1].rstrip())
    assert "second line" not in shortened


def test_images_and_documents_are_stored_once_and_sent_back_exactly(env, server, tmp_path):
    image = tmp_path / "shot.png"
    image.write_bytes(png(40, 30))
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(PDF)
    ok(run(env, "ask", "-i", str(image), "-f", str(pdf), "what is this?"))
    ok(run(env, "ask", "-c", "-i", str(image), "and this one?"))
    ok(run(env, "ask", "-i", str(image), "a new conversation, the same image"))
    first, second, _ = posts(server)
    sent_blocks = first.json["messages"][0]["content"]
    assert sent_blocks[0]["source"]["data"] == base64.b64encode(PDF).decode()
    assert sent_blocks[1]["source"]["data"] == base64.b64encode(image.read_bytes()).decode()
    # Continuing sends the stored blocks back exactly as they first went out.
    assert second.json["messages"][0] == first.json["messages"][0]
    assert second.json["messages"][2]["content"][0] == sent_blocks[1]
    exported = json.loads(ok(run(env, "history", "export", "last", "--format", "json")).out)
    assert exported["messages"][0]["content"][0] == sent_blocks[1]
    shown = ok(run(env, "history", "show", exported["id"])).out.decode()
    assert f"[image: image/png, {image.stat().st_size} bytes]" in shown  # one line, not the data
    assert base64.b64encode(image.read_bytes()).decode()[:40] not in shown
    with sqlite3.connect(db_path(env)) as db:  # one row per distinct file, however often used
        assert db.execute("SELECT count(*) FROM blobs").fetchone()[0] == 2
        b64 = sent_blocks[1]["source"]["data"]
        hits = db.execute("SELECT count(*) FROM messages WHERE instr(content, ?)", (b64,)).fetchone()[0]
        assert hits == 0


# -- replies that end badly are kept ---------------------------------------------------------

PIECES = ["First words ", "more", " never seen"]
AFTER_FIRST = 3  # pings=False: 1 message_start, 2 content_block_start, 3 "First words "


@pytest.mark.parametrize(("fault", "code"), [
    ({"drop_after": AFTER_FIRST}, 1),
    ({"error_after": AFTER_FIRST}, 1),
])
def test_a_broken_reply_is_kept_marked_interrupted(env, server, fault, code):
    server.enqueue(Reply(text=PIECES, pings=False, **fault))
    result = run(env, "ask", "tell me")
    assert (result.code, result.out) == (code, b"First words \n"), result
    exported = json.loads(ok(run(env, "history", "export", "last", "--format", "json")).out)
    assert exported["messages"] == [user("tell me"), assistant("First words ")]
    assert [t["interrupted"] for t in exported["turns"]] == [False, True]
    shown = ok(run(env, "history", "show", "last")).out.decode()
    assert "First words" in shown and "interrupted" in shown


def test_ctrl_c_keeps_the_partial_reply_in_the_history(env, server):
    server.enqueue(Reply(text=PIECES, pings=False, stall_after=AFTER_FIRST))
    result = interrupted(env, "ask", "tell me", ready=lambda proc: read_until(proc.stdout.fileno(),
                                                                              b"First words"))
    assert result.code == 130
    exported = json.loads(ok(run(env, "history", "export", "last", "--format", "json")).out)
    assert exported["messages"] == [user("tell me"), assistant("First words ")]
    assert exported["turns"][1]["interrupted"] is True


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_kill_or_a_closed_terminal_mid_stream_keeps_the_partial_reply(env, server, signum):
    server.enqueue(Reply(text=PIECES, pings=False, stall_after=AFTER_FIRST))
    proc = subprocess.Popen([*CLI, "ask", "tell me"], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        seen = read_until(proc.stdout.fileno(), b"First words")
        proc.send_signal(signum)
        done = finish(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert done.code == 128 + signum, done
    assert seen + done.out == b"First words \n", done
    exported = json.loads(ok(run(env, "history", "export", "last", "--format", "json")).out)
    assert exported["messages"] == [user("tell me"), assistant("First words ")]
    assert exported["turns"][1]["interrupted"] is True


def test_sigkill_mid_stream_leaves_every_earlier_turn_and_the_pending_message(env, server):
    server.enqueue(Reply(text="The first answer."),
                   Reply(text=PIECES, pings=False, stall_after=AFTER_FIRST))
    ok(run(env, "ask", "The first question"))
    proc = subprocess.Popen([*CLI, "ask", "-c", "The second question"], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        read_until(proc.stdout.fileno(), b"First words")
        os.kill(proc.pid, signal.SIGKILL)
        finish(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    shown = ok(run(env, "history", "show", "last")).out.decode()
    for text in ("The first question", "The first answer.", "The second question"):
        assert text in shown
    assert shown.index("The first answer.") < shown.index("The second question")
    with sqlite3.connect(db_path(env)) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    # The conversation goes on: the question whose reply was never saved is left out (one
    # line says so), never merged into the next one, and stays in the history marked unanswered.
    third = run(env, "ask", "-c", "The third question")
    assert third.code == 0 and third.err.startswith("claudechat: left out your unanswered question")
    sent = posts(server)[2].json["messages"]
    assert sent == [user("The first question"), assistant("The first answer."), user("The third question")]
    assert "(unanswered" in ok(run(env, "history", "show", "last")).out.decode()


# -- two processes at once -------------------------------------------------------------------


def start(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*CLI, *args], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish_all(procs: list[subprocess.Popen[bytes]]) -> list[Result]:
    return [finish(proc, timeout=60) for proc in procs]


def wait_for_requests(server: FakeServer, n: int, procs: list[subprocess.Popen[bytes]]) -> None:
    """server.wait_for_requests, failing with what each CLI was doing if they did not all arrive."""
    try:
        server.wait_for_requests(n, timeout=30)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n" + "\n".join(stacks(proc) for proc in procs)) from None


def test_two_concurrent_writers_both_succeed(env, server):
    server.enqueue(Stall(), Stall())  # each then gets the default reply, after release()
    procs = [start(env, "ask", "from terminal one"), start(env, "ask", "from terminal two")]
    try:
        wait_for_requests(server, 2, procs)
        # A third writer holds the lock while both replies arrive and are to be saved.
        with sqlite3.connect(db_path(env), isolation_level=None) as db:
            db.execute("BEGIN IMMEDIATE")
            server.release()
            seen = [read_until(proc.stdout.fileno(), TEXT.encode()) for proc in procs]
            db.execute("COMMIT")
        db.close()
        results = finish_all(procs)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    for text, result in zip(seen, results, strict=True):
        assert (result.code, text + result.out, result.err) == (0, (TEXT + "\n").encode(), ""), result
    rows = ok(run(env, "history", "list")).rows
    assert sorted(row[2] for row in rows) == ["from terminal one", "from terminal two"]
    assert [row[4] for row in rows] == ["2", "2"]


def test_two_processes_continuing_one_conversation_lose_nothing(env, server):
    ok(run(env, "ask", "shared start"))
    server.enqueue(Stall(), Stall())
    procs = [start(env, "ask", "-c", "branch A"), start(env, "ask", "-c", "branch B")]
    try:
        wait_for_requests(server, 3, procs)
        server.release()
        results = finish_all(procs)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    assert [r.code for r in results] == [0, 0], results
    notices = [line for r in results for line in r.err_lines]
    forks = [line for line in notices if "saved as" in line]
    assert len(forks) == 1, notices  # one of them became a copy
    # The later one may have read the other's question before its reply was saved: that
    # question is left out of its request (said in a line), never merged into its own.
    assert all(line.startswith("claudechat: left out your unanswered question from ")
               for line in notices if line not in forks), notices
    conversations = [json.loads(ok(run(env, "history", "export", r["id"], "--format", "json")).out)
                     for r in listed(env)]
    assert len(conversations) == 2
    # Which process forks depends on whether the second one started before or after the
    # first saved its question; either way every question and every reply is kept.
    for conv in conversations:
        assert conv["messages"][:2] == [user("shared start"), assistant(TEXT)]
        assert conv["messages"][-1] == assistant(TEXT)
    questions = [text_of(m["content"]) for c in conversations for m in c["messages"][2:-1]]
    assert {"branch A", "branch B"} <= set(questions)


# -- the database file itself ------------------------------------------------------------------


def test_history_path_is_in_the_user_data_dir(env):
    assert ok(run(env, "history", "path")).out == f"{db_path(env)}\n".encode()
    assert not db_path(env).exists()  # asking where does not create it


def test_a_database_from_a_newer_claudechat_is_refused_untouched(env, server):
    db_path(env).parent.mkdir(parents=True)
    with sqlite3.connect(db_path(env)) as db:
        db.execute("CREATE TABLE future (x)")
        db.execute("PRAGMA user_version = 99")
    db.close()
    before = db_path(env).read_bytes()
    line = one_error_line(run(env, "history", "list"), 2)
    assert "newer" in line and "99" in line and str(db_path(env)) in line
    line = one_error_line(run(env, "ask", "hi"), 2)
    assert "newer" in line and "--no-save" in line
    assert posts(server) == []  # refused before anything was sent
    assert db_path(env).read_bytes() == before
    assert sorted(p.name for p in db_path(env).parent.iterdir()) == ["history.db"]
    ok(run(env, "ask", "--no-save", "hi"))


def test_a_history_that_cannot_be_written_stops_ask_before_sending(env, server):
    Path(env["XDG_DATA_HOME"]).rmdir()
    Path(env["XDG_DATA_HOME"]).write_text("a file where the data directory should be")
    line = one_error_line(run(env, "ask", "hi"), 2)
    assert "--no-save" in line
    assert posts(server) == []
    assert ok(run(env, "ask", "--no-save", "hi")).out == (TEXT + "\n").encode()


def test_a_file_that_is_not_a_database_is_one_line(env, server):
    db_path(env).parent.mkdir(parents=True)
    db_path(env).write_bytes(b"this is not sqlite\n" * 100)
    line = one_error_line(run(env, "history", "list"), 2)
    assert str(db_path(env)) in line and "move it aside" in line


# -- history list ------------------------------------------------------------------------------


def test_list_and_show_give_each_conversations_cost_at_list_prices(env, server):
    server.enqueue(Reply(text=TEXT, usage={"input_tokens": 1000, "output_tokens": 500}),
                   Reply(text=TEXT, usage={"input_tokens": 1000, "output_tokens": 500,
                                           "cache_read_input_tokens": 1000}),
                   Reply(text=TEXT, usage={"input_tokens": 1000, "output_tokens": 500}))
    ok(run(env, "ask", "--model", "claude-sonnet-5-5", "priced"))
    ok(run(env, "ask", "-c", "again"))
    ok(run(env, "ask", "--model", "claude-opus-4-6", "unpriced"))
    # docs/API-2026.md §1a Sonnet 5.5: $2 in, $10 out, $0.20 read per million:
    # 1,000 x $2 + 500 x $10 = $7,000; then 1,000 x $2 + 1,000 x $0.20 + 500 x $10 = $7,200
    # -> $14,200 per million = $0.0142. Opus 4.6 has no price (§1b): no figure.
    unpriced, priced = ok(run(env, "history", "list")).rows
    assert (priced[2], priced[5]) == ("priced", "$0.0142") and (unpriced[2], unpriced[5]) == ("unpriced", "")
    assert [row["cost"] for row in listed(env)] == [None, 0.0142]
    shown = ok(run(env, "history", "show", priced[0])).out.decode().splitlines()
    assert shown[-1].startswith("total: $0.0142 at list prices checked 2026-"), shown
    shown = ok(run(env, "history", "show", unpriced[0])).out.decode().splitlines()
    assert shown[-1] == "total: — (no price known for a model of this conversation)"


def test_list_is_tab_separated_on_a_pipe_most_recent_first(env, server):
    before = datetime.now().astimezone().replace(microsecond=0)
    for prompt in ("alpha question", "beta question", "gamma question"):
        ok(run(env, "ask", prompt))
    ok(run(env, "ask", "--cid", "last", "gamma follow-up"))
    after = datetime.now().astimezone()
    result = ok(run(env, "history", "list"))
    assert b"\x1b" not in result.out
    rows = result.rows
    assert [len(row) for row in rows] == [6, 6, 6]  # the cost last
    assert [row[2] for row in rows] == ["gamma question", "beta question", "alpha question"]
    assert [row[3] for row in rows] == ["claude-sonnet-5-5"] * 3  # the README's default model
    assert [row[4] for row in rows] == ["4", "2", "2"]
    for row in rows:
        assert before <= datetime.fromisoformat(row[1]) <= after
    assert [row[2] for row in ok(run(env, "history", "list", "--limit", "2")).rows] == \
        ["gamma question", "beta question"]
    assert ok(run(env, "history")).out == result.out  # `history` alone lists
    as_json = listed(env)
    assert [(r["id"], r["title"], r["turns"]) for r in as_json] == [(row[0], row[2], int(row[4]))
                                                                  for row in rows]
    assert {"created", "updated", "model", "profile"} <= set(as_json[0])


def test_list_search_matches_titles_and_message_text(env, server):
    server.enqueue(Reply(text="Zebras have stripes."), Reply(text="Да."), Reply(text="ok"))
    ok(run(env, "ask", "Tell me about animals"))
    ok(run(env, "ask", "Привет, мир"))
    ok(run(env, "ask", 'Quote "this" 100% of_the time'))

    def titles(text: str) -> list[str]:
        return [row[2] for row in ok(run(env, "history", "list", "--search", text)).rows]

    assert titles("ZEBRA") == ["Tell me about animals"]  # in the reply, any case
    assert titles("привет") == ["Привет, мир"]  # case folding beyond ASCII
    assert titles("animals") == ["Tell me about animals"]
    assert titles('"this"') == ['Quote "this" 100% of_the time']
    assert titles("0% o") == ['Quote "this" 100% of_the time']
    assert titles("%") == ['Quote "this" 100% of_the time']  # not a wildcard
    assert titles("type") == []  # the stored JSON's keys are not text
    assert titles("nowhere to be found") == []


@pytest.mark.parametrize("args", [("list",), ("show", "last"), ("export", "last")])
def test_a_reader_that_went_away_is_not_an_error(env, args):
    seed(env, ["a conversation"])
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `| head -1` after the first line, made deterministic
    try:
        done = subprocess.run([*CLI, "history", *args], env=env, stdin=subprocess.DEVNULL,
                              stdout=write_end, stderr=subprocess.PIPE, timeout=60)
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (0, b"")


def test_list_refuses_a_negative_limit(env):
    line = one_error_line(run(env, "history", "list", "--limit", "-1"), 2)
    assert "--limit" in line


# -- show and export ----------------------------------------------------------------------------


def test_show_on_a_pipe_is_plain_markdown_with_thinking_collapsed(env, server):
    server.enqueue(Reply(thinking="secret chain of reasoning here", text="The **answer** is 4."))
    ok(run(env, "ask", "--think", "-m", "claude-sonnet-4-5", "-s", "Be exact.", "What is 2+2?"))
    result = ok(run(env, "history", "show", "last"))
    text = result.out.decode()
    assert "\x1b" not in text
    assert "secret chain of reasoning" not in text
    lines = text.splitlines()
    assert lines[0] == "# What is 2+2?"
    you, claude = lines.index("## You"), lines.index("## Claude")
    assert lines.index("Be exact.") < you < lines.index("What is 2+2?") < claude
    after = [line for line in lines[claude + 1:] if line]
    assert "thinking" in after[0] and "5 words" in after[0]  # one line in place of the thinking
    assert after[1] == "The **answer** is 4."
    assert ok(run(env, "history", "export", "last")).out == result.out  # md is the default


def test_export_json_holds_the_messages_in_the_apis_shape(env, server, tmp_path):
    server.enqueue(Reply(text="A1"), Reply(text="A2"))
    ok(run(env, "ask", "Q1"))
    ok(run(env, "ask", "-c", "Q2"))
    target = tmp_path / "out" / "conv.json"
    target.parent.mkdir()
    result = ok(run(env, "history", "export", "last", "--format", "json", "-o", str(target)))
    assert result.out == b""
    exported = json.loads(target.read_text("utf-8"))
    assert exported["messages"] == [*posts(server)[1].json["messages"], assistant("A2")]
    assert exported["title"] == "Q1" and exported["model"] == "claude-sonnet-5-5"
    assert [t["stop_reason"] for t in exported["turns"]] == [None, "end_turn", None, "end_turn"]
    md = tmp_path / "conv.md"
    ok(run(env, "history", "export", exported["id"][:6], "-o", str(md)))
    assert md.read_bytes() == ok(run(env, "history", "show", "last")).out


def test_export_refuses_an_unknown_format_and_an_unwritable_file(env, server, tmp_path):
    ok(run(env, "ask", "hi"))
    assert "md or json" in one_error_line(run(env, "history", "export", "last", "--format", "pdf"), 2)
    line = one_error_line(run(env, "history", "export", "last", "-o", str(tmp_path / "no" / "x.md")), 2)
    assert "x.md" in line


def seed(env: dict[str, str], titles: list[str]) -> list[str]:
    """Conversations (a question and its reply) written through the store's own bulk API
    (fast), oldest first."""
    return seed_history(db_path(env), titles)


def test_unknown_ambiguous_and_empty_references_exit_2(env):
    line = one_error_line(run(env, "history", "show", "last"), 2)
    assert "empty" in line
    ids = seed(env, [f"conversation {n}" for n in range(17)])  # 17 ids, 16 first characters
    assert [r["id"] for r in listed(env, "--limit", "0")] == ids[::-1]
    first = next(c for c in "0123456789abcdef" if sum(i.startswith(c) for i in ids) > 1)
    line = one_error_line(run(env, "history", "show", first), 2)
    for cid in ids:
        assert (cid in line) == cid.startswith(first), line
    line = one_error_line(run(env, "history", "show", "not-an-id"), 2)
    assert "not-an-id" in line
    shown = ok(run(env, "history", "show", ids[3].upper())).out.decode()
    assert shown.startswith("# conversation 3\n")


# -- rm ------------------------------------------------------------------------------------------


def test_rm_with_yes_removes_and_leaves_no_trace_of_the_text(env, server):
    server.enqueue(Reply(text="keep me"), Reply(text="UNIQUE-REPLY-TEXT-4431"))
    ok(run(env, "ask", "conversation to keep"))
    ok(run(env, "ask", "UNIQUE-QUESTION-TEXT-7781"))
    gone, kept = (r["id"] for r in listed(env))
    result = run(env, "history", "rm", gone[:8], "--yes")
    assert (result.code, result.out) == (0, b""), result
    assert gone in result.err
    assert [r["id"] for r in listed(env)] == [kept]
    for path in db_path(env).parent.iterdir():
        data = path.read_bytes()
        assert b"UNIQUE-QUESTION-TEXT-7781" not in data and b"UNIQUE-REPLY-TEXT-4431" not in data, path
    assert "no conversation" in one_error_line(run(env, "history", "show", gone), 2)


def test_rm_refuses_without_yes_when_stdin_is_not_a_terminal(env, server):
    ok(run(env, "ask", "precious"))
    line = one_error_line(run(env, "history", "rm", "last"), 2)
    assert "--yes" in line
    assert len(listed(env)) == 1
    line = one_error_line(run(env, "history", "rm", "last", "ffffffffffff0", "--yes"), 2)
    assert "ffffffffffff0" in line
    assert len(listed(env)) == 1  # an unknown id removes nothing at all


def test_an_image_shared_by_two_conversations_survives_removing_one(env, server, tmp_path):
    image = tmp_path / "shared.png"
    image.write_bytes(png(5, 5, (1, 2, 3)))
    ok(run(env, "ask", "-i", str(image), "first"))
    ok(run(env, "ask", "-i", str(image), "second"))
    assert run(env, "history", "rm", "last", "--yes").code == 0
    ok(run(env, "ask", "-c", "still there?"))
    sent = posts(server)[2].json["messages"][0]["content"][0]
    assert sent["source"]["data"] == base64.b64encode(image.read_bytes()).decode()
    assert run(env, "history", "rm", "last", "--yes").code == 0
    with sqlite3.connect(db_path(env)) as db:
        assert db.execute("SELECT count(*) FROM blobs").fetchone()[0] == 0


# -- on a terminal ---------------------------------------------------------------------------------


def test_on_a_terminal_list_is_a_table_and_show_renders(env, server):
    server.enqueue(Reply(text="# Heading\n\nSome *emphasis* here."))
    ok(run(env, "ask", "Render me"))
    cid = listed(env)[0]["id"]
    child = pexpect_child(env, "history", "list")
    table = re.sub(r"\x1b\[[0-9;]*m", "", child.read())
    child.close()
    assert child.exitstatus == 0
    header = next(line for line in table.splitlines() if "title" in line)
    assert header.split() == ["id", "updated", "title", "model", "turns", "cost"]
    row = next(line for line in table.splitlines() if cid in line)
    assert "Render me" in row and "\t" not in row and row.split()[-2] == "2"
    assert row.split()[-1].startswith("$0.")  # Sonnet 5.5 is priced (the figure: the test above)
    child = pexpect_child(env, "history", "list", "--plain")
    assert child.read().split("\t")[2] == "Render me"  # --plain: the pipe's lines
    child.close()
    child = pexpect_child(env, "history", "show", "last")
    out = child.read()
    child.close()
    assert child.exitstatus == 0
    assert "\x1b[" in out  # styled
    assert "Render me" in out and "emphasis" in out
    assert "*emphasis*" not in out and "# Heading" not in out  # Claude's Markdown is rendered


def test_rm_on_a_terminal_asks_first(env, server):
    ok(run(env, "ask", "first one"))
    ok(run(env, "ask", "second one"))
    child = pexpect_child(env, "history", "rm", "last")
    child.expect_exact("second one")
    child.expect_exact("[y/N]")
    child.sendline("n")
    child.read()
    child.close()
    assert child.exitstatus == 1
    assert [r["title"] for r in listed(env)] == ["second one", "first one"]
    child = pexpect_child(env, "history", "rm", "last")
    child.expect_exact("[y/N]")
    child.sendline("y")
    child.read()
    child.close()
    assert child.exitstatus == 0
    assert [r["title"] for r in listed(env)] == ["first one"]
