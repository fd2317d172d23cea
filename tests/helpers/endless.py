"""A loopback server whose stream never ends a line: for the first POST it answers 200
text/event-stream with `head` (whole events: the start of a reply), then `data: ` and
an endless run of bytes without a line end, 1 MB per write, until the client hangs up
or `cap` bytes have gone (so a client that buffers without limit shows in its memory,
rather than hanging the test). Every later request gets `then` (a whole stream), so
the next request can be shown to work. Real sockets, real bytes; nothing parsed but
the request's head and length.

The fake server's RawSSE holds its whole body in memory and writes it at once; this
one generates it, which is what an endless line needs.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field

MB = 1024 * 1024


@dataclass
class EndlessServer:
    head: bytes
    then: bytes
    cap: int = 400 * MB
    sent: list[int] = field(default_factory=list)  # bytes of the endless line, per request that got one
    requests: list[bytes] = field(default_factory=list)  # each request's body

    def start(self) -> EndlessServer:
        self._stopping = False
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping = True
        socket.create_connection(self._sock.getsockname()).close()  # wakes accept()
        self._thread.join(timeout=10)
        self._sock.close()

    def _serve(self) -> None:
        while True:
            conn, _ = self._sock.accept()
            if self._stopping:
                conn.close()
                return
            with conn:
                try:
                    self._answer(conn)
                except OSError:
                    pass  # the client hung up: what it does about it is the test's

    def _answer(self, conn: socket.socket) -> None:
        body = _read_request(conn)
        self.requests.append(body)
        conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n")
        if len(self.requests) > 1:
            conn.sendall(self.then)
            return
        conn.sendall(self.head + b"data: ")
        self.sent.append(0)
        piece = b"x" * MB
        while self.sent[-1] < self.cap:
            conn.sendall(piece)
            self.sent[-1] += len(piece)


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            raise OSError("the client closed before its request was whole")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return body
