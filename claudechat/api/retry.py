"""The retry policy: which failures are tried again, how long to wait first, and the
`RetryWait` an observer hears about before each wait (docs/PROTOCOL.md "Retries").

Pure: no I/O; the client (api/client.py) sends, sleeps and reports.
"""

from __future__ import annotations

import contextlib
import email.utils
import math
import random
import re
import time
from dataclasses import dataclass

from claudechat.api.lazy_httpx import httpx  # loaded at its first use

RETRY_STATUSES = frozenset({408, 409, 429})
MAX_RETRY_AFTER = 60.0

# What a status or an error type means, in the words of a status line.
_BY_TYPE = {
    "rate_limit_error": "rate limited", "too_many_requests": "rate limited",
    "overloaded_error": "overloaded", "api_error": "server error", "timeout_error": "timed out",
    "conflict_error": "conflict", "request_too_large": "too large",
}
_BY_STATUS = {
    408: "request timeout", 409: "conflict", 429: "rate limited", 500: "server error",
    502: "bad gateway", 503: "unavailable", 504: "timed out", 529: "overloaded",
}


@dataclass(frozen=True, slots=True)
class RetryWait:
    """A failed attempt that will be tried again after `delay` seconds: `attempt` (the
    one about to start, 2 for the first retry) of `attempts` in all."""

    delay: float
    reason: str  # "429 rate limited", "529 overloaded", "connection reset"
    attempt: int
    attempts: int

    def line(self, remaining: float | None = None) -> str:
        """"retrying in 2 s (429 rate limited, attempt 2 of 3)"; `remaining`: the seconds
        still to wait (a countdown), else the whole delay."""
        left = self.delay if remaining is None else remaining
        when = f"in {seconds(left, whole=self.delay >= 1)}" if left > 0 else "now"
        return f"retrying {when} ({self.reason}, attempt {self.attempt} of {self.attempts})"


def seconds(value: float, *, whole: bool | None = None) -> str:
    """"2 s" (whole seconds, rounded up, the way a countdown reads) or, under a second,
    "0.4 s". `whole`: the unit, when a countdown keeps the one its start had."""
    whole = value >= 1 if whole is None else whole
    if value <= 0:
        return "0 s"
    if whole:
        return f"{math.ceil(value - 1e-9)} s"
    return f"{math.ceil(value * 10 - 1e-9) / 10:.1f} s"


def status_reason(status: int | None, code: str | None) -> str:
    """"429 rate limited": the status and what it (else the error type) means."""
    code = code if code and re.fullmatch(r"[A-Za-z_]{1,40}", code) else None  # a server's words
    words = _BY_STATUS.get(status or 0) or _BY_TYPE.get(code or "") or code or \
        ("server error" if (status or 0) >= 500 else "error")
    return f"{status} {words}" if status else words


def transport_reason(exc: httpx.TransportError) -> str:
    """A connection failure in a few words: "connection reset", "could not connect"…"""
    if isinstance(exc, httpx.ConnectTimeout):
        return "connect timed out"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        return "could not connect"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "connection closed"
    if "reset" in str(exc).lower() or isinstance(exc.__context__, ConnectionResetError):
        return "connection reset"
    return "connection failed"


def should_retry(response: httpx.Response) -> bool:
    override = response.headers.get("x-should-retry")
    if override in ("true", "false"):
        return override == "true"
    return response.status_code in RETRY_STATUSES or response.status_code >= 500


def delay_before(attempt: int, response: httpx.Response | None) -> float:
    """The wait after the `attempt`-th failure (0 for the first): the server's retry-after
    when it is reasonable, else exponential backoff with jitter."""
    delay = retry_after(response) if response is not None else None
    if delay is None:
        delay = min(0.5 * 2**attempt, 8.0) * (1 - 0.25 * random.random())
    return delay


def retry_after(response: httpx.Response) -> float | None:
    headers = response.headers
    wait: float | None = None
    if value := headers.get("retry-after-ms"):
        with contextlib.suppress(ValueError):
            wait = float(value) / 1000
    if wait is None and (value := headers.get("retry-after")):
        try:
            wait = float(value)
        except ValueError:
            wait = http_date_from_now(value)
    if wait is None or not 0 <= wait <= MAX_RETRY_AFTER:
        return None
    return wait


def http_date_from_now(value: str) -> float | None:
    """Seconds until an HTTP date (`retry-after: Wed, 21 Oct 2026 07:28:00 GMT`); None for
    text that is no date (the backoff is used instead)."""
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed.timestamp() - time.time() if parsed else None
