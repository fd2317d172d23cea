"""`claudechat history list|show|export|rm|path` (README, History), each command called
with an Environment over its own streams (StringIO; a "terminal" is a StringIO that says
it is one, or a real pipe) and the history database under a tmp XDG_DATA_HOME.

Promised: on a pipe `list` prints one tab-separated line per conversation — id, updated
(ISO 8601), title, model, turns, cost (empty without a price) — most recent first, 20 by
default and `--limit 0` for all; a table on a terminal; `--json`; `show` on a pipe is
Markdown with `## You` / `## Claude` and a total line; `export` md (as `show` prints it
on a pipe) or json (`messages` as the API takes them, `turns` beside them), to stdout
or `-o FILE`; `rm` asks first on a terminal and needs `--yes` without one; `path`
prints where the database is. A reader that goes away (`| head`) ends the output
quietly."""

from __future__ import annotations

import io
import json
import os
import re
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from claudechat.conversation import Conversation, RequestParams
from claudechat.environment import Environment
from claudechat.errors import ClaudechatError, ExitCode, UsageError
from claudechat.history import commands
from claudechat.history.store import HistoryStore
from claudechat.message import Message
from claudechat.models import PRICES_CHECKED

T0 = 1_750_000_000.0  # 2025-06-15


class Terminal(io.StringIO):
    """A stream that is a terminal, as far as the command can tell."""

    def isatty(self) -> bool:
        return True


class Screen:
    """The streams a command runs with; `.env` the Environment over them."""

    def __init__(self, *, stdin: str = "", tty_in: bool = False, tty_out: bool = False,
                 stdout: io.TextIOBase | None = None) -> None:
        self.stdin = (Terminal if tty_in else io.StringIO)(stdin)
        self.stdout = stdout or (Terminal() if tty_out else io.StringIO())
        self.stderr = io.StringIO()
        self.env = Environment.over(self.stdin, self.stdout, self.stderr, env={})

    def out(self) -> str:
        return self.stdout.getvalue()

    def err(self) -> str:
        return self.stderr.getvalue()


