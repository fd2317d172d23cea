"""The SSE decoder: any split of the byte stream gives the same events."""

from __future__ import annotations

import pytest
from helpers.fixtures import fixture_bytes, sse_fixtures

from claudechat.api.sse import MAX_EVENT, ServerSentEvent, SSEDecoder
from claudechat.errors import MalformedStream

ALL_FIXTURES = sse_fixtures()


def decode(*chunks: bytes) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    events = []
    for chunk in chunks:
        events.extend(decoder.feed(chunk))
    return events + decoder.flush()


def test_fixtures_are_present():
    assert len(ALL_FIXTURES) >= 7


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_every_split_point_gives_the_same_events(name):
    data = fixture_bytes(name)
    whole = decode(data)
    assert whole, "the fixture decodes to events"
    for i in range(len(data) + 1):
        assert decode(data[:i], data[i:]) == whole, f"split at byte {i}"


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_one_byte_at_a_time(name):
    data = fixture_bytes(name)
    assert decode(*(data[i : i + 1] for i in range(len(data)))) == decode(data)


@pytest.mark.parametrize("eol", [b"\r\n", b"\r"])
@pytest.mark.parametrize("name", ["rich_stream.sse", "openai_rich.sse"])
def test_crlf_and_cr_line_ends(name, eol):
    data = fixture_bytes(name)
    converted = data.replace(b"\n", eol)
    expected = decode(data)
    assert decode(converted) == expected
    assert decode(*(converted[i : i + 1] for i in range(len(converted)))) == expected


def test_utf8_character_split_across_reads():
    text = "Привет 😀 — done"
    raw = f"data: {text}\n\n".encode()
    cut = raw.index("😀".encode()) + 2  # inside the four-byte emoji
    assert decode(raw[:cut], raw[cut:]) == [ServerSentEvent("message", text)]


def test_event_fields_comments_and_multiline_data():
    raw = (
        b": a comment\n"
        b"event: custom\n"
        b"data: first\n"
        b"data:second\n"
        b"data:  two spaces\n"
        b"id: 7\n"
        b"retry: 1500\n"
        b"unknown: field\n"
        b"\n"
    )
    assert decode(raw) == [ServerSentEvent("custom", "first\nsecond\n two spaces", id="7", retry=1500)]


def test_only_cr_and_lf_end_lines():
    raw = "data: a\u2028b\u0085c\n\n".encode()
    assert decode(raw) == [ServerSentEvent("message", "a\u2028b\u0085c")]


def test_crlf_split_between_reads_counts_once():
    # If the CR and LF were two line ends, the LF would make a blank line and
    # dispatch "a" alone.
    assert decode(b"data: a\r", b"\ndata: b\r\n\r\n") == [ServerSentEvent("message", "a\nb")]


def test_leading_bom_is_dropped_even_when_split():
    raw = b"\xef\xbb\xbfdata: x\n\n"
    assert decode(raw) == [ServerSentEvent("message", "x")]
    assert decode(raw[:1], raw[1:2], raw[2:]) == [ServerSentEvent("message", "x")]


def test_blank_lines_without_data_dispatch_nothing_and_reset_the_event_name():
    assert decode(b"event: ping\n\n\ndata: y\n\n") == [ServerSentEvent("message", "y")]


def test_invalid_utf8_becomes_replacement_character():
    assert decode(b"data: a\xffb\n\n") == [ServerSentEvent("message", "a\ufffdb", invalid_utf8=True)]


def test_end_of_stream_keeps_complete_lines_and_drops_a_partial_one():
    assert decode(b'event: message_stop\ndata: {"type":"message_stop"}\n') == [
        ServerSentEvent("message_stop", '{"type":"message_stop"}')
    ]
    assert decode(b"data: complete\n\ndata: {\"half") == [ServerSentEvent("message", "complete")]


TRICKY = [b"event: a\ndata: 1\n\n", b"data: x\n\n", b": comment\nevent: b\ndata: 2\n\n",
          b"event: c\ndata: 3\ndata: 4\n\n", b"id: 7\nevent: d\ndata: 5\n\n", b"event: e\ndata: 6\n\n",
          b"retry: 10\ndata: 7\n\n", b"event: \ndata: 8\n\n", b"\n\nevent: f\ndata: 9\n\n\n",
          b"event: g\n\n", b"data: z\n\n", b"event:h\ndata:10\n\n", b"event: i\ndata: 11\n\n"]


