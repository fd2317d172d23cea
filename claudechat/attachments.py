"""Files, images and stdin -> content blocks.

Images are recognised by their magic bytes, never by the file name; PDFs become
`document` blocks; text must be UTF-8 (a BOM is dropped) and is attached as a
clearly delimited document. Everything the API would refuse (too big, too
many, an unsupported format) is refused here, before anything is sent, with
one line that says what to do.
"""

from __future__ import annotations

import base64
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claudechat.errors import ImageTooLarge, UsageError
from claudechat.input_files import MAX_INPUT_BYTES, display_name, human_size, read_file, read_stream

IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
MAX_IMAGE_BASE64 = 5 * 1024 * 1024  # the API measures the base64 text
MAX_IMAGES = 100
MAX_PIXELS = 8000
MAX_PIXELS_MANY = 2000  # when a request has more than 20 images
MANY_IMAGES = 20
MAX_REQUEST_BYTES = MAX_INPUT_BYTES  # the whole request; no one input can be larger


@dataclass(frozen=True, slots=True)
class Attachment:
    """One attached input: the block to send and a short label for messages."""

    block: dict[str, Any]
    label: str
    size: tuple[int, int] | None = None  # image pixels, when known
    nbytes: int = 0  # the file's (or the resized image's) bytes; 0: not known (a URL)
    resized: bool = False  # shrunk to fit the API's limits


def describe(attachment: Attachment, name: str | None = None) -> str:
    """What was attached, for the line that says so: "notes.txt (text, 3.2 kB)",
    "photo.png (image/png, 1.1 MB, resized to 1568×1045 px)", "report.pdf (PDF, 240 kB)".
    `name`: what to call it (the path as the user wrote it), else its label."""
    block, source = attachment.block, attachment.block.get("source") or {}
    name = name or attachment.label
    if source.get("type") == "url":
        return f"{name} (image URL)"
    kind = {"image": source.get("media_type", "image"), "document": "PDF"}.get(block.get("type", ""), "text")
    parts = [kind, human_size(attachment.nbytes)] if attachment.nbytes else [kind]
    if attachment.resized and attachment.size:
        parts.append(f"resized to {attachment.size[0]}×{attachment.size[1]} px")
    return f"{name} ({', '.join(parts)})"


def can_resize() -> bool:
    """Whether Pillow, the optional extra that resizing needs, is installed."""
    try:
        import PIL.Image  # noqa: F401
    except ImportError:
        return False
    return True


RESIZE_EXTRA = "pip install 'claudechat[images]'"


