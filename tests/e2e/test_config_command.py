"""`claudechat config path|show|init|edit` (issue 14), through the real CLI: where the file
is, the starter it writes (mode 0600, never over a file without --force), every effective
setting with where it came from and no key whole, and an edit checked by the loader that
is offered again when it fails (like `crontab -e`)."""

from __future__ import annotations

import json
import re
import stat
import sys
from pathlib import Path

from helpers.cli import KEY, run_cli
from helpers.pty_terminal import pexpect_child

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"


def default_path(env: dict[str, str]) -> Path:
    return Path(env["XDG_CONFIG_HOME"]) / "claudechat" / "config.toml"


# -- path ------------------------------------------------------------------------------------


def test_path_prints_the_default_location_and_says_when_there_is_no_file(clean_env):
    result = run_cli(clean_env, "config", "path")
    assert result.code == 0 and result.out.decode() == f"{default_path(clean_env)}\n"
    assert result.err_lines == ["claudechat: there is no file there yet: `claudechat config init` "
                                "writes a commented one"]


def test_path_follows_claudechat_config(clean_env, tmp_path):
    mine = tmp_path / "mine.toml"
    mine.write_text("", "utf-8")
    result = run_cli({**clean_env, "CLAUDECHAT_CONFIG": str(mine)}, "config", "path")
    assert (result.code, result.out.decode(), result.err) == (0, f"{mine}\n", "")


# -- init ------------------------------------------------------------------------------------


def test_init_writes_the_commented_starter_with_mode_0600(clean_env):
    result = run_cli(clean_env, "config", "init")
    path = default_path(clean_env)
    assert result.code == 0 and result.out == b"", result
    assert result.err_lines == [f"claudechat: wrote {path} (mode 0600; every setting commented out): "
                                f"`claudechat config edit` to change it"]
    assert path.read_text("utf-8") == EXAMPLE.read_text("utf-8")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    shown = run_cli(clean_env, "-p", "anthropic", "config", "show")  # the starter loads: all defaults
    assert shown.code == 0 and "\tfile" not in shown.out.decode(), shown


def test_init_never_replaces_a_file_without_force(clean_env):
    path = default_path(clean_env)
    path.parent.mkdir(parents=True)
    path.write_text('model = "mine"\n', "utf-8")
    result = run_cli(clean_env, "config", "init")
    assert (result.code, result.out) == (2, b"")
    assert result.err_lines == [f"claudechat: {path} exists already: `claudechat config edit` changes it, "
                                f"`claudechat config init --force` replaces it with the starter"]
    assert path.read_text("utf-8") == 'model = "mine"\n'
    forced = run_cli(clean_env, "config", "init", "--force")
    assert forced.code == 0 and path.read_text("utf-8") == EXAMPLE.read_text("utf-8")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# -- show ------------------------------------------------------------------------------------


def shown(result) -> dict[str, tuple[str, str]]:
    assert result.code == 0, result
    return {row[0]: (row[1], row[2]) for row in result.rows}


def test_show_says_where_each_setting_came_from(clean_env, config, tmp_path):
    env = config({**clean_env, "ANTHROPIC_API_KEY": KEY, "CLAUDECHAT_BASE_URL": "http://127.0.0.1:9"}, """
default_profile = "work"
max_tokens = 2000
system = "top"
[profiles.work]
base_url = "https://example.invalid"
auth = "x-api-key"
api_key_env = "ANTHROPIC_API_KEY"
system = "work's"
""")
    rows = shown(run_cli(env, "config", "show", "-m", "claude-opus-5-5"))
    path = env["CLAUDECHAT_CONFIG"]
    assert rows["profile"] == ("work", "file (default_profile)")
    assert rows["model"] == ("claude-opus-5-5", "flag")
    assert rows["base_url"] == ("http://127.0.0.1:9", "environment CLAUDECHAT_BASE_URL")
    assert rows["system"] == ("work's", "profile work (file)")
    assert rows["max_tokens"] == ("2000", "file")
    assert rows["idle_timeout"] == ("60.0", "default")
    assert rows["key"] == ("sk-…3a91", "environment ANTHROPIC_API_KEY")
    result = run_cli(env, "config", "show")
    assert result.err_lines == [f"claudechat: config file: {path}"]