@pytest.fixture
def data(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data"


def chat(question: str, answer: str, model: str = "claude-sonnet-4-6") -> Conversation:
    c = Conversation(params=RequestParams(model=model, max_tokens=1000), system="Be brief.")
    c.add_user(question)
    c.add_assistant(Message(id="msg_1", model=model, content=[{"type": "text", "text": answer}],
                            stop_reason="end_turn", usage={"input_tokens": 4, "output_tokens": 2}))
    return c


def stored(data, *conversations: Conversation, start: float = T0) -> list[str]:
    """Saved with `updated` one minute apart, in the order given; their ids."""
    with HistoryStore() as store:
        return store.add_many((c, "anthropic", start + 60 * i, start + 60 * i)
                              for i, c in enumerate(conversations))


def ids(data) -> list[str]:
    with HistoryStore() as store:
        return [row.id for row in store.list(limit=None)]


def listed(screen: Screen, limit: int = 20, search: str | None = None, plain: bool = False) -> str:
    assert commands.list_conversations(screen.env, limit, search, False, plain) == ExitCode.OK
    return screen.out()


# -- list --------------------------------------------------------------------------------


def test_list_on_a_pipe_is_one_tab_separated_line_per_conversation_most_recent_first(data):
    old, new = stored(data, chat("What is the capital of France?", "Paris."),
                      chat("Explain WAL mode", "It is…", model="claude-opus-4-7"))
    rows = [line.split("\t") for line in listed(Screen()).splitlines()]
    assert [r[0] for r in rows] == [new, old]
    # the cost last, at docs/API-2026.md §1b prices: Opus 4.7 $5 in, $25 out per million:
    # 4 x $5 + 2 x $25 = $70 per million; Sonnet 4.6 has no price in the reference: empty
    assert [r[2:] for r in rows] == [["Explain WAL mode", "claude-opus-4-7", "2", "$0.000070"],
                                     ["What is the capital of France?", "claude-sonnet-4-6", "2", ""]]
    updated = datetime.fromisoformat(rows[0][1])
    assert updated.tzinfo is not None and updated.timestamp() == T0 + 60


def test_a_title_with_an_escape_sequence_or_a_tab_stays_one_clean_field(data):
    [cid] = stored(data, chat("\x1b]0;owned\x07Hello \x1b[31mthere", "hi"))
    with sqlite3.connect(data / "claudechat" / "history.db") as db:  # as another writer left it
        db.execute("UPDATE conversations SET model = ? WHERE id = ?", ("claude\tsonnet\x1b[2J", cid))
    [line] = listed(Screen()).splitlines()
    fields = line.split("\t")
    assert len(fields) == 6 and fields[0] == cid
    assert "\x1b" not in line and "\x07" not in line
    assert "Hello" in fields[2] and "there" in fields[2] and "owned" not in fields[2]
    assert fields[3].split() == ["claude", "sonnet"]


def test_list_json_is_every_field_of_every_conversation(data):
    [cid] = stored(data, chat("q", "a"))
    screen = Screen()
    assert commands.list_conversations(screen.env, 20, None, True, False) == ExitCode.OK
    [row] = json.loads(screen.out())
    assert row["id"] == cid and row["title"] == "q" and row["turns"] == 2
    assert row["model"] == "claude-sonnet-4-6" and row["profile"] == "anthropic"
    assert row["cost"] is None  # Sonnet 4.6: no price in docs/API-2026.md §1b
    assert datetime.fromisoformat(row["updated"]).timestamp() == T0
    assert datetime.fromisoformat(row["created"]).timestamp() == T0


def test_limit_and_search(data):
    every = stored(data, *(chat(f"question {i}", "answer" if i != 7 else "The WAL Mode") for i in range(25)))
    assert len(listed(Screen()).splitlines()) == 20  # the default
    assert [line.split("\t")[0] for line in listed(Screen(), limit=2).splitlines()] == every[:-3:-1]
    assert len(listed(Screen(), limit=0).splitlines()) == 25  # --limit 0: all
    [found] = listed(Screen(), search="wal mode").splitlines()  # message text, any case
    assert found.split("\t")[0] == every[7]
    [found] = listed(Screen(), search="QUESTION 12").splitlines()  # the title
    assert found.split("\t")[0] == every[12]
    with pytest.raises(UsageError, match="--limit"):
        commands.list_conversations(Screen().env, -1, None, False, False)


def test_on_a_terminal_list_is_a_table_unless_plain(data):
    [cid] = stored(data, chat("Capital?", "Paris."))
    table = re.sub(r"\x1b\[[0-9;]*m", "", listed(Screen(tty_out=True)))
    assert "\t" not in table
    header, _, row = table.splitlines()
    assert header.split() == ["id", "updated", "title", "model", "turns", "cost"]
    assert row.split()[0] == cid and "Capital?" in row and row.split()[-1] == "—"
    assert listed(Screen(tty_out=True), plain=True).split("\t")[0] == cid


def test_list_prices_each_reply_at_its_own_model_and_json_has_the_cost(data):
    opus = chat("q", "a", model="claude-opus-5-5")
    opus.add_user("again")
    opus.add_assistant(Message(id="msg_2", model="claude-haiku-4-5", content=[{"type": "text", "text": "b"}],
                               stop_reason="end_turn", usage={"input_tokens": 10, "output_tokens": 4,
                                                              "cache_read_input_tokens": 1000}))
    stored(data, opus)
    # §1a Opus 5.5: 4 x $4 + 2 x $20 = $56; §1b Haiku 4.5 ($1 / $5, reads 0.1 x = $0.10):
    # 10 x $1 + 1,000 x $0.10 + 4 x $5 = $130; $186 per million
    screen = Screen()
    commands.list_conversations(screen.env, 20, None, True, False)
    assert json.loads(screen.out())[0]["cost"] == 0.000186
    table = re.sub(r"\x1b\[[0-9;]*m", "", listed(Screen(tty_out=True)))
    assert table.splitlines()[-1].split()[-1] == "$0.0002"


def test_an_empty_history_is_said_on_a_terminal_and_is_nothing_on_a_pipe(data):
    terminal = Screen(tty_out=True)
    assert listed(terminal) == "" and "no conversations yet" in terminal.err()
    pipe = Screen()
    assert listed(pipe) == "" and pipe.err() == ""


# -- show, export --------------------------------------------------------------------------


def test_show_on_a_pipe_is_markdown_with_a_section_per_message(data):
    [cid] = stored(data, chat("What is the capital of France?", "Paris."))
    screen = Screen()
    assert commands.show(screen.env, cid[:5], False) == ExitCode.OK
    text = screen.out()
    you, claude = text.index("## You"), text.index("## Claude")
    assert you < text.index("What is the capital of France?", you) < claude < text.index("Paris.")
    assert text.endswith("total: — (no price known for a model of this conversation)\n")  # Sonnet 4.6
    with pytest.raises(UsageError, match="no conversation with id"):
        commands.show(Screen().env, "fffffffffffe", False)


def test_show_ends_with_the_total_at_list_prices(data):
    [cid] = stored(data, chat("Capital?", "Paris.", model="claude-opus-5-5"))
    screen = Screen()
    commands.show(screen.env, cid, False)
    # §1a Opus 5.5: 4 in x $4 + 2 out x $20 = $56 per million
    assert screen.out().splitlines()[-1] == f"total: $0.000056 at list prices checked {PRICES_CHECKED}"
    terminal = Screen(tty_out=True)
    commands.show(terminal.env, cid, False)
    assert "total: $0.000056" in re.sub(r"\x1b\[[0-9;]*m", "", terminal.out())


def test_export_md_is_what_show_prints_on_a_pipe_and_json_has_the_api_messages(data, tmp_path):
    conversation = chat("What is the capital of France?", "Paris.")
    [cid] = stored(data, conversation)
    shown, md = Screen(), Screen()
    commands.show(shown.env, cid, False)
    assert commands.export(md.env, cid, "md", None) == ExitCode.OK
    assert md.out() == shown.out()
    exported = Screen()
    commands.export(exported.env, "last", "json", "-")
    document = json.loads(exported.out())
    assert document["messages"] == conversation.api_messages()
    assert [(t["model"], t["stop_reason"], t["usage"], t["interrupted"]) for t in document["turns"]] == [
        (None, None, None, False),
        ("claude-sonnet-4-6", "end_turn", {"input_tokens": 4, "output_tokens": 2}, False)]


def test_export_to_a_file_writes_nothing_to_stdout(data, tmp_path):
    [cid] = stored(data, chat("q", "a"))
    screen, again = Screen(), Screen()
    commands.export(screen.env, cid, "json", str(tmp_path / "c.json"))
    commands.export(again.env, cid, "json", None)
    assert screen.out() == "" and (tmp_path / "c.json").read_text("utf-8") == again.out()
    commands.export(screen.env, cid, "md", str(tmp_path / "c.md"))
    assert (tmp_path / "c.md").read_text("utf-8").count("## ") >= 2 and screen.out() == ""
    with pytest.raises(ClaudechatError, match="cannot write"):
        commands.export(screen.env, cid, "md", str(tmp_path / "no-such-dir" / "c.md"))
    with pytest.raises(UsageError, match="md or json"):
        commands.export(screen.env, cid, "html", None)


# -- rm ------------------------------------------------------------------------------------


def test_rm_without_a_terminal_needs_yes(data):
    [cid] = stored(data, chat("keep me", "ok"))
    with pytest.raises(UsageError, match="--yes"):
        commands.remove(Screen(stdin="y\n").env, [cid], False)
    assert ids(data) == [cid]
    screen = Screen()
    assert commands.remove(screen.env, [cid, cid[:4]], True) == ExitCode.OK
    assert ids(data) == []
    assert screen.err() == f"removed {cid}  keep me\n" and screen.out() == ""


def test_rm_on_a_terminal_asks_and_reads_the_answer_from_stdin(data):
    keep, drop = stored(data, chat("keep this one", "ok"), chat("drop \x1b]0;x\x07this one", "ok"))
    for answer in ("n\n", "\n", ""):  # no, Enter, end of input: nothing is removed
        with pytest.raises(ClaudechatError, match="nothing was removed"):
            commands.remove(Screen(stdin=answer, tty_in=True).env, [drop], False)
    assert sorted(ids(data)) == sorted([keep, drop])
    screen = Screen(stdin="y\n", tty_in=True)
    assert commands.remove(screen.env, [drop], False) == ExitCode.OK
    assert ids(data) == [keep]
    question = screen.err()
    assert drop in question and "drop this one" in question and "[y/N]" in question
    assert "\x1b" not in question and "\x07" not in question


def test_rm_with_no_ids_is_refused(data):
    with pytest.raises(UsageError):
        commands.remove(Screen().env, [], True)


# -- path, and a reader that went away ---------------------------------------------------------


def test_path_prints_where_the_database_is(data):
    screen = Screen()
    assert commands.print_path(screen.env) == ExitCode.OK
    assert screen.out() == f"{data / 'claudechat' / 'history.db'}\n"


@pytest.mark.parametrize("run", [
    lambda env, cid: commands.list_conversations(env, 20, None, False, False),
    lambda env, cid: commands.list_conversations(env, 20, None, True, False),
    lambda env, cid: commands.show(env, cid, False),
    lambda env, cid: commands.export(env, cid, "json", None),
    lambda env, cid: commands.print_path(env),
], ids=["list", "list --json", "show", "export", "path"])
def test_a_stdout_whose_reader_went_away_ends_quietly(data, run):
    [cid] = stored(data, chat("q", "a"))
    read, write = os.pipe()
    os.close(read)  # `| head` has read its lines and gone
    stdout = os.fdopen(write, "w", encoding="utf-8")
    screen = Screen(stdout=stdout)
    assert run(screen.env, cid) == ExitCode.OK
    stdout.close()  # the interpreter's last flush at exit: quiet too
    assert screen.err() == ""
