"""A hostile loopback server: real sockets, and for each request the next script of a queue,
written at the level of bytes on the wire, where the well-behaved fake server
(fake_server.py) cannot go: a reset before the response, a stream cut by FIN or RST, a
body shorter than its Content-Length, a redirect, a 200 that is no stream, a gzip bomb,
TLS with a self-signed certificate.

    hostile = Hostile().start()          # Hostile(tls=context) for https
    hostile.enqueue(rst(), reply("Hello"))
    ... hostile.url ...; hostile.arrived  # how many requests came (a retry counts)

A script is a function of (Conn, Request) that writes the answer; it returns True to keep
the connection open for the next request. With the queue empty, `reply()` answers. What a
well-formed answer looks like (events, error bodies) is docs/PROTOCOL.md's.
"""

from __future__ import annotations

import json
import socket
import ssl
import struct
import subprocess
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def streamed(self) -> bool:
        return bool((self.json or {}).get("stream"))


class Conn:
    """One accepted connection: what a script writes with."""

    def __init__(self, sock: socket.socket, stopping: threading.Event) -> None:
        self.sock = sock
        self.stopping = stopping

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def head(self, status: int, headers: dict[str, str] | None = None, reason: str = "X") -> None:
        lines = [f"HTTP/1.1 {status} {reason}", *(f"{k}: {v}" for k, v in (headers or {}).items())]
        self.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def chunk(self, data: bytes) -> None:
        if data:
            self.send(f"{len(data):x}\r\n".encode() + data + b"\r\n")

    def end_chunks(self) -> None:
        self.send(b"0\r\n\r\n")

    def reset(self) -> None:
        """Close with RST: SO_LINGER on, zero seconds."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()

    def hold(self) -> None:
        """Send nothing more until the client hangs up or the server stops."""
        self.sock.settimeout(0.05)
        while not self.stopping.is_set():
            try:
                if self.sock.recv(4096) == b"":
                    return
            except TimeoutError:
                continue
            except OSError:
                return


Script = Callable[[Conn, Request], bool]


# -- well-formed pieces (docs/PROTOCOL.md "Streaming", "Errors") -------------------------------

def frame(event: str, data: dict) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


def start_events(model: str = "claude-test") -> list[bytes]:
    message = {"id": "msg_hostile", "type": "message", "role": "assistant", "model": model,
               "content": [], "stop_reason": None, "stop_sequence": None,
               "usage": {"input_tokens": 5, "output_tokens": 1}}
    return [frame("message_start", {"type": "message_start", "message": message}),
            frame("content_block_start", {"type": "content_block_start", "index": 0,
                                          "content_block": {"type": "text", "text": ""}})]


def text_event(text: str) -> bytes:
    return frame("content_block_delta", {"type": "content_block_delta", "index": 0,
                                         "delta": {"type": "text_delta", "text": text}})


def end_events(output_tokens: int = 3) -> list[bytes]:
    return [frame("content_block_stop", {"type": "content_block_stop", "index": 0}),
            frame("message_delta", {"type": "message_delta",
                                    "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                                    "usage": {"output_tokens": output_tokens}}),
            frame("message_stop", {"type": "message_stop"})]


def message_json(text: str, model: str = "claude-test") -> bytes:
    return json.dumps({"id": "msg_hostile", "type": "message", "role": "assistant", "model": model,
                       "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
                       "stop_sequence": None, "usage": {"input_tokens": 5, "output_tokens": 3}}).encode()


def error_json(kind: str, message: str) -> bytes:
    return json.dumps({"type": "error", "error": {"type": kind, "message": message}}).encode()


def _model(request: Request) -> str:
    return str((request.json or {}).get("model") or "claude-test")


# -- scripts ---------------------------------------------------------------------------------

def reply(*pieces: str) -> Script:
    """A whole, good reply: streamed when asked for, else JSON; the connection stays open."""
    pieces = pieces or ("A good ", "answer.")

    def script(conn: Conn, request: Request) -> bool:
        if not request.streamed:
            body = message_json("".join(pieces), _model(request))
            conn.head(200, {"content-type": "application/json", "content-length": str(len(body))})
            conn.send(body)
            return True
        conn.head(200, {"content-type": "text/event-stream", "transfer-encoding": "chunked"})
        for event in [*start_events(_model(request)), *map(text_event, pieces), *end_events()]:
            conn.chunk(event)
        conn.end_chunks()
        return True

    return script


def stream(*pieces: str, then: str, after: bytes = b"") -> Script:
    """A stream that starts well (the text `pieces`), sends `after` (raw bytes), then ends by
    `then`: "fin" (closed mid-body), "rst" (reset), "hold" (silent until the client gives
    up) or "end" (a clean end of the body, no message_stop)."""

    def script(conn: Conn, request: Request) -> bool:
        conn.head(200, {"content-type": "text/event-stream", "transfer-encoding": "chunked"})
        for event in [*start_events(_model(request)), *map(text_event, pieces)]:
            conn.chunk(event)
        conn.chunk(after)
        if then == "rst":
            conn.reset()
        elif then == "hold":
            conn.hold()
        elif then == "end":
            conn.end_chunks()
            return True
        return False

    return script


def rst() -> Script:
    """Read the request, then reset the connection before any byte of an answer."""

    def script(conn: Conn, request: Request) -> bool:
        conn.reset()
        return False

    return script


def answer(status: int, body: bytes, content_type: str = "application/json", **headers: str) -> Script:
    """A whole answer of `status` (retry-after etc. as keyword headers, `_` for `-`)."""

    def script(conn: Conn, request: Request) -> bool:
        extra = {k.replace("_", "-"): v for k, v in headers.items()}
        conn.head(status, {"content-type": content_type, "content-length": str(len(body)), **extra})
        conn.send(body)
        return True

    return script


def cut_body(fraction: float = 0.5, body: bytes | None = None) -> Script:
    """A 200 JSON answer whose Content-Length promises the whole body, of which only
    `fraction` is sent before the connection closes (FIN)."""

    def script(conn: Conn, request: Request) -> bool:
        whole = body if body is not None else message_json("A whole reply that the server made.")
        conn.head(200, {"content-type": "application/json", "content-length": str(len(whole) + 10)})
        conn.send(whole[: int(len(whole) * fraction)] if fraction < 1 else whole)
        return False

    return script


def gzip_bomb(decoded: int, status: int = 200, content_type: str = "application/json",
              prefix: bytes = b"", filler: bytes = b"\0") -> Script:
    """`prefix`, then `filler` repeated to `decoded` bytes, gzip-compressed as it is sent
    (about 1000:1 for a repeated filler), in chunks; nothing big is held in memory."""

    def script(conn: Conn, request: Request) -> bool:
        conn.head(status, {"content-type": content_type, "content-encoding": "gzip",
                           "transfer-encoding": "chunked"})
        for piece in _gzipped(prefix, filler, decoded):
            try:
                conn.chunk(piece)
            except OSError:  # the client stopped reading and hung up: as it should
                return False
        conn.end_chunks()
        return True

    return script


def _gzipped(prefix: bytes, filler: bytes, size: int) -> Iterator[bytes]:
    z = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = filler * (1024 * 1024 // len(filler))
    yield z.compress(prefix)
    sent = len(prefix)
    while sent < size:
        piece = block[: size - sent]
        sent += len(piece)
        if out := z.compress(piece):
            yield out
    yield z.flush()


# -- the server ------------------------------------------------------------------------------

class Hostile:
    """The server: each request takes the next script of the queue (else `reply()`)."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.tls = tls
        self.queue: list[Script] = []
        self.requests: list[Request] = []
        self.connections = 0
        self.stopping = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.lock = threading.Lock()
        self.threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.listener.getsockname()[1]}"

    @property
    def arrived(self) -> int:
        return len(self.requests)

    def enqueue(self, *scripts: Script) -> Hostile:
        self.queue.extend(scripts)
        return self

    def __enter__(self) -> Hostile:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    def start(self) -> Hostile:
        self.listener.settimeout(0.1)
        self._spawn(self._accept)
        return self

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=5)
        self.listener.close()

    def _spawn(self, target: Callable[..., None], *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self.threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                sock, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            self._spawn(self._serve, sock)

    def _serve(self, sock: socket.socket) -> None:
        reader = None
        try:
            sock.settimeout(30)
            if self.tls is not None:
                sock = self.tls.wrap_socket(sock, server_side=True)
            elif sock.recv(1, socket.MSG_PEEK) == b"\x16":  # a TLS hello to plain HTTP: as servers do
                sock.sendall(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                return
            reader = sock.makefile("rb")  # closed first: the socket closes (FIN) only after it
            while not self.stopping.is_set():
                request = _read_request(reader)
                if request is None:
                    return
                with self.lock:
                    self.requests.append(request)
                    script = self.queue.pop(0) if self.queue else reply()
                if not script(Conn(sock, self.stopping), request):
                    return
        except (OSError, ssl.SSLError, ValueError):  # the client hung up, refused our certificate…
            pass
        finally:
            try:
                if reader is not None:
                    reader.close()
                sock.close()
            except OSError:
                pass

    def wait_for(self, n: int, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while self.arrived < n:
            assert time.monotonic() < deadline, f"{self.arrived} requests arrived, not {n}"
            time.sleep(0.01)


def _read_request(reader: Any) -> Request | None:
    line = reader.readline()
    if not line:
        return None
    method, path, _ = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while (header := reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = header.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = reader.read(int(headers.get("content-length", "0")))
    return Request(method, path, headers, body)


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made with the openssl command (the
    `cryptography` package is not a dependency); returns (cert, key) PEM files."""
    cert, key = directory / "hostile-cert.pem", directory / "hostile-key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


def tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context