def test_show_of_a_built_in_profile_and_a_flag_given_before_the_command(clean_env):
    env = {**clean_env, "ACEDATA_API_TOKEN": "ace-0123456789abcdef"}
    rows = shown(run_cli(env, "--effort", "high", "config", "show"))
    assert rows["profile"] == ("acedata", "default (the first built-in profile whose key is set: "
                                          "ACEDATA_API_TOKEN)")
    assert rows["base_url"] == ("https://api.acedata.cloud", "profile acedata (built in)")
    assert rows["effort"] == ("high", "flag")
    assert rows["key"] == ("ace…cdef", "environment ACEDATA_API_TOKEN")


def test_show_with_no_key_anywhere_shows_the_first_built_in_profile_and_how_to_set_a_key(clean_env):
    rows = shown(run_cli(clean_env, "config", "show"))
    assert rows["profile"] == ("acedata", "none chosen, as no key is set: the first built-in profile shown")
    assert rows["key"] == ("(none)", "set ACEDATA_API_TOKEN")


def test_show_on_a_terminal_is_a_table_and_plain_gives_the_lines(clean_env):
    env = {**clean_env, "ANTHROPIC_API_KEY": KEY, "CLAUDECHAT_MODEL": "claude-opus-5-5"}
    child = pexpect_child(env, "config", "show")
    text = re.sub(r"\x1b\[[0-9;]*m", "", child.read())  # colour and bold
    child.close()
    assert child.exitstatus == 0, text
    assert re.search(r"setting +value +from", text)
    assert re.search(r"model +claude-opus-5-5 +environment CLAUDECHAT_MODEL", text)
    child = pexpect_child(env, "config", "show", "--plain")
    text = child.read()
    child.close()
    assert "model\tclaude-opus-5-5\tenvironment CLAUDECHAT_MODEL\r\n" in text and "\x1b" not in text


def test_config_alone_prints_its_help(clean_env):
    result = run_cli(clean_env, "config")
    assert result.code == 0 and result.err == "", result
    assert all(f"  {name}  " in result.out.decode() for name in ("path", "show", "init", "edit"))


def test_show_never_prints_a_key_whole(clean_env, config):
    secret = "sk-ant-api03-FILE-SECRET-zz99"
    env = config(clean_env, f"""
default_profile = "inline"
[profiles.inline]
base_url = "https://user:PASSWORD@example.invalid"
auth = "bearer"
api_key = "{secret}"
api_key_command = "echo {secret}"
""")
    for args in (("config", "show"), ("config", "show", "--json")):
        result = run_cli(env, *args)
        assert result.code == 0, result
        text = result.out.decode() + result.err
        assert "SECRET" not in text and "PASSWORD" not in text
    data = json.loads(run_cli(env, "config", "show", "--json").out)["settings"]
    assert data["api_key"] == {"value": "sk-…zz99", "source": "profile inline (file)"}
    assert data["api_key_command"]["value"] == "(set; not run)"
    assert data["base_url"]["value"] == "https://…@example.invalid"
    assert data["key"] == {"value": "(from api_key_command; not run)", "source": "api_key_command"}


def test_show_of_a_broken_file_is_one_line(clean_env, config):
    env = config({**clean_env, "ANTHROPIC_API_KEY": KEY}, "modle = 'x'\n")
    result = run_cli(env, "config", "show")
    assert (result.code, result.out) == (2, b""), result
    assert result.err_lines == [f"claudechat: {env['CLAUDECHAT_CONFIG']}: unknown setting 'modle' "
                                f"(did you mean 'model'?)"]


# -- edit ------------------------------------------------------------------------------------

EDITOR = """\
import sys
from pathlib import Path
count = Path(sys.argv[0]).with_suffix(".count")
n = int(count.read_text()) if count.exists() else 0
count.write_text(str(n + 1))
versions = {versions!r}
Path(sys.argv[1]).write_text(versions[min(n, len(versions) - 1)], "utf-8")
"""


def editor(tmp_path: Path, *versions: str) -> tuple[str, Path]:
    """An editor that writes versions[0] the first time it runs, versions[1] the second, …;
    returns VISUAL and the file counting its runs."""
    script = tmp_path / "editor.py"
    script.write_text(EDITOR.format(versions=list(versions)), "utf-8")
    return f"{sys.executable} {script}", script.with_suffix(".count")


