"""The HTTP side: one request read, routed, checked and answered in its scripted pieces."""

from __future__ import annotations

import select
import socket
import socketserver
import struct
import sys
import time
import traceback
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from claudechat.demo.catalog import estimate_tokens
from claudechat.demo.checks import parse_json, validate_chat_request
from claudechat.demo.replies import (
    CHAT_STREAM_ERROR,
    DEFAULT_MESSAGES,
    BodyWriter,
    Context,
    Plan,
    chat_chunks,
    chat_json,
    data_frame,
    dumps,
    dumps_chat,
    event_frame,
    message_events,
    message_json,
    reason_phrase,
    render_error,
)
from claudechat.demo.rules import ApiError, check_betas, invalid, parse_betas
from claudechat.demo.scripts import Drop, ErrorReply, RawSSE, Recorded, Reply, Response, Stall

if TYPE_CHECKING:
    from claudechat.demo.server import FakeServer

CLIENT_GONE = (ConnectionError, TimeoutError)  # BrokenPipe, ConnectionReset/Aborted, ...


# --------------------------------------------------------------------------- HTTP plumbing


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "claudechat-fake-server/1.0"
    server: Server

    _request_id = "req_0"
    _generation = 0
    _chunked = True

    # ---- connection lifecycle

    def setup(self) -> None:
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # a segment per write
        except OSError:
            pass
        self.server.fake.track(self.connection, add=True)

    def handle(self) -> None:
        try:
            super().handle()
        except CLIENT_GONE:
            self.close_connection = True

    def finish(self) -> None:
        self.server.fake.track(self.connection, add=False)
        try:
            super().finish()
        except OSError:
            pass

    def log_message(self, *args: Any) -> None:  # no request logging
        pass

    def version_string(self) -> str:
        return self.server_version

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    # ---- dispatch

    def _dispatch(self) -> None:
        fake = self.server.fake
        arrived = time.monotonic()
        url = urlsplit(self.path)
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            name = name.lower()
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        try:
            body, bad_framing = self._read_body(), False
        except ValueError:
            body, bad_framing = b"", True
        query = parse_qs(url.query, keep_blank_values=True)
        record = Recorded(self.command, url.path, query, headers, body, arrived)
        self._generation = fake.record(record)
        self._request_id = fake.next_id("req_")
        self._headers_sent = False
        try:
            if bad_framing:
                self.close_connection = True
                raise invalid("Could not read the request body")
            self._route(record)
        except ApiError as error:
            self._send_error(fake.error_reply(error))
        except CLIENT_GONE:
            self.close_connection = True
        except Exception:  # a bug in this file or in a test's script: say so loudly
            traceback.print_exc()
            self.close_connection = True
            if not self._headers_sent:
                self._send_error(ErrorReply(500, message="fake server error (see its stderr)"))

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            parts = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                parts.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):  # trailers
                pass
            return b"".join(parts)
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _route(self, record: Recorded) -> None:
        fake = self.server.fake
        route = _ROUTES.get((record.method, record.path))
        if route is None and record.method == "GET" and record.path.startswith("/v1/models/"):
            route = Handler.on_get_model
        if not fake.model_list and record.path.startswith("/v1/models"):
            route = None
        if route is None:
            raise ApiError(404, f"Not Found: {record.method} {record.path}")
        fake.check_auth(record.headers)
        if record.path != "/v1/chat/completions":  # API-2026.md §0: unknown betas are a 400
            check_betas(parse_betas(record.headers.get("anthropic-beta")))
        if record.method == "POST" and len(record.body) > fake.max_request_bytes:
            raise ApiError(413, DEFAULT_MESSAGES[413])
        route(self, record)

    # ---- endpoints

    def on_messages(self, record: Recorded) -> None:
        body = parse_json(record.body)
        context = self.server.fake.validate_messages(body, record.headers)
        self._respond(self.server.fake.next_response(body), body, chat=False, context=context)

    def on_chat_completions(self, record: Recorded) -> None:
        body = parse_json(record.body)
        validate_chat_request(body)
        self._respond(self.server.fake.next_response(body), body, chat=True)

    def on_count_tokens(self, record: Recorded) -> None:
        body = parse_json(record.body)
        self.server.fake.validate_messages(body, record.headers, count_only=True)
        self._send_json({"input_tokens": estimate_tokens(body)})

    def on_list_models(self, record: Recorded) -> None:
        models = self.server.fake.models
        query = {name: values[-1] for name, values in record.query.items()}
        try:
            limit = int(query.get("limit", "20"))
        except ValueError:
            raise invalid("limit: Input should be a valid integer") from None
        if not 1 <= limit <= 1000:
            raise invalid("limit: Input should be greater than or equal to 1 and less than or equal to 1000")
        ids = [model["id"] for model in models]
        if "after_id" in query:
            start = ids.index(query["after_id"]) + 1 if query["after_id"] in ids else len(ids)
            page, has_more = models[start:start + limit], start + limit < len(models)
        elif "before_id" in query:
            end = ids.index(query["before_id"]) if query["before_id"] in ids else 0
            start = max(0, end - limit)
            page, has_more = models[start:end], start > 0
        else:
            page, has_more = models[:limit], limit < len(models)
        self._send_json({"data": page, "has_more": has_more, "first_id": page[0]["id"] if page else None,
                         "last_id": page[-1]["id"] if page else None})

    def on_get_model(self, record: Recorded) -> None:
        model_id = unquote(record.path[len("/v1/models/"):])
        for model in self.server.fake.models:
            if model["id"] == model_id:
                return self._send_json(model)
        raise ApiError(404, f"model: {model_id}")

    # ---- rendering scripted responses

    def _respond(self, response: Response, body: dict, *, chat: bool,
                 context: Context | None = None) -> None:
        fake = self.server.fake
        if isinstance(response, Reply):
            plan = fake.plan(response, body, chat=chat, context=context)
            if body.get("stream") is True:
                self._stream_reply(plan, response, body, chat=chat)
            elif chat:
                self._send_json(chat_json(plan, int(time.time())), chat=True)
            else:
                self._send_json(message_json(plan))
        elif isinstance(response, ErrorReply):
            self._send_error(response)
        elif isinstance(response, RawSSE):
            self._start_body(response.status, response.content_type, close=True)
            out = BodyWriter(self.wfile, response.chunking, response.seed, self._chunked)
            out.write(response.data)
            out.end()
        elif isinstance(response, Drop):
            self._hang_up(reset=True)
        elif isinstance(response, Stall):
            if self._wait_for_release() and not isinstance(fake.default, Stall):
                self._respond(fake.default, body, chat=chat, context=context)
            else:
                self._hang_up()
        else:
            raise TypeError(f"not a scripted response: {response!r}")

    def _stream_reply(self, plan: Plan, reply: Reply, body: dict, *, chat: bool) -> None:
        eol = reply.line_ending
        if chat:
            options = body.get("stream_options")
            include_usage = isinstance(options, dict) and options.get("include_usage") is True
            chunks = chat_chunks(plan, reply, include_usage, int(time.time()))
            frames = [data_frame(dumps_chat(chunk), eol) for chunk in chunks] + [data_frame("[DONE]", eol)]
            error_frame = data_frame(dumps_chat(CHAT_STREAM_ERROR), eol)
        else:
            frames = [event_frame(name, data, eol) for name, data in message_events(plan, reply)]
            error = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"},
                     "request_id": self._request_id}
            error_frame = event_frame("error", error, eol)
        # Chat Completions closes the connection after a stream error.
        close = chat and reply.error_after is not None
        self._start_body(200, "text/event-stream; charset=utf-8", close=close)
        out = BodyWriter(self.wfile, reply.chunking, reply.seed, self._chunked)
        if not self._after_event(0, out, reply, error_frame, last=not frames):
            return
        for count, frame in enumerate(frames, 1):
            out.write(frame)
            if not self._after_event(count, out, reply, error_frame, last=count == len(frames)):
                return
        out.end()

    def _after_event(self, count: int, out: BodyWriter, reply: Reply, error_frame: bytes, *,
                     last: bool) -> bool:
        """Apply the faults scheduled after `count` events; False when the body is over."""
        if reply.stall_after == count:
            out.flush()
            if not self._wait_for_release():
                self._hang_up()
                return False
        if reply.drop_after == count:
            out.flush()
            self._hang_up()
            return False
        if reply.error_after == count:
            out.write(error_frame)
            out.end()
            return False
        if reply.delay and count and not last:
            out.flush()
            if self.server.fake.stopping.wait(reply.delay):
                self._hang_up()
                return False
        return True

    # ---- low-level writes

    def _start_body(self, status: int, content_type: str, *, close: bool) -> None:
        """Headers of a streamed body: chunked, or close-delimited for an HTTP/1.0 client."""
        self._chunked = self.request_version != "HTTP/1.0"
        self.send_response(status, reason_phrase(status))
        self.send_header("content-type", content_type)
        self.send_header("cache-control", "no-cache")
        self.send_header("request-id", self._request_id)
        if self._chunked:
            self.send_header("transfer-encoding", "chunked")
        if close or not self._chunked:
            self.send_header("connection", "close")
            self.close_connection = True
        self.end_headers()
        self._headers_sent = True

    def _send_bytes(self, status: int, body: bytes, content_type: str, headers: dict[str, str]) -> None:
        fields = {"content-type": content_type, "content-length": str(len(body))}
        fields.update({name.lower(): value for name, value in headers.items()})
        self.send_response(status, reason_phrase(status))
        for name, value in fields.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("connection", "close")
        self.end_headers()
        self._headers_sent = True
        self.wfile.write(body)

    def _send_json(self, obj: Any, *, chat: bool = False) -> None:
        body = (dumps_chat(obj) if chat else dumps(obj)).encode()
        self._send_bytes(200, body, "application/json", {"request-id": self._request_id})

    def _send_error(self, error: ErrorReply) -> None:
        body, content_type = render_error(error, self._request_id)
        headers = {"request-id": self._request_id} if error.style == "anthropic" else {}
        headers.update(error.headers)
        self._send_bytes(error.status, body, content_type, headers)

    def _hang_up(self, *, reset: bool = False) -> None:
        """Close the connection: FIN, or RST (SO_LINGER 0) when `reset`."""
        self.close_connection = True
        try:
            if reset:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                self.rfile.close()  # drops the last reference: the descriptor closes now, with a reset
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _wait_for_release(self) -> bool:
        """Block until release() covers this request (True) or the client or server goes away (False)."""
        fake = self.server.fake
        while True:
            with fake.cond:
                if fake.stopping.is_set():
                    return False
                if fake.release_generation > self._generation:
                    return True
                fake.cond.wait(0.05)
            if self._client_gone():
                return False

    def _client_gone(self) -> bool:
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True


_ROUTES: dict[tuple[str, str], Callable[[Handler, Recorded], None]] = {
    ("POST", "/v1/messages"): Handler.on_messages,
    ("POST", "/v1/messages/count_tokens"): Handler.on_count_tokens,
    ("POST", "/v1/chat/completions"): Handler.on_chat_completions,
    ("GET", "/v1/models"): Handler.on_list_models,
}


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    fake: FakeServer

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # skip HTTPServer's reverse DNS lookup
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], CLIENT_GONE):
            super().handle_error(request, client_address)


# --------------------------------------------------------------------------- the server
