"""body.py: the content-encoding decoded by claudechat in bounded steps, and the limit on a
body read whole (a gzip bomb costs at most the limit). Bodies are real gzip / deflate
bytes made here with zlib, streamed through httpx.MockTransport."""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import httpx
import pytest

from claudechat.api import body

MB = 1024 * 1024


def gzipped(data: bytes, wbits: int = zlib.MAX_WBITS | 16) -> bytes:
    z = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return z.compress(data) + z.flush()


def response(raw: bytes | list[bytes | Exception], encoding: str | None = "gzip") -> httpx.Response:
    """A streamed response (nothing read yet) whose raw body is `raw`, in these chunks."""
    chunks = [raw] if isinstance(raw, bytes) else raw

    def stream() -> Iterator[bytes]:
        for chunk in chunks:
            if isinstance(chunk, Exception):
                raise chunk
            yield chunk

    headers = {"content-encoding": encoding} if encoding else {}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, headers=headers, content=stream()))
    with httpx.Client(transport=transport) as client:
        return client.send(client.build_request("GET", "http://test/"), stream=True)


def test_one_chunk_of_a_gzip_bomb_comes_out_in_pieces_of_at_most_64_kib():
    bomb = gzipped(b"\0" * (32 * MB))
    assert len(bomb) < 64 * 1024  # one network read's worth of gzip...
    pieces = body.decoded(response(bomb))
    sizes = [len(piece) for piece in pieces]
    assert sum(sizes) == 32 * MB  # ...is 32 MiB decoded, never more than 64 KiB at a time
    assert max(sizes) <= 64 * 1024


def test_reading_whole_stops_at_the_limit_and_says_so():
    got = body.read(response(gzipped(b"x" * (3 * MB))), 1 * MB)
    assert got.over and len(got.data) == 1 * MB and got.broke is None


def test_a_body_within_the_limit_is_read_whole():
    got = body.read(response(gzipped(b'{"ok": true}')), 1 * MB)
    assert bytes(got.data) == b'{"ok": true}' and not got.over and got.broke is None


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS], ids=["zlib-wrapped", "raw-deflate"])
def test_deflate_is_read_wrapped_or_raw(wbits):
    assert bytes(body.read(response(gzipped(b"hello " * 100, wbits), "deflate"), MB).data) == b"hello " * 100


def test_an_encoding_we_do_not_read_is_said_by_name():
    got = body.read(response(b"\x1b\x00", "br"), MB)
    assert isinstance(got.broke, body.BadEncoding) and "'br'" in str(got.broke)


def test_corrupt_gzip_is_bad_encoding_and_a_gzip_cut_short_too():
    good = gzipped(bytes(range(256)) * 400)
    corrupt = body.read(response([good[:50], b"\xff" * 20, good[70:]]), MB)
    assert isinstance(corrupt.broke, body.BadEncoding) and "corrupt" in str(corrupt.broke)
    truncated = body.read(response([good[: len(good) // 2]]), MB)
    assert isinstance(truncated.broke, body.BadEncoding) and "ends early" in str(truncated.broke)


def test_a_connection_that_breaks_keeps_what_arrived():
    got = body.read(response([b"half a bo", httpx.RemoteProtocolError("peer closed")], None), MB)
    assert bytes(got.data) == b"half a bo" and isinstance(got.broke, httpx.RemoteProtocolError)


def test_identity_is_no_encoding():
    assert bytes(body.read(response(b"plain", "identity"), MB).data) == b"plain"
