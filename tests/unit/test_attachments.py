"""attachments: magic-byte sniffing, sizes from headers, the API's limits, UTF-8 text, PDFs, and
the message `ask` composes from a prompt, files, images and stdin. Expected values from the
README ("Inputs") and docs/PROTOCOL.md (image limits)."""

from __future__ import annotations

import base64
import io

import pytest
from helpers.images import PDF, pillow_image, png

from claudechat import attachments
from claudechat.errors import UsageError

JPEG = pillow_image("JPEG", (7, 5))
GIF = pillow_image("GIF", (6, 4))
WEBP = pillow_image("WEBP", (9, 3))


# -- sniffing and sizes ----------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "media_type"), [
    (png(2, 3), "image/png"), (JPEG, "image/jpeg"), (GIF, "image/gif"), (WEBP, "image/webp"),
    (pillow_image("BMP"), None), (PDF, None), (b"hello", None), (b"", None),
    (b"RIFF\x00\x00\x00\x00WAVEfmt ", None),  # RIFF, but audio
], ids=["png", "jpeg", "gif", "webp", "bmp", "pdf", "text", "empty", "wav"])
def test_the_media_type_comes_from_the_magic_bytes(data, media_type):
    assert attachments.sniff_image(data) == media_type


@pytest.mark.parametrize(("data", "media_type", "size"), [
    (png(2, 3), "image/png", (2, 3)), (JPEG, "image/jpeg", (7, 5)), (GIF, "image/gif", (6, 4)),
    (WEBP, "image/webp", (9, 3)), (pillow_image("WEBP", (300, 200), mode="RGBA"), "image/webp", (300, 200)),
    (pillow_image("JPEG", (1200, 90)), "image/jpeg", (1200, 90)),
], ids=["png", "jpeg", "gif", "webp", "webp-alpha", "jpeg-wide"])
def test_the_size_comes_from_the_header(data, media_type, size):
    assert attachments.image_size(data, media_type) == size


def test_a_truncated_header_has_no_size():
    assert attachments.image_size(png()[:12], "image/png") is None


