"""@path, @"path", @@ and a dropped path: the parsing alone, with the question "is this
a file?" answered by a set of names (and once by the real file system)."""

from __future__ import annotations

from claudechat.repl.mentions import Mention, dropped_file, is_file, parse

FILES = {"notes.txt", "/tmp/shot one.png", "~/report.pdf", "a b.md"}


def parsed(text: str):
    result = parse(text, is_file=FILES.__contains__)
    return [(m.path, m.is_file) for m in result.mentions], result.text


def test_an_at_path_stays_in_the_text_and_trailing_punctuation_is_not_part_of_it():
    assert parsed("see @notes.txt, then answer") == ([("notes.txt", True)], "see @notes.txt, then answer")


def test_quoted_and_escaped_at_paths_may_hold_spaces():
    assert parsed('read @"a b.md" now') == ([("a b.md", True)], 'read @"a b.md" now')
    assert parsed(r"read @a\ b.md now")[0] == [("a b.md", True)]


def test_a_double_at_is_a_plain_at_and_an_email_is_no_mention():
    assert parsed("write @@home and mail me@example.com") == ([], "write @home and mail me@example.com")


def test_a_dropped_path_at_the_start_is_taken_out_of_the_text():
    assert parsed("'/tmp/shot one.png' what is this?") == ([("/tmp/shot one.png", True)], "what is this?")
    assert parsed("~/report.pdf sum it up") == ([("~/report.pdf", True)], "sum it up")
    assert dropped_file("/not/a/file hello", FILES.__contains__) is None
    assert dropped_file("/model claude", FILES.__contains__) is None  # a command stays a command


def test_a_missing_path_is_reported_as_such_and_only_a_pathlike_one_counts_as_a_mistake():
    mentions, _ = parsed("@missing.txt and @bob")
    assert mentions == [("missing.txt", False), ("bob", False)]
    assert Mention("missing.txt", False).looks_like_path
    assert Mention("./x", False).looks_like_path and Mention("~/x", False).looks_like_path
    assert not Mention("bob", False).looks_like_path


def test_a_home_that_cannot_be_expanded_is_no_file(tmp_path):
    assert not is_file("~claudechat-no-such-user/notes.txt")
    (tmp_path / "real.txt").write_text("x")
    assert is_file(str(tmp_path / "real.txt"))
    assert not is_file(str(tmp_path))
    assert parse("~claudechat-no-such-user said hi").mentions == []


def test_a_message_escaped_with_double_slash_has_no_dropped_path():
    assert parse("~/report.pdf is where", FILES.__contains__, dropped=False).mentions == []
    escaped = parse("~/report.pdf and @notes.txt", FILES.__contains__, dropped=False)
    assert [(m.path, m.dropped) for m in escaped.mentions] == [("notes.txt", False)]  # @paths still count
    assert [m.dropped for m in parse("~/report.pdf and @notes.txt", FILES.__contains__).mentions] == \
        [True, False]


def test_a_folder_is_a_folder_and_no_file(tmp_path):
    from claudechat.repl.mentions import is_dir

    (tmp_path / "f.txt").write_text("x")
    assert is_dir(str(tmp_path)) and not is_dir(str(tmp_path / "f.txt"))
    assert not is_dir("~claudechat-no-such-user/docs")
