"""A server or network that misbehaves, through the real CLI (`claudechat ask`, the history
on) against the hostile loopback server (helpers/hostile.py): real sockets, real TLS, real
gzip. For each fault the user sees one line on stderr (besides one per retry) and no
traceback, what arrived is on stdout and in `claudechat history show`, the exit code is
errors.py's (1: the server or the network), memory stays bounded, and the next request,
continuing the same conversation on a good server, works.

Malformed events, invalid UTF-8 and an endless line are test_stream_faults.py's.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from helpers.cli import CLI, KEY, Result, run_cli
from helpers.hostile import (
    Hostile,
    Script,
    answer,
    cut_body,
    error_json,
    frame,
    gzip_bomb,
    message_json,
    reply,
    rst,
    self_signed,
    start_events,
    stream,
    text_event,
    tls_context,
)
from helpers.pty_terminal import PROMPT

from claudechat import connect
from claudechat.demo import DEFAULT_TEXT

QUESTION = "What is the answer?"
MB = 1024 * 1024
MEMORY_CEILING_MB = 150  # the CLI's peak RSS (about 45 MB idle), whatever the server sends (800 MB bombs)
PARTIAL = ("Partial ", "answer")
OVERLOADED = frame("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
PAGE_502 = (b"<html><head><title>502 Bad Gateway</title><style>h1{color:red}</style></head>"
            b"<body><h1>upstream connect error</h1></body></html>")
PORTAL = b"<!doctype html><html><head><title>Hotel Wi-Fi login</title></head><body>Sign in</body></html>"
COMMENTS = b": " + b"padding " * 120 + b"\n"  # an SSE comment line, repeated by the stream bomb


@dataclass
class Fault:
    """One fault: what the server does, and what the user must see."""

    id: str
    scripts: tuple[Script, ...]
    line: str | None  # a regex the one stderr line must match (None: the reply succeeds)
    out: str = ""  # stdout, without its final newline
    kept: str | None = None  # the reply text the history holds (None: none saved)
    arrived: int = 1  # requests that reached the server (retries included)
    retries: list[str] = field(default_factory=list)  # regexes of the "retrying" lines
    args: tuple[str, ...] = ()
    config: str = "max_retries = 2\n"
    not_in_line: tuple[str, ...] = ()

    @property
    def code(self) -> int:
        return 1 if self.line else 0


def given_up(said: str) -> list[str]:
    return [rf"now \({said}, attempt {n} of 3\)" for n in (2, 3)]


BROKE = r"the reply is incomplete: the connection broke mid-reply"
INCOMPLETE = r"the reply is incomplete"
NOT_AN_API = r" — is base_url \(http://127\.0\.0\.1:\d+\) the API's address\?"
KEPT = {"out": "Partial answer", "kept": "Partial answer"}  # what arrived before the fault
RESET = r"in 0\.[45] s \(connection (reset|closed), attempt 2 of {}\)"
WHOLE = "A whole reply that the server made."  # cut_body's
BOMB = b"".join([*start_events(), *map(text_event, PARTIAL)])  # the stream bomb's start

FAULTS = [
    # -- before a response: retried, as docs/PROTOCOL.md "Retries" says
    Fault("rst-before-the-response-then-a-reply", (rst(), reply("Recovered.")), None,
          out="Recovered.", kept="Recovered.", arrived=2, retries=[RESET.format(3)]),
    Fault("rst-before-the-response-every-time", (rst(), rst()), r"connection to 127\.0\.0\.1 failed",
          arrived=2, config="max_retries = 1\n", retries=[RESET.format(2)]),
    Fault("429-with-retry-after", (answer(429, error_json("rate_limit_error", "Slow down"), retry_after="1"),
                                   reply("After the wait.")),
          None, out="After the wait.", kept="After the wait.", arrived=2,
          retries=[r"in 1 s \(429 rate limited, attempt 2 of 3\)"]),
    Fault("529-retried-then-given-up",
          (answer(529, error_json("overloaded_error", "Overloaded"), retry_after_ms="0"),) * 3,
          r"HTTP 529 overloaded_error: Overloaded .*overloaded", arrived=3,
          retries=given_up("529 overloaded")),
    Fault("500-retried-then-given-up",
          (answer(500, error_json("api_error", "Internal server error"), retry_after_ms="0"),) * 3,
          r"HTTP 500 api_error: Internal server error", arrived=3, retries=given_up("500 server error")),
    Fault("html-502-retried-then-given-up", (answer(502, PAGE_502, "text/html", retry_after_ms="0"),) * 3,
          r"HTTP 502: the server answered 502: 502 Bad Gateway upstream connect error", arrived=3,
          retries=given_up("502 bad gateway"), not_in_line=("<", "color")),
    # -- mid-stream: never retried, what arrived kept
    Fault("stream-dropped-by-fin", (stream(*PARTIAL, then="fin"),), BROKE, **KEPT),
    Fault("stream-dropped-by-rst", (stream(*PARTIAL, then="rst"),), BROKE, **KEPT),
    Fault("stall-past-the-idle-timeout", (stream(*PARTIAL, then="hold"),),
          r"the reply is incomplete: the server sent nothing for 0\.5 s", config="idle_timeout = 0.5\n",
          **KEPT),
    Fault("error-event-mid-stream", (stream(*PARTIAL, after=OVERLOADED, then="end"),),
          r"overloaded_error mid-reply: Overloaded", **KEPT),
    Fault("malformed-line-mid-stream",
          (stream(*PARTIAL, after=b"event: content_block_delta\ndata: {nope\n\n", then="end"),),
          INCOMPLETE, **KEPT),
    Fault("truncated-stream", (stream(*PARTIAL, then="end"),), INCOMPLETE, **KEPT),
    # -- an answer that is not what was asked for: said as what it is
    Fault("307-redirect", (answer(307, b"", "text/plain", location="https://api.example.test/v1/messages"),),
          r"HTTP 307: the server redirected to https://api\.example\.test/v1/messages — "
          r"set base_url to https://api\.example\.test if it is right"),
    Fault("308-redirect-with-a-password",
          (answer(308, b"", "text/plain", location="https://joe:hunter2pw@api.example.test/x/v1/messages"),),
          r"HTTP 308: the server redirected to https://joe:<redacted>@api\.example\.test/x/v1/messages — "
          r"set base_url to https://joe:<redacted>@api\.example\.test/x if it is right",
          not_in_line=("hunter2pw",)),
    Fault("302-redirect-to-a-login-page", (answer(302, b"", "text/html", location="/login?next=%2Fv1"),),
          r"HTTP 302: the server redirected to http://127\.0\.0\.1:\d+/login\?next=%2Fv1" + NOT_AN_API),
    Fault("200-json-to-a-stream-request", (answer(200, b'{"status": "ok", "version": "3.1"}'),),
          r"HTTP 200: the server answered 200 with JSON instead of a stream" + NOT_AN_API),
    Fault("200-json-error-to-a-stream-request",
          (answer(200, error_json("overloaded_error", "Overloaded now")),),
          r"HTTP 200 overloaded_error: Overloaded now \(an error answered with status 200\)"),
    Fault("200-html-to-a-stream-request", (answer(200, PORTAL, "text/html; charset=utf-8"),),
          r"HTTP 200: the server answered 200 with HTML instead of a stream: Hotel Wi-Fi login Sign in"
          + NOT_AN_API, not_in_line=("<",)),
    Fault("200-whole-reply-to-a-stream-request", (answer(200, message_json("Whole, not streamed.")),),
          r"the reply is incomplete: the server answered 200 with a whole reply \(JSON\) instead of a stream"
          r" — it was kept; with this server ask with --no-stream",
          out="Whole, not streamed.", kept="Whole, not streamed."),
    # -- --no-stream: a body that started is never asked for again
    Fault("no-stream-body-cut-halfway", (cut_body(0.5),),
          BROKE + r" .* — nothing usable arrived; it was not asked for again", args=("--no-stream",)),
    Fault("no-stream-rst-before-the-response-then-a-reply", (rst(), reply("Recovered.")), None,
          out="Recovered.", kept="Recovered.", arrived=2, retries=[RESET.format(3)], args=("--no-stream",)),
    Fault("no-stream-200-html", (answer(200, PORTAL, "text/html"),),
          r"HTTP 200: the server answered 200 with HTML instead of JSON: Hotel Wi-Fi login Sign in"
          + NOT_AN_API, args=("--no-stream",)),
    Fault("no-stream-307-redirect", (answer(307, b"", location="https://api.example.test/v1/messages"),),
          r"HTTP 307: the server redirected to https://api\.example\.test/v1/messages",
          args=("--no-stream",)),
    Fault("no-stream-body-whole-then-cut", (cut_body(1.0),), BROKE + r" .* — what arrived was kept",
          out=WHOLE, kept=WHOLE, args=("--no-stream",)),
    # -- gzip bombs: bounded memory, one line
    Fault("no-stream-gzip-bomb-800-mb", (gzip_bomb(800 * MB),),
          r"HTTP 200: the server's answer is over 64 MiB decoded \(content-encoding gzip\); "
          r"claudechat stopped reading it" + NOT_AN_API, args=("--no-stream",)),
    Fault("error-body-gzip-bomb-800-mb", (gzip_bomb(800 * MB, status=500, content_type="text/html"),),
          r"HTTP 500: the server answered 500", config="max_retries = 0\n"),
    Fault("stream-gzip-bomb-400-mb",
          (gzip_bomb(400 * MB, content_type="text/event-stream", filler=COMMENTS, prefix=BOMB),),
          INCOMPLETE, **KEPT),
]


def run_measured(env: dict[str, str], *args: str, timeout: float = 60) -> tuple[Result, float]:
    """The CLI as run_cli runs it, and its peak memory (MB, from wait4's rusage)."""
    proc = subprocess.Popen([*CLI, *args], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    outputs: dict[str, bytes] = {}
    readers = [threading.Thread(target=lambda name=name, pipe=pipe: outputs.__setitem__(name, pipe.read()))
               for name, pipe in (("out", proc.stdout), ("err", proc.stderr))]
    for reader in readers:
        reader.start()
    killer = threading.Timer(timeout, lambda: os.kill(proc.pid, signal.SIGKILL))
    killer.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        killer.cancel()
    for reader in readers:
        reader.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode != -signal.SIGKILL, f"{args} still running after {timeout} s"
    result = Result(proc.returncode, outputs["out"], outputs["err"].decode("utf-8", "replace"))
    return result, usage.ru_maxrss / 1024


def the_line(result: Result, fault: Fault) -> str | None:
    """The one stderr line (after one per retry, as the fault expects); no traceback."""
    assert "Traceback" not in result.err, result.err
    lines = [line for line in result.err_lines if line.strip()]
    retried = [line for line in lines if line.startswith("claudechat: retrying ")]
    assert len(retried) == len(fault.retries), result.err
    for line, pattern in zip(retried, fault.retries, strict=True):
        assert re.fullmatch(pattern, line.removeprefix("claudechat: retrying ")), (line, pattern)
    rest = [line for line in lines if line not in retried]
    if fault.line is None:
        assert rest == [], result.err
        return None
    assert len(rest) == 1, result.err
    assert rest[0].startswith("claudechat: ")
    return rest[0].removeprefix("claudechat: ")


def history_show(env: dict[str, str]) -> str:
    shown = run_cli(env, "history", "show", "last")
    assert shown.code == 0, shown
    return shown.out.decode()


@pytest.fixture
def hostile():
    started = Hostile().start()
    yield started
    started.stop()


@pytest.mark.parametrize("fault", FAULTS, ids=[f.id for f in FAULTS])
def test_a_fault_is_one_line_keeps_what_arrived_and_the_next_request_works(fault, hostile, env, config,
                                                                           server):
    hostile.enqueue(*fault.scripts)
    bad = config({**env, "ANTHROPIC_BASE_URL": hostile.url}, fault.config)
    result, peak = run_measured(bad, "ask", *fault.args, QUESTION)

    assert result.code == fault.code, result
    line = the_line(result, fault)
    if fault.line is not None:
        assert re.search(fault.line, line), line
        assert KEY not in line and not any(word in line for word in fault.not_in_line), line
    assert result.out == (fault.out + "\n" if fault.out else "").encode(), result
    assert hostile.arrived == fault.arrived, "a reply that started was asked for again" \
        if hostile.arrived > fault.arrived else hostile.requests
    assert peak < MEMORY_CEILING_MB, f"peak memory {peak:.0f} MB"

    shown = history_show(env)
    assert QUESTION in shown
    if fault.kept is not None:
        assert fault.kept in shown
    else:
        assert "no reply" in shown.lower(), shown

    _the_next_request_works(env, server, fault)


def _the_next_request_works(env: dict[str, str], server, fault: Fault) -> None:
    """`ask -c` on a good server: answered; what was kept goes back as the assistant's turn."""
    after = run_cli(env, "ask", "-c", "And next?")
    assert after.code == 0 and after.out == f"{DEFAULT_TEXT}\n".encode(), after
    sent = server.requests[-1].json["messages"]
    assert sent[-1]["role"] == "user" and _text(sent[-1]) == "And next?"
    replies = [_text(m) for m in sent if m["role"] == "assistant"]
    assert replies == ([fault.kept] if fault.kept else []), sent


def _text(message: dict) -> str:
    content = message["content"]
    return content if isinstance(content, str) else "".join(b.get("text", "") for b in content)


def test_a_refused_connection_is_retried_then_one_line(env, config, server):
    with Hostile() as closed:  # a port that was listening and is no more
        url = closed.url
    bad = config({**env, "ANTHROPIC_BASE_URL": url}, "max_retries = 1\n")
    result = run_cli(bad, "ask", QUESTION)
    fault = Fault("refused", (), "could not connect to 127.0.0.1", retries=[
        r"in 0\.[45] s \(could not connect, attempt 2 of 2\)"])
    assert result.code == 1 and result.out == b"", result
    assert re.search(fault.line, the_line(result, fault))
    assert "no reply" in history_show(env).lower()
    _the_next_request_works(env, server, fault)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    return self_signed(tmp_path_factory.mktemp("tls"))


def test_a_certificate_that_cannot_be_verified_is_not_retried_and_says_what_to_do(env, config, certificate):
    tls = Hostile(tls=tls_context(*certificate)).start()
    try:
        bad = config({**env, "ANTHROPIC_BASE_URL": tls.url}, "max_retries = 2\n")
        result = run_cli(bad, "ask", QUESTION)
        line = the_line(result, Fault("tls", (), "certificate"))
        assert result.code == 1 and result.out == b"", result
        assert re.fullmatch(r"the TLS certificate of 127\.0\.0\.1 could not be verified \(self[- ]signed "
                            r"certificate\) — if 127\.0\.0\.1 is the right server, point SSL_CERT_FILE at "
                            r"the CA certificate that signed it \(PEM\).*", line), line
        assert tls.connections == 1 and tls.arrived == 0  # tried once: it never fixes itself
        # what the line says to do works: the same server, its certificate trusted
        trusted = run_cli({**bad, "SSL_CERT_FILE": str(certificate[0])}, "ask", "-c", QUESTION)
        assert trusted.code == 0 and trusted.out == b"A good answer.\n", trusted
    finally:
        tls.stop()


def test_the_tls_context_of_a_plain_http_profile_trusts_no_certificate(certificate, monkeypatch):
    """A plain http:// profile skips loading the CAs (start-up time); the context it gets
    instead refuses every certificate, even one SSL_CERT_FILE makes httpx's own trust, so
    TLS through it could never pass unchecked."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    tls = Hostile(tls=tls_context(*certificate)).start()
    try:
        for base_url, trusted in (("https://127.0.0.1", True), ("http://127.0.0.1", False)):
            with httpx.Client(verify=connect.tls_context(base_url)) as client:
                if trusted:
                    tls.enqueue(answer(200, b"{}"))
                    assert client.get(tls.url).json() == {}
                else:
                    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                        client.get(tls.url)
    finally:
        tls.stop()


def test_https_to_a_plain_http_server_is_not_retried(env, config, hostile):
    bad = config({**env, "ANTHROPIC_BASE_URL": hostile.url.replace("http:", "https:")}, "max_retries = 2\n")
    result = run_cli(bad, "ask", QUESTION)
    line = the_line(result, Fault("tls", (), "TLS"))
    assert result.code == 1, result
    assert re.fullmatch(r"TLS with 127\.0\.0\.1 failed \(.+\) — is it an https server on that port\? "
                        r"Check base_url's scheme and port", line), line
    assert hostile.connections == 1


def test_in_the_chat_each_fault_is_one_line_and_the_chat_goes_on(hostile, spawn):
    hostile.enqueue(stream(*PARTIAL, then="rst"),
                    answer(307, b"", "text/plain", location="https://eu.example.test/v1/messages"),
                    answer(200, PORTAL, "text/html"))
    term = spawn(ANTHROPIC_BASE_URL=hostile.url)
    term.say("first")
    term.wait_prompt(after="mid-reply")
    said = term.answer_to("first", term.cursor_row())
    assert "Partial answer" in said
    [error] = [line for line in said if line.startswith("error:")]
    assert error.startswith("error: the reply is incomplete: the connection broke mid-reply"), said
    for typed, what in (("second", "redirected to https://eu.example.test/v1/messages"),
                        ("third", "with HTML instead of a stream: Hotel Wi-Fi login")):
        term.send("\x15")  # the message that got no reply came back into the line: clear it
        term.say(typed)
        row = term.wait_prompt(after="back in the input line", typed=typed)
        lines = term.lines()
        shown = lines[lines.index(f"{PROMPT} {typed}") + 1:row]
        errors = [line for line in shown if line.startswith("error:")]
        assert len(errors) == 1 and what in " ".join(lines), lines
    term.send("\x15")
    term.say("fourth")
    term.wait_text("A good answer.")
    assert "Traceback" not in term.text() and hostile.arrived == 4
