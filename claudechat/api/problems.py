"""What a failed request means, in one line and a hint: an error body (Anthropic, Ace Data
Cloud, OpenAI style, or a proxy's HTML page), a redirect, an answer that is not what was
asked for (JSON or HTML where a stream was), a TLS failure. Pure: the client (client.py)
reads the answer and raises what these build.

Server text (a message, a page, a Location) is made safe here (`one_line`): escape
sequences removed whole, one line, bounded. Secrets are the client's to redact.
"""

from __future__ import annotations

import json
import re
import ssl
from typing import TYPE_CHECKING, Any

from claudechat.api.lazy_httpx import httpx  # loaded at its first use
from claudechat.errors import ApiError
from claudechat.sanitize import sanitize

if TYPE_CHECKING:
    from claudechat.api.client import Endpoint


def request_id(headers: httpx.Headers) -> str | None:
    return headers.get("request-id") or headers.get("x-request-id")


def error_object(body: bytes) -> dict[str, Any] | None:
    """The body when it is an error answer: JSON with an `error` object."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # JSON nested past the parser's depth
        return None
    return data if isinstance(data, dict) and isinstance(data.get("error"), dict) else None


def parse_error_body(status: int, headers: httpx.Headers, body: bytes) -> ApiError:
    """Anthropic, Ace Data Cloud and OpenAI-style error bodies, or a proxy's HTML page."""
    rid = request_id(headers)
    data = error_object(body)
    if data is not None:
        error = data["error"]
        code = error.get("type") or error.get("code")
        message = error.get("message") or "no message"
        rid = rid or data.get("request_id") or data.get("trace_id")
        return ApiError(one_line(str(message)), status=status, code=code and str(code), request_id=rid)
    text = excerpt(body)
    message = f"the server answered {status}" + (f": {text}" if text else "")
    return ApiError(message, status=status, request_id=rid)


def excerpt(body: bytes, limit: int = 120) -> str:
    """The first words of a page or text: tags, scripts and styles left out."""
    text = body[:64 * 1024].decode("utf-8", errors="replace")
    text = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", text)
    text = re.sub(r"<[^>]*>", " ", text)
    return one_line(text, limit)


def one_line(text: str, limit: int = 300) -> str:
    """Server text for an error line: escape sequences removed whole, one line, bounded."""
    text = re.sub(r"[\x00-\x1f\x7f-\x9f]+", " ", sanitize(text))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return one_line(text, 160)


def not_an_endpoint(ep: Endpoint) -> str:
    return f"is base_url ({ep.base_url}) the API's address? Check it in the profile or --base-url"


def redirect_error(response: httpx.Response, ep: Endpoint) -> ApiError:
    """A 3xx: claudechat never follows one (the key would go wherever it points, and a
    POST may become a GET). Where it points, and the base_url that would match it."""
    status = response.status_code
    location = response.headers.get("location")
    if not location:
        return ApiError("the server answered with a redirect but did not say where to",
                        status=status, hint=not_an_endpoint(ep))
    try:
        target = response.request.url.join(location)
    except (httpx.InvalidURL, ValueError):
        return ApiError(f"the server redirected to an address that is no URL: {one_line(location, 160)}",
                        status=status, hint=not_an_endpoint(ep))
    path = response.request.url.path
    hint = not_an_endpoint(ep)
    if target.scheme in ("http", "https") and target.path.endswith(path) and path:
        base = str(target.copy_with(path=target.path[: -len(path)] or "/", query=None, fragment=None))
        hint = (f"set base_url to {one_line(base.rstrip('/'), 200)} if it is right "
                f"(in the profile or --base-url)")
    return ApiError(f"the server redirected to {one_line(str(target), 200)}", status=status,
                    request_id=request_id(response.headers), hint=hint)


def what_it_is(media: str) -> str:
    """"JSON", "HTML", "text/plain"… for a line that says what came instead."""
    if media == "application/json" or media.endswith("+json"):
        return "JSON"
    if media in ("text/html", "application/xhtml+xml"):
        return "HTML"
    return media or "an unmarked body"


def is_whole_reply(data: Any) -> bool:
    """A whole reply as JSON (Messages or Chat Completions), as a server that ignores
    `stream: true` sends it."""
    return isinstance(data, dict) and (
        (data.get("type") == "message" and isinstance(data.get("content"), list))
        or isinstance(data.get("choices"), list))


def instead_of(response: httpx.Response, media: str, body: bytes, wanted: str,
               ep: Endpoint) -> ApiError:
    """A 2xx that is not what was asked for (`wanted`: "a stream", "JSON"): an error body
    says its message; anything else says what came, and its first words."""
    status = response.status_code
    if error_object(body) is not None:
        error = parse_error_body(status, response.headers, body)
        return ApiError(f"{error.message} (an error answered with status {status})",
                        status=status, code=error.code, request_id=error.request_id,
                        hint=hint_for(status, error.code, ep, error.message) or "try again")
    what = what_it_is(media) if body.strip() else "an empty body"
    words = excerpt(body) if what not in ("JSON", "an empty body") else ""
    said = f"JSON that does not parse ({len(body):,} bytes)" if what == wanted else \
        f"{what} instead of {wanted}"
    return ApiError(f"the server answered {status} with {said}" + (f": {words}" if words else ""),
                    status=status, request_id=request_id(response.headers), hint=not_an_endpoint(ep))


def tls_failure(exc: BaseException) -> ssl.SSLError | None:
    """The ssl error under an httpx ConnectError, when TLS is what failed."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, ssl.SSLError):
            return cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return None


def tls_error(failure: ssl.SSLError, host: str) -> ApiError:
    """A certificate that cannot be verified, or TLS that cannot be agreed on, never fixes
    itself: not retried. httpx trusts certifi's CA bundle, or SSL_CERT_FILE / SSL_CERT_DIR."""
    if isinstance(failure, ssl.SSLCertVerificationError):
        why = one_line(getattr(failure, "verify_message", None) or str(failure), 120)
        paths = ssl.get_default_verify_paths()
        system = paths.cafile or paths.openssl_cafile  # the first is there only when the file is
        return ApiError(
            f"the TLS certificate of {host} could not be verified ({why})",
            hint=f"if {host} is the right server, point SSL_CERT_FILE at the CA certificate "
                 f"that signed it (PEM), or at the system's CA store ({system}); "
                 f"claudechat trusts certifi's CA bundle otherwise")
    retryable = isinstance(failure, ssl.SSLEOFError | ssl.SSLZeroReturnError | ssl.SSLSyscallError)
    reason = getattr(failure, "reason", None) or str(failure)
    return ApiError(f"TLS with {host} failed ({one_line(reason, 120)})",
                    hint="is it an https server on that port? Check base_url's scheme and port",
                    retryable=retryable)


def hint_for(status: int, code: str | None, ep: Endpoint, message: str = "") -> str | None:
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
    if status >= 500 or code == "api_error":
        return "the server failed; try again shortly"
    if code == "api_not_implemented":
        return (f"{ep.base_url} does not offer this API for this model; try another model, "
                f"or api = \"messages\" / \"chat-completions\" in the profile")
    if status == 400 or code in ("invalid_request_error", "token_mismatched"):
        return "fix what it names, then try again"
    return None
