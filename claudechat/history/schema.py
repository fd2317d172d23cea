"""The history database's tables, and the migrations that bring an older file to them.

The version is in PRAGMA user_version; MIGRATIONS[i] takes version i to i+1, and
a new release that changes the tables appends one entry (never edits one):

    conversations  id, title, created, updated, profile, model, system,
                   settings (JSON request parameters, never keys), turns (message count),
                   replies (assistant messages with content; 0: no question got a reply)
    messages       (conversation, position): role, content (JSON blocks), usage,
                   stop_reason, model, interrupted, created, unanswered (a user message
                   that got no reply and is not sent again), invalid_utf8 (a reply
                   whose bytes were not all UTF-8: U+FFFD stands for the bad ones)
    blobs          sha256 -> bytes of an image or document, stored once
    blob_refs      (sha256, conversation): which conversations use a blob
"""

from __future__ import annotations

import sqlite3

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1: the first release
        """CREATE TABLE conversations (
            id TEXT PRIMARY KEY, title TEXT NOT NULL, created REAL NOT NULL, updated REAL NOT NULL,
            profile TEXT, model TEXT, system TEXT, settings TEXT NOT NULL DEFAULT '{}',
            turns INTEGER NOT NULL DEFAULT 0)""",
        "CREATE INDEX conversations_updated ON conversations(updated)",
        """CREATE TABLE messages (
            conversation TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            position INTEGER NOT NULL, role TEXT NOT NULL, content TEXT NOT NULL, usage TEXT,
            stop_reason TEXT, model TEXT, interrupted INTEGER NOT NULL DEFAULT 0,
            created REAL NOT NULL, PRIMARY KEY (conversation, position)) WITHOUT ROWID""",
        "CREATE TABLE blobs (hash TEXT PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID",
        """CREATE TABLE blob_refs (
            hash TEXT NOT NULL,
            conversation TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            PRIMARY KEY (hash, conversation)) WITHOUT ROWID""",
        "CREATE INDEX blob_refs_conversation ON blob_refs(conversation)",
    ),
    (  # 2: questions that got no reply are marked, conversations without any reply found fast
        "ALTER TABLE messages ADD COLUMN unanswered INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE conversations ADD COLUMN replies INTEGER NOT NULL DEFAULT 0",
        """UPDATE conversations SET replies = (SELECT count(*) FROM messages m
            WHERE m.conversation = conversations.id AND m.role = 'assistant' AND m.content != '[]')""",
        "CREATE INDEX conversations_unreplied ON conversations(updated) WHERE replies = 0",
    ),
    (  # 3: a reply in which the server sent bytes that were not UTF-8 (kept with U+FFFD) is marked
        "ALTER TABLE messages ADD COLUMN invalid_utf8 INTEGER NOT NULL DEFAULT 0",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


def migrate_from(db: sqlite3.Connection, version: int) -> None:
    """Take the schema from `version` to SCHEMA_VERSION (inside the caller's transaction)."""
    for statements in MIGRATIONS[version:]:
        for statement in statements:
            db.execute(statement)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
