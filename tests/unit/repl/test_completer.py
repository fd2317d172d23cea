"""What Tab offers (README, "Typing"): slash commands, model names after /model (the
server's list, else the `models` setting), file paths after /image, /file, /save and @."""

from __future__ import annotations

from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from claudechat.repl import commands
from claudechat.repl.completer import ReplCompleter


def completions(text: str, models=lambda: ["claude-opus-4-7", "claude-sonnet-4-6"]):
    completer = ReplCompleter(models)
    return [c.text for c in completer.get_completions(Document(text, len(text)), CompleteEvent())]


def test_completion_of_commands_models_and_paths(tmp_path, monkeypatch):
    assert completions("/mo") == ["/model"]
    assert completions("/sav") == ["/save", "/save!"]  # /save! PATH writes over a file
    assert set(completions("/")) == {"/" + name for name in commands.COMMANDS}
    assert completions("/model claude-o") == ["claude-opus-4-7"]
    (tmp_path / "shot.png").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("x")
    monkeypatch.chdir(tmp_path)
    assert completions("/image sh") == ["ot.png"]
    assert completions("/save! sh") == ["ot.png"]
    assert completions("look at @no") == ["tes.txt"]
    assert completions("plain words") == []


def test_tab_on_a_folder_adds_its_slash_and_keeps_a_quote_open(tmp_path, monkeypatch):
    (tmp_path / "dir with space").mkdir()
    (tmp_path / "dir with space" / "inner.txt").write_text("x")
    (tmp_path / "docs").mkdir()
    (tmp_path / "my notes.txt").write_text("x")
    monkeypatch.chdir(tmp_path)
    assert completions('see @"dir w') == ['@"dir with space/']  # the quote stays open: go on inside
    assert completions('see @"dir with space/in') == ['@"dir with space/inner.txt"']  # a file closes it
    assert completions("see @dir") == ['@"dir with space/']  # a space: quoted for you
    assert completions("see @do") == ["cs/"]
    assert completions("see @my") == ['@"my notes.txt"']
