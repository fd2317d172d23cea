"""ApiClient: HTTP for both servers — auth headers, retries, timeouts, error mapping.

The `httpx.Client` is injected (tests pass one with `httpx.MockTransport`, or
point the base URL at the loopback fake server), or `build_http`, a function that builds
it at the first use (the chat's: `warm()` builds it on a thread while the user types).
Everything that can go wrong on the wire leaves this module as an ApiError (before a
reply: no answer, an error status, a redirect, an answer that is not what was asked for)
or an IncompleteReply (a reply, streamed or whole, cut short); never as a raw httpx
exception. Only what failed before a reply started is tried again; every body is read
through body.py (decoded by us, bounded), and what an answer means is problems.py's.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from claudechat import __version__
from claudechat.api import body as body_reader
from claudechat.api import problems
from claudechat.api.lazy_httpx import httpx  # loaded at its first use
from claudechat.api.retry import RetryWait, delay_before, should_retry, status_reason, transport_reason
from claudechat.api.sse import ServerSentEvent, SSEDecoder
from claudechat.errors import ApiError, IncompleteReply, MalformedStream

CACHE_FIELDS = ("cache_control", "diagnostics")  # request fields a proxy may refuse
OnRetry = Callable[[RetryWait], None]
_URL_PASSWORD = re.compile(r"(\w+://[^/@\s:]*:)[^/@\s]*@")  # scheme://user:PASSWORD@


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where and how to talk to one server."""

    base_url: str
    auth: str  # "bearer" | "x-api-key"
    api_key: str
    key_source: str  # where the key came from, for messages (never the key)
    anthropic_version: str = "2023-06-01"
    profile: str = ""


