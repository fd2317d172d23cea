"""Images and PDFs in a request: base64, media types, magic bytes and dimensions."""

from __future__ import annotations

import base64
import struct
from typing import Any

from claudechat.demo.rules import invalid

MAX_IMAGE_BASE64 = 5 * 1024 * 1024  # the API measures the base64 string, not the decoded bytes
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")


def b64decode(data: Any, at: str) -> bytes:
    if not isinstance(data, str):
        raise invalid(f"{at}: Input should be a valid string")
    try:
        return base64.b64decode(data, validate=True)
    except ValueError:
        raise invalid(f"{at}: invalid base64 data") from None


def validate_image(source: Any, at: str, max_side: int) -> None:
    if not isinstance(source, dict):
        raise invalid(f"{at}: Field required")
    kind = source.get("type")
    if kind in ("url", "file"):
        return
    if kind != "base64":
        raise invalid(f"{at}: Input tag '{kind}' found using 'type' does not match any of the expected "
                       "tags: 'base64', 'url', 'file'")
    media_type = source.get("media_type")
    if media_type not in IMAGE_TYPES:
        raise invalid(f"{at}.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' "
                       "or 'image/webp'")
    data = source.get("data")
    if isinstance(data, str) and len(data) > MAX_IMAGE_BASE64:
        raise invalid(f"{at}.base64: image exceeds 5 MB maximum: "
                       f"{len(data)} bytes > {MAX_IMAGE_BASE64} bytes")
    raw = b64decode(data, f"{at}.base64.data")
    actual = _sniff_image(raw)
    if actual is None:
        raise invalid(f"{at}.base64.data: Could not process image")
    if actual != media_type:
        raise invalid(f"{at}.base64: The image was specified using the {media_type} media type, but the "
                       f"image appears to be a {actual} image")
    size = _image_size(raw)
    if size is not None and max(size) > max_side:
        raise invalid(f"{at}.base64.data: At least one of the image dimensions exceed max allowed size: "
                       f"{max_side} pixels")


def validate_document(source: Any, at: str) -> None:
    if not isinstance(source, dict):
        raise invalid(f"{at}: Field required")
    kind = source.get("type")
    if kind == "base64":
        if source.get("media_type") != "application/pdf":
            raise invalid(f"{at}.base64.media_type: Input should be 'application/pdf'")
        if not b64decode(source.get("data"), f"{at}.base64.data").startswith(b"%PDF-"):
            raise invalid(f"{at}.base64.data: The PDF specified was not valid.")
    elif kind == "text":
        if not isinstance(source.get("data"), str):
            raise invalid(f"{at}.text.data: Input should be a valid string")
    elif kind not in ("url", "content", "file"):
        raise invalid(f"{at}: Input tag '{kind}' found using 'type' does not match any of the expected "
                       "tags: 'base64', 'text', 'content', 'url', 'file'")


def _sniff_image(raw: bytes) -> str | None:
    if raw.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if raw.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if raw[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if raw[:4] == b"RIFF" and raw[8:12] == b"WEBP":
        return "image/webp"
    return None


def _image_size(raw: bytes) -> tuple[int, int] | None:
    """(width, height) from the image header, or None when it can't be read."""
    try:
        if raw.startswith(b"\x89PNG"):
            return struct.unpack(">II", raw[16:24])
        if raw.startswith(b"GIF"):
            return struct.unpack("<HH", raw[6:10])
        if raw.startswith(b"\xff\xd8"):
            return _jpeg_size(raw)
        chunk = raw[12:16]
        if chunk == b"VP8X":
            return int.from_bytes(raw[24:27], "little") + 1, int.from_bytes(raw[27:30], "little") + 1
        if chunk == b"VP8 ":
            width, height = struct.unpack("<HH", raw[26:30])
            return width & 0x3FFF, height & 0x3FFF
        if chunk == b"VP8L":
            bits = int.from_bytes(raw[21:25], "little")
            return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    except struct.error:
        pass
    return None


def _jpeg_size(raw: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 <= len(raw):
        if raw[i] != 0xFF:
            return None
        marker = raw[i + 1]
        if marker == 0xFF or marker == 0x01 or 0xD0 <= marker <= 0xD8:  # fill byte or standalone marker
            i += 1 if marker == 0xFF else 2
            continue
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # a start-of-frame segment
            height, width = struct.unpack(">HH", raw[i + 5:i + 9])
            return width, height
        i += 2 + int.from_bytes(raw[i + 2:i + 4], "big")
    return None

