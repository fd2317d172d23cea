"""Bad input, table-driven (issue 15): options, the config file, attached files and images,
stdin, the history database, and the chat's commands.

Every case runs the real CLI in a subprocess, in a workspace of its own (its XDG dirs, its
files, its loopback fake server), and the user must see what the issue asks for: the exit
code (2 for the user's input, 1 for the server's refusal), exactly one non-empty line on
stderr, no traceback, no "internal error", and nothing written: no file in the workspace
created, changed or removed, and no request sent (a refusal by the server: the question
only, kept as "A question that got no reply" in the README says). The line must also name
what the user has to fix (`says`: words from the issue's and the references' vocabulary,
not copied from the code).

The cases run in parallel threads (one subprocess each) once per module; each test then
checks its own case. The chat's commands run in one chat on a pseudo-terminal.
"""

from __future__ import annotations

import ctypes
import os
import socket
import sqlite3
import stat
import struct
import subprocess
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import CLI, KEY, Result, run_cli
from helpers.fake_server import FakeServer
from helpers.images import PDF, pillow_image, png
from helpers.received import posts
from helpers.seeding import seed_history

# the whole table runs in the first test's set-up: more than the suite's 60 s on a loaded machine
pytestmark = pytest.mark.timeout(300)
CASE_TIMEOUT = 30  # a case still running then has hung (a FIFO read with no writer): it fails alone
INPUT_LIMIT = 32 * 1024 * 1024  # the API's limit for a whole request (docs/PROTOCOL.md)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# -- the workspace each case runs in -------------------------------------------------------


@dataclass
class Space:
    """A case's own directory: XDG dirs, HOME, and `files/` for what it attaches."""

    root: Path

    @property
    def files(self) -> Path:
        return self.root / "files"

    @property
    def config(self) -> Path:
        return self.root / "config" / "claudechat" / "config.toml"

    @property
    def db(self) -> Path:
        return self.root / "data" / "claudechat" / "history.db"

    def file(self, name: str, data: bytes | str) -> Path:
        path = self.files / name
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        return path

    def env(self, server: FakeServer) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("ANTHROPIC_", "ACEDATA_", "CLAUDECHAT_", "XDG_"))}
        for name in ("config", "cache", "data", "state"):
            env[f"XDG_{name.upper()}_HOME"] = str(self.root / name)
        env.update(HOME=str(self.root), NO_PROXY="127.0.0.1,localhost", ANTHROPIC_API_KEY=KEY,
                   ANTHROPIC_BASE_URL=server.url)
        env.pop("NO_COLOR", None)
        return env

    def tree(self) -> dict[str, tuple[int, int, int]]:
        """Every path under the workspace: (mode, size, mtime) — what "nothing written" compares."""
        found = {}
        for path in [self.root, *self.root.rglob("*")]:
            st = path.lstat()  # a directory's own times change as SQLite's -wal file comes and goes
            found[str(path.relative_to(self.root))] = (st.st_mode, 0, 0) if stat.S_ISDIR(st.st_mode) \
                else (st.st_mode, st.st_size, st.st_mtime_ns)
        return found


def make_space(root: Path) -> Space:
    space = Space(root)
    for name in ("config/claudechat", "cache", "data", "state", "files"):
        (root / name).mkdir(parents=True)
    return space


# -- what a case sets up -------------------------------------------------------------------


def config(toml: str) -> Callable[[Space], None]:
    return lambda space: space.config.write_text(toml, "utf-8")


def a_file(name: str, data: bytes | str) -> Callable[[Space], None]:
    return lambda space: space.file(name, data)


def fifo(space: Space) -> None:
    os.mkfifo(space.files / "pipe")


def unix_socket(space: Space) -> None:
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(space.files / "sock"))
    sock.close()  # the socket file stays


def sparse(size: int, head: bytes = b"") -> Callable[[Space], None]:
    """A file of `size` bytes that takes no room on disk (a hole after `head`)."""
    def make(space: Space) -> None:
        with open(space.files / "big", "wb") as f:
            f.write(head)
            f.truncate(size)
    return make


def unreadable(name: str, data: bytes) -> Callable[[Space], None]:
    def make(space: Space) -> None:
        os.chmod(space.file(name, data), 0)
    return make


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def corrupt_png(width: int, height: int) -> bytes:
    """A PNG whose header claims a size and whose pixel data is not zlib at all."""
    return (PNG_MAGIC + png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + png_chunk(b"IDAT", b"these bytes are not compressed pixels") + png_chunk(b"IEND", b""))


