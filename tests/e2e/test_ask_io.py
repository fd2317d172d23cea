"""End-to-end tests of what `claudechat ask` reads and writes: prompts from arguments and
stdin, attached files and images (-f/-i), and what reaches stdout and stderr on pipes and
on a pseudo-terminal.

Each test runs the real CLI in a subprocess against the loopback fake server
(tests/helpers/fake_server.py) and asserts what a user sees — exact stdout bytes, stderr lines,
exit code — and the request the server recorded. Expected values come from the spec
(issue "`claudechat ask` for real work"), never from the code under test: images, PDFs
and binary files are built here byte by byte (or with Pillow) and what was sent is
decoded and compared with them. No mocks and no sleeps: pipes are read to EOF, ptys
until the child has closed them, all with deadlines.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import CLI, KEY, Result, run_cli
from helpers.fake_server import FakeServer, Reply
from helpers.images import PDF, noisy_png, pillow_image, plain_png, png
from helpers.pty_terminal import run_pty
from helpers.received import posts
from PIL import Image

TIMEOUT = 30
MAX_IMAGE_BASE64 = 5 * 1024 * 1024  # the API's limit: 5 MB of base64 text per image
SUPPORTED = ("JPEG", "PNG", "GIF", "WebP")


# -- running the CLI ---------------------------------------------------------------------


def ask(env: dict[str, str], *args: str, stdin: bytes | None = None) -> Result:
    """Run `claudechat ask ARGS` with `stdin` piped in (None: an empty pipe)."""
    return run_cli(env, "ask", *args, stdin=stdin if stdin is not None else b"", timeout=TIMEOUT)


def assert_reply(result: Result, text: str) -> None:
    """Success as a user sees it: exactly the text and one newline, a silent stderr, exit 0."""
    assert (result.code, result.err) == (0, ""), result
    assert result.out == (text + "\n").encode()


def usage_error(result: Result) -> str:
    """The one stderr line of a refused input: exit 2, nothing on stdout, no traceback."""
    assert result.code == 2, result
    assert result.out == b"", result
    assert "Traceback" not in result.err, result.err
    assert len(result.err_lines) == 1, result.err
    assert KEY not in result.err
    return result.err_lines[0]


def sent_blocks(server: FakeServer) -> list[dict[str, Any]]:
    """The content blocks of the one user message of the one POST the server saw."""
    requests = posts(server)
    assert len(requests) == 1, [f"{r.method} {r.path}" for r in server.requests]
    messages = requests[0].json["messages"]
    assert [m["role"] for m in messages] == ["user"]
    content = messages[0]["content"]
    return [{"type": "text", "text": content}] if isinstance(content, str) else content


def only_text(server: FakeServer) -> str:
    """The user message when it is a single piece of text."""
    blocks = sent_blocks(server)
    assert [b["type"] for b in blocks] == ["text"], blocks
    return blocks[0]["text"]


def decoded(block: dict[str, Any], kind: str, media_type: str) -> bytes:
    """The bytes of a base64 image/document block, after checking its shape."""
    assert block["type"] == kind, block.get("type")
    source = block["source"]
    assert (source["type"], source["media_type"]) == ("base64", media_type), source | {"data": "…"}
    return base64.b64decode(source["data"], validate=True)


def assert_document(block: dict[str, Any], content: str, name: str) -> None:
    """A text block holding `content`, delimited, and naming its source `name` outside it."""
    assert block["type"] == "text", block
    text = block["text"]
    assert content in text, text
    before, _, after = text.partition(content)
    assert before.strip() and after.strip(), f"not delimited: {text!r}"
    assert name in before + after, f"{name!r} not named: {text!r}"


# -- terminals -------------------------------------------------------------------------------


# -- images and documents, built here ------------------------------------------------------------


PNG = png()  # 1x1, red
JPEG = pillow_image("JPEG")
GIF = pillow_image("GIF")
WEBP = pillow_image("WEBP")
BMP = pillow_image("BMP")
IMAGES = {"image/png": PNG, "image/jpeg": JPEG, "image/gif": GIF, "image/webp": WEBP}
MAGIC = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff", "image/gif": b"GIF8",
         "image/webp": b"RIFF"}
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + b"\x00" * 40


def assert_image_ok(raw: bytes, media_type: str) -> Image.Image:
    """`raw` is a decodable image whose magic bytes match `media_type`."""
    assert raw.startswith(MAGIC[media_type]), raw[:12]
    with Image.open(io.BytesIO(raw)) as img:
        img.load()
        assert Image.MIME[img.format] == media_type
        return img.copy()


@pytest.fixture(scope="module")
def big_png(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """A 4000x1000 noisy RGB PNG, about 12 MB (16 MB of base64)."""
    path = tmp_path_factory.mktemp("big") / "big.png"
    data = noisy_png(path, (4000, 1000), "RGB", seed=1)
    assert 4 * ((len(data) + 2) // 3) > MAX_IMAGE_BASE64
    return path, data


# -- fixtures ------------------------------------------------------------------------------


ANSWER = "The answer."


# == inputs ==========================================================================================


def test_prompt_words_are_joined_with_spaces(env, server):
    server.enqueue(Reply(text=ANSWER))
    assert_reply(ask(env, "what", "is  it", "?"), ANSWER)
    assert only_text(server) == "what is  it ?"


def test_piped_stdin_without_a_prompt_is_the_prompt(env, server):
    stdin = "Summarise this:\n  — ünïcode 😀\n\tlast line\n"
    server.enqueue(Reply(text=ANSWER))
    assert_reply(ask(env, stdin=stdin.encode()), ANSWER)
    assert only_text(server) == stdin


def test_piped_stdin_with_a_prompt_is_a_document_before_the_prompt(env, server):
    stdin = "line one\nline two: <b>&amp;</b>\n"
    server.enqueue(Reply(text=ANSWER))
    assert_reply(ask(env, "explain", "this", stdin=stdin.encode()), ANSWER)
    blocks = sent_blocks(server)
    assert len(blocks) == 2, blocks
    assert_document(blocks[0], stdin.rstrip("\n"), "stdin")
    assert blocks[-1] == {"type": "text", "text": "explain this"}


@pytest.mark.parametrize(("prompt", "stdin"), [((), b""), (("", " "), b" \n\t\n")],
                         ids=["empty", "blank-words-and-stdin"])
def test_no_prompt_and_empty_stdin_is_a_usage_error(env, server, prompt, stdin):
    usage_error(ask(env, *prompt, stdin=stdin))
    assert server.requests == []


def test_stdin_is_not_read_when_it_is_a_terminal(env, server):
    # Nothing is ever typed: a CLI that read the terminal would hang until the deadline.
    result = run_pty(env, stdin_tty=True)
    assert result.code == 2, result
    assert result.out == ""
    assert len(result.err.splitlines()) == 1, result.err
    assert server.requests == []


@pytest.mark.parametrize(("media_type", "prompt"), [
    ("image/png", ("what", "is", "this?")), ("image/jpeg", ("what", "is", "this?")),
    ("image/gif", ()), ("image/webp", ()),
], ids=["png", "jpeg", "gif-no-prompt", "webp-no-prompt"])
def test_image_on_stdin_is_an_image_block(env, server, media_type, prompt):
    server.enqueue(Reply(text=ANSWER))
    assert_reply(ask(env, *prompt, stdin=IMAGES[media_type]), ANSWER)
    blocks = sent_blocks(server)
    assert decoded(blocks[0], "image", media_type) == IMAGES[media_type]
    if prompt:
        assert blocks[1:] == [{"type": "text", "text": "what is this?"}]
    else:
        assert len(blocks) == 1


def test_pdf_on_stdin_is_a_document_block(env, server):
    server.enqueue(Reply(text=ANSWER))
    assert_reply(ask(env, "summarise", stdin=PDF), ANSWER)
    blocks = sent_blocks(server)
    assert decoded(blocks[0], "document", "application/pdf") == PDF
    assert blocks[1:] == [{"type": "text", "text": "summarise"}]


@pytest.mark.parametrize(("data", "prompt"), [
    (b"abc\x00def\x00\x01\x02", ("what", "is", "this?")), (ELF, ()),
], ids=["nul-bytes", "elf-no-prompt"])
def test_other_binary_stdin_is_refused(env, server, data, prompt):
    line = usage_error(ask(env, *prompt, stdin=data))
    assert "stdin" in line and re.search(r"binary|not text", line, re.I), line
    assert server.requests == []


@pytest.mark.parametrize("prompt", [("hi",), ()], ids=["prompt", "no-prompt"])
def test_a_leading_bom_is_dropped(env, server, prompt):
    server.enqueue(Reply(text=ANSWER))
    assert_reply(ask(env, *prompt, stdin="\ufeffhello wörld\n".encode()), ANSWER)
    blocks = sent_blocks(server)
    assert all("\ufeff" not in b.get("text", "") for b in blocks), blocks
    if prompt:
        assert_document(blocks[0], "hello wörld", "stdin")
    else:
        assert only_text(server) == "hello wörld\n"


def test_non_utf8_stdin_is_refused_naming_the_byte_offset(env, server):
    line = usage_error(ask(env, "hi", stdin=b"caf\xe9"))
    assert re.search(r"UTF-?8", line, re.I) and re.search(r"\boffset 3\b|\b3\b", line), line
    assert server.requests == []


def test_non_utf8_offset_counts_the_bom(env, server):
    line = usage_error(ask(env, stdin=b"\xef\xbb\xbfcaf\xe9"))
    assert re.search(r"\b6\b", line) and not re.search(r"\b3\b", line), line


# -- -f/--file --------------------------------------------------------------------------------


def test_files_are_attached_in_order_before_the_prompt(env, server, tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\nfirst file ✓\n", "utf-8")
    paper = tmp_path / "paper.pdf"
    paper.write_bytes(PDF)
    code = tmp_path / "main.py"
    code.write_text("print('second text file')", "utf-8")
    server.enqueue(Reply(text=ANSWER))
    assert_reply(ask(env, "-f", str(notes), "--file", str(paper), "-f", str(code), "compare",
                     "them"), ANSWER)
    blocks = sent_blocks(server)
    assert len(blocks) == 4, blocks
    assert_document(blocks[0], "# Notes\nfirst file ✓", "notes.md")
    assert decoded(blocks[1], "document", "application/pdf") == PDF
    assert_document(blocks[2], "print('second text file')", "main.py")
    assert blocks[3] == {"type": "text", "text": "compare them"}


def test_file_dash_is_stdin_in_its_place(env, server, tmp_path):
    first = tmp_path / "first.txt"
    first.write_text("from the first file\n", "utf-8")
    server.enqueue(Reply(text=ANSWER))
    result = ask(env, "-f", str(first), "-f", "-", "-f", str(tmp_path / "first.txt"), "diff",
                 stdin=b"from the pipe\n")
    assert_reply(result, ANSWER)
    blocks = sent_blocks(server)
    assert len(blocks) == 4, blocks
    assert_document(blocks[0], "from the first file", "first.txt")
    assert_document(blocks[1], "from the pipe", "stdin")
    assert "first file" not in blocks[1]["text"]
    assert_document(blocks[2], "from the first file", "first.txt")
    assert blocks[3] == {"type": "text", "text": "diff"}


def test_non_utf8_file_is_refused_naming_the_byte_offset(env, server, tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"caf\xe9 au lait\n")
    line = usage_error(ask(env, "-f", str(path), "hi"))
    assert "latin1.txt" in line and re.search(r"\b3\b", line), line
    assert server.requests == []


# -- -i/--image --------------------------------------------------------------------------------


def test_image_type_comes_from_the_bytes_not_the_extension(env, server, tmp_path):
    files = {"photo.jpg": PNG, "scan.png": JPEG, "anim.webp": GIF, "pic.gif": WEBP}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    args = [a for name in files for a in ("-i", str(tmp_path / name))]
    server.enqueue(Reply(text=ANSWER))
    assert_reply(ask(env, *args, "--image", "https://example.invalid/cat.png", "describe"), ANSWER)
    blocks = sent_blocks(server)
    expected = ["image/png", "image/jpeg", "image/gif", "image/webp"]
    assert len(blocks) == 6, blocks
    for block, media_type, data in zip(blocks, expected, files.values(), strict=False):
        assert decoded(block, "image", media_type) == data
    assert blocks[4] == {"type": "image", "source": {"type": "url",
                                                     "url": "https://example.invalid/cat.png"}}
    assert blocks[5] == {"type": "text", "text": "describe"}


def test_image_url_is_sent_as_a_url_and_not_downloaded(env, server):
    with socket.socket() as listener:  # where the image "lives": nobody may connect to it
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        url = f"https://127.0.0.1:{listener.getsockname()[1]}/cat.png"
        server.enqueue(Reply(text=ANSWER))
        assert_reply(ask(env, "-i", url, "what is this?"), ANSWER)
        listener.setblocking(False)
        with pytest.raises(BlockingIOError):
            listener.accept()[0].close()
    assert sent_blocks(server) == [{"type": "image", "source": {"type": "url", "url": url}},
                                   {"type": "text", "text": "what is this?"}]


@pytest.mark.parametrize("kind", ["bmp", "text"])
def test_unsupported_image_lists_the_supported_formats(env, server, tmp_path, kind):
    path = tmp_path / ("picture.png" if kind == "bmp" else "notes.txt")
    path.write_bytes(BMP if kind == "bmp" else b"just some text\n")
    assert path.read_bytes()[:2] == (b"BM" if kind == "bmp" else b"ju")
    line = usage_error(ask(env, "-i", str(path), "describe"))
    assert path.name in line
    for name in SUPPORTED:
        assert name.lower() in line.lower(), line
    assert server.requests == []


@pytest.mark.parametrize("via", ["-i", "stdin"])
def test_image_over_5_mb_is_refused_with_advice(env, server, big_png, via):
    path, data = big_png
    if via == "-i":
        line = usage_error(ask(env, "-i", str(path), "describe"))
    else:
        line = usage_error(ask(env, "describe", stdin=data))
    assert "--resize" in line and "5" in line, line
    assert server.requests == []


def test_resize_shrinks_an_image_over_5_mb(env, server, big_png):
    path, original = big_png
    server.enqueue(Reply(text=ANSWER))
    assert_reply(ask(env, "-i", str(path), "--resize", "describe"), ANSWER)
    (block, prompt) = sent_blocks(server)
    assert prompt == {"type": "text", "text": "describe"}
    source = block["source"]
    assert block["type"] == "image" and source["type"] == "base64"
    assert len(source["data"]) <= MAX_IMAGE_BASE64
    raw = decoded(block, "image", source["media_type"])
    img = assert_image_ok(raw, source["media_type"])
    assert img.width < 4000 and img.height < 1000
    assert abs(img.width / img.height - 4.0) < 0.1  # downscaled, not cropped
    assert raw != original


def test_resize_brings_any_image_under_5_mb(env, server, tmp_path):
    path = tmp_path / "alpha.png"
    noisy_png(path, (1800, 900), "RGBA", seed=2)  # 6.5 MB; still 6.5 MB of base64 at 1568x784
    server.enqueue(Reply(text=ANSWER))
    assert_reply(ask(env, "-i", str(path), "--resize", "describe"), ANSWER)
    (block, _) = sent_blocks(server)
    assert len(block["source"]["data"]) <= MAX_IMAGE_BASE64
    assert_image_ok(decoded(block, "image", block["source"]["media_type"]), block["source"]["media_type"])


def padded_png(raw_len: int) -> bytes:
    """A valid PNG padded (after IEND) to exactly `raw_len` bytes."""
    return PNG + b"\x00" * (raw_len - len(PNG))


def test_image_of_exactly_5_mb_of_base64_is_sent_unchanged(env, server, tmp_path):
    data = padded_png(MAX_IMAGE_BASE64 // 4 * 3)
    assert len(base64.b64encode(data)) == MAX_IMAGE_BASE64
    path = tmp_path / "edge.png"
    path.write_bytes(data)
    server.enqueue(Reply(text=ANSWER))
    assert_reply(ask(env, "-i", str(path), "describe"), ANSWER)
    assert decoded(sent_blocks(server)[0], "image", "image/png") == data


def test_image_just_over_5_mb_of_base64_is_refused(env, server, tmp_path):
    data = padded_png(MAX_IMAGE_BASE64 // 4 * 3 + 1)
    path = tmp_path / "edge.png"
    path.write_bytes(data)
    line = usage_error(ask(env, "-i", str(path), "describe"))
    assert "--resize" in line
    assert server.requests == []


def test_100_images_are_sent(env, server):
    urls = [f"https://example.invalid/{n}.png" for n in range(100)]
    server.enqueue(Reply(text=ANSWER))
    assert_reply(ask(env, *[a for url in urls for a in ("-i", url)], "count them"), ANSWER)
    blocks = sent_blocks(server)
    assert [b["source"]["url"] for b in blocks[:-1]] == urls


def test_more_than_100_images_are_refused_before_sending(env, server):
    urls = [f"https://example.invalid/{n}.png" for n in range(101)]
    line = usage_error(ask(env, *[a for url in urls for a in ("-i", url)], "count them"))
    assert "100" in line, line
    assert server.requests == []


def test_an_image_over_8000_px_is_refused_and_resize_fits_it(env, server, tmp_path):
    wide = plain_png(tmp_path / "wide.png", (9000, 10))
    line = usage_error(ask(env, "-i", str(wide), "describe"))
    assert "wide.png" in line and "9000" in line and "8000" in line and "--resize" in line, line
    assert server.requests == []
    server.enqueue(Reply(text=ANSWER))
    assert_reply(ask(env, "-i", str(wide), "--resize", "describe"), ANSWER)
    (block, _) = sent_blocks(server)
    img = assert_image_ok(decoded(block, "image", block["source"]["media_type"]),
                          block["source"]["media_type"])
    assert max(img.size) <= 8000


def test_with_more_than_20_images_each_must_be_at_most_2000_px_or_resized(env, server, tmp_path):
    small = plain_png(tmp_path / "small.png", (10, 10))
    wide = plain_png(tmp_path / "w2500.png", (2500, 10))
    args = ["-i", str(wide), *[a for _ in range(20) for a in ("-i", str(small))]]
    line = usage_error(ask(env, *args, "count"))
    assert "w2500.png" in line and "2000" in line and "--resize" in line, line
    assert server.requests == []
    server.enqueue(Reply(text=ANSWER))
    assert_reply(ask(env, *args, "--resize", "count"), ANSWER)
    blocks = sent_blocks(server)
    assert len(blocks) == 22
    sizes = [assert_image_ok(decoded(b, "image", b["source"]["media_type"]),
                             b["source"]["media_type"]).size for b in blocks[:-1]]
    assert max(sizes[0]) <= 2000 and sizes[1:] == [(10, 10)] * 20


def test_attachments_over_32_mb_in_all_are_refused(env, server, tmp_path):
    parts = []
    for n in range(7):  # each a 3.4 MB text file: 23.8 MB, plus 12 MB of base64 PDF
        path = tmp_path / f"part{n}.txt"
        path.write_text(("x" * 99 + "\n") * 34_000, "utf-8")
        parts += ["-f", str(path)]
    pdf = tmp_path / "big.pdf"
    pdf.write_bytes(b"%PDF-1.4\n" + b"0" * 9_000_000)
    line = usage_error(ask(env, *parts, "-f", str(pdf), "summarise"))
    assert "32 MB" in line, line
    assert server.requests == []


def test_resize_images_in_the_config_is_the_same_as_resize(env, server, big_png, tmp_path):
    path, _ = big_png
    config = tmp_path / "config.toml"
    config.write_text("resize_images = true\n", "utf-8")
    server.enqueue(Reply(text=ANSWER))
    assert_reply(ask({**env, "CLAUDECHAT_CONFIG": str(config)}, "-i", str(path), "describe"), ANSWER)
    (block, _) = sent_blocks(server)
    assert len(block["source"]["data"]) <= MAX_IMAGE_BASE64


# -- bad paths --------------------------------------------------------------------------------


def test_a_file_name_cannot_drive_the_terminal_through_an_error_line(env, server, tmp_path):
    hostile = str(tmp_path / "no\x1b]0;pwned\x07such\x1b[2Jfile")
    line = usage_error(ask(env, "-f", hostile, "hi"))
    assert "\x1b" not in line and "\x07" not in line, repr(line)
    assert "no such file" in line


@pytest.mark.parametrize("flag", ["-f", "-i"])
@pytest.mark.parametrize("problem", ["missing", "unreadable", "directory"])
def test_bad_paths_are_one_line_naming_the_path_and_the_reason(env, server, tmp_path, flag, problem):
    path = tmp_path / f"input-{problem}.png"
    if problem == "unreadable":
        path.write_bytes(PNG)
        path.chmod(0)
        if os.access(path, os.R_OK):
            pytest.skip("running as root: a mode-000 file is still readable")
    elif problem == "directory":
        path.mkdir()
    line = usage_error(ask(env, flag, str(path), "describe"))
    reason = {"missing": r"no such|not found|does not exist|doesn't exist|missing",
              "unreadable": r"permission|not readable|cannot read|can't read",
              "directory": r"director"}[problem]
    assert str(path) in line and re.search(reason, line, re.I), line
    assert server.requests == []


# == output ==========================================================================================


@pytest.mark.parametrize(("pieces", "expected"), [
    (["Line one\n", "line two", " — ünïcode 😀"], b"Line one\nline two \xe2\x80\x94 \xc3\xbcn\xc3\xafcode "
                                                 b"\xf0\x9f\x98\x80\n"),
    (["Ends with ", "a newline\n"], b"Ends with a newline\n"),
    (["Two blank\n", "\n"], b"Two blank\n\n"),
    (["\x1b]0;t\x07raw ", "\x1b[1mbytes\x1b[0m"], b"\x1b]0;t\x07raw \x1b[1mbytes\x1b[0m\n"),
], ids=["no-final-newline", "final-newline", "double-newline", "escapes-kept"])
def test_a_piped_stdout_gets_exactly_the_text_and_one_final_newline(env, server, pieces, expected):
    server.enqueue(Reply(text=pieces))
    result = ask(env, "hi")
    assert (result.code, result.err) == (0, ""), result
    assert result.out == expected


def test_thinking_is_not_written_to_stdout(env, server):
    server.enqueue(Reply(thinking="Deep thought.", text="Answer"))
    assert_reply(ask(env, "hi"), "Answer")


def test_show_thinking_goes_to_stderr_without_escape_codes_on_a_pipe(env, server):
    server.enqueue(Reply(thinking="Deep thought.", text="Answer"))
    result = ask(env, "--show-thinking", "hi")
    assert result.code == 0, result
    assert result.out == b"Answer\n"
    assert "Deep thought." in result.err
    assert "\x1b" not in result.err and "\x9b" not in result.err, repr(result.err)


def test_json_prints_only_the_final_message(env, server):
    server.enqueue(Reply(thinking="Deep thought.", text=["Ans", "wer"], id="msg_io_1"))
    result = ask(env, "--json", "hi")
    assert (result.code, result.err) == (0, ""), result
    message = json.loads(result.out)  # the whole of stdout is one JSON document
    assert (message["type"], message["role"], message["id"]) == ("message", "assistant", "msg_io_1")
    assert [b["type"] for b in message["content"]] == ["thinking", "text"]
    assert message["content"][0]["thinking"] == "Deep thought."
    assert message["content"][1]["text"] == "Answer"
    assert message["stop_reason"] == "end_turn"


def test_usage_is_one_line_on_stderr(env, server):
    server.enqueue(Reply(text="Answer", usage={"input_tokens": 1234, "output_tokens": 567,
                                               "cache_read_input_tokens": 89}))
    result = ask(env, "--usage", "hi")
    assert result.code == 0 and result.out == b"Answer\n", result
    assert len(result.err_lines) == 1, result.err
    line = result.err_lines[0]
    assert re.search(r"\b1[,_ .]?234\b", line) and re.search(r"\b567\b", line), line
    assert re.search(r"\b89\b", line), line
    assert "end_turn" in line, line
    assert re.search(r"\d+(\.\d+)?\s?s\b", line), line


def test_max_tokens_stop_warns_how_to_raise_the_limit(env, server):
    server.enqueue(Reply(text="Cut here", stop_reason="max_tokens"))
    result = ask(env, "--max-tokens", "100", "hi")
    assert result.code == 0, result
    assert result.out == b"Cut here\n"
    assert len(result.err_lines) == 1, result.err
    assert "--max-tokens" in result.err_lines[0]


@pytest.mark.parametrize(("asked", "hint"), [
    ("20000", "ask for more room with --max-tokens 32000"),  # doubled, but no further than the model goes
    ("32000", "the most claude-opus-4-1 writes in one reply; ask it to go on where it stopped, "
              "or for a shorter answer"),
])
def test_max_tokens_hint_never_offers_more_than_the_model_writes(env, server, asked, hint):
    server.enqueue(Reply(text="Cut here", stop_reason="max_tokens", model="claude-opus-4-1"))
    result = ask(env, "-m", "claude-opus-4-1", "--max-tokens", asked, "hi")
    assert result.code == 0, result
    joint = "; " if hint.startswith("ask") else ", "
    cut = f"the reply was cut off at max_tokens ({int(asked):,})"
    assert result.err_lines == [f"claudechat: {cut}{joint}{hint}"]


def test_stop_sequence_is_named(env, server):
    server.enqueue(Reply(text="Stopped", stop_reason="stop_sequence", stop_sequence="END"))
    result = ask(env, "--stop", "END", "hi")
    assert result.code == 0, result
    assert result.out == b"Stopped\n"
    assert len(result.err_lines) == 1, result.err
    assert "END" in result.err_lines[0]


# -- on a terminal ------------------------------------------------------------------------------

HOSTILE = ["Hello ", "\x1b]52;c;aGFjaw==\x07", "world ", "\x1b[2J", "safe ", "\x9b31m", "text ",
           "\x1b]0;title\x07", "end"]
WORDS = r"Hello.*world.*safe.*text.*end"
C1 = r"[\x80-\x9f\udc80-\udc9f]"  # C1 controls (8-bit CSI, OSC, ...), as UTF-8 or as raw bytes
# A terminal view may draw with escape codes of its own (colour, cursor moves, hiding the cursor):
# what the user reads is what is left without them.
_OWN_CSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")


def visible(screen: str) -> str:
    return _OWN_CSI.sub("", screen).replace("\r", "")


def assert_no_hostile(screen: str, *, colour: bool) -> None:
    """None of HOSTILE's sequences reached the terminal; without colour, no escape code at all."""
    assert not re.search(C1, screen), repr(screen)  # no 8-bit CSI or other C1 control
    if not colour:
        assert "\x1b" not in screen, repr(screen)
    assert "\x1b]" not in screen, repr(screen)  # no OSC: no clipboard write, no title
    assert "\x1b[2J" not in screen and "\x1b[31m" not in screen, repr(screen)