def sniff_image(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def is_pdf(data: bytes) -> bool:
    return data[:5] == b"%PDF-"


def image_size(data: bytes, media_type: str) -> tuple[int, int] | None:
    """Width and height from the header, without decoding the image."""
    try:
        if media_type == "image/png":
            return struct.unpack(">II", data[16:24])
        if media_type == "image/gif":
            return struct.unpack("<HH", data[6:10])
        if media_type == "image/webp":
            return _webp_size(data)
        if media_type == "image/jpeg":
            return _jpeg_size(data)
    except struct.error:
        return None
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X":
        w = int.from_bytes(data[24:27], "little") + 1
        h = int.from_bytes(data[27:30], "little") + 1
        return w, h
    if chunk == b"VP8 ":
        w, h = struct.unpack("<HH", data[26:30])
        return w & 0x3FFF, h & 0x3FFF
    if chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            h, w = struct.unpack(">HH", data[i + 5 : i + 9])
            return w, h
        i += 2 + length
    return None


# -- building blocks ---------------------------------------------------------------


def image_from_bytes(data: bytes, label: str, *, resize: bool = False) -> Attachment:
    media_type = sniff_image(data)
    if media_type is None:
        raise UsageError(f"{label}: not a supported image (supported: JPEG, PNG, GIF, WebP)")
    size = image_size(data, media_type)
    if size is None or 0 in size:
        kind = media_type.split("/")[1].upper()
        raise UsageError(f"{label}: a corrupt or cut-short {kind} image (its width and height cannot "
                         f"be read); save it again, or attach another copy")
    encoded_len = 4 * ((len(data) + 2) // 3)
    if encoded_len > MAX_IMAGE_BASE64 or (size and max(size) > MAX_PIXELS):
        if not resize:
            too = "larger than the API's 5 MB per image" if encoded_len > MAX_IMAGE_BASE64 \
                else f"{size[0]}×{size[1]} px, over the API's {MAX_PIXELS} px"  # type: ignore[index]
            raise ImageTooLarge(f"{label}: the image is {too}", hint=resize_hint("pass --resize"))
        data, media_type, size = _downscale(data, label)
        return _image(data, media_type, label, size, resized=True)
    return _image(data, media_type, label, size)


def resize_hint(how: str) -> str:
    """The advice on an image too large: shrink it, or `how` resizing is asked for (and
    how to install Pillow, when it is not)."""
    needs = "" if can_resize() else f" (resizing needs Pillow: {RESIZE_EXTRA})"
    return f"shrink it, or {how}{needs}"


def _image(data: bytes, media_type: str, label: str, size: tuple[int, int] | None,
           *, resized: bool = False) -> Attachment:
    return Attachment({"type": "image", "source": {"type": "base64", "media_type": media_type,
                                                   "data": base64.b64encode(data).decode("ascii")}},
                      label, size, len(data), resized)


def image_from_url(url: str) -> Attachment:
    return Attachment({"type": "image", "source": {"type": "url", "url": url}}, url)


def pdf_block(data: bytes, label: str) -> Attachment:
    block = {"type": "document", "source": {"type": "base64", "media_type": "application/pdf",
                                            "data": base64.b64encode(data).decode("ascii")}}
    return Attachment(block, label, nbytes=len(data))


_DOCUMENT = re.compile(r'<document name="([^"]*)">\n')
CHARS_PER_TOKEN = 4  # text: about four characters a token
PIXELS_PER_TOKEN = 750  # an image costs about width x height / 750 tokens
TOKENS_PER_PDF_PAGE = 2250  # a PDF page: text and its image, 1,500-3,000 tokens


def estimated_tokens(attachment: Attachment) -> int:
    """About how many input tokens the attachment costs (for asking before a big send)."""
    block = attachment.block
    source = block.get("source") or {}
    if block.get("type") == "text":
        return len(block.get("text", "")) // CHARS_PER_TOKEN
    if block.get("type") == "image" and attachment.size:
        return attachment.size[0] * attachment.size[1] // PIXELS_PER_TOKEN
    if block.get("type") == "document" and source.get("type") == "base64":
        raw = base64.b64decode(source.get("data", ""))
        pages = len(re.findall(rb"/Type\s*/Page(?!s)", raw))
        return max(1, pages) * TOKENS_PER_PDF_PAGE
    return 0


def document_name(block: dict[str, Any]) -> str | None:
    """The name in a text block made by text_document, or None for other blocks."""
    match = _DOCUMENT.match(block.get("text", "")) if block.get("type") == "text" else None
    if match is None:
        return None
    import html  # only for an attachment: not at every start

    return html.unescape(match.group(1))


def text_document(text: str, name: str) -> Attachment:
    """Text wrapped in a <document> element that names where it came from."""
    import html

    body = text if text.endswith("\n") or not text else text + "\n"
    wrapped = f'<document name="{html.escape(name)}">\n{body}</document>'
    return Attachment({"type": "text", "text": wrapped}, name, nbytes=len(text.encode("utf-8")))


def decode_text(data: bytes, label: str) -> str:
    """UTF-8 text (BOM dropped); anything else is refused, naming the byte offset."""
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0  # offsets below count it
    data = data[bom:]
    nul = data.find(b"\x00")
    if nul != -1:
        raise UsageError(f"{label}: binary data (a NUL byte at offset {nul + bom}) is not text, an "
                         f"image or a PDF; only those can be attached")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{label}: not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at offset "
                         f"{exc.start + bom}); convert it, e.g. iconv -f latin1 -t utf-8") from None


def from_bytes(data: bytes, label: str, *, resize: bool = False) -> Attachment:
    """Any input: an image, a PDF or UTF-8 text, told apart by content."""
    if sniff_image(data):
        return image_from_bytes(data, label, resize=resize)
    if is_pdf(data):
        return pdf_block(data, label)
    return text_document(decode_text(data, label), label)


def read_path(path: str) -> bytes:
    """A file's bytes; one clear line for a missing, unreadable, special (a device, a FIFO)
    or too large file (input_files.read_file)."""
    return read_file(path)


def image_arg(value: str, *, resize: bool = False) -> Attachment:
    """`-i PATH|URL`."""
    if value.startswith(("http://", "https://")):
        return image_from_url(value)
    data = read_path(value)
    return image_from_bytes(data, display_name(value), resize=resize)


def file_arg(value: str, *, resize: bool = False) -> Attachment:
    """`-f PATH`: text with its file name, a PDF as a document, an image as an image."""
    return from_bytes(read_path(value), display_name(Path(value).name) if value != "-" else "stdin",
                      resize=resize)


def check_request(attachments: list[Attachment], *, resize: bool = False) -> list[Attachment]:
    """Limits on the whole request, checked before sending. With `resize`, images over
    the API's smaller side limit for many-image requests are shrunk (the list returned)."""
    images = [a for a in attachments if a.block["type"] == "image"]
    if len(images) > MAX_IMAGES:
        raise UsageError(f"{len(images)} images attached; the API takes at most {MAX_IMAGES} "
                         f"per request")
    if len(images) > MANY_IMAGES:
        attachments = [_fit_many(a, resize) if a.block["type"] == "image" else a for a in attachments]
    total = sum(len(a.block.get("source", {}).get("data", "")) + len(a.block.get("text", ""))
                for a in attachments)
    if total > MAX_REQUEST_BYTES:
        raise UsageError(f"the attachments add up to {total / 1e6:.1f} MB; the API takes at most "
                         f"32 MB per request")
    return attachments


def _fit_many(image: Attachment, resize: bool) -> Attachment:
    if not image.size or max(image.size) <= MAX_PIXELS_MANY:
        return image
    if not resize:
        raise ImageTooLarge(f"{image.label}: {image.size[0]}×{image.size[1]} px; with more "
                            f"than {MANY_IMAGES} images the API takes at most "
                            f"{MAX_PIXELS_MANY} px a side", hint=resize_hint("pass --resize, or send fewer"))
    data, media_type, size = _downscale(base64.b64decode(image.block["source"]["data"]), image.label)
    return _image(data, media_type, image.label, size, resized=True)


def _downscale(data: bytes, label: str) -> tuple[bytes, str, tuple[int, int]]:
    """Shrink to the API's 1568 px (it would anyway), then further until the
    image fits in 5 MB of base64: PNG first if it has transparency, else JPEG."""
    try:
        from PIL import Image  # the optional extra: claudechat[images]
    except ImportError:
        raise UsageError(f"{label}: resizing needs Pillow: {RESIZE_EXTRA}") from None
    import io
    import warnings
    try:
        with warnings.catch_warnings():  # Pillow's warning of a big image: not a line of ours
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return _shrink(Image.open(io.BytesIO(data)), label)
    except Image.DecompressionBombError:
        raise UsageError(f"{label}: too many pixels to decode safely for resizing; shrink it "
                         f"with an image editor first") from None
    except (OSError, SyntaxError, ValueError) as exc:
        # a PNG or JPEG Pillow cannot decode: UnidentifiedImageError and truncated data are
        # OSErrors, a bad PNG chunk a SyntaxError (Pillow's own choice)
        raise UsageError(f"{label}: a corrupt image: it cannot be decoded to resize it ({exc}); "
                         f"save it again, or attach another copy") from None


def _shrink(image: Any, label: str) -> tuple[bytes, str, tuple[int, int]]:
    with image as img:
        img.load()
        side = min(1568, max(img.size))
        while side >= 64:
            scale = side / max(img.size)
            size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
            small = img.resize(size)
            for media_type, encoded in _encodings(small):
                if 4 * ((len(encoded) + 2) // 3) <= MAX_IMAGE_BASE64:
                    return encoded, media_type, size
            side = int(side * 0.75)
    raise UsageError(f"{label}: cannot be brought under 5 MB by resizing; shrink it by hand")


def _encodings(img: Any) -> list[tuple[str, bytes]]:
    import io

    out = []
    if img.mode in ("RGBA", "LA", "P"):
        png = io.BytesIO()
        img.save(png, format="PNG", optimize=True)
        out.append(("image/png", png.getvalue()))
    jpeg = io.BytesIO()
    img.convert("RGB").save(jpeg, format="JPEG", quality=85)
    out.append(("image/jpeg", jpeg.getvalue()))
    return out


# -- the user's message for `ask` ------------------------------------------------------


def compose(prompt: str, *, files: list[str], images: list[str], stdin: Any | None,
            resize: bool = False) -> list[dict[str, Any]]:
    """The content blocks of one message: attachments first, the prompt last.

    `stdin` is a binary stream that is not a terminal, or None. With a prompt,
    what it holds is attached before the prompt (the prompt is the instruction
    about it); without one, stdin text is the prompt. `-f -` reads stdin as a file.
    """
    attachments: list[Attachment] = []
    stdin_data: bytes | None = None

    def read_stdin() -> bytes:
        nonlocal stdin_data
        if stdin_data is None:
            stdin_data = read_stream(stdin) if stdin is not None else b""
        return stdin_data

    for value in files:
        if value == "-":
            if stdin is None:
                raise UsageError("-f -: nothing is piped into stdin (it is a terminal)")
            attachments.append(from_bytes(read_stdin(), "stdin", resize=resize))
        else:
            attachments.append(file_arg(value, resize=resize))
    attachments.extend(image_arg(value, resize=resize) for value in images)
    if stdin is not None and "-" not in files:
        data = read_stdin()
        if data.strip():
            if prompt.strip() or sniff_image(data) or is_pdf(data):
                attachments.insert(0, from_bytes(data, "stdin", resize=resize))
            else:
                prompt = decode_text(data, "stdin")
    if not prompt.strip() and not attachments:
        raise UsageError('nothing to ask: give a prompt (claudechat ask "…"), pipe text into stdin, '
                         'or attach with -f/-i')
    attachments = check_request(attachments, resize=resize)
    blocks = [a.block for a in attachments]
    if prompt.strip():
        blocks.append({"type": "text", "text": prompt})
    return blocks
