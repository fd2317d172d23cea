"""Answers for httpx.MockTransport, the client's transport seam in unit tests."""

from __future__ import annotations

from collections.abc import Iterator

import httpx


def sse_response(*chunks: bytes | Exception) -> httpx.Response:
    """A streamed 200 (text/event-stream) whose body is `chunks`, read one by one; an
    exception among them is raised at that point of the body, as a broken connection is."""

    def body() -> Iterator[bytes]:
        for chunk in chunks:
            if isinstance(chunk, Exception):
                raise chunk
            yield chunk

    return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body())
