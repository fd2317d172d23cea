"""HistoryStore: conversations kept in SQLite, `history.db` in the user data dir.

The tables and their migrations are in schema.py. Base64 data in content blocks
is replaced by {"$blob": sha256} on the way in and put back, byte for byte, on
the way out (blobs.py).

Every write is one transaction (BEGIN IMMEDIATE) in WAL mode with a busy
timeout: a killed process leaves the last committed state, and two processes
can write at once. A database from a newer claudechat is refused, never touched.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from claudechat import private, redaction
from claudechat.errors import ClaudechatError, UsageError
from claudechat.history import filters
from claudechat.history.schema import SCHEMA_VERSION, migrate_from

if TYPE_CHECKING:
    from claudechat.conversation import Conversation, Turn

BUSY_TIMEOUT = 15.0  # seconds to wait for another process's write
_COLUMNS = "id, title, created, updated, profile, model, turns, replies"


def history_path() -> Path:
    """history.db in settings.data_dir(), found without importing settings: the
    history commands read no config, and start faster without it."""
    import platformdirs

    return platformdirs.user_data_path("claudechat") / "history.db"


class Summary(NamedTuple):
    """One conversation as `history list` shows it."""

    id: str
    title: str
    created: float
    updated: float
    profile: str | None
    model: str | None
    turns: int
    replies: int = 0  # the replies with anything in them


@dataclass(slots=True)
class Stored:
    """A whole conversation read back from the store: its summary (`summary.turns`
    is the count, `turns` the messages), the system prompt and request settings
    it was asked with, and the turns with the time each was saved."""

    summary: Summary
    system: str | None
    settings: dict[str, Any]
    turns: list[Turn] = field(default_factory=list)
    times: list[float] = field(default_factory=list)  # when each turn was saved


def _db_errors(method: Callable[..., Any]) -> Callable[..., Any]:
    """sqlite3 errors become one ClaudechatError line that names the file."""

    @functools.wraps(method)
    def wrapper(self: HistoryStore, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise _error(exc, self.path) from None

    return wrapper


def _error(exc: sqlite3.Error, path: Path) -> ClaudechatError:
    text = str(exc)
    if "not a database" in text or isinstance(exc, sqlite3.DatabaseError) and "malformed" in text:
        return UsageError(f"{path} is not a readable history database ({text})",
                               hint="move it aside to start a new history")
    if "locked" in text or "busy" in text:
        return ClaudechatError(f"the history database {path} stayed locked by another process "
                               f"for {BUSY_TIMEOUT:.0f} s", hint="try again")
    if "unable to open" in text:
        return UsageError(f"cannot open the history database {path}",
                               hint="check that its directory is writable")
    return ClaudechatError(f"history database {path}: {text}")


class HistoryStore:
    """The conversation history in one SQLite file. Use as a context manager."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or history_path()
        try:
            private.make_dirs(self.path.parent)
        except OSError as exc:
            raise UsageError(f"cannot create {self.path.parent}: {exc.strerror}") from None
        with private.private_umask():  # the database, -wal and -shm: 0600
            if not self.path.exists():
                self._create()
            self.db = self._open()

    @_db_errors
    def _create(self) -> None:
        """A new history is built complete (WAL, schema) under another name and then
        linked into place, which fails if another process got there first: no process
        ever opens a half-made database."""
        try:
            fd, name = tempfile.mkstemp(prefix=".history-", suffix=".db", dir=self.path.parent)
        except OSError:
            return  # opening it will say what is wrong
        os.close(fd)
        fresh = Path(name)
        try:
            db = sqlite3.connect(fresh, isolation_level=None)
            try:
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("BEGIN")
                migrate_from(db, 0)
                db.execute("COMMIT")
            finally:
                db.close()
            try:
                os.link(fresh, self.path)
            except FileExistsError:
                pass  # another process made it meanwhile: use theirs
            except OSError:  # a filesystem without hard links: the first open creates it
                pass
        finally:
            for leftover in (fresh, fresh.with_name(fresh.name + "-wal"),
                             fresh.with_name(fresh.name + "-shm")):
                leftover.unlink(missing_ok=True)

    @_db_errors
    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)
        try:
            self.db = db
            self._check_version(db.execute("PRAGMA user_version").fetchone()[0])
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA foreign_keys = ON")
            db.create_function("folded_contains", 2, filters.folded_contains, deterministic=True)
            if db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
                self._migrate()
        except BaseException:
            db.close()
            raise
        return db

    def _check_version(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise UsageError(
                f"{self.path} was written by a newer claudechat (history schema {version}; "
                f"this version knows up to {SCHEMA_VERSION}); it was left untouched",
                hint="upgrade claudechat, or use --no-save")

    def _migrate(self) -> None:
        with self._transaction() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]  # another process may have won
            self._check_version(version)
            migrate_from(db, version)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- writing ---------------------------------------------------------------

    @_db_errors
    def save(self, conversation: Conversation, *, cid: str | None, saved: int,
             profile: str | None, start: int | None = None) -> tuple[str, str | None]:
        """Write the turns after the first `saved` ones (`start`: from this one, when
        earlier positions changed), in one transaction.

        Returns (id, forked_from). When the stored conversation no longer has
        exactly `saved` turns (another process added to it, or it was removed),
        nothing of it is overwritten: the whole conversation is saved anew.
        """
        now = time.time()
        forked = None
        with self._transaction() as db:
            if cid is not None:
                row = db.execute("SELECT turns FROM conversations WHERE id = ?", (cid,)).fetchone()
                if row is None or row[0] != saved:
                    forked, cid, saved = cid, None, 0
            if cid is None:
                cid = self._insert(db, conversation, profile, now, now)
            else:
                db.execute("UPDATE conversations SET updated = ?, profile = ?, model = ?, system = ?, "
                           "settings = ?, turns = ?, replies = ? WHERE id = ?",
                           (now, profile, *_header(conversation), *_counts(conversation), cid))
            start = saved if start is None else min(start, saved)
            self._write_turns(db, cid, conversation.turns[start:], start, now)
            db.execute("DELETE FROM messages WHERE conversation = ? AND position >= ?",
                       (cid, len(conversation.turns)))
        return cid, forked

    @_db_errors
    def add_many(self, items: Iterable[tuple[Conversation, str | None, float, float]]) -> list[str]:
        """Bulk import, one transaction: (conversation, profile, created, updated) -> ids."""
        with self._transaction() as db:
            ids = []
            for conversation, profile, created, updated in items:
                cid = self._insert(db, conversation, profile, created, updated)
                self._write_turns(db, cid, conversation.turns, 0, updated)
                ids.append(cid)
        return ids

    def _insert(self, db: sqlite3.Connection, conversation: Conversation, profile: str | None,
                created: float, updated: float) -> str:
        from claudechat.conversation import title_of

        while True:
            cid = os.urandom(6).hex()
            try:
                db.execute("INSERT INTO conversations (id, title, created, updated, profile, model, "
                           "system, settings, turns, replies) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           (cid, redaction.kept(title_of(conversation.turns)), created, updated, profile,
                            *_header(conversation), *_counts(conversation)))
                return cid
            except sqlite3.IntegrityError:  # 1 in 2**48: draw another
                continue

    def _write_turns(self, db: sqlite3.Connection, cid: str, turns: list[Turn], start: int,
                     now: float) -> None:
        from claudechat.history import blobs

        found: dict[str, bytes] = {}
        rows = [(cid, start + i, t.role, _dumps(blobs.pack(t.content, found)),
                 _dumps(t.usage) if t.usage else None, t.stop_reason, t.model, int(t.interrupted), now,
                 int(t.unanswered), int(t.invalid_utf8))
                for i, t in enumerate(turns)]
        db.executemany("INSERT OR REPLACE INTO messages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        db.executemany("INSERT OR IGNORE INTO blobs VALUES (?, ?)", found.items())
        db.executemany("INSERT OR IGNORE INTO blob_refs VALUES (?, ?)", [(h, cid) for h in found])

    @_db_errors
    def delete(self, ids: list[str]) -> None:
        """Remove conversations, and the blobs no other conversation uses; the
        freed space is zeroed (secure_delete) and the WAL checkpointed."""
        self.db.execute("PRAGMA secure_delete = ON")
        with self._transaction() as db:
            hashes = set()
            for cid in ids:
                hashes.update(h for (h,) in db.execute(
                    "SELECT hash FROM blob_refs WHERE conversation = ?", (cid,)))
                db.execute("DELETE FROM conversations WHERE id = ?", (cid,))
            db.executemany("DELETE FROM blobs WHERE hash = ?1 AND NOT EXISTS "
                           "(SELECT 1 FROM blob_refs WHERE hash = ?1)", [(h,) for h in hashes])
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # -- reading -----------------------------------------------------------------

    @_db_errors
    def list(self, *, limit: int | None = 20, search: str | None = None,
             replied: bool = False) -> list[Summary]:
        """Most recently updated first; `search` matches titles and message text
        (case-insensitive substring); `replied`: only conversations with a reply."""
        where, args = filters.where(search, replied)
        sql = f"SELECT {_COLUMNS} FROM conversations{where} ORDER BY updated DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [Summary(*row) for row in self.db.execute(sql, args)]

    @_db_errors
    def count_unreplied(self, search: str | None = None) -> int:
        """How many conversations (matching `search`) have no reply at all."""
        where, args = filters.where(search, False)
        where = f"{where} AND replies = 0" if where else " WHERE replies = 0"
        return self.db.execute(f"SELECT count(*) FROM conversations{where}", args).fetchone()[0]

    @_db_errors
    def unreplied_before(self, when: float) -> list[str]:
        """The conversations without any reply last updated before `when` (an index read)."""
        return [cid for (cid,) in self.db.execute(
            "SELECT id FROM conversations WHERE replies = 0 AND updated < ?", (when,))]

    @_db_errors
    def usages(self, ids: list[str]) -> dict[str, list[tuple[str | None, dict[str, Any]]]]:
        """Each conversation's replies with usage: (model, usage), in order."""
        found: dict[str, list[tuple[str | None, dict[str, Any]]]] = {cid: [] for cid in ids}
        marks = ", ".join("?" * len(ids))
        for cid, model, usage in self.db.execute(
                f"SELECT conversation, model, usage FROM messages WHERE usage IS NOT NULL "
                f"AND conversation IN ({marks}) ORDER BY conversation, position", ids):
            found[cid].append((model, json.loads(usage)))
        return found

    @_db_errors
    def summary(self, cid: str) -> Summary | None:
        row = self.db.execute(f"SELECT {_COLUMNS} FROM conversations WHERE id = ?", (cid,)).fetchone()
        return Summary(*row) if row else None

    @_db_errors
    def resolve(self, ref: str) -> str:
        """The id that `ref` names: `last`, a whole id, or any unique prefix."""
        ref = ref.strip().lower()
        if ref == "last":
            row = self.db.execute("SELECT id FROM conversations ORDER BY updated DESC LIMIT 1").fetchone()
            if row is None:
                raise UsageError("the history is empty: there is no last conversation")
            return row[0]
        rows = []
        if re.fullmatch(r"[0-9a-f]+", ref):
            rows = self.db.execute("SELECT id, title FROM conversations WHERE id >= ? AND id < ? "
                                   "ORDER BY id LIMIT 6", (ref, ref + "g")).fetchall()
        if not rows:
            raise UsageError(f"no conversation with id {ref!r} (see: claudechat history list)")
        if len(rows) > 1:
            shown = ", ".join(f"{cid} ({title})" for cid, title in rows[:5])
            more = " and more" if len(rows) > 5 else ""
            raise UsageError(f"{ref!r} matches several conversations: {shown}{more}; "
                             f"give more of the id")
        return rows[0][0]

    @_db_errors
    def load(self, cid: str) -> Stored:
        """A conversation and its turns (two queries, a third when it holds blobs)."""
        from claudechat.conversation import Turn

        row = self.db.execute(f"SELECT {_COLUMNS}, system, settings FROM conversations WHERE id = ?",
                              (cid,)).fetchone()
        if row is None:
            raise UsageError(f"no conversation with id {cid!r} (see: claudechat history list)")
        stored = Stored(Summary(*row[:8]), system=row[8], settings=json.loads(row[9]))
        rows = self.db.execute("SELECT role, content, usage, stop_reason, model, interrupted, created, "
                               "unanswered, invalid_utf8 FROM messages WHERE conversation = ? "
                               "ORDER BY position", (cid,)).fetchall()
        contents = [json.loads(content) for _, content, *_ in rows]
        if any('"$blob"' in content for _, content, *_ in rows):
            contents = self._unpack_all(contents)
        for (role, _, usage, stop, model, interrupted, created, unanswered, bad), content in zip(
                rows, contents, strict=True):
            stored.turns.append(Turn(role=role, content=content, usage=json.loads(usage) if usage else None,
                                     stop_reason=stop, model=model, interrupted=bool(interrupted),
                                     unanswered=bool(unanswered), invalid_utf8=bool(bad)))
            stored.times.append(created)
        return stored

    def _unpack_all(self, contents: list[Any]) -> list[Any]:
        from claudechat.history import blobs

        wanted = blobs.wanted(contents)
        marks = ", ".join("?" * len(wanted))
        data = dict(self.db.execute(f"SELECT hash, data FROM blobs WHERE hash IN ({marks})", list(wanted)))
        if wanted - data.keys():
            raise ClaudechatError(f"{self.path}: {len(wanted - data.keys())} attachment(s) of this "
                                  f"conversation are missing from the history database")
        return blobs.restore(contents, data)


# -- rows (blobs.py moves attachment bytes out of content blocks and back) ---------------


def _dumps(value: Any) -> str:  # a key or a URL's password in a message: never stored
    return redaction.kept(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def _header(conversation: Conversation) -> tuple[str, str | None, str]:
    """model, system, settings: what the conversation was asked with (no keys, no URLs)."""
    params = asdict(conversation.params)
    model = params.pop("model")
    params.update(conversation.state())  # drop_block, thinking_cut: sent on every request
    return model, redaction.kept(conversation.system or "") or None, _dumps(params)


def _counts(conversation: Conversation) -> tuple[int, int]:
    """turns, replies: the messages, and the replies with anything in them."""
    turns = conversation.turns
    return len(turns), sum(1 for t in turns if t.role == "assistant" and t.content)
