"""ApiClient: HTTP for both servers — auth headers, retries, timeouts, error mapping.

The `httpx.Client` is injected (tests pass one with `httpx.MockTransport`, or
point the base URL at the loopback fake server). Everything that can go wrong
on the wire leaves this module as an ApiError (before a response) or a
IncompleteReply (the stream was cut short); never as a raw httpx exception.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from claudechat import __version__
from claudechat.api.retry import RetryWait, delay_before, should_retry, status_reason, transport_reason
from claudechat.api.sse import ServerSentEvent, SSEDecoder
from claudechat.errors import ApiError, IncompleteReply
from claudechat.sanitize import sanitize

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
        http: httpx.Client,
        *,
        max_retries: int = 2,
        idle_timeout: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        debug: Callable[[str], None] | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.http = http
        self.max_retries = max_retries
        self.idle_timeout = idle_timeout
        self._sleep = sleep
        self._debug = debug
        self.cache_refused: Callable[[], None] | None = None  # see _without_cache_fields
        self.cache_fields_refused = False

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
            try:
                response = self.http.send(request, stream=stream)
            except httpx.TransportError as exc:
                error = self._transport_error(exc)
                if attempt < self.max_retries:
                    self._wait(attempt, None, error, transport_reason(exc), on_retry)
                    attempt += 1
                    continue
                raise error from None
            self._log_response(response)
            if response.status_code < 400:
                return response
            try:
                response.read()
            except httpx.TransportError:
                pass
            finally:
                response.close()
            error = self._status_error(response)
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
        try:
            for chunk in response.iter_bytes():  # one per HTTP chunk: many per network read
                yield from decoder.feed(chunk)
                if caught_up is not None:
                    caught_up()
        except httpx.TimeoutException:
            raise IncompleteReply(
                f"the server sent nothing for {self.idle_timeout:g} s",
                hint="what arrived was kept; raise idle_timeout in the config if the server is slow",
            ) from None
        except httpx.TransportError as exc:
            raise IncompleteReply(
                f"the connection broke mid-reply ({_describe(exc)})",
                hint="what arrived was kept; try again",
            ) from None
        yield from decoder.flush()

    # -- errors ------------------------------------------------------------------

    def _transport_error(self, exc: httpx.TransportError) -> ApiError:
        host = httpx.URL(self.endpoint.base_url).host or self.endpoint.base_url
        if isinstance(exc, httpx.ConnectTimeout):
            message = f"timed out connecting to {host}"
        elif isinstance(exc, httpx.TimeoutException):
            message = f"{host} did not answer in time"
        elif isinstance(exc, httpx.ConnectError):
            message = f"could not connect to {host} ({_describe(exc)})"
        elif isinstance(exc, httpx.UnsupportedProtocol):
            message = f"the base URL {self.endpoint.base_url!r} is not an http(s) URL"
            return ApiError(message, hint="fix base_url in the profile or --base-url")
        else:
            message = f"the connection to {host} failed ({_describe(exc)})"
        return ApiError(
            self.redact(message),
            hint="check your network and the base URL, then try again",
            retryable=True,
        )

    def _status_error(self, response: httpx.Response) -> ApiError:
        parsed = parse_error_body(response.status_code, response.headers, response.content)
        return ApiError(self.redact(parsed.message), status=parsed.status, code=parsed.code,
                        request_id=parsed.request_id,
                        hint=_hint(response.status_code, parsed.code, self.endpoint,
                                   parsed.message))

    def _json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise ApiError(
                "the server's answer is not JSON",
                status=response.status_code,
                request_id=_request_id(response.headers),
            ) from None
        except httpx.TransportError as exc:
            raise self._transport_error(exc) from None

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


def _request_id(headers: httpx.Headers) -> str | None:
    return headers.get("request-id") or headers.get("x-request-id")


def parse_error_body(status: int, headers: httpx.Headers, body: bytes) -> ApiError:
    """Anthropic, Ace Data Cloud and OpenAI-style error bodies, or a proxy's HTML page."""
    request_id = _request_id(headers)
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        error = data["error"]
        code = error.get("type") or error.get("code")
        message = error.get("message") or "no message"
        request_id = request_id or data.get("request_id") or data.get("trace_id")
        return ApiError(_one_line(str(message)), status=status, code=code and str(code),
                        request_id=request_id)
    excerpt = _excerpt(body)
    message = f"the server answered {status}" + (f": {excerpt}" if excerpt else "")
    return ApiError(message, status=status, request_id=request_id)


def _excerpt(body: bytes, limit: int = 120) -> str:
    text = body.decode("utf-8", errors="replace")
    text = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", text)
    text = re.sub(r"<[^>]*>", " ", text)
    return _one_line(text, limit)


def _one_line(text: str, limit: int = 300) -> str:
    """Server text for an error line: escape sequences removed whole, one line, bounded."""
    text = re.sub(r"[\x00-\x1f\x7f-\x9f]+", " ", sanitize(text))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _hint(status: int, code: str | None, ep: Endpoint, message: str = "") -> str | None:
    where = "" if "profile" in ep.key_source else \
        f" (profile {ep.profile!r})" if ep.profile else " (the profile)"
    if status == 401 or code in ("authentication_error", "invalid_token"):
        return f"the API key from {ep.key_source}{where} was not accepted; check or replace it"
    if status == 402 or code == "billing_error":
        return "a billing problem on the account; check its plan and payment in the console"
    if status == 504 or code == "timeout_error":
        return "the API gave up before the reply was ready; try again, or ask for a shorter reply"
    if "anthropic-beta" in message:
        return (f"{ep.base_url} does not know a beta feature this request names; "
                f"update claudechat or use another model or profile")
    if status == 403:
        return f"the key from {ep.key_source} may not use this model or feature"
    if status == 404:
        return f"check the model name and the base URL ({ep.base_url})"
    if status == 413:
        return "the request is too large; send fewer or smaller attachments"
    if status == 429 or code in ("rate_limit_error", "too_many_requests"):
        return "rate limited; wait a moment and try again"
    if status == 529 or code == "overloaded_error":
        return "the API is overloaded; try again shortly"
    if status >= 500:
        return "the server failed; try again shortly"
    if code == "api_not_implemented":
        return (f"{ep.base_url} does not offer this API for this model; try another model, "
                f"or api = \"messages\" / \"chat-completions\" in the profile")
    if status == 400 or code in ("invalid_request_error", "token_mismatched"):
        return "fix what it names, then try again"
    return None


def _describe(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return _one_line(text, 160)


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