@pytest.mark.parametrize("reads", ["one-per-event", "all-at-once", "pairs"])
def test_reads_of_whole_events_decode_as_byte_by_byte(reads):
    data = b"".join(TRICKY)
    expected = decode(*(data[i:i + 1] for i in range(len(data))))
    chunks = {"one-per-event": TRICKY, "all-at-once": [data],
              "pairs": [b"".join(TRICKY[i:i + 2]) for i in range(0, len(TRICKY), 2)]}[reads]
    assert decode(*chunks) == expected
    assert [(e.event, e.data) for e in expected][:3] == [("a", "1"), ("message", "x"), ("b", "2")]
    assert ("c", "3\n4") in [(e.event, e.data) for e in expected]
    assert [e.id for e in expected if e.data in ("5", "6")] == ["7", "7"]


# -- invalid UTF-8: replaced, and the event says so -----------------------------------------------


@pytest.mark.parametrize("reads", ["whole", "byte-by-byte", "crlf"])
def test_only_the_events_with_bytes_that_are_not_utf8_are_flagged(reads):
    data = b"event: a\ndata: fine \xc3\xa9\n\nevent: b\ndata: bad \xc3(\n\nevent: c\ndata: ok\n\n"
    if reads == "crlf":
        data = data.replace(b"\n", b"\r\n")
    chunks = [data[i:i + 1] for i in range(len(data))] if reads == "byte-by-byte" else [data]
    assert decode(*chunks) == [ServerSentEvent("a", "fine é"),
                               ServerSentEvent("b", "bad \ufffd(", invalid_utf8=True),
                               ServerSentEvent("c", "ok")]


def test_a_character_split_across_reads_is_not_invalid_utf8():
    raw = "data: 😀\n\n".encode()
    assert decode(raw[:8], raw[8:]) == [ServerSentEvent("message", "😀")]


def test_bad_bytes_in_a_comment_or_an_id_flag_nothing():
    assert decode(b": \xff\nid: \xfe\ndata: x\n\n") == [ServerSentEvent("message", "x", id="\ufffd")]


# -- an endless line: bounded ------------------------------------------------------------------------

MB = 1024 * 1024


def test_an_endless_line_ends_the_stream_once_it_passes_the_limit_and_keeps_nothing_of_it():
    decoder = SSEDecoder()
    assert decoder.feed(b"event: a\ndata: before\n\n") == [ServerSentEvent("a", "before")]
    piece = b"x" * MB
    fed = 0
    with pytest.raises(MalformedStream, match=f"a line over {MAX_EVENT // MB} MB"):
        decoder.feed(b"data: ")
        while True:
            decoder.feed(piece)
            fed += len(piece)
            assert fed <= MAX_EVENT + MB, "the decoder kept buffering past its limit"
    assert fed >= MAX_EVENT - MB  # not before the limit
    with pytest.raises(MalformedStream):  # the stream stays ended
        decoder.flush()


def test_events_completed_in_the_read_that_passes_the_limit_come_first():
    decoder = SSEDecoder()
    decoder.feed(b"data: " + b"y" * (MAX_EVENT - 10))
    events = decoder.feed(b"\n\nevent: b\ndata: kept\n\ndata: " + b"z" * (MAX_EVENT + 1))
    assert [(e.event, len(e.data)) for e in events] == [("message", MAX_EVENT - 10), ("b", 4)]
    with pytest.raises(MalformedStream, match="a line over"):
        decoder.feed(b"more")


def test_an_event_of_many_data_lines_is_bounded_too():
    decoder = SSEDecoder()
    line = b"data: " + b"x" * (MB - 1) + b"\n"
    with pytest.raises(MalformedStream, match=f"an event over {MAX_EVENT // MB} MB"):
        for _ in range(MAX_EVENT // MB + 2):
            assert decoder.feed(line) == []
    with pytest.raises(MalformedStream):
        decoder.feed(b"\n")