def test_the_reply_is_shown_on_a_terminal(env, server):
    server.enqueue(Reply(text=["Hello ", "terminal"]))
    result = run_pty(env, "hi")
    assert result.code == 0, result
    assert "Hello terminal" in visible(result.out), repr(result.out)


@pytest.mark.parametrize(("framing", "colour"), [
    ("pieces", True), ("split", True), ("no-stream", True), ("split", False),
], ids=["pieces-xterm", "split-xterm", "no-stream-xterm", "split-NO_COLOR"])
def test_hostile_escape_sequences_never_reach_the_terminal(env, server, framing, colour):
    if framing == "split":  # the server cuts the text every 4 characters: sequences straddle deltas
        server.enqueue(Reply(text="".join(HOSTILE), chunking="bytes"))
    else:  # each sequence in a delta of its own
        server.enqueue(Reply(text=HOSTILE))
    result = run_pty(env if colour else {**env, "NO_COLOR": "1"},
                     *(["--no-stream"] if framing == "no-stream" else []), "hi")
    assert result.code == 0, result
    assert_no_hostile(result.out, colour=colour)
    assert_no_hostile(result.err, colour=colour)
    assert re.search(WORDS, visible(result.out), re.S), repr(result.out)


@pytest.mark.parametrize("colour", [True, False], ids=["xterm", "NO_COLOR"])
def test_hostile_thinking_never_reaches_the_terminal(env, server, colour):
    server.enqueue(Reply(thinking=["Think ", *HOSTILE], text="Answer"))
    result = run_pty(env if colour else {**env, "NO_COLOR": "1"}, "--show-thinking", "hi")
    assert result.code == 0, result
    assert_no_hostile(result.out, colour=colour)
    assert_no_hostile(result.err, colour=colour)
    assert re.search("Think " + WORDS, visible(result.out + result.err), re.S), result


