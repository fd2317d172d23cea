"""FakeServer: the scriptable server, its queue of replies and what it remembers between requests."""

from __future__ import annotations

import dataclasses
import os
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from claudechat.demo.binding import Binder
from claudechat.demo.cache import PromptCache
from claudechat.demo.catalog import default_models
from claudechat.demo.chat_tools import chat_echo_text
from claudechat.demo.checks import validate_messages_request
from claudechat.demo.handler import Handler, Server
from claudechat.demo.replies import Context, Plan, make_plan
from claudechat.demo.rules import (
    BINDING_BETA,
    RETIRED,
    ApiError,
    Rules,
    canonical,
    continues,
    invalid,
    parse_betas,
    rules_for,
)
from claudechat.demo.scripts import RESPONSE_TYPES, ErrorReply, Recorded, Reply, Response
from claudechat.demo.tools import check_tools, echo_text
from claudechat.demo.web_checks import Issued, check_request

MAX_REQUEST_BYTES = 32 * 1024 * 1024  # larger bodies get 413 request_too_large
# Opus 4.7 and later, and the Claude 5 family, accept only adaptive thinking.
_ADAPTIVE_ONLY = re.compile(r"claude-(?:opus-4-[7-9]|(?:opus|sonnet|haiku)-[5-9])")


# --------------------------------------------------------------------------- the server


