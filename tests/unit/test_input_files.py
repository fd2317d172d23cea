"""input_files: bounded reads of what is attached, and the sizes its lines give."""

from __future__ import annotations

import io
import os

import pytest

from claudechat import input_files
from claudechat.errors import UsageError

LIMIT = 32 * 1024 * 1024  # the API's 32 MB per request (docs/PROTOCOL.md)


@pytest.mark.parametrize(("nbytes", "shown"), [
    (999, "999 bytes"), (3_200, "3.2 kB"), (999_499, "999 kB"), (999_500, "1.0 MB"),
    (40_000_000, "40 MB"), (4_300_000_000, "4.3 GB"), (120_000_000_000, "120 GB"),
])
def test_sizes_read_as_a_file_manager_shows_them(nbytes, shown):
    assert input_files.human_size(nbytes) == shown


def test_a_stream_over_the_limit_is_refused_having_read_one_byte_past_it():
    stream = io.BytesIO(b"a" * (LIMIT + 1000))
    with pytest.raises(UsageError, match="stdin: more than 32 MB piped in"):
        input_files.read_stream(stream)
    assert stream.tell() == LIMIT + 1


def test_a_stream_at_the_limit_is_read_whole():
    assert len(input_files.read_stream(io.BytesIO(b"a" * LIMIT))) == LIMIT


def test_a_file_over_the_limit_is_refused_by_its_size(tmp_path):
    # a sparse file over the limit: refused by its size, before a byte is read
    big = tmp_path / "big"
    with open(big, "wb") as f:
        f.truncate(LIMIT + 1)
    with pytest.raises(UsageError, match="the file is 34 MB; claudechat attaches at most 32 MB"):
        input_files.read_file(str(big))


def test_a_name_that_is_not_utf8_is_shown_with_its_bytes():
    name = os.fsdecode(b"caf\xe9.txt")
    assert input_files.display_name(name) == "caf\\xe9.txt"
    with pytest.raises(UsageError, match=r"caf\\xe9\.txt: no such file"):
        input_files.read_file(name)
