"""Image and document bytes for tests: small valid PNGs made by hand, other formats through
Pillow, big incompressible PNGs, a small PDF."""

from __future__ import annotations

import io
import random
import struct
import zlib
from pathlib import Path

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# A small PDF; the second line is the customary binary comment (not UTF-8).
PDF = (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
       b"1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
       b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
       b"trailer <</Root 1 0 R>>\n%%EOF\n")


def png(width: int = 1, height: int = 1, color: tuple[int, int, int] = (255, 0, 0)) -> bytes:
    """A valid 8-bit RGB PNG of one colour, chunk by chunk (no Pillow)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    raw = b"".join(b"\x00" + bytes(color) * width for _ in range(height))  # filter 0 on each row
    return (PNG_MAGIC + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def pillow_image(fmt: str, size: tuple[int, int] = (3, 2), mode: str = "RGB",
                 color: tuple[int, int, int] = (10, 120, 200)) -> bytes:
    """An image of one colour in Pillow's format `fmt` (JPEG, GIF, WEBP, BMP, PNG …)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new(mode, size, color).save(buf, format=fmt)
    return buf.getvalue()


def noisy_png(path: Path, size: tuple[int, int], mode: str, seed: int) -> bytes:
    """Random pixels (incompressible), saved quickly to `path`: a real PNG far over 5 MB."""
    from PIL import Image

    channels = len(mode)
    pixels = random.Random(seed).randbytes(size[0] * size[1] * channels)
    buf = io.BytesIO()
    Image.frombytes(mode, size, pixels).save(buf, format="PNG", compress_level=1)
    data = buf.getvalue()
    path.write_bytes(data)
    return data


def plain_png(path: Path, size: tuple[int, int]) -> Path:
    """A one-colour PNG of `size` written to `path` (Pillow: fast for big sizes)."""
    path.write_bytes(pillow_image("PNG", size, color=(20, 120, 200)))
    return path