def test_a_named_file_is_sniffed_not_trusted_by_its_name(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(png(4, 4))
    block = attachments.image_arg(str(path)).block
    assert block["source"]["media_type"] == "image/png"
    assert base64.b64decode(block["source"]["data"]) == png(4, 4)


def test_an_url_is_passed_on_not_downloaded():
    block = attachments.image_arg("https://example.invalid/cat.png").block
    assert block == {"type": "image", "source": {"type": "url", "url": "https://example.invalid/cat.png"}}


def test_an_unsupported_image_is_refused_naming_the_formats():
    with pytest.raises(UsageError) as caught:
        attachments.image_from_bytes(pillow_image("BMP"), "pic.bmp")
    assert "pic.bmp" in str(caught.value)
    for name in ("JPEG", "PNG", "GIF", "WebP"):
        assert name in str(caught.value)


# -- limits -------------------------------------------------------------------------------------


def test_an_image_over_8000_px_is_refused_with_advice():
    with pytest.raises(UsageError) as caught:
        attachments.image_from_bytes(png(8001, 1), "wide.png")
    assert "8000" in str(caught.value) and "--resize" in str(caught.value)


def test_an_image_of_8000_px_is_accepted():
    assert attachments.image_from_bytes(png(8000, 1), "edge.png").size == (8000, 1)


def test_an_image_over_5_mb_of_base64_is_refused():
    raw_len = 5 * 1024 * 1024 // 4 * 3 + 1  # one byte more than 5 MB once base64-encoded
    data = png() + b"\x00" * (raw_len - len(png()))
    with pytest.raises(UsageError) as caught:
        attachments.image_from_bytes(data, "big.png")
    assert "5 MB" in str(caught.value)


def test_more_than_100_images_are_refused():
    images = [attachments.image_from_url(f"https://example.invalid/{n}.png") for n in range(101)]
    with pytest.raises(UsageError) as caught:
        attachments.check_request(images)
    assert "100" in str(caught.value)


def test_more_than_20_images_lowers_the_limit_to_2000_px():
    images = [attachments.image_from_bytes(png(2001, 1), f"{n}.png") for n in range(21)]
    assert attachments.check_request(images[:20]) == images[:20]
    with pytest.raises(UsageError) as caught:
        attachments.check_request(images)
    assert "2000" in str(caught.value)


def test_more_than_32_mb_in_one_request_is_refused():
    text = attachments.text_document("x" * (4 * 1024 * 1024), "part")
    with pytest.raises(UsageError) as caught:
        attachments.check_request([text] * 9)
    assert "32 MB" in str(caught.value)


# -- text, PDFs ---------------------------------------------------------------------------------


def test_text_is_utf8_and_a_bom_is_dropped():
    assert attachments.decode_text("héllo".encode(), "x") == "héllo"
    assert attachments.decode_text(b"\xef\xbb\xbfh\xc3\xa9llo", "x") == "héllo"


def test_non_utf8_is_refused_naming_the_offset_of_the_first_bad_byte():
    with pytest.raises(UsageError) as caught:
        attachments.decode_text(b"abc\xe9def", "notes.txt")
    assert "notes.txt" in str(caught.value) and "offset 3" in str(caught.value)


def test_the_offset_counts_the_bom():
    with pytest.raises(UsageError) as caught:
        attachments.decode_text(b"\xef\xbb\xbfabc\xe9", "notes.txt")
    assert "offset 6" in str(caught.value)


def test_binary_data_is_refused():
    with pytest.raises(UsageError) as caught:
        attachments.from_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00", "prog")
    assert "prog" in str(caught.value)


def test_a_pdf_is_a_document_block():
    block = attachments.from_bytes(PDF, "paper.pdf").block
    assert block["type"] == "document"
    assert block["source"]["media_type"] == "application/pdf"
    assert base64.b64decode(block["source"]["data"]) == PDF


def test_text_is_wrapped_in_a_document_that_names_it_and_the_name_reads_back():
    block = attachments.from_bytes(b"line one\nline two", 'a "quoted" <name>.txt').block
    assert block["type"] == "text"
    assert block["text"].startswith("<document name=") and block["text"].endswith("</document>")
    assert "line one\nline two\n</document>" in block["text"]
    assert attachments.document_name(block) == 'a "quoted" <name>.txt'
    assert attachments.document_name({"type": "text", "text": "plain words"}) is None


def test_a_missing_file_or_a_directory_is_one_line_naming_it(tmp_path):
    for path in (tmp_path / "nope.txt", tmp_path):
        with pytest.raises(UsageError) as caught:
            attachments.file_arg(str(path))
        assert str(path) in str(caught.value) and "\n" not in str(caught.value)


# -- compose ------------------------------------------------------------------------------------


def compose(prompt: str, stdin: bytes | None = None, **kwargs):
    return attachments.compose(prompt, files=kwargs.pop("files", []), images=kwargs.pop("images", []),
                               stdin=io.BytesIO(stdin) if stdin is not None else None, **kwargs)


def test_stdin_with_a_prompt_is_a_document_before_the_prompt():
    blocks = compose("summarise", b"some notes")
    assert [b["type"] for b in blocks] == ["text", "text"]
    assert attachments.document_name(blocks[0]) == "stdin"
    assert blocks[1] == {"type": "text", "text": "summarise"}


def test_stdin_without_a_prompt_is_the_prompt():
    assert compose("", "\ufeffwhat is 2+2?".encode()) == [{"type": "text", "text": "what is 2+2?"}]


def test_an_image_on_stdin_without_a_prompt_is_still_an_image():
    blocks = compose("", png())
    assert [b["type"] for b in blocks] == ["image"]


def test_attachments_come_first_in_the_order_given(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("n")
    paper = tmp_path / "paper.pdf"
    paper.write_bytes(PDF)
    picture = tmp_path / "p.gif"
    picture.write_bytes(GIF)
    blocks = compose("go", files=[str(notes), str(paper)], images=[str(picture)])
    assert [b["type"] for b in blocks] == ["text", "document", "image", "text"]
    assert attachments.document_name(blocks[0]) == notes.name  # the file by its name


def test_file_dash_is_stdin_in_its_place(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("n")
    blocks = compose("go", b"from stdin", files=[str(notes), "-"])
    assert [attachments.document_name(b) for b in blocks[:2]] == [notes.name, "stdin"]
    assert len(blocks) == 3  # stdin is not attached a second time


def test_file_dash_without_piped_stdin_is_refused():
    with pytest.raises(UsageError):
        compose("go", None, files=["-"])


@pytest.mark.parametrize(("prompt", "stdin"), [("", None), ("  ", b""), ("", b" \n ")])
def test_nothing_to_ask_is_refused(prompt, stdin):
    with pytest.raises(UsageError) as caught:
        compose(prompt, stdin)
    assert "nothing to ask" in str(caught.value)


# -- about how many tokens an attachment costs (for confirm_tokens) ---------------------------


def test_a_text_file_is_about_four_characters_a_token():
    assert attachments.estimated_tokens(attachments.text_document("x" * 4000, "a.txt")) >= 1000
    assert attachments.estimated_tokens(attachments.text_document("x" * 4000, "a.txt")) < 1100


def test_an_image_is_about_its_pixels_over_750():
    shot = attachments.image_from_bytes(png(1500, 1000), "shot.png")
    assert attachments.estimated_tokens(shot) == 1500 * 1000 // 750


def pdf_of(pages: int) -> bytes:
    return (b"%PDF-1.4\n" + b"1 0 obj << /Type /Pages /Count %d >> endobj\n" % pages
            + b"".join(b"%d 0 obj << /Type /Page >> endobj\n" % (n + 2) for n in range(pages)) + b"%%EOF\n")


def test_a_pdf_is_counted_by_its_pages_1500_to_3000_tokens_each():
    one = attachments.estimated_tokens(attachments.pdf_block(pdf_of(1), "one.pdf"))
    three = attachments.estimated_tokens(attachments.pdf_block(pdf_of(3), "three.pdf"))
    assert 1500 <= one <= 3000 and three == 3 * one


# -- the line that says what was attached ------------------------------------------------------------


@pytest.mark.parametrize(("nbytes", "shown"), [
    (0, "0 bytes"), (1, "1 byte"), (999, "999 bytes"), (1000, "1.0 kB"), (3200, "3.2 kB"),
    (9949, "9.9 kB"), (9950, "10 kB"), (240_000, "240 kB"), (999_499, "999 kB"),
    (999_500, "1.0 MB"), (1_100_000, "1.1 MB"), (32_000_000, "32 MB"),
])
def test_sizes_are_shown_in_decimal_units_with_two_or_three_figures(nbytes, shown):
    assert attachments.human_size(nbytes) == shown


def test_an_attachment_is_described_by_its_name_kind_and_size(tmp_path):
    (tmp_path / "notes.txt").write_text("é" * 1600, "utf-8")  # 3,200 bytes of UTF-8
    (tmp_path / "report.pdf").write_bytes(PDF)
    (tmp_path / "dot.png").write_bytes(png(2, 2))
    notes = attachments.file_arg(str(tmp_path / "notes.txt"))
    assert attachments.describe(notes) == "notes.txt (text, 3.2 kB)"
    assert attachments.describe(attachments.file_arg(str(tmp_path / "report.pdf"))) == \
        f"report.pdf (PDF, {len(PDF)} bytes)"
    dot = attachments.file_arg(str(tmp_path / "dot.png"))
    assert attachments.describe(dot, "@here/dot.png") == f"@here/dot.png (image/png, {len(png(2, 2))} bytes)"
    assert attachments.describe(attachments.image_arg("https://example.invalid/cat.png")) == \
        "https://example.invalid/cat.png (image URL)"


def test_a_resized_image_is_described_with_what_was_sent():
    shrunk = attachments.image_from_bytes(pillow_image("PNG", (9000, 40)), "wide.png", resize=True)
    assert attachments.describe(shrunk) == \
        f"wide.png (image/jpeg, {attachments.human_size(shrunk.nbytes)}, resized to 1568×7 px)"
    assert shrunk.nbytes == len(base64.b64decode(shrunk.block["source"]["data"]))


def test_an_image_too_large_is_its_own_error_whose_hint_is_asks_flag():
    from claudechat.errors import ImageTooLarge

    with pytest.raises(ImageTooLarge) as caught:
        attachments.image_from_bytes(png(8001, 1), "wide.png")
    assert caught.value.message == "wide.png: the image is 8001×1 px, over the API's 8000 px"
    assert caught.value.hint == "shrink it, or pass --resize"  # Pillow is installed here