def history(*titles: str, version: int | None = None) -> Callable[[Space], None]:
    """A history of conversations (a question and its reply each), written through the
    store's own bulk API; `version`: the schema version the file then claims."""
    def make(space: Space) -> None:
        seed_history(space.db, list(titles), start=2_000_000.0)
        if version is not None:
            with sqlite3.connect(space.db) as db:
                db.execute(f"PRAGMA user_version = {version}")
            db.close()
    return make


def seventeen(space: Space) -> None:
    """17 conversations: two ids share a first character (16 hex digits), so a one-character
    prefix is ambiguous; the prefix is written to files/prefix."""
    history(*(f"question {n}" for n in range(17)))(space)
    with sqlite3.connect(space.db) as db:
        ids = [row[0] for row in db.execute("SELECT id FROM conversations")]
    db.close()
    first = next(c for c in "0123456789abcdef" if sum(i.startswith(c) for i in ids) > 1)
    (space.root / "prefix").write_text(first)


def corrupt_db(space: Space) -> None:
    space.db.parent.mkdir(parents=True)
    space.db.write_bytes(b"this is not an SQLite database\n" * 200)


def read_only_data(space: Space) -> None:
    os.chmod(space.root / "data", 0o555)


# -- the table -----------------------------------------------------------------------------


@dataclass
class Case:
    args: tuple[str, ...]  # {files}, {root} and {prefix} are filled in
    says: tuple[str, ...]  # words the line must hold (case-insensitive)
    code: int = 2
    setup: tuple[Callable[[Space], None], ...] = ()
    stdin: bytes | Callable[[], bytes] | None = b""  # None: /dev/null
    env: dict[str, str] = field(default_factory=dict)
    as_user: bool = False  # without root's power to read any file (a permission case)


def case(*args: str, says: str | tuple[str, ...], code: int = 2, setup: Any = (), stdin: Any = b"",
         env: dict[str, str] | None = None, as_user: bool = False) -> Case:
    return Case(args, (says,) if isinstance(says, str) else says, code,
                setup if isinstance(setup, tuple) else (setup,), stdin, env or {}, as_user)


OPTIONS = {
    "max-tokens-zero": case("ask", "--max-tokens", "0", "hi", says="--max-tokens"),
    "max-tokens-not-a-number": case("ask", "--max-tokens", "many", "hi", says="--max-tokens"),
    "max-tokens-huge": case("ask", "--max-tokens", "99999999999999999999999", "hi", says="--max-tokens"),
    "temperature-above-1": case("ask", "--temperature", "1.5", "hi", says=("--temperature", "0 to 1")),
    "temperature-nan": case("ask", "--temperature", "nan", "hi", says=("--temperature", "nan")),
    "temperature-inf": case("ask", "--temperature", "inf", "hi", says=("--temperature", "inf")),
    "top-p-negative": case("ask", "--top-p", "-0.1", "hi", says="--top-p"),
    "top-k-zero": case("ask", "--top-k", "0", "hi", says="--top-k"),
    "thinking-budget-small": case("ask", "--thinking-budget", "10", "hi", says=("--thinking-budget", "1024")),
    "effort-unknown": case("ask", "--effort", "extreme", "hi", says=("--effort", "low")),
    "model-empty": case("ask", "--model", " ", "hi", says="--model"),
    "profile-unknown": case("ask", "--profile", "nosuch", "hi", says=("nosuch", "known profiles")),
    "base-url-not-http": case("ask", "--base-url", "ftp://example.com", "hi", says="--base-url"),
    "base-url-bad-ipv6": case("--base-url", "http://[::1", "ask", "hi", says="--base-url"),
    "base-url-no-host": case("ask", "--base-url", "http://", "hi", says="--base-url"),
    "base-url-bad-port": case("ask", "--base-url", "http://[::1]x", "hi", says="base url"),
    "base-url-bad-idna": case("ask", "--base-url", "http://xn--abc", "hi", says="base url"),
    "unknown-option": case("ask", "--frobnicate", "hi", says="--frobnicate"),
    "continue-and-cid": case("ask", "-c", "--cid", "abc", "hi", says=("-c", "--cid")),
    "prompt-not-utf8": case("ask", "caf\udce9", says=("utf-8", "0xe9")),
    "system-not-utf8": case("ask", "-s", "\udcff", "hi", says=("utf-8", "0xff")),
    "nothing-to-ask": case("ask", says="nothing to ask"),
    "completion-unknown-shell": case("completion", "tcsh", says="tcsh"),
    "history-limit-negative": case("history", "list", "--limit", "-1", says="--limit"),
    "export-unknown-format": case("history", "export", "last", "--format", "pdf", says="md or json",
                                  setup=history("a question")),
}