def test_thinking_is_dimmed_on_a_stderr_terminal(env, server):
    server.enqueue(Reply(thinking="Deep thought.", text="Answer"))
    result = run_pty(env, "--show-thinking", "hi", stdout_tty=False)  # stdout a pipe, stderr a pty
    assert result.code == 0, result
    assert result.out == "Answer\n"
    assert "Deep thought." in visible(result.err), result
    assert "\x1b[2m" in result.err.partition("Deep")[0], repr(result.err)  # dim is on before it


def test_show_thinking_goes_to_stderr_when_stdout_is_a_terminal_too(env, server):
    server.enqueue(Reply(thinking="Deep thought.", text="Answer"))
    result = run_pty(env, "--show-thinking", "hi")
    assert result.code == 0, result
    assert "Answer" in visible(result.out), repr(result.out)
    assert "Deep thought." in visible(result.err), repr(result.err)
    assert "Deep thought." not in visible(result.out), repr(result.out)


@pytest.mark.parametrize(("extra_env", "args"), [
    ({"NO_COLOR": "1"}, ()),
    ({"TERM": "dumb"}, ()),
    ({}, ("--plain",)),
], ids=["NO_COLOR", "TERM=dumb", "--plain"])
def test_no_escape_codes_at_all_without_colour(env, server, extra_env, args):
    server.enqueue(Reply(thinking="Deep thought.", text="Answer", usage={"input_tokens": 3}))
    result = run_pty({**env, **extra_env}, *args, "--show-thinking", "--usage", "hi")
    assert result.code == 0, result
    assert "Deep thought." in result.err and "Answer" in result.out, result
    screen = result.out + result.err
    assert "\x1b" not in screen and not re.search(C1, screen), result


