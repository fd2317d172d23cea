"""The secret scan: every command run with a known key and a password in the base URL; all
they printed (pipes and a terminal) and every file they wrote is searched for the key, its
base64 and the password. The server echoes the key back in replies (split across stream
deltas, long enough to be wrapped on the terminal) and in error messages, so each way a
secret could leave is tried; removing any one redaction makes this fail.

Also here: a key is checked before it is sent, plain http:// is refused off this machine,
a config file holding a key that others may read is warned of, and the files claudechat
writes are private (0600, directories 0700).
"""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest
from helpers.cli import run_cli
from helpers.fake_server import ErrorReply, RawSSE, Reply
from helpers.pty_terminal import PROMPT, Term, chat_env
from helpers.received import posts

# As long as a real Anthropic key (108 characters): wider than the chat's 100 columns.
KEY = "sk-ant-api03-SCAN" + "k3yZ9" * 18 + "-x7Q2AA"
PASSWORD = "pw-SCAN-9d81c3e5"
USER = "scanuser"
B64_KEY = base64.b64encode(KEY.encode()).decode()
FILE_KEY = "sk-ant-api03-FILEKEY-4c2d9e7f0a1b"  # a profile's api_key in the config file


def _forms() -> dict[str, str]:
    b64 = base64.b64encode
    return {"the key": KEY, "the key's base64": B64_KEY,
            "the password": PASSWORD, "user:password in base64": b64(f"{USER}:{PASSWORD}".encode()).decode(),
            "the file's api_key": FILE_KEY}


def _leaks(label: str, data: bytes | str) -> list[str]:
    raw = data if isinstance(data, bytes) else data.encode("utf-8", "replace")
    return [f"{name} in {label}" for name, secret in _forms().items() if secret.encode() in raw]


@pytest.fixture
def scan(servers, clean_env, tmp_path):
    """(server, env): a profile "scan" whose base_url carries a password and whose key is
    $SCAN_KEY; a profile "filekey" with api_key in the (0600) config file."""
    server = servers(auth="x-api-key", key=KEY)
    url = server.url.replace("http://", f"http://{USER}:{PASSWORD}@")
    config = tmp_path / "scan.toml"
    config.write_text(f"""default_profile = "scan"
[profiles.scan]
base_url = "{url}"
auth = "x-api-key"
api_key_env = "SCAN_KEY"
[profiles.filekey]
base_url = "{url}"
auth = "x-api-key"
api_key = "{FILE_KEY}"
""", "utf-8")
    config.chmod(0o600)
    return server, {**clean_env, "SCAN_KEY": KEY, "CLAUDECHAT_CONFIG": str(config)}


def _echo(**kwargs) -> Reply:
    """A reply that repeats the key, cut across three text deltas sent apart."""
    return Reply(text=["Your key is " + KEY[:9], KEY[9:60], KEY[60:] + " and that is all."],
                 delay=0.05, **kwargs)