CONFIG = {
    "toml-invalid": case("ask", "hi", says="invalid toml", setup=config("max_tokens = = 3\n")),
    "setting-unknown": case("ask", "hi", says=("max_token", "did you mean"),
                            setup=config("max_token = 100\n")),
    "setting-wrong-type": case("ask", "hi", says="max_tokens", setup=config('max_tokens = "many"\n')),
    "idle-timeout-inf": case("ask", "hi", says="idle_timeout", setup=config("idle_timeout = inf\n")),
    "idle-timeout-nan": case("ask", "hi", says="idle_timeout", setup=config("idle_timeout = nan\n")),
    "idle-timeout-huge": case("ask", "hi", says="idle_timeout", setup=config("idle_timeout = 1e308\n")),
    "connect-timeout-inf": case("ask", "hi", says="connect_timeout", setup=config("connect_timeout = inf\n")),
    "connect-timeout-negative": case("ask", "hi", says="connect_timeout",
                                     setup=config("connect_timeout = -1\n")),
    "temperature-nan": case("ask", "hi", says="temperature", setup=config("temperature = nan\n")),
    "max-retries-too-many": case("ask", "hi", says="max_retries", setup=config("max_retries = 11\n")),
    "model-price-inf": case("ask", "hi", says="price_in",
                            setup=config('[models."claude-sonnet-5-5"]\nprice_in = inf\n')),
    "base-url-broken": case("ask", "hi", says="base_url",
                            setup=config('[profiles.anthropic]\nbase_url = "http://[::1"\n')),
    "profiles-not-a-table": case("ask", "hi", says="profiles", setup=config("profiles = 3\n")),
    "profile-without-base-url": case("ask", "-p", "mine", "hi", says=("mine", "base_url"),
                                     setup=config('[profiles.mine]\nauth = "bearer"\n')),
    "default-profile-unknown": case("ask", "hi", says="nosuch", setup=config('default_profile = "nosuch"\n')),
    "not-utf8": case("ask", "hi", says="utf-8",
                     setup=lambda s: s.config.write_bytes(b"model = \"caf\xe9\"\n")),
    "a-directory": case("ask", "hi", says="config", setup=lambda s: s.config.mkdir()),
    "unreadable": case("ask", "hi", says=("config", "permission"), as_user=True,
                       setup=lambda s: (s.config.write_text("max_tokens = 100\n"), os.chmod(s.config, 0))),
    "env-base-url-broken": case("ask", "hi", says="ANTHROPIC_BASE_URL",
                                env={"ANTHROPIC_BASE_URL": "not a url"}),
    "ca-file-missing": case("ask", "hi", says=("TLS certificates", "SSL_CERT_FILE=/nonexistent/ca.pem"),
                            env={"ANTHROPIC_BASE_URL": "https://127.0.0.1:9",
                                 "SSL_CERT_FILE": "/nonexistent/ca.pem"}),
    "ca-file-no-certificate": case("ask", "hi", says=("TLS certificates", "SSL_CERT_FILE=/dev/null"),
                                   env={"ANTHROPIC_BASE_URL": "https://127.0.0.1:9",
                                        "SSL_CERT_FILE": "/dev/null"}),
    "chat-completions-pdf": case("ask", "-p", "cc", "-f", "{files}/paper.pdf", "summarize",
                                 says="chat-completions",
                                 setup=(a_file("paper.pdf", PDF), config(
                                     '[profiles.cc]\nbase_url = "http://127.0.0.1:9"\nauth = "bearer"\n'
                                     'api_key_env = "ANTHROPIC_API_KEY"\napi = "chat-completions"\n'))),
}

