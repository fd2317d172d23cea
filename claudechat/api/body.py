"""A response body as claudechat reads it: the content-encoding decoded by us, piece by
piece (never more than PIECE bytes out of one step, whatever the compression ratio), and a
limit on the decoded size of a body read whole. A gzip bomb (800 MB of zeros in 800 KB)
costs at most the limit; a stream is decoded as it is read, so it holds only a piece.

httpx would decode a whole network read at once (64 KiB of gzip can be 64 MiB); reading
the raw bytes and inflating with zlib's `max_length` keeps every step small.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from claudechat.api.lazy_httpx import httpx  # loaded at its first use

ACCEPT_ENCODING = "gzip, deflate"  # what we decode ourselves: sent, so no other comes back
PIECE = 64 * 1024  # the most one decoding step yields
MAX_BODY = 64 * 1024 * 1024  # a whole reply (JSON) or a list of models: no real one comes near
MAX_ERROR_BODY = 1024 * 1024  # an error page: only its first words are ever shown


class BadEncoding(ValueError):
    """The body is in an encoding we do not read, or its compressed data is corrupt."""


@dataclass(frozen=True, slots=True)
class Read:
    """What `read` got: the decoded bytes (at most the limit), whether there was more
    (`over`: reading stopped at the limit), and the failure that ended the body early."""

    data: bytes | bytearray
    over: bool = False
    broke: httpx.TransportError | BadEncoding | None = None


def encoding(response: httpx.Response) -> str:
    """The content-encoding, lower case ("" for none or identity)."""
    value = response.headers.get("content-encoding", "").strip().lower()
    return "" if value == "identity" else value


class _Inflater:
    """zlib's decompressobj, fed any amount, yielding at most PIECE bytes a step."""

    def __init__(self, name: str) -> None:
        self.raw_fallback = name == "deflate"  # "deflate" should be zlib-wrapped; some send it raw
        self.z = zlib.decompressobj(zlib.MAX_WBITS | 16 if name in ("gzip", "x-gzip") else zlib.MAX_WBITS)
        self.started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        while data and not self.z.eof:
            try:
                out = self.z.decompress(data, PIECE)
            except zlib.error as exc:
                if self.raw_fallback and not self.started:
                    self.raw_fallback = False
                    self.z = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise BadEncoding(f"its compressed data is corrupt ({exc})") from None
            self.started = True
            data = self.z.unconsumed_tail
            if out:
                yield out

    def flush(self) -> Iterator[bytes]:
        if self.started and not self.z.eof:
            raise BadEncoding("its compressed data ends early")
        yield from ()


def decoded(response: httpx.Response) -> Iterator[bytes]:
    """The body's bytes, decoded, as they arrive; each piece at most PIECE bytes when the
    body is compressed. Raises BadEncoding, or httpx's TransportError when the connection
    fails."""
    if response.is_stream_consumed:  # read when it was made (httpx.Response(content=...): a test's)
        yield response.content
        return
    name = encoding(response)
    if not name:
        yield from response.iter_raw()
        return
    if name not in ("gzip", "x-gzip", "deflate"):
        raise BadEncoding(f"it is encoded as {name!r}, which claudechat does not read")
    inflater = _Inflater(name)
    for chunk in response.iter_raw():
        yield from inflater.feed(chunk)
    yield from inflater.flush()


def read(response: httpx.Response, limit: int) -> Read:
    """The decoded body up to `limit` bytes; reading stops there (`over`) or where the
    connection broke (`broke`), keeping what came before."""
    data = bytearray()  # given back as it is: a copy of 64 MiB would double the cost
    try:
        for piece in decoded(response):
            data += piece
            if len(data) > limit:
                del data[limit:]
                return Read(data, over=True)
    except (httpx.TransportError, BadEncoding) as exc:
        return Read(data, broke=exc)
    return Read(data)


def media_type(response: httpx.Response) -> str:
    """"text/event-stream", "application/json", "text/html"… ("" when not said)."""
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def size(limit: int) -> str:
    """"64 MiB", "1 MiB", "512 KiB"."""
    return f"{limit // 2**20} MiB" if limit >= 2**20 else f"{limit // 1024} KiB"