# == startup ==========================================================================================


@pytest.mark.parametrize("args", [("--version",), ("ask", "--help")], ids=["version", "ask-help"])
def test_version_and_help_do_not_import_the_network_or_the_ui(clean_env, args):
    done = subprocess.run([sys.executable, "-X", "importtime", *CLI[1:], *args], env=clean_env,
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT)
    assert done.returncode == 0, done
    assert done.stdout.strip(), done
    modules = [line.rsplit("|", 1)[-1].strip()
               for line in done.stderr.decode().splitlines() if line.startswith("import time:")]
    assert "claudechat.cli" in modules  # importtime did report
    heavy = [m for m in modules if m.split(".")[0] in ("httpx", "prompt_toolkit")]
    assert heavy == []


@pytest.mark.parametrize(("args", "loads_sqlite"), [(("--no-save",), False), ((), True)],
                         ids=["no-save", "saved"])
def test_sqlite_is_loaded_only_when_the_history_is_kept(env, server, args, loads_sqlite):
    """--no-save has no use for SQLite (~1 MB of memory, a few ms); a kept reply needs it."""
    server.enqueue(Reply(text="Answer"))
    done = subprocess.run([sys.executable, "-X", "importtime", *CLI[1:], "ask", *args, "hi"], env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT)
    assert done.returncode == 0, done
    assert done.stdout.decode().strip() == "Answer"
    modules = [line.rsplit("|", 1)[-1].strip()
               for line in done.stderr.decode().splitlines() if line.startswith("import time:")]
    assert "claudechat.cli" in modules  # importtime did report
    assert ("sqlite3" in modules) is loads_sqlite, modules