FILES = {
    "missing": case("ask", "-f", "{files}/nope.txt", "hi", says=("nope.txt", "no such file")),
    "directory": case("ask", "-f", "{files}", "hi", says="directory"),
    "fifo-without-writer": case("ask", "-f", "{files}/pipe", "hi", says=("pipe", "fifo"), setup=fifo),
    "dev-zero": case("ask", "-f", "/dev/zero", "hi", says=("/dev/zero", "device")),
    "dev-stdin-pipe": case("ask", "-f", "/dev/stdin", "hi", says=("fifo", "-f -"), stdin=b"text"),
    "socket": case("ask", "-f", "{files}/sock", "hi", says="socket", setup=unix_socket),
    "too-large": case("ask", "-f", "{files}/big", "hi", says=("34 MB", "32 MB"), setup=sparse(34_000_000)),
    "unreadable": case("ask", "-f", "{files}/secret.txt", "hi", says="permission denied", as_user=True,
                       setup=unreadable("secret.txt", b"secret")),
    "binary": case("ask", "-f", "{files}/prog", "hi", says=("binary", "nul"),
                   setup=a_file("prog", b"\x7fELF\x02\x01\x01\x00\x00\x00")),
    "latin1": case("ask", "-f", "{files}/notes.txt", "hi", says=("utf-8", "0xe9"),
                   setup=a_file("notes.txt", "café".encode("latin-1"))),
    "unknown-user": case("ask", "-f", "~claudechat-no-such-user/notes.txt", "hi", says="no such"),
    "name-not-utf8-missing": case("ask", "-f", "{files}/caf\udce9.txt", "hi",
                                  says=("caf\\xe9.txt", "no such")),
    "pdf-too-large-for-a-request": case("ask", "-f", "{files}/big", "hi", says="32 MB",
                                        setup=sparse(30_000_000, PDF)),
}

IMAGES = {
    "not-an-image": case("ask", "-i", "{files}/notes.txt", "hi", says="not a supported image",
                         setup=a_file("notes.txt", "just text")),
    "unsupported-type": case("ask", "-i", "{files}/pic.bmp", "hi", says=("pic.bmp", "png"),
                             setup=a_file("pic.bmp", pillow_image("BMP"))),
    "over-5-mb": case("ask", "-i", "{files}/big.png", "hi", says=("5 MB", "--resize"),
                      setup=a_file("big.png", png() + b"\x00" * 4_000_000)),
    "over-8000-px": case("ask", "-i", "{files}/wide.png", "hi", says=("8000", "--resize"),
                         setup=a_file("wide.png", png(8001, 1))),
    "cut-short": case("ask", "-i", "{files}/cut.png", "hi", says=("cut.png", "corrupt"),
                      setup=a_file("cut.png", PNG_MAGIC + b"\x00\x00")),
    "corrupt-resized": case("ask", "--resize", "-i", "{files}/bad.png", "hi", says=("bad.png", "corrupt"),
                            setup=a_file("bad.png", corrupt_png(9000, 9000))),
    "missing": case("ask", "-i", "{files}/nope.png", "hi", says="no such file"),
    "device": case("ask", "-i", "/dev/zero", "hi", says="device"),
    "too-large-file": case("ask", "--resize", "-i", "{files}/big", "hi", says="32 MB",
                           setup=sparse(40_000_000, png(1, 1))),
}

STDIN = {
    "binary-prompt": case("ask", says=("stdin", "binary"), stdin=b"\x00\x01\x02 binary"),
    "latin1-prompt": case("ask", says=("stdin", "utf-8"), stdin="café".encode("latin-1")),
    "too-large": case("ask", "summarize", says=("stdin", "32 MB"), stdin=lambda: b"a" * (INPUT_LIMIT + 10)),
    "file-dash-binary": case("ask", "-f", "-", "hi", says=("stdin", "binary"), stdin=b"\x00\x00"),
    "file-dash-too-large": case("ask", "-f", "-", "hi", says="32 MB",
                                stdin=lambda: b"\x00" * (INPUT_LIMIT + 1)),
}

HISTORY = {
    "corrupt-list": case("history", "list", says="not a readable history database", setup=corrupt_db),
    "corrupt-ask": case("ask", "hi", says="not a readable history database", setup=corrupt_db),
    "corrupt-continue": case("ask", "-c", "hi", says="not a readable history database", setup=corrupt_db),
    "future-schema-ask": case("ask", "hi", says=("newer", "--no-save"), setup=history("q", version=99)),
    "future-schema-show": case("history", "show", "last", says="newer", setup=history("q", version=99)),
    "read-only-dir": case("ask", "hi", says="--no-save", setup=read_only_data, as_user=True),
    "unknown-cid": case("ask", "--cid", "0000ffff0000", "hi", says="no conversation", setup=history("q")),
    "ambiguous-prefix": case("ask", "--cid", "{prefix}", "hi", says="several conversations", setup=seventeen),
    "continue-empty": case("ask", "-c", "hi", says="no conversation to continue"),
    "show-unknown": case("history", "show", "not-an-id", says="not-an-id", setup=history("q")),
    "rm-unknown": case("history", "rm", "--yes", "not-an-id", says="not-an-id", setup=history("q")),
    "export-to-missing-dir": case("history", "export", "last", "-o", "{root}/no/dir/x.md", says="x.md",
                                  setup=history("q")),
}