def runs(count: Path) -> int:
    return int(count.read_text()) if count.exists() else 0


def test_a_bad_edit_is_offered_again_and_the_fixed_one_saved(clean_env, tmp_path):
    path = default_path(clean_env)
    path.parent.mkdir(parents=True)
    path.write_text('model = "claude-opus-5-5"\n', "utf-8")
    visual, count = editor(tmp_path, 'model = "claude-opus-5-5\n', 'model = "claude-fable-5-2"\n')
    result = run_cli({**clean_env, "VISUAL": visual}, "config", "edit", stdin=b"\n")
    assert result.code == 0, result
    assert runs(count) == 2
    lines = result.err_lines
    assert lines[0].startswith(f"claudechat: {path}: invalid TOML: "), lines
    assert lines[1:] == [f"edit again? [Y/n] claudechat: saved {path}"]
    assert path.read_text("utf-8") == 'model = "claude-fable-5-2"\n'
    assert [p.name for p in path.parent.iterdir()] == ["config.toml"]  # no copy left behind


def test_a_declined_edit_leaves_the_file_and_keeps_the_edit(clean_env, tmp_path):
    path = default_path(clean_env)
    path.parent.mkdir(parents=True)
    path.write_text("max_retries = 2\n", "utf-8")
    visual, count = editor(tmp_path, "max_retries = 99\n")
    result = run_cli({**clean_env, "VISUAL": visual}, "config", "edit", stdin=b"n\n")
    assert result.code == 2 and runs(count) == 1, result
    [copy] = [p for p in path.parent.iterdir() if p != path]
    assert result.err_lines == [
        f"claudechat: {path}: max_retries must be an integer from 0 to 10 (got 99)",
        f"edit again? [Y/n] claudechat: {path} is unchanged; your edit is kept in {copy}"]
    assert path.read_text("utf-8") == "max_retries = 2\n"
    assert copy.read_text("utf-8") == "max_retries = 99\n"


def test_editing_a_missing_file_starts_from_the_starter_and_saves_0600(clean_env, tmp_path):
    visual, _ = editor(tmp_path, EXAMPLE.read_text("utf-8") + '\nmodel = "claude-haiku-5-5"\n')
    result = run_cli({**clean_env, "VISUAL": visual, "ANTHROPIC_API_KEY": KEY}, "config", "edit")
    path = default_path(clean_env)
    assert result.code == 0 and result.err_lines == [f"claudechat: saved {path}"], result
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert shown(run_cli({**clean_env, "ANTHROPIC_API_KEY": KEY}, "config", "show"))["model"] == (
        "claude-haiku-5-5", "file")


def test_an_edit_that_changes_nothing_writes_nothing(clean_env, tmp_path):
    script = tmp_path / "true.py"
    script.write_text("", "utf-8")
    result = run_cli({**clean_env, "VISUAL": f"{sys.executable} {script}"}, "config", "edit")
    path = default_path(clean_env)
    assert result.code == 0 and result.err_lines == [f"claudechat: no changes; {path} not written"]
    assert not path.exists() and list(path.parent.iterdir()) == []


def test_an_editor_that_is_not_installed_is_one_line(clean_env):
    result = run_cli({**clean_env, "VISUAL": "no-such-editor-xyz"}, "config", "edit")
    assert result.code == 2 and result.err_lines == [
        "claudechat: the editor (no-such-editor-xyz) cannot be run (No such file or directory): "
        "set VISUAL or EDITOR to an editor that is installed"], result
    assert list(default_path(clean_env).parent.iterdir()) == []


def test_an_edit_of_a_symlinked_config_replaces_the_target_and_keeps_the_link(clean_env, tmp_path):
    target = tmp_path / "dotfiles" / "claudechat.toml"
    target.parent.mkdir()
    target.write_text("max_retries = 2\n", "utf-8")
    path = default_path(clean_env)
    path.parent.mkdir(parents=True)
    path.symlink_to(target)
    visual, _ = editor(tmp_path, "max_retries = 3\n")
    result = run_cli({**clean_env, "VISUAL": visual}, "config", "edit")
    assert result.code == 0, result
    assert path.is_symlink() and target.read_text("utf-8") == "max_retries = 3\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["claudechat.toml"]