class ApiClient:
    def __init__(
        self,
        endpoint: Endpoint,
        http: httpx.Client | None = None,
        *,
        build_http: Callable[[], httpx.Client] | None = None,
        max_retries: int = 2,
        idle_timeout: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        debug: Callable[[str], None] | None = None,
    ) -> None:
        self.endpoint = endpoint
        if (http is None) == (build_http is None):
            raise TypeError("ApiClient takes an httpx.Client or a build_http function, one of the two")
        self._http = http
        self._build_http = build_http
        self._http_lock = threading.Lock()
        self.max_retries = max_retries
        self.idle_timeout = idle_timeout
        self._sleep = sleep
        self._debug = debug
        self.cache_refused: Callable[[], None] | None = None  # see _without_cache_fields
        self.cache_fields_refused = False

    @property
    def http(self) -> httpx.Client:
        """The HTTP client; with `build_http`, built at the first use (a failure, such as a
        base URL that httpx refuses, is raised then, and again at every use)."""
        if self._http is None:
            with self._http_lock:  # warm()'s thread may be building it
                if self._http is None:
                    self._http = self._build_http()  # type: ignore[misc]
        return self._http

    @http.setter
    def http(self, client: httpx.Client) -> None:
        with self._http_lock:
            self._http = client

    def ready(self) -> None:
        """Build the HTTP client now if it is built at the first use (httpx is imported
        then too); raises what building it raises (ConfigError: a base URL httpx refuses)."""
        self.http  # noqa: B018 - built for its side effect

    def warm(self) -> None:
        """`ready()` on a thread that has no one to tell (a traceback there would land on the
        chat's screen): any failure is left for the next `ready()` or request to raise."""
        try:
            self.ready()
        except Exception:  # noqa: BLE001, S110 - raised again where it can be said
            pass

    # -- public calls ----------------------------------------------------------

    def post_json(self, path: str, body: dict[str, Any], *, timeout: float | None = None,
                  headers: dict[str, str] | None = None, on_retry: OnRetry | None = None) -> Any:
        """The JSON answer; `on_retry(RetryWait)` hears of each wait before a retry."""
        response = self._send("POST", path, body=body, stream=False, read_timeout=timeout,
                              headers=headers, on_retry=on_retry)
        return self._json(response)

    def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        response = self._send("GET", path, params=params, stream=False)
        return self._json(response)

    @contextmanager
    def stream(self, path: str, body: dict[str, Any], headers: dict[str, str] | None = None,
               caught_up: Callable[[], None] | None = None,
               on_retry: OnRetry | None = None) -> Iterator[Iterator[ServerSentEvent]]:
        """POST and yield the reply's SSE records; the response is closed on exit,
        also when the caller is interrupted (Ctrl-C closes the connection at once).
        `headers`: this request's own (`anthropic-beta`). `caught_up()` comes before each
        read of the connection, every record that arrived taken (the view flushes there:
        once per network read, never leaving a record unshown while the stream waits).
        `on_retry(RetryWait)` hears of each wait before the request is tried again."""
        response = self._send("POST", path, body=body, stream=True, headers=headers,
                              on_retry=on_retry)
        self._check_stream(response)
        undo = _hook_reads(response, caught_up) if caught_up is not None else None
        try:  # without a connection to watch, caught_up() comes after every HTTP chunk
            yield self._records(response, None if undo is not None else caught_up)
        finally:
            if undo is not None:
                undo()
            response.close()

    def redact(self, text: str) -> str:
        """The text without the API key or a password written into a URL."""
        key = self.endpoint.api_key
        if key and len(key) >= 4:
            text = text.replace(key, "<redacted>")
        return _URL_PASSWORD.sub(r"\1<redacted>@", text)

    # -- the request loop ------------------------------------------------------

    def _headers(self, stream: bool) -> dict[str, str]:
        ep = self.endpoint
        headers = {
            "content-type": "application/json",
            "accept": "text/event-stream" if stream else "application/json",
            "accept-encoding": body_reader.ACCEPT_ENCODING,  # decoded by body.py, bounded
            "user-agent": f"claudechat/{__version__}",
            "anthropic-version": ep.anthropic_version,
        }
        if ep.auth == "bearer":
            headers["authorization"] = f"Bearer {ep.api_key}"
        else:
            headers["x-api-key"] = ep.api_key
        return headers

    def _send(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        stream: bool,
        read_timeout: float | None = None,
        headers: dict[str, str] | None = None,
        on_retry: OnRetry | None = None,
    ) -> httpx.Response:
        url = self.endpoint.base_url.rstrip("/") + path
        if body is not None and self.cache_fields_refused:
            body = {k: v for k, v in body.items() if k not in CACHE_FIELDS}
        content = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        timeout = self.http.timeout
        if not stream:  # a whole reply may take minutes before its first byte
            timeout = httpx.Timeout(
                connect=timeout.connect, write=timeout.write, pool=timeout.pool,
                read=read_timeout or max(self.idle_timeout, 600.0),
            )
        attempt = 0
        while True:
            request = self.http.build_request(
                method, url, content=content, params=params,
                headers={**self._headers(stream), **(headers or {})},
                timeout=timeout,
            )
            self._log_request(request)
            try:  # the body is read by the caller, bounded: a reply that started is never sent again
                response = self.http.send(request, stream=True)
            except httpx.TransportError as exc:
                error = self._transport_error(exc)
                if error.retryable and attempt < self.max_retries:
                    self._wait(attempt, None, error, transport_reason(exc), on_retry)
                    attempt += 1
                    continue
                raise error from None
            self._log_response(response)
            if response.status_code < 300:
                return response
            try:
                error_body = body_reader.read(response, body_reader.MAX_ERROR_BODY).data
            finally:
                response.close()
            if response.status_code < 400:  # never followed: the key would go where it points
                raise self._redacted(problems.redirect_error(response, self.endpoint))
            error = self._status_error(response, error_body)
            if body is not None and self._without_cache_fields(body, error):
                content = json.dumps(body, ensure_ascii=False).encode()
                continue
            if attempt < self.max_retries and should_retry(response):
                self._wait(attempt, response, error, status_reason(error.status, error.code), on_retry)
                attempt += 1
                continue
            raise error

    def _without_cache_fields(self, body: dict[str, Any], error: ApiError) -> bool:
        """A server that refuses the prompt-caching fields (a proxy may: `cache_control:
        Extra inputs are not permitted`) gets the request once more without them;
        `cache_refused` hears of it (docs/API-2026.md §4)."""
        refused = [name for name in CACHE_FIELDS if name in body
                   and error.status == 400 and error.message.startswith(f"{name}: Extra inputs")]
        if not refused:
            return False
        for name in CACHE_FIELDS:
            body.pop(name, None)
        self.cache_fields_refused = True
        if self.cache_refused is not None:
            self.cache_refused()
        return True

    def _wait(self, attempt: int, response: httpx.Response | None, error: ApiError, reason: str,
              on_retry: OnRetry | None) -> None:
        delay = delay_before(attempt, response)
        if self._debug:
            self._debug(f"retrying in {delay:.2f} s after: {error}")
        if on_retry is not None:
            on_retry(RetryWait(delay, reason, attempt + 2, self.max_retries + 1))
        self._sleep(delay)

    def _records(self, response: httpx.Response,
                 caught_up: Callable[[], None] | None = None) -> Iterator[ServerSentEvent]:
        decoder = SSEDecoder()
        try:  # one piece per HTTP chunk (many per network read), at most 64 KiB when compressed
            for chunk in body_reader.decoded(response):
                yield from decoder.feed(chunk)
                if caught_up is not None:
                    caught_up()
        except body_reader.BadEncoding as exc:
            raise IncompleteReply(f"the server's stream could not be decoded: {exc}",
                                  hint="what arrived was kept; try again") from None
        except httpx.TimeoutException:
            raise IncompleteReply(
                f"the server sent nothing for {self.idle_timeout:g} s",
                hint="what arrived was kept; raise idle_timeout in the config if the server is slow",
            ) from None
        except httpx.TransportError as exc:
            raise IncompleteReply(
                f"the connection broke mid-reply ({problems.describe(exc)})",
                hint="what arrived was kept; try again",
            ) from None
        yield from decoder.flush()

    # -- errors ------------------------------------------------------------------

    def _transport_error(self, exc: httpx.TransportError) -> ApiError:
        host = httpx.URL(self.endpoint.base_url).host or self.endpoint.base_url
        if isinstance(exc, httpx.ConnectError) and (failure := problems.tls_failure(exc)):
            return self._redacted(problems.tls_error(failure, host))
        if isinstance(exc, httpx.ConnectTimeout):
            message = f"timed out connecting to {host}"
        elif isinstance(exc, httpx.TimeoutException):
            message = f"{host} did not answer in time"
        elif isinstance(exc, httpx.ConnectError):
            message = f"could not connect to {host} ({problems.describe(exc)})"
        elif isinstance(exc, httpx.UnsupportedProtocol):
            message = f"the base URL {self.endpoint.base_url!r} is not an http(s) URL"
            return ApiError(self.redact(message), hint="fix base_url in the profile or --base-url")
        else:
            message = f"the connection to {host} failed ({problems.describe(exc)})"
        return ApiError(
            self.redact(message),
            hint="check your network and the base URL, then try again",
            retryable=True,
        )

    def _status_error(self, response: httpx.Response, content: bytes) -> ApiError:
        parsed = problems.parse_error_body(response.status_code, response.headers, content)
        return self._redacted(ApiError(
            parsed.message, status=parsed.status, code=parsed.code, request_id=parsed.request_id,
            hint=problems.hint_for(response.status_code, parsed.code, self.endpoint, parsed.message)))

    def _redacted(self, error: ApiError) -> ApiError:
        """`error` with the key and URL passwords out of its message and hint (server text,
        a Location, the base URL may hold them)."""
        return ApiError(self.redact(error.message), status=error.status, code=error.code,
                        request_id=error.request_id, hint=error.hint and self.redact(error.hint),
                        retryable=error.retryable)

    def _check_stream(self, response: httpx.Response) -> None:
        """A 2xx to a stream request that says it is JSON or HTML is read (bounded) and said:
        an error body's message, a whole reply (kept: it is what the server generated), JSON
        or a page where base_url is no API. Any other type is read as the stream (a proxy may
        label one text/plain)."""
        media = body_reader.media_type(response)
        if problems.what_it_is(media) not in ("JSON", "HTML"):
            return
        try:
            got = body_reader.read(response, body_reader.MAX_BODY)
        finally:
            response.close()
        data = _parsed(got.data)
        if problems.is_whole_reply(data) and not got.over:
            raise MalformedStream(
                f"the server answered {response.status_code} with a whole reply (JSON) instead of a stream",
                hint="it was kept; with this server ask with --no-stream", partial=data)
        raise self._redacted(problems.instead_of(response, media, got.data, "a stream", self.endpoint))

    def _json(self, response: httpx.Response) -> Any:
        """The JSON of a whole answer, read here with a limit on its decoded size. A body
        that breaks off is an incomplete reply (never sent again: the server made it)."""
        try:
            got = body_reader.read(response, body_reader.MAX_BODY)
        finally:
            response.close()
        coded = body_reader.encoding(response)
        if got.over:
            raise ApiError(
                f"the server's answer is over {body_reader.size(body_reader.MAX_BODY)}"
                + (f" decoded (content-encoding {problems.one_line(coded, 40)})" if coded else "")
                + "; claudechat stopped reading it",
                status=response.status_code, request_id=problems.request_id(response.headers),
                hint=problems.not_an_endpoint(self.endpoint))
        data = _parsed(got.data)
        if got.broke is not None:
            raise self._cut_off(got, data)
        if data is _NOT_JSON:
            media = body_reader.media_type(response)
            raise self._redacted(problems.instead_of(response, media, got.data, "JSON", self.endpoint))
        return data

    def _cut_off(self, got: body_reader.Read, data: Any) -> IncompleteReply:
        if isinstance(got.broke, body_reader.BadEncoding):
            why = f"it could not be decoded: {got.broke}"
        elif isinstance(got.broke, httpx.TimeoutException):
            why = f"the server fell silent mid-reply ({problems.describe(got.broke)})"
        else:
            why = f"the connection broke mid-reply ({problems.describe(got.broke)})"
        if data is _NOT_JSON:
            return IncompleteReply(self.redact(why), hint="nothing usable arrived; it was not asked for "
                                                          "again (the server may have made it); try again")
        return IncompleteReply(self.redact(why), hint="what arrived was kept; try again", partial=data)

    # -- debug ---------------------------------------------------------------------

    def _log_request(self, request: httpx.Request) -> None:
        if self._debug:
            self._debug(self.redact(f"> {request.method} {request.url}"))
            for name, value in request.headers.items():
                self._debug(f">   {name}: {self._safe_header(name, value)}")

    def _log_response(self, response: httpx.Response) -> None:
        if self._debug:
            self._debug(f"< {response.status_code} {response.reason_phrase}")
            for name, value in response.headers.items():
                self._debug(f"<   {name}: {self._safe_header(name, value)}")

    def _safe_header(self, name: str, value: str) -> str:
        if name.lower() in ("authorization", "x-api-key", "proxy-authorization", "cookie"):
            return "<redacted>"
        return self.redact(value)


_NOT_JSON = object()


def _parsed(data: bytes) -> Any:
    """The JSON in `data`, or _NOT_JSON."""
    try:
        return json.loads(data)
    except (ValueError, RecursionError):  # JSON nested past the parser's depth
        return _NOT_JSON


def _hook_reads(response: httpx.Response, before: Callable[[], None]) -> Callable[[], None] | None:
    """Call `before()` ahead of every read of the response's connection (httpx's
    `network_stream` extension); returns the undo. None without a network stream to
    wrap (a mock transport)."""
    stream = response.extensions.get("network_stream")
    read = getattr(stream, "read", None)
    if read is None or not hasattr(stream, "__dict__"):
        return None

    def hooked(*args: Any, **kwargs: Any) -> Any:
        before()
        return read(*args, **kwargs)

    vars(stream)["read"] = hooked
    return lambda: vars(stream).pop("read", None)