def _error_event() -> RawSSE:
    start = {"type": "message_start", "message": {
        "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-5-5", "content": [],
        "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 3, "output_tokens": 0}}}
    error = {"type": "error", "error": {"type": "overloaded_error",
                                        "message": f"key {KEY} ({B64_KEY}) refused"}}
    return RawSSE(f"event: message_start\ndata: {json.dumps(start)}\n\n"
                  f"event: error\ndata: {json.dumps(error)}\n\n")


def _chat(env: dict[str, str], server, tmp_path: Path) -> tuple[str, str]:
    """The chat on a terminal: an echoed key, a refusal that quotes the URL, /show, /save.
    What it wrote, and the screen's lines joined (a key wrapped across two lines is whole
    there, as a person reads it)."""
    server.enqueue(_echo(), ErrorReply(404, message=f"no model at {server.url} for key {KEY}"))
    term = Term([], chat_env(env))
    try:
        term.wait(lambda: term.lines()[term.cursor_row()] == PROMPT, "the first prompt")
        term.say("say my key")
        term.replied(1)
        term.say("again")
        term.wait_text("HTTP 404")
        term.wait_prompt(after="HTTP 404", typed="again")  # the message back in the input line
        term.send("\x15")  # Ctrl-U: clear it
        for line in ("/show 1", f"/save {tmp_path / 'saved.md'}", "/history", "/cost"):
            term.said(line)
        term.send("\x04")  # Ctrl-D
        term.exit_status()
    finally:
        term.close()
    return term.raw, "".join(term.lines())


def _runs(server, env: dict[str, str], tmp_path: Path) -> dict[str, tuple[int, bytes, str]]:
    """Every command once (and the error paths), with what each printed."""
    runs: dict[str, tuple[int, bytes, str]] = {}

    def run(label: str, *args: str, **changes: str) -> None:
        done = run_cli({**env, **changes}, *args)
        runs[label] = (done.code, done.out, done.err)

    server.enqueue(_echo())
    run("ask", "ask", "say my key")
    server.enqueue(_echo())
    run("ask --debug", "ask", "--debug", "--json", "say it again")
    server.enqueue(ErrorReply(401, message=f"invalid x-api-key {KEY}"))
    run("a 401", "ask", "--debug", "hello")
    server.enqueue(ErrorReply(404))
    run("a 404", "ask", "hello")
    server.enqueue(_error_event())
    run("an error event", "ask", "--debug", "hello")
    run("a key with a newline", "ask", "hello", SCAN_KEY=KEY[:50] + "\n" + KEY[50:])
    bad = tmp_path / "bad.toml"
    bad.write_text(f'[profiles.bad]\nbase_url = "{server.url}"\nauth = "x-api-key"\napi_key_env = "{KEY}"\n')
    run("a key pasted into api_key_env", "ask", "--profile", "bad", "hello", CLAUDECHAT_CONFIG=str(bad))
    run("history list", "history", "list", "--all")
    ids = [line.split("\t")[0] for line in runs["history list"][1].decode().splitlines()]
    assert len(ids) >= 4, runs["history list"]
    for n, cid in enumerate(ids):
        run(f"history show {n}", "history", "show", "--plain", cid)
        run(f"history export {n}", "history", "export", "-o", str(tmp_path / f"export-{n}.md"), cid)
        run(f"history export json {n}", "history", "export", "--format", "json", cid)
    run("models", "models")
    run("models (the file's key)", "--profile", "filekey", "models")
    run("config show", "config", "show")
    run("config show --json", "config", "show", "--json", "--profile", "filekey")
    run("config path", "config", "path")
    run("completion", "completion", "bash")
    return runs


def _written(tmp_path: Path, env: dict[str, str]) -> list[Path]:
    """Every file under the test's directories but the configs the test wrote itself."""
    own = {Path(env["CLAUDECHAT_CONFIG"]), tmp_path / "bad.toml"}
    return [p for p in tmp_path.rglob("*") if p.is_file() and p not in own]


def test_no_command_prints_or_writes_the_key_or_the_password(scan, tmp_path):
    server, env = scan
    runs = _runs(server, env, tmp_path)
    raw, screen = _chat(env, server, tmp_path)

    leaks = [leak for label, (_, out, err) in runs.items()
             for leak in _leaks(f"{label}'s stdout", out) + _leaks(f"{label}'s stderr", err)]
    leaks += _leaks("the chat's terminal", raw) + _leaks("the chat's screen", screen)
    files = _written(tmp_path, env)
    for path in files:
        leaks += _leaks(str(path.relative_to(tmp_path)), path.read_bytes())
    assert leaks == []

    # the scan saw what it looks for, so an empty list means redacted, not never shown
    assert "<redacted>" in runs["ask"][1].decode() and "and that is all." in runs["ask"][1].decode()
    assert "<redacted>" in runs["an error event"][2] and runs["an error event"][0] == 1
    assert f"{USER}:<redacted>@" in runs["a 404"][2]
    assert "x-api-key: <redacted>" in runs["a 401"][2] and "HTTP 401" in runs["a 401"][2]
    shown = [out.decode() for label, (_, out, _) in runs.items() if label.startswith("history show")]
    assert any("Your key is <redacted> and that is all." in text for text in shown), shown
    assert "<redacted>" in raw and "that is all." in raw
    assert any(p.name == "history.db" for p in files) and (tmp_path / "saved.md").exists()
    assert (tmp_path / "export-0.md").exists()


def test_text_that_only_starts_like_the_key_is_shown_whole_when_the_next_piece_comes(scan):
    server, env = scan
    server.enqueue(Reply(text=["abc s", "k-not-the-key and more"], delay=0.05))
    done = run_cli(env, "ask", "hello")
    assert done.code == 0
    assert done.out.decode() == "abc sk-not-the-key and more\n"


@pytest.mark.parametrize(("key", "problem"), [
    (KEY[:40] + "\n" + KEY[40:], "is more than one line"),
    (KEY[:40] + " " + KEY[40:], "has a space inside (character 41)"),
    (KEY[:40] + "\u2013" + KEY[40:], "has a character that is not ASCII (character 41"),
    (KEY[:40] + "\x7f" + KEY[40:], "has a control character (character 41)"),
])
def test_a_key_that_cannot_be_a_header_is_refused_before_anything_is_sent(scan, key, problem):
    server, env = scan
    done = run_cli({**env, "SCAN_KEY": key}, "ask", "hello")
    assert done.code == 2 and len(done.err_lines) == 1, done.err
    assert done.err.startswith(f"claudechat: the API key from $SCAN_KEY {problem}")
    assert done.err.rstrip().endswith("; set SCAN_KEY to the key alone")
    assert KEY[:40] not in done.err and KEY[41:] not in done.err
    assert server.requests == []


@pytest.mark.parametrize("host", ["example.com", "10.0.0.7", "[2001:db8::1]"])
def test_plain_http_to_another_machine_is_refused_and_says_how_to_allow_it(clean_env, host):
    env = {**clean_env, "ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": f"http://{host}:9"}
    done = run_cli(env, "ask", "hello")
    assert done.code == 2 and len(done.err_lines) == 1, done.err
    assert "plain http://" in done.err and "allow_insecure_http = true" in done.err
    assert "[profiles.anthropic]" in done.err and KEY not in done.err


def test_allow_insecure_http_lets_the_profile_use_plain_http(clean_env, config, servers):
    server = servers(auth="x-api-key", key=KEY)
    # 127.1 reaches the server, but is no address the loopback check knows: plain http to it
    # is refused unless the profile allows it
    env = config({**clean_env, "SCAN_KEY": KEY}, f"""
[profiles.lan]
base_url = "{server.url.replace('127.0.0.1', '127.1')}"
auth = "x-api-key"
api_key_env = "SCAN_KEY"
""")
    refused = run_cli(env, "ask", "--profile", "lan", "hello")
    assert refused.code == 2 and "plain http://" in refused.err and posts(server) == []
    Path(env["CLAUDECHAT_CONFIG"]).write_text(Path(env["CLAUDECHAT_CONFIG"]).read_text()
                                              + "allow_insecure_http = true\n")
    server.enqueue(Reply(text="over http"))
    done = run_cli(env, "ask", "--profile", "lan", "hello")
    assert (done.code, done.out) == (0, b"over http\n"), done.err


def test_a_config_holding_a_key_that_others_may_read_is_warned_of_once(scan, tmp_path):
    server, env = scan
    config = Path(env["CLAUDECHAT_CONFIG"])
    config.chmod(0o644)
    done = run_cli(env, "ask", "--profile", "filekey", "hello")  # the key is refused: a 401
    warning = (f"claudechat: warning: {config} holds an API key and anyone may read it "
               f"(mode 644); run: chmod 600 {config}")
    assert done.code == 1 and done.err_lines[0] == warning and done.err.count("warning") == 1
    assert "HTTP 401" in done.err_lines[1] and FILE_KEY not in done.err
    config.chmod(0o640)
    assert "and its group may read it (mode 640)" in run_cli(env, "config", "show").err
    config.chmod(0o600)
    assert run_cli(env, "config", "show").err_lines == [f"claudechat: config file: {config}"]


def test_what_claudechat_writes_is_private(scan, tmp_path):
    server, env = scan
    env = {**env, "XDG_STATE_HOME": str(tmp_path / "new" / "state"),
           "XDG_DATA_HOME": str(tmp_path / "new" / "data"), "XDG_CACHE_HOME": str(tmp_path / "new" / "cache"),
           "XDG_CONFIG_HOME": str(tmp_path / "new" / "config")}
    umask = os.umask(0o022)  # the usual umask: what claudechat makes must not depend on it
    try:
        _chat(env, server, tmp_path)
        run_cli(env, "models")
        run_cli(env, "history", "export", "-o", str(tmp_path / "export.md"), "last")
        run_cli({k: v for k, v in env.items() if k != "CLAUDECHAT_CONFIG"}, "config", "init")
    finally:
        os.umask(umask)

    made = [p for p in (tmp_path / "new").rglob("*")] + [tmp_path / "export.md", tmp_path / "saved.md"]
    names = {p.name for p in made}
    assert {"history.db", "input-history", "config.toml", "export.md", "saved.md"} <= names
    assert any(n.startswith("models-") for n in names)
    loose = [f"{p} {stat.S_IMODE(p.stat().st_mode):o}" for p in made
             if stat.S_IMODE(p.stat().st_mode) != (0o700 if p.is_dir() else 0o600)]
    assert loose == []