SERVER = {  # the server refuses: exit 1, one line, the question kept (README: no reply)
    "key-refused": case("ask", "hi", says=("401", "not accepted"), code=1,
                        env={"ANTHROPIC_API_KEY": "sk-ant-wrong-key"}),
}

TABLE = {f"{group}-{name}": c for group, cases in (
    ("option", OPTIONS), ("config", CONFIG), ("file", FILES), ("image", IMAGES), ("stdin", STDIN),
    ("history", HISTORY), ("server", SERVER)) for name, c in cases.items()}


# -- running the table ---------------------------------------------------------------------


@dataclass
class Outcome:
    result: Result
    before: dict[str, tuple[int, int, int]]
    after: dict[str, tuple[int, int, int]]
    posts: int
    stored: list[tuple[str, int]]  # (question, number of messages) of each stored conversation


def without_root_override() -> None:
    """In the child, before exec: drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the
    bounding set, so root runs the CLI like a user whom file modes bind."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):  # PR_CAPBSET_DROP = 24
        libc.prctl(24, cap, 0, 0, 0)


def run_case(c: Case, space: Space, server: FakeServer) -> Outcome:
    prefix_file = space.root / "prefix"
    fill = {"files": str(space.files), "root": str(space.root),
            "prefix": prefix_file.read_text() if prefix_file.exists() else ""}
    args = [a.format(**fill) for a in c.args]
    env = {**space.env(server), **c.env}
    stdin = c.stdin() if callable(c.stdin) else c.stdin
    before = space.tree()
    try:
        result = run_as_user(env, args, stdin) if c.as_user and os.geteuid() == 0 \
            else run_cli(env, *args, stdin=stdin, timeout=CASE_TIMEOUT)
    except subprocess.TimeoutExpired:
        result = Result(-1, b"", f"(still running after {CASE_TIMEOUT} s: killed)\n")
    return Outcome(result, before, space.tree(), len(posts(server)), stored(space))


def run_as_user(env: dict[str, str], args: list[str], stdin: bytes | None) -> Result:
    done = subprocess.run([*CLI, *args], env=env, input=stdin, capture_output=True, timeout=CASE_TIMEOUT,
                          stdin=None if stdin is not None else subprocess.DEVNULL,
                          preexec_fn=without_root_override)
    return Result(done.returncode, done.stdout, done.stderr.decode("utf-8", "replace"))


def stored(space: Space) -> list[tuple[str, int]]:
    if not space.db.is_file() or space.db.stat().st_size == 0 or b"SQLite" not in space.db.read_bytes()[:16]:
        return []
    with sqlite3.connect(f"file:{space.db}?mode=ro", uri=True) as db:
        try:
            rows = db.execute("SELECT title, (SELECT count(*) FROM messages m WHERE m.conversation = c.id) "
                              "FROM conversations c").fetchall()
        except sqlite3.DatabaseError:
            rows = []
    db.close()
    return rows


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Outcome]]:
    """Every case of TABLE run once, in parallel threads, each in its own workspace."""
    servers, spaces = {}, {}
    for name, c in TABLE.items():
        spaces[name] = space = make_space(tmp_path_factory.mktemp(name))
        for step in c.setup:
            step(space)
        servers[name] = FakeServer(auth="x-api-key", key=KEY).start()
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = {name: pool.submit(run_case, c, spaces[name], servers[name])
                       for name, c in TABLE.items()}
            yield {name: future.result() for name, future in futures.items()}
    finally:
        for server in servers.values():
            server.release()
            server.stop()
        for space in spaces.values():  # a read-only dir would stop the temp dir's clean-up
            os.chmod(space.root / "data", stat.S_IRWXU)


def test_the_table_has_at_least_sixty_cases():
    assert len(TABLE) >= 60


@pytest.mark.parametrize("name", list(TABLE))
def test_bad_input_is_one_line_and_nothing_written(name: str, outcomes: dict[str, Outcome]) -> None:
    c, outcome = TABLE[name], outcomes[name]
    result = outcome.result
    lines = [line for line in result.err_lines if line.strip()]
    assert result.code == c.code, result
    assert len(lines) == 1 and len(result.err_lines) == 1, result.err
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    assert result.out == b"", result
    assert lines[0].startswith("claudechat: ")
    for words in c.says:
        assert words.lower() in lines[0].lower(), (words, lines[0])
    assert KEY not in result.err
    if c.code == 2:
        assert outcome.posts == 0, "a refused input sent a request"
        assert outcome.after == outcome.before, "a refused input wrote to the disk"
    else:  # the server refused: the question is kept, unanswered; nothing else
        assert outcome.posts == 1
        assert outcome.stored == [("hi", 1)]


# -- the chat's commands, in one chat on a pseudo-terminal ----------------------------------

CHAT = {  # what is typed -> words the one line must hold
    "set-temperature-nan": ("/set temperature nan", ("temperature", "nan")),
    "set-max-tokens-huge": ("/set max_tokens 99999999999999", ("max_tokens", "99999999999999")),
    "set-top-k-not-a-number": ("/set top_k abc", ("top_k", "whole number")),
    "set-unknown-name": ("/set bogus 1", "usage: /set"),
    "think-budget-small": ("/think 10", "1024"),
    "image-missing": ("/image {files}/nope.png", "no such file"),
    "image-not-an-image": ("/image {files}/notes.txt", "not a supported image"),
    "image-cut-short": ("/image {files}/cut.png", "corrupt"),
    "file-dev-zero": ("/file /dev/zero", "device"),
    "file-fifo": ("/file {files}/pipe", "fifo"),
    "file-directory": ("/file {files}", "directory"),
    "file-too-large": ("/file {files}/big", "32 MB"),
    "load-unknown-id": ("/load 0000ffff0000", "no conversation"),
    "mention-device": ("look at @/dev/zero", ("/dev/zero", "device")),  # back in the input line
    "mention-missing": ("look at @{files}/nope.txt", "no such file"),
}
CHAT_COLS = 250  # wide: each line the chat says is one row


@dataclass
class ChatSession:
    answers: dict[str, list[str]]  # case -> the non-blank rows the chat printed under it
    posts: int
    stored: list[tuple[str, int]]
    status: int | None


@pytest.fixture(scope="module")
def chat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChatSession]:
    from helpers.pty_terminal import PROMPT, Term, chat_env

    space = make_space(tmp_path_factory.mktemp("chat"))
    history("an earlier question")(space)  # /load has a history to look in
    fifo(space)
    sparse(40_000_000)(space)
    space.file("notes.txt", "just text")
    space.file("cut.png", PNG_MAGIC + b"\x00\x00")
    server = FakeServer(auth="x-api-key", key=KEY).start()
    env = {**chat_env(space.env(server)), "COLUMNS": str(CHAT_COLS)}
    term = Term([], env, cols=CHAT_COLS, rows=60)
    answers = {}
    try:
        term.wait(lambda: term.lines()[term.cursor_row()] == PROMPT, "the first prompt")
        for name, (typed, _) in CHAT.items():
            line = typed.format(files=space.files)
            back = not line.startswith("/")  # a message that cannot be sent comes back to be fixed
            start = term.cursor_row()
            term.say(line)
            again = f"{PROMPT} {line}" if back else PROMPT
            term.wait(lambda start=start, again=again: term.cursor_row() > start + 1
                      and term.lines()[term.cursor_row()] == again, f"the prompt after {line!r}")
            answers[name] = [text for text in term.lines()[start + 1:term.cursor_row()] if text.strip()]
            if back:
                term.send("\x03")  # Ctrl-C at the prompt clears the line
                term.wait(lambda: term.lines()[term.cursor_row()] == PROMPT, "a cleared prompt")
        term.send("\x04")
        status = term.exit_status()
        yield ChatSession(answers, len(posts(server)), stored(space), status)
    finally:
        term.close()
        server.release()
        server.stop()


@pytest.mark.parametrize("name", list(CHAT))
def test_a_bad_chat_command_is_one_line(name: str, chat: ChatSession) -> None:
    _, says = CHAT[name]
    answer = chat.answers[name]
    assert len(answer) == 1, answer
    assert "internal error" not in answer[0] and "Traceback" not in answer[0]
    for words in (says,) if isinstance(says, str) else says:
        assert words.lower() in answer[0].lower(), (words, answer)


def test_the_bad_chat_commands_sent_and_stored_nothing(chat: ChatSession) -> None:
    assert chat.posts == 0
    assert chat.stored == [("an earlier question", 2)]  # only what was there before
    assert chat.status == 0
