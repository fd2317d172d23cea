"""Image and document bytes out of content blocks, and back.

Every base64 source (`{"type": "base64", "media_type": …, "data": …}`, at any
depth: tool results carry images too) has its data replaced by
`{"$blob": sha256}`, the bytes kept aside, so each distinct file is stored once.
Data that would not encode back to exactly the same text stays inline, so
restoring always gives the original blocks byte for byte.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any


def pack(value: Any, blobs: dict[str, bytes]) -> Any:
    """A copy of `value` with every base64 source's data moved into `blobs`."""
    if isinstance(value, list):
        return [pack(item, blobs) for item in value]
    if not isinstance(value, dict):
        return value
    if value.get("type") == "base64" and isinstance(value.get("data"), str):
        raw = exact_b64decode(value["data"])
        if raw is not None:
            import hashlib

            digest = hashlib.sha256(raw).hexdigest()
            blobs[digest] = raw
            return {k: {"$blob": digest} if k == "data" else v for k, v in value.items()}
    return {k: pack(v, blobs) for k, v in value.items()}


def exact_b64decode(text: str) -> bytes | None:
    """The bytes, when encoding them again gives back exactly `text` (else keep it inline)."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if base64.b64encode(raw).decode("ascii") == text else None


def _walk(value: Any, visit: Callable[[dict[str, Any]], None]) -> None:
    if isinstance(value, list):
        for item in value:
            _walk(item, visit)
    elif isinstance(value, dict):
        data = value.get("data")
        if value.get("type") == "base64" and isinstance(data, dict) and "$blob" in data:
            visit(value)
        else:
            for item in value.values():
                _walk(item, visit)


def wanted(contents: Any) -> set[str]:
    """The hashes a packed value refers to."""
    found: set[str] = set()
    _walk(contents, lambda source: found.add(source["data"]["$blob"]))
    return found


def restore(contents: Any, data: dict[str, bytes]) -> Any:
    """Put the bytes back, base64-encoded, in place (every hash must be in `data`)."""
    encoded = {digest: base64.b64encode(raw).decode("ascii") for digest, raw in data.items()}

    def put_back(source: dict[str, Any]) -> None:
        source["data"] = encoded[source["data"]["$blob"]]

    _walk(contents, put_back)
    return contents