class FakeServer:
    """A scriptable Messages / Chat Completions server on 127.0.0.1 (see the module docstring)."""

    def __init__(self, *, auth: str = "any", key: str | None = None, models: list[dict] | None = None,
                 port: int = 0, account_created: str = "2026-09-01",
                 refuse_cache_control: bool = False, model_list: bool = True,
                 responder: Callable[[dict], Sequence[Response]] | None = None) -> None:
        if auth not in ("any", "bearer", "x-api-key", "none"):
            raise ValueError(f"auth must be 'any', 'bearer', 'x-api-key' or 'none', not {auth!r}")
        self.auth, self.key, self.port_requested = auth, key, port
        # API-2026.md §2: Fable 5.1 and Opus 5.5 enforce the prefix check for accounts created on or
        # after 2026-08-31; the default account is newer, so they do.
        self.account_created = account_created
        # a proxy that forwards no cache fields: `cache_control` and `diagnostics` get a 400
        self.refuse_cache_control = refuse_cache_control
        self.cache = PromptCache()  # API-2026.md §4, in cache.py
        self.clock_offset = 0.0  # advance() moves the cache's clock, not the wall clock
        self._binder = Binder(os.urandom(32))  # thinking signatures: HMACs with this server's secret
        self._paused: set[str] = set()  # canonical content of pause_turn replies (sent back: no prefill)
        self.issued = Issued()  # encrypted_content / encrypted_index handed out (web.py, API-2026.md §6)
        self.models: list[dict] = list(models) if models is not None else default_models()
        self.model_list = model_list  # False: a server without GET /v1/models (its 404 for any unknown path)
        self.requests: list[Recorded] = []
        self.max_request_bytes = MAX_REQUEST_BYTES
        self.cond = threading.Condition()
        self._queue: deque[Response] = deque()
        self.default: Response = Reply()
        # with the queue empty: responder(request body) -> the responses for this request and the
        # next ones (a 429, then the reply its retry gets); the demo's tour (tour.py)
        self.responder = responder
        self.release_generation = 0
        self.stopping = threading.Event()
        self._counters: dict[str, int] = {}
        self._issued_thinking: dict[str, set[str]] = {}  # signature -> thinking texts sent with it
        self._connections: set[socket.socket] = set()
        self._httpd: Server | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle

    def start(self) -> FakeServer:
        """Listen and serve in a background thread (once; a stopped server stays stopped)."""
        if self.stopping.is_set():
            raise RuntimeError("a stopped FakeServer cannot be started again")
        if self._httpd is None:
            httpd = Server(("127.0.0.1", self.port_requested), Handler)
            httpd.fake = self
            self._httpd = httpd
            self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                            name=f"fake-server-{self.port}", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, let go of stalled responses and close every open connection."""
        httpd = self._httpd
        if httpd is None or self.stopping.is_set():
            return
        with self.cond:
            self.stopping.set()
            self.release_generation += 1
            self.cond.notify_all()
            connections = list(self._connections)
        httpd.shutdown()
        httpd.server_close()
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``, no trailing slash."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("FakeServer is not started")
        return self._httpd.server_address[1]

    # ---- scripting

    def enqueue(self, *responses: Response) -> None:
        """Append scripted responses for the next POSTs to /v1/messages and /v1/chat/completions."""
        for response in responses:
            if not isinstance(response, RESPONSE_TYPES):
                raise TypeError(f"not a scripted response: {response!r}")
        with self.cond:
            self._queue.extend(responses)

    def set_default(self, response: Response) -> None:
        """The response used when the queue is empty."""
        if not isinstance(response, RESPONSE_TYPES):
            raise TypeError(f"not a scripted response: {response!r}")
        self.default = response

    @property
    def remaining(self) -> int:
        """How many scripted responses are still queued."""
        with self.cond:
            return len(self._queue)

    def release(self) -> None:
        """Let every stalled response (of a request that has arrived) continue."""
        with self.cond:
            self.release_generation += 1
            self.cond.notify_all()

    def wait_for_requests(self, n: int, timeout: float = 10) -> None:
        """Block until at least `n` requests have arrived; AssertionError after `timeout` seconds."""
        with self.cond:
            if not self.cond.wait_for(lambda: len(self.requests) >= n, timeout):
                seen = [f"{r.method} {r.path}" for r in self.requests]
                raise AssertionError(f"expected {n} request(s) within {timeout}s, got {len(seen)}: {seen}")

    # ---- used by the handler threads

    def record(self, record: Recorded) -> int:
        """Store a request; return the release generation it arrived in."""
        with self.cond:
            self.requests.append(record)
            self.cond.notify_all()
            return self.release_generation

    def next_response(self, body: dict) -> Response:
        with self.cond:
            if self._queue:
                return self._queue.popleft()
            if self.responder is None:
                return self.default
            first, *later = self.responder(body)
            self._queue.extend(later)
            return first

    def next_id(self, prefix: str) -> str:
        with self.cond:
            self._counters[prefix] = n = self._counters.get(prefix, 0) + 1
        return f"{prefix}{n}"

    def track(self, connection: socket.socket, *, add: bool) -> None:
        with self.cond:
            if add:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def error_reply(self, error: ApiError) -> ErrorReply:
        style = "ace" if self.auth == "bearer" else "anthropic"
        return ErrorReply(error.status, style=style, type=error.kind, message=error.message)

    def check_auth(self, headers: dict[str, str]) -> None:
        if self.auth == "none":
            return
        api_key = headers.get("x-api-key")
        authorization = headers.get("authorization", "")
        bearer = authorization[7:].strip() if authorization[:7].lower() == "bearer " else None
        if self.auth == "bearer":
            if not bearer or (self.key is not None and bearer != self.key):
                raise ApiError(401, "Invalid or missing token" if bearer is None else "Invalid token")
        elif self.auth == "x-api-key":
            if api_key is None:
                raise ApiError(401, "x-api-key header is required")
            if self.key is not None and api_key != self.key:
                raise ApiError(401, "invalid x-api-key")
            if "anthropic-version" not in headers:
                raise invalid("anthropic-version: header is required")
        elif self.key is not None and self.key not in (api_key, bearer):
            raise ApiError(401, "invalid x-api-key")

    def advance(self, seconds: float) -> None:
        """Let `seconds` pass for the prompt cache (its TTLs), without waiting."""
        with self.cond:
            self.clock_offset += seconds

    def _cache_context(self, body: dict, context: Context) -> Context:
        """API-2026.md §4: the cache fields refused (a proxy), else the usage and diagnosis."""
        if self.refuse_cache_control:
            for name in ("cache_control", "diagnostics"):
                if name in body:
                    raise invalid(f"{name}: Extra inputs are not permitted")
        with self.cond:
            now = time.monotonic() + self.clock_offset
        context.diagnostics = self.cache.diagnose(body)
        context.usage = self.cache.account(body, now)
        return context

    def _adaptive_only(self, model: str) -> bool:
        if _ADAPTIVE_ONLY.match(model):
            return True
        for info in self.models:
            if info.get("id") == model:
                types = info.get("capabilities", {}).get("thinking", {}).get("types", {})
                return types.get("enabled", {}).get("supported") is False
        return False

    def validate_messages(self, body: Any, headers: dict[str, str], *, count_only: bool = False) -> Context:
        """Raise the API's error for this body, else what its reply needs to know."""
        betas = parse_betas(headers.get("anthropic-beta"))
        model = body.get("model") if isinstance(body, dict) else None
        if isinstance(model, str) and model in RETIRED:  # API-2026.md §1b
            raise ApiError(404, f"model: {model}", "not_found_error")
        rules = rules_for(model) if isinstance(model, str) else None
        with self.cond:
            paused = set(self._paused)
        validate_messages_request(body, version=headers.get("anthropic-version", ""),
                                   adaptive_only=self._adaptive_only, issued=self._issued_thinking,
                                   rules=rules, betas=betas, paused=paused, count_only=count_only)
        check_request(body, self.issued)  # server tools, citations (§5, §6)
        check_tools(body, betas, paused, is_paused=lambda m: continues(m, paused))  # §3, §5, §7
        transformations = self._check_binding(body, rules, betas)
        reported = BINDING_BETA in betas and not count_only  # §2, §8D: count_tokens reports none
        context = Context(display=_display(body, rules),
                           transformations=transformations if reported else None,
                           sign=lambda producer, text: self._binder.sign(producer, body, text),
                           issued=self.issued)
        return context if count_only else self._cache_context(body, context)

    def _check_binding(self, body: dict, rules: Rules | None, betas: list[str]) -> list[dict]:
        """API-2026.md §2: which thinking blocks sent back are dropped, or the 400."""
        thinking = body.get("thinking")
        opted_in = isinstance(thinking, dict) and isinstance(thinking.get("block_binding"), dict)
        check = rules.prefix_check if rules else None
        new_account = self.account_created >= "2026-08-31"
        enforce = opted_in or check == "always" or (check == "new_accounts" and new_account)
        enforce = enforce and check is not None
        with self.cond:
            issued = frozenset(self._issued_thinking)
        return self._binder.check(body, enforce=enforce, betas=betas, runs_check=check is not None,
                                  issued=issued)

    def plan(self, reply: Reply, body: dict, *, chat: bool, context: Context | None = None) -> Plan:
        if reply.echo_results:
            echoed = chat_echo_text(body) if chat else echo_text(body)
            reply = dataclasses.replace(reply, text=echoed, echo_results=False)
        reply_id = reply.id or self.next_id("chatcmpl-" if chat else "msg_")
        plan = make_plan(reply, body, reply_id, lambda: self.next_id("call_" if chat else "toolu_"),
                          None if chat else context)
        if not chat:
            content = [final for _, _, final in plan.blocks]
            with self.cond:
                for block in content:  # scripted signatures; the HMAC ones carry their own check
                    if block["type"] == "thinking" and reply.signature is not None:
                        self._issued_thinking.setdefault(block["signature"], set()).add(block["thinking"])
                if plan.stop_reason == "pause_turn":
                    self._paused.add(canonical(content))
            self.cache.remember(body, plan.id, content)
        return plan


def _display(body: dict, rules: Rules | None) -> str:
    """The thinking display in effect: asked for, else the model's default (API-2026.md §1c)."""
    thinking = body.get("thinking")
    asked = thinking.get("display") if isinstance(thinking, dict) else None
    if asked in ("summarized", "omitted", "updates"):
        return "omitted" if asked == "omitted" else "summarized"
    return rules.display if rules else "summarized"


# --------------------------------------------------------------------------- standalone
