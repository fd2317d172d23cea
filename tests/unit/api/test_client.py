"""ApiClient through its transport seam: an `httpx.Client` on an `httpx.MockTransport` and an
injected `sleep` that records the waits (nothing sleeps). The expected values come from
docs/PROTOCOL.md ("Errors", "Retries") and the README ("Errors", "Retries", keys), not
from the code's output."""

from __future__ import annotations

import email.utils
import json
import ssl
import time
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from helpers.transport import sse_response

from claudechat.api.client import ApiClient, Endpoint, OnRetry
from claudechat.errors import ApiError, IncompleteReply

KEY = "sk-ant-unit-SECRET-93c1f0"
ENDPOINT = Endpoint(base_url="https://api.example.test", auth="x-api-key", api_key=KEY,
                    key_source="$ANTHROPIC_API_KEY", profile="anthropic")
OK = {"id": "msg_1", "type": "message"}
SSE = (b"event: message_start\ndata: {\"type\":\"message_start\"}\n\n"
       b"event: ping\ndata: {\"type\":\"ping\"}\n\n")

Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class Server:
    """A scripted server: each request gets the next answer (a response, an exception to
    raise, or a function of the request); every request is kept."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert self.answers, f"an unexpected request: {request.method} {request.url}"
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer(request) if callable(answer) else answer


class Client:
    """An ApiClient on `server`, with the waits and the debug lines it produced."""

    def __init__(self, server: Server, *, endpoint: Endpoint = ENDPOINT, max_retries: int = 2) -> None:
        self.server = server
        self.delays: list[float] = []
        self.debug: list[str] = []
        self.api = ApiClient(endpoint, httpx.Client(transport=httpx.MockTransport(server)),
                             max_retries=max_retries, idle_timeout=5.0,
                             sleep=self.delays.append, debug=self.debug.append)

    def post(self) -> Any:
        return self.api.post_json("/v1/messages", {"model": "m", "max_tokens": 1})

    def stream(self) -> list[str]:
        with self.api.stream("/v1/messages", {"model": "m", "stream": True}) as records:
            return [record.event for record in records]


def status(code: int, body: Any = None, **headers: str) -> httpx.Response:
    if body is None:
        body = {"type": "error", "error": {"type": "api_error", "message": f"status {code}"}}
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.Response(code, content=content, headers=headers)


def ok() -> httpx.Response:
    return httpx.Response(200, json=OK)


sse = sse_response


def backoff(n: int) -> tuple[float, float]:
    """PROTOCOL.md: min(0.5 × 2^n, 8) × (1 − 0.25 × random) seconds after the n-th failure."""
    ceiling = min(0.5 * 2**n, 8.0)
    return 0.75 * ceiling, ceiling


def assert_backoff(delays: list[float]) -> None:
    for n, delay in enumerate(delays):
        low, high = backoff(n)
        assert low <= delay <= high, (n, delay, delays)


# -- the schedule ------------------------------------------------------------------------------


def test_two_retries_by_default_then_the_error():
    client = Client(Server(status(503), status(503), status(503)), max_retries=2)
    with pytest.raises(ApiError) as caught:
        client.post()
    assert caught.value.status == 503
    assert len(client.server.requests) == 3
    assert len(client.delays) == 2
    assert_backoff(client.delays)


def test_the_default_of_the_constructor_is_two_retries():
    server = Server(status(500), status(500), status(500))
    delays: list[float] = []
    api = ApiClient(ENDPOINT, httpx.Client(transport=httpx.MockTransport(server)), sleep=delays.append)
    with pytest.raises(ApiError):
        api.post_json("/v1/messages", {})
    assert (len(server.requests), len(delays)) == (3, 2)


def test_backoff_grows_exponentially_up_to_8_s_with_jitter():
    client = Client(Server(*[status(529)] * 8), max_retries=7)
    with pytest.raises(ApiError):
        client.post()
    assert len(client.delays) == 7
    assert_backoff(client.delays)  # 0.5, 1, 2, 4, 8, 8, 8 less up to a quarter
    assert all(delay <= 8.0 for delay in client.delays)
    assert any(delay < backoff(n)[1] for n, delay in enumerate(client.delays))  # jitter


@pytest.mark.parametrize("max_retries", [0, 1, 3])
def test_max_retries_is_honoured(max_retries):
    client = Client(Server(*[status(500)] * (max_retries + 1)), max_retries=max_retries)
    with pytest.raises(ApiError):
        client.post()
    assert len(client.server.requests) == max_retries + 1
    assert len(client.delays) == max_retries


def test_a_retry_that_succeeds_returns_the_answer():
    client = Client(Server(status(429), status(503), ok()))
    assert client.post() == OK
    assert len(client.server.requests) == 3
    assert_backoff(client.delays)


def test_every_attempt_sends_the_same_body():
    client = Client(Server(status(500), ok()))
    client.post()
    first, second = client.server.requests
    assert first.content == second.content and first.url == second.url


# -- what the observer hears before each wait ------------------------------------------------------


def waits_heard(client: Client, call: Callable[[OnRetry], Any]) -> list[tuple[int, Any]]:
    """Each RetryWait on_retry heard, with how many waits had been slept when it was heard."""
    heard: list[tuple[int, Any]] = []
    call(lambda wait: heard.append((len(client.delays), wait)))
    return heard


def test_each_wait_is_told_before_it_is_slept_with_its_reason_and_attempt():
    client = Client(Server(status(429, **{"retry-after": "2"}), status(529), ok()))
    heard = waits_heard(client, lambda tell: client.api.post_json("/v1/messages", {}, on_retry=tell))
    assert [slept for slept, _ in heard] == [0, 1]  # each told before its wait
    first, second = (wait for _, wait in heard)
    assert (first.delay, first.reason, first.attempt, first.attempts) == (2.0, "429 rate limited", 2, 3)
    assert first.line() == "retrying in 2 s (429 rate limited, attempt 2 of 3)"  # issue 10's words
    assert (second.reason, second.attempt, second.attempts) == ("529 overloaded", 3, 3)
    assert [first.delay, second.delay] == client.delays  # what is said is what is waited


def test_a_stream_tells_its_waits_too_and_a_connection_failure_says_what_failed():
    reset = httpx.ReadError("[Errno 104] Connection reset by peer")
    refused = httpx.ConnectError("[Errno 111] Connection refused")
    client = Client(Server(reset, refused, sse(SSE)), max_retries=3)

    def stream(tell: OnRetry) -> None:
        with client.api.stream("/v1/messages", {"stream": True}, on_retry=tell) as records:
            list(records)

    heard = [wait for _, wait in waits_heard(client, stream)]
    assert [(w.reason, w.attempt, w.attempts) for w in heard] == [
        ("connection reset", 2, 4), ("could not connect", 3, 4)]


def test_a_server_error_type_is_never_said_as_it_came():
    hostile = {"type": "error", "error": {"type": "\x1b]0;pwned\x07", "message": "no"}}
    client = Client(Server(status(599, hostile), ok()))
    [(_, wait)] = waits_heard(client, lambda tell: client.api.post_json("/v1/messages", {},
                                                                        on_retry=tell))
    assert wait.reason == "599 server error"


# -- retry-after ---------------------------------------------------------------------------------


def http_date(seconds_from_now: float) -> str:
    return email.utils.formatdate(time.time() + seconds_from_now, usegmt=True)


@pytest.mark.parametrize(("headers", "low", "high"), [
    ({"retry-after-ms": "1500"}, 1.5, 1.5),
    ({"retry-after-ms": "250"}, 0.25, 0.25),
    ({"retry-after": "3"}, 3.0, 3.0),
    ({"retry-after": "60"}, 60.0, 60.0),  # "reasonable (<= 60 s)"
    ({"retry-after-ms": "2000", "retry-after": "9"}, 2.0, 2.0),  # the milliseconds win
], ids=["ms", "ms-short", "seconds", "sixty-seconds", "ms-over-seconds"])
def test_retry_after_is_waited(headers, low, high):
    client = Client(Server(status(429, **headers), ok()))
    client.post()
    assert len(client.delays) == 1
    assert low <= client.delays[0] <= high


def test_retry_after_as_an_http_date():
    client = Client(Server(status(503, **{"retry-after": http_date(30)}), ok()))
    client.post()
    # an HTTP date has whole seconds: 29 to 30 s from now
    assert 28.0 <= client.delays[0] <= 30.0, client.delays


@pytest.mark.parametrize("headers", [
    {"retry-after-ms": "61000"},
    {"retry-after": "61"},
    {"retry-after": "3600"},
    {"retry-after": "-1"},
    {"retry-after-ms": "-500"},
], ids=["ms-over-cap", "over-cap", "an-hour", "negative", "ms-negative"])
def test_an_unreasonable_retry_after_gives_the_backoff_instead(headers):
    client = Client(Server(status(429, **headers), ok()))
    client.post()
    assert_backoff(client.delays)


def test_an_http_date_in_the_past_gives_the_backoff():
    client = Client(Server(status(503, **{"retry-after": http_date(-120)}), ok()))
    client.post()
    assert_backoff(client.delays)


def test_an_http_date_beyond_the_cap_gives_the_backoff():
    client = Client(Server(status(503, **{"retry-after": http_date(600)}), ok()))
    client.post()
    assert_backoff(client.delays)


def test_an_unreadable_retry_after_gives_the_backoff():
    client = Client(Server(status(503, **{"retry-after": "soon"}), ok()))
    client.post()
    assert_backoff(client.delays)


# -- which answers are retried ---------------------------------------------------------------------


@pytest.mark.parametrize("code", [408, 409, 429, 500, 502, 503, 504, 529])
def test_these_statuses_are_retried(code):
    client = Client(Server(status(code), ok()))
    assert client.post() == OK
    assert len(client.server.requests) == 2


@pytest.mark.parametrize("code", [400, 401, 403, 404, 413, 422])
def test_these_statuses_are_not_retried(code):
    client = Client(Server(status(code)))
    with pytest.raises(ApiError) as caught:
        client.post()
    assert caught.value.status == code
    assert len(client.server.requests) == 1
    assert client.delays == []


def test_x_should_retry_true_retries_a_status_that_is_not_retried():
    client = Client(Server(status(400, **{"x-should-retry": "true"}), ok()))
    assert client.post() == OK
    assert len(client.server.requests) == 2


def test_x_should_retry_false_stops_a_status_that_is_retried():
    client = Client(Server(status(503, **{"x-should-retry": "false"})))
    with pytest.raises(ApiError) as caught:
        client.post()
    assert caught.value.status == 503
    assert len(client.server.requests) == 1


def test_a_stream_refused_before_it_starts_is_retried():
    client = Client(Server(status(529), sse(SSE)))
    assert client.stream() == ["message_start", "ping"]
    assert len(client.server.requests) == 2


# -- transport errors ----------------------------------------------------------------------------


@pytest.mark.parametrize("error", [httpx.ConnectError("connection refused"),
                                   httpx.ConnectTimeout("timed out"),
                                   httpx.ReadTimeout("timed out"),
                                   httpx.RemoteProtocolError("server disconnected")],
                         ids=["refused", "connect-timeout", "read-timeout", "disconnected"])
def test_transport_errors_are_retried_then_reported_as_one_api_error(error):
    client = Client(Server(error, error, error))
    with pytest.raises(ApiError) as caught:
        client.post()
    assert not isinstance(caught.value, httpx.HTTPError)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert len(client.server.requests) == 3
    assert_backoff(client.delays)
    line = str(caught.value)
    assert "api.example.test" in line and "\n" not in line
    assert caught.value.hint  # what to do


def test_a_transport_error_then_an_answer_succeeds():
    client = Client(Server(httpx.ConnectError("refused"), ok()))
    assert client.post() == OK
    assert len(client.delays) == 1


def test_a_read_timeout_mid_stream_is_an_incomplete_reply_and_not_retried():
    client = Client(Server(sse(SSE, httpx.ReadTimeout("no data"))))
    with pytest.raises(IncompleteReply) as caught:
        with client.api.stream("/v1/messages", {"stream": True}) as records:
            seen = []
            for record in records:
                seen.append(record.event)
    assert seen == ["message_start", "ping"]  # what arrived first is delivered
    assert "incomplete" in str(caught.value)
    assert len(client.server.requests) == 1 and client.delays == []


def test_a_dropped_connection_mid_stream_is_an_incomplete_reply():
    client = Client(Server(sse(SSE[:40], httpx.RemoteProtocolError("peer closed connection"))))
    with pytest.raises(IncompleteReply):
        client.stream()
    assert len(client.server.requests) == 1


# -- error bodies -> messages ----------------------------------------------------------------------


def test_an_anthropic_error_body():
    body = {"type": "error", "error": {"type": "invalid_request_error", "message": "max_tokens: too big"}}
    client = Client(Server(status(400, body, **{"request-id": "req_011abc"})))
    with pytest.raises(ApiError) as caught:
        client.post()
    error = caught.value
    assert (error.status, error.code, error.message, error.request_id) == (
        400, "invalid_request_error", "max_tokens: too big", "req_011abc")
    line = str(error)
    assert "400" in line and "max_tokens: too big" in line and "req_011abc" in line


def test_a_request_id_in_the_body():  # API-2026.md: request_id is now a top-level body field
    body = {"type": "error", "error": {"type": "api_error", "message": "oops"}, "request_id": "req_body"}
    client = Client(Server(status(400, body)))
    with pytest.raises(ApiError) as caught:
        client.post()
    assert caught.value.request_id == "req_body"


def test_an_ace_data_cloud_error_body():
    body = {"success": False, "error": {"code": "token_mismatched", "message": "the token does not match"},
            "trace_id": "3f9c-77"}
    client = Client(Server(status(400, body)))
    with pytest.raises(ApiError) as caught:
        client.post()
    error = caught.value
    assert (error.code, error.message, error.request_id) == (
        "token_mismatched", "the token does not match", "3f9c-77")


def test_an_openai_style_error_body():
    body = {"error": {"message": "Invalid value for 'temperature'", "type": "invalid_request_error",
                      "param": "temperature", "code": None}}
    client = Client(Server(status(400, body)))
    with pytest.raises(ApiError) as caught:
        client.post()
    assert caught.value.message == "Invalid value for 'temperature'"
    assert caught.value.code == "invalid_request_error"


def test_a_proxys_html_page_is_the_status_and_a_short_safe_excerpt():
    page = (b"<html><head><title>502 Bad Gateway</title><style>body { color: red }</style>"
            b"<script>alert('x')</script></head>\n<body>\n<h1>Bad Gateway</h1>\n"
            + b"<p>" + b"upstream went away " * 40 + b"</p></body></html>")
    client = Client(Server(status(502, page), status(502, page), status(502, page)))
    with pytest.raises(ApiError) as caught:
        client.post()
    line = str(caught.value)
    assert caught.value.status == 502 and "502" in line and "Bad Gateway" in line
    for unwanted in ("<", ">", "alert", "color: red", "\n"):
        assert unwanted not in line, line
    assert len(caught.value.message) < 200  # short


def test_escape_sequences_in_an_error_message_never_reach_the_terminal():
    message = "bad \x1b]0;owned\x07\x1b[31mred\r\nline"
    body = {"type": "error", "error": {"type": "api_error", "message": message}}
    client = Client(Server(status(400, body)))
    with pytest.raises(ApiError) as caught:
        client.post()
    line = str(caught.value)
    assert "\x1b" not in line and "\x07" not in line and "\r" not in line and "\n" not in line
    assert "bad" in line and "red" in line and "line" in line


def test_a_rejected_key_is_named_by_where_it_came_from():
    body = {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}
    client = Client(Server(status(401, body)))
    with pytest.raises(ApiError) as caught:
        client.post()
    line = str(caught.value)
    assert "$ANTHROPIC_API_KEY" in line and "'anthropic'" in line and "not accepted" in line, line


def test_an_answer_that_is_not_json_is_an_api_error():
    client = Client(Server(httpx.Response(200, content=b"<html>hello</html>")))
    with pytest.raises(ApiError):
        client.post()


# -- the key ----------------------------------------------------------------------------------


def echo_the_key(request: httpx.Request) -> httpx.Response:
    """A server that writes the key it got into its error message and a header."""
    key = request.headers.get("x-api-key") or request.headers["authorization"]
    body = {"type": "error", "error": {"type": "authentication_error", "message": f"bad key {key}"}}
    return status(401, body, **{"x-echo": key})


@pytest.mark.parametrize("auth", ["x-api-key", "bearer"])
def test_the_key_is_sent_as_the_profile_says(auth):
    endpoint = Endpoint(base_url="https://api.example.test", auth=auth, api_key=KEY,
                        key_source="$KEY")
    client = Client(Server(ok()), endpoint=endpoint)
    client.post()
    headers = client.server.requests[0].headers
    if auth == "bearer":
        assert headers["authorization"] == f"Bearer {KEY}" and "x-api-key" not in headers
    else:
        assert headers["x-api-key"] == KEY and "authorization" not in headers
    assert headers["anthropic-version"] == "2023-06-01"


@pytest.mark.parametrize("auth", ["x-api-key", "bearer"])
def test_the_key_is_never_in_an_error_or_a_debug_line(auth):
    endpoint = Endpoint(base_url="https://api.example.test", auth=auth, api_key=KEY,
                        key_source="$KEY")
    client = Client(Server(echo_the_key), endpoint=endpoint)
    with pytest.raises(ApiError) as caught:
        client.post()
    assert KEY not in str(caught.value) and KEY not in caught.value.message
    assert client.debug, "--debug logs the requests and responses"
    assert any(line.startswith("> POST https://api.example.test/v1/messages") for line in client.debug)
    for line in client.debug:
        assert KEY not in line, line


def test_the_key_is_never_in_a_debug_line_about_a_retry():
    client = Client(Server(httpx.ConnectError(f"refused {KEY}"), echo_the_key))
    with pytest.raises(ApiError) as caught:
        client.post()
    assert len(client.server.requests) == 2
    assert KEY not in str(caught.value)
    assert any("retrying" in line for line in client.debug)
    for line in client.debug:
        assert KEY not in line, line


def test_a_password_in_the_base_url_is_never_in_an_error_or_a_debug_line():
    endpoint = Endpoint(base_url="https://me:hunter2pass@api.example.test", auth="x-api-key", api_key=KEY,
                        key_source="$KEY")
    client = Client(Server(httpx.ConnectError("refused"), httpx.ConnectError("refused"),
                           httpx.ConnectError("refused")), endpoint=endpoint)
    with pytest.raises(ApiError) as caught:
        client.post()
    assert "hunter2pass" not in str(caught.value)
    for line in client.debug:
        assert "hunter2pass" not in line, line


def test_caught_up_comes_after_every_record_of_a_read_and_before_the_next_read():
    first = SSE + b"event: a\ndata: 1\n\nevent: b\ndata: "  # two whole records and half a third
    second = b"2\n\n"
    seen: list[str] = []
    client = Client(Server(sse_response(first, second)))
    with client.api.stream("/v1/messages", {"stream": True},
                           caught_up=lambda: seen.append("|")) as records:
        seen.extend(record.event for record in records)
    assert seen == ["message_start", "ping", "a", "|", "b", "|"]


# -- answers that are not what was asked for (issue 15) ------------------------------------------


def test_a_whole_answer_that_breaks_off_is_incomplete_and_never_asked_for_again():
    half = b'{"id": "msg_1", "type": "mess'
    cut = httpx.Response(200, headers={"content-type": "application/json"},
                         content=iter_body(half, httpx.RemoteProtocolError("closed")))
    client = Client(Server(cut, ok(), ok()))
    with pytest.raises(IncompleteReply) as caught:
        client.post()
    assert len(client.server.requests) == 1 and client.delays == []
    assert caught.value.partial is None and "nothing usable arrived" in str(caught.value)


def test_a_whole_answer_that_arrived_before_the_break_is_kept_as_the_partial():
    cut = httpx.Response(200, headers={"content-type": "application/json"},
                         content=iter_body(json.dumps(OK).encode(), httpx.RemoteProtocolError("closed")))
    with pytest.raises(IncompleteReply) as caught:
        Client(Server(cut)).post()
    assert caught.value.partial == OK


@pytest.mark.parametrize(("location", "said", "base"), [
    ("https://eu.example.test/v1/messages", "https://eu.example.test/v1/messages", "https://eu.example.test"),
    ("/proxy/v1/messages", "https://api.example.test/proxy/v1/messages", "https://api.example.test/proxy"),
    ("https://login.example.test/sso", "https://login.example.test/sso", None),
])
def test_a_redirect_is_not_followed_and_says_where_it_points(location, said, base):
    client = Client(Server(httpx.Response(307, headers={"location": location})))
    with pytest.raises(ApiError) as caught:
        client.post()
    error = caught.value
    assert len(client.server.requests) == 1 and error.status == 307
    assert error.message == f"the server redirected to {said}"
    assert (f"set base_url to {base} if it is right" in error.hint) if base else \
        "is base_url (https://api.example.test) the API's address?" in error.hint


def test_a_redirect_without_a_location_says_so():
    with pytest.raises(ApiError) as caught:
        Client(Server(httpx.Response(301))).stream()
    assert "did not say where" in caught.value.message


@pytest.mark.parametrize(("content_type", "content", "said"), [
    ("application/json", b'{"hello": "world"}', "the server answered 200 with JSON instead of a stream"),
    ("text/html; charset=utf-8", b"<html><title>Portal</title></html>",
     "the server answered 200 with HTML instead of a stream: Portal"),
])
def test_a_200_that_is_no_stream_says_what_it_is(content_type, content, said):
    client = Client(Server(httpx.Response(200, headers={"content-type": content_type}, content=content)))
    with pytest.raises(ApiError) as caught:
        client.stream()
    assert caught.value.message == said and "base_url" in caught.value.hint
    assert len(client.server.requests) == 1


def test_an_error_body_sent_with_200_to_a_stream_request_gives_its_message():
    body = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    with pytest.raises(ApiError) as caught:
        Client(Server(httpx.Response(200, json=body))).stream()
    assert caught.value.code == "overloaded_error" and caught.value.message.startswith("Overloaded")


@pytest.mark.parametrize("content_type", [None, "text/plain", "text/event-stream; charset=utf-8"])
def test_a_stream_without_a_content_type_or_labelled_otherwise_is_read_as_one(content_type):
    headers = {"content-type": content_type} if content_type else {}
    client = Client(Server(httpx.Response(200, headers=headers, content=SSE)))
    assert client.stream() == ["message_start", "ping"]


def tls_refusal(failure: ssl.SSLError) -> httpx.ConnectError:
    """The ConnectError httpx raises for a TLS failure: the ssl error is its cause."""
    try:
        raise httpx.ConnectError(str(failure)) from failure
    except httpx.ConnectError as exc:
        return exc


def test_a_certificate_that_cannot_be_verified_is_not_retried():
    failure = ssl.SSLCertVerificationError(1, "certificate verify failed")
    failure.verify_message = "self-signed certificate"
    client = Client(Server(tls_refusal(failure), ok()))
    with pytest.raises(ApiError) as caught:
        client.post()
    assert len(client.server.requests) == 1 and client.delays == []
    assert "(self-signed certificate)" in caught.value.message and "SSL_CERT_FILE" in caught.value.hint


def test_a_tls_eof_during_the_handshake_is_retried():
    client = Client(Server(tls_refusal(ssl.SSLEOFError(8, "EOF occurred in violation of protocol")), ok()))
    assert client.post() == OK and len(client.delays) == 1


def test_a_gzip_bomb_as_the_whole_answer_stops_at_the_limit():
    z = zlib.compressobj(1, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    bomb = z.compress(b"\0" * (70 * 1024 * 1024)) + z.flush()
    answer = httpx.Response(200, headers={"content-encoding": "gzip", "content-type": "application/json"},
                            content=iter_body(bomb))
    with pytest.raises(ApiError) as caught:
        Client(Server(answer)).post()
    assert "over 64 MiB decoded (content-encoding gzip)" in caught.value.message


def iter_body(*chunks: bytes | Exception) -> Iterator[bytes]:
    for chunk in chunks:
        if isinstance(chunk, Exception):
            raise chunk
        yield chunk


@pytest.mark.parametrize(("content_type", "content", "said"), [
    ("application/json", b'{"id": "msg_1", "type"',
     "the server answered 200 with JSON that does not parse (22 bytes)"),
    ("application/json", b"", "the server answered 200 with an empty body instead of JSON"),
    ("text/html", b"<p>Maintenance</p>", "the server answered 200 with HTML instead of JSON: Maintenance"),
])
def test_a_whole_answer_that_is_no_json_says_what_it_is(content_type, content, said):
    client = Client(Server(httpx.Response(200, headers={"content-type": content_type}, content=content)))
    with pytest.raises(ApiError) as caught:
        client.post()
    assert caught.value.message == said
