"""blobs: attachment bytes out of content blocks and back, byte for byte.

What README.md's History section promises: image and PDF bytes are stored once
per content hash, however many messages carry them, and the stored blocks come
back exactly as the API first took them.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from typing import Any

import pytest

from claudechat.history import blobs

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 3
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def image(data: bytes = PNG) -> dict[str, Any]:
    return {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": b64(data)}}


def pdf(data: bytes = PDF) -> dict[str, Any]:
    return {"type": "document", "title": "paper", "citations": {"enabled": True},
            "source": {"type": "base64", "media_type": "application/pdf", "data": b64(data)}}


def dumped(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def round_trip(contents: Any) -> tuple[Any, dict[str, bytes], Any]:
    """(packed, the bytes kept aside, restored): the packed value goes through JSON
    text, as it does in the database."""
    kept: dict[str, bytes] = {}
    packed = blobs.pack(contents, kept)
    restored = blobs.restore(json.loads(dumped(packed)), dict(kept))
    return packed, kept, restored


def test_packing_then_restoring_gives_back_the_same_json_text_byte_for_byte():
    contents = [[image(), pdf(), {"type": "text", "text": "what are these? — ünïcödé 😀"}],
                [{"type": "text", "text": "two files"}]]
    before = dumped(contents)
    packed, kept, restored = round_trip(contents)
    assert dumped(contents) == before  # the blocks about to be sent are left alone
    assert dumped(restored) == before
    assert kept == {hashlib.sha256(PNG).hexdigest(): PNG, hashlib.sha256(PDF).hexdigest(): PDF}


def test_packed_blocks_hold_a_hash_instead_of_the_data_and_keep_every_other_key():
    packed, _, _ = round_trip([pdf()])
    (block,) = packed
    assert block["title"] == "paper" and block["citations"] == {"enabled": True}
    assert block["source"] == {"type": "base64", "media_type": "application/pdf",
                               "data": {"$blob": hashlib.sha256(PDF).hexdigest()}}
    assert b64(PDF) not in dumped(packed)


@pytest.mark.parametrize("data", [
    b64(PNG)[:76] + "\n" + b64(PNG)[76:],  # wrapped lines
    b64(b"hi").rstrip("="),                # padding left off
    "aGl=",                                # "hi" with non-zero spare bits (canonical: "aGk=")
    "not base64 at all!",
], ids=["line-break", "no-padding", "spare-bits", "not-base64"])
def test_data_that_would_not_encode_back_identically_stays_inline(data):
    block = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": data}}
    packed, kept, restored = round_trip([block])
    assert packed == [block]
    assert kept == {}
    assert restored == [block]


def test_other_sources_are_left_as_they_are():
    contents = [{"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}},
                {"type": "document", "source": {"type": "text", "media_type": "text/plain",
                                                "data": "plain doc"}}]
    packed, kept, restored = round_trip(contents)
    assert packed == contents and kept == {} and restored == contents


def test_images_inside_tool_results_are_stored_too():
    result = {"type": "tool_result", "tool_use_id": "toolu_1", "content": [
        {"type": "text", "text": "the screenshot:"}, image()]}
    before = dumped([result])
    packed, kept, restored = round_trip([result])
    assert list(kept) == [hashlib.sha256(PNG).hexdigest()]
    assert b64(PNG) not in dumped(packed)
    assert blobs.wanted(packed) == set(kept)
    assert dumped(restored) == before


def test_the_same_bytes_in_many_places_are_kept_once_under_one_hash():
    other = PNG + b"\x00"
    contents = [[image(), {"type": "text", "text": "again"}, image()],
                [{"type": "tool_result", "tool_use_id": "t", "content": [image()]}],
                [image(other)]]
    before = dumped(contents)
    packed, kept, restored = round_trip(contents)
    digest = hashlib.sha256(PNG).hexdigest()
    assert kept == {digest: PNG, hashlib.sha256(other).hexdigest(): other}
    assert dumped(packed).count(f'{{"$blob":"{digest}"}}') == 3
    assert blobs.wanted(packed) == set(kept)
    assert dumped(restored) == before


def test_restoring_needs_only_the_hashes_a_value_refers_to():
    packed, kept, _ = round_trip([[image()], [pdf()]])
    first = json.loads(dumped(packed[0]))
    wanted = blobs.wanted(first)
    assert wanted == {hashlib.sha256(PNG).hexdigest()}
    restored = blobs.restore(first, {h: kept[h] for h in wanted})
    assert restored == [image()]


def test_a_value_without_attachments_packs_to_an_equal_copy():
    contents = [{"type": "text", "text": "plain"}, {"type": "thinking", "thinking": "t", "signature": "s"}]
    kept: dict[str, bytes] = {}
    packed = blobs.pack(contents, kept)
    assert packed == contents and packed is not contents and kept == {}
    assert blobs.wanted(packed) == set()
    assert blobs.restore(copy.deepcopy(packed), {}) == contents
