"""The command line as a shell user meets it (issue 14): words that are not a command are a
prompt (`claudechat what is 2+2`), a misspelt command still gets "did you mean", no key
says where one comes from (and offers --demo), the chat starts with one dim line, and
shell completion: the scripts for bash, zsh and fish, and bash itself asking for
completions (commands, profiles of the config, models of the cached list, conversation
ids). The real CLI against the fake server, the chat on a pseudo-terminal, bash in a
subprocess."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.cli import KEY, run_cli
from helpers.fake_server import Reply, model_info
from helpers.pty_terminal import PROMPT, Term, chat_env
from helpers.received import posts, text_of

ROOT = Path(__file__).resolve().parents[2]
TEXT = "Four."


def sent_prompt(server) -> str:
    [request] = posts(server)
    return text_of(request.json["messages"][-1]["content"])


# -- a bare prompt --------------------------------------------------------------------------


@pytest.mark.parametrize("words", [["what", "is", "2+2"], ["what is 2+2"]], ids=["words", "quoted"])
def test_words_that_are_not_a_command_are_asked(env, server, words):
    server.enqueue(Reply(text=TEXT))
    result = run_cli(env, *words)
    assert (result.code, result.err, result.out) == (0, "", (TEXT + "\n").encode())
    assert sent_prompt(server) == "what is 2+2"


def test_options_before_a_bare_prompt_apply_to_it_as_to_ask(env, server):
    server.enqueue(Reply(text=TEXT))
    result = run_cli(env, "-m", "claude-haiku-5-5", "-s", "Be brief.", "what is 2+2", "--max-tokens", "300")
    assert (result.code, result.err) == (0, "")
    [request] = posts(server)
    assert (request.json["model"], text_of(request.json["system"]), request.json["max_tokens"]) == (
        "claude-haiku-5-5", "Be brief.", 300)


def test_a_quoted_prompt_may_start_with_a_command_word(env, server):
    server.enqueue(Reply(text=TEXT))
    result = run_cli(env, "history of rome in one line")
    assert (result.code, result.err) == (0, "")
    assert sent_prompt(server) == "history of rome in one line"


def test_a_prompt_that_starts_with_a_command_runs_it_and_says_how_to_ask_instead(env, server):
    result = run_cli(env, "history", "of", "rome")
    assert (result.code, result.out) == (2, b"")
    [line] = result.err_lines
    assert "No such command 'of'" in line and "claudechat ask history …" in line
    assert posts(server) == []


@pytest.mark.parametrize(("args", "command"), [
    (["histroy"], "history"), (["histroy", "list"], "history"), (["aks", "hi"], None),
    (["asks", "what", "is", "2+2"], "ask"), (["compleiton", "bash"], "completion"),
])
def test_a_misspelt_command_gets_did_you_mean_and_nothing_is_sent(env, server, args, command):
    server.enqueue(Reply(text=TEXT))
    result = run_cli(env, *args)
    if command is None:  # too far from any command: a prompt
        assert result.code == 0 and sent_prompt(server) == " ".join(args)
        return
    assert (result.code, result.out) == (2, b"")
    [line] = result.err_lines
    assert f"No such command '{args[0]}' — did you mean {command}?" in line
    assert f"claudechat ask {args[0]}" in line
    assert posts(server) == []


# -- no key ---------------------------------------------------------------------------------


def test_ask_without_any_key_says_where_keys_come_from_and_offers_the_demo(clean_env):
    result = run_cli(clean_env, "what is 2+2")
    assert (result.code, result.out) == (2, b"")
    [line] = result.err_lines
    for expected in ("$ANTHROPIC_API_KEY", "https://console.anthropic.com", "$ACEDATA_API_TOKEN",
                     "https://platform.acedata.cloud", "claudechat --demo"):
        assert expected in line


def test_ask_with_a_builtin_profile_but_no_key_names_its_variable_and_the_acquire_step(clean_env):
    result = run_cli(clean_env, "-p", "acedata", "ask", "hi")
    assert (result.code, result.out) == (2, b"")
    [line] = result.err_lines
    assert "no API key for profile 'acedata': set $ACEDATA_API_TOKEN" in line
    assert "Acquire (a free starting quota)" in line and "claudechat --demo" in line
    assert "ANTHROPIC_API_KEY" not in line


def test_the_chat_without_any_key_says_how_to_get_one_for_each_profile(clean_env):
    term = Term([], chat_env(clean_env))
    try:
        term.wait_text("--demo")
        assert term.exit_status() == 2
        shown = term.text()
    finally:
        term.close()
    assert "No API key yet." in shown
    assert "https://console.anthropic.com" in shown and "export ANTHROPIC_API_KEY=" in shown
    assert "https://platform.acedata.cloud" in shown and "Acquire (a free starting quota)" in shown
    assert "export ACEDATA_API_TOKEN=" in shown
    assert "Or try it without a key: claudechat --demo" in shown
    assert "Traceback" not in shown and PROMPT not in shown


def test_the_chat_with_a_profile_of_the_config_but_no_key_names_its_variable(clean_env, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('[profiles.work]\nbase_url = "https://llm.example"\nauth = "bearer"\n'
                      'api_key_env = "WORK_KEY"\n', "utf-8")
    term = Term(["-p", "work"], chat_env({**clean_env, "CLAUDECHAT_CONFIG": str(config)}))
    try:
        term.wait_text("--demo")
        assert term.exit_status() == 2
        shown = [line for line in term.lines() if line]
    finally:
        term.close()
    assert shown == ["claudechat: No API key for profile 'work'.",
                     "  Set $WORK_KEY (the api_key_env of profile 'work').",
                     "  Or set api_key_env or api_key_command in [profiles.work] of",
                     f"    {config}",
                     "  Or try it without a key: claudechat --demo"]


# -- the chat's first line ------------------------------------------------------------------


def test_the_chat_starts_with_one_dim_line_profile_model_and_help(spawn):
    term = spawn("-m", "claude-haiku-5-5")
    lines = [line for line in term.lines() if line.strip()]
    assert lines == ["anthropic · claude-haiku-5-5 · /help for commands", PROMPT]
    assert "\x1b[2manthropic · claude-haiku-5-5" in term.raw  # dim


# -- completion -----------------------------------------------------------------------------


@pytest.mark.parametrize(("shell", "marks"), [
    ("bash", ["complete -o default -F _claudechat_completion claudechat",
              "_CLAUDECHAT_COMPLETE=complete_bash"]),
    ("zsh", ["#compdef claudechat", "_CLAUDECHAT_COMPLETE=complete_zsh"]),
    ("fish", ["complete --command claudechat", "_CLAUDECHAT_COMPLETE=complete_fish"]),
])
def test_completion_prints_the_script_for_each_shell(clean_env, shell, marks):
    result = run_cli(clean_env, "completion", shell)
    assert (result.code, result.err) == (0, "")
    script = result.out.decode()
    for mark in marks:
        assert mark in script
    program = shutil.which(shell)
    if program:  # the shell itself finds no syntax error in it
        checked = subprocess.run([program, "-n"], input=script, text=True, capture_output=True)
        assert (checked.returncode, checked.stderr) == (0, "")


def test_completion_for_an_unknown_shell_is_one_line(clean_env):
    result = run_cli(clean_env, "completion", "tcsh")
    assert (result.code, result.out) == (2, b"")
    [line] = result.err_lines
    assert "no completion for 'tcsh': choose bash, zsh or fish" in line


@pytest.fixture
def bash_complete(clean_env, tmp_path):
    """complete(line) -> what bash, with `claudechat completion bash` sourced, offers for
    the last word of `line` (the real script, the real `claudechat` on PATH)."""
    if shutil.which("bash") is None:
        pytest.skip("no bash")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "claudechat"
    wrapper.write_text(f"#!/bin/sh\nexec {sys.executable} -m claudechat \"$@\"\n")
    wrapper.chmod(0o755)
    env = {**clean_env, "PATH": f"{bin_dir}:{clean_env.get('PATH', '')}", "PYTHONPATH": str(ROOT)}
    script = tmp_path / "claudechat.bash"
    script.write_text(run_cli(env, "completion", "bash").out.decode())

    def complete(line: str, extra_env: dict[str, str] | None = None) -> list[str]:
        words = line.split(" ")
        program = (f"source {script}\nCOMP_WORDS=({' '.join(repr(w) for w in words)})\n"
                   f"COMP_CWORD={len(words) - 1}\n_claudechat_completion claudechat\n"
                   'printf "%s\\n" "${COMPREPLY[@]}"\n')
        done = subprocess.run(["bash", "--norc", "--noprofile", "-c", program],
                              env={**env, **(extra_env or {})}, capture_output=True, text=True, timeout=60)
        assert (done.returncode, done.stderr) == (0, "")
        return [w for w in done.stdout.splitlines() if w]

    complete.env = env
    return complete


def test_bash_completes_commands_and_options(bash_complete):
    assert bash_complete("claudechat hi") == ["history"]
    assert set(bash_complete("claudechat ")) >= {"ask", "history", "completion"}
    assert "--max-tokens" in bash_complete("claudechat ask --max")
    assert bash_complete("claudechat completion f") == ["fish"]


def test_bash_completes_profile_names_from_the_config(bash_complete, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('[profiles.work]\nbase_url = "https://llm.example"\nauth = "bearer"\n'
                      'api_key_env = "WORK_KEY"\n', "utf-8")
    offered = bash_complete("claudechat --profile ", {"CLAUDECHAT_CONFIG": str(config)})
    assert offered == ["acedata", "anthropic", "work"]
    assert bash_complete("claudechat ask -p w", {"CLAUDECHAT_CONFIG": str(config)}) == ["work"]


def test_bash_completes_models_from_the_list_the_server_gave(bash_complete, server, spawn):
    for name in ("claude-zephyr-9-1", "claude-zephyr; rm -rf ~"):  # the second never reaches a shell
        server.models.append(model_info(name, "Claude Zephyr 9.1", "2026-11-01T00:00:00Z",
                                        enabled_thinking=False, adaptive_thinking=True, efforts=("low",)))
    term = spawn()  # the chat's Tab after /model asks for the list, which is cached
    term.send("/model claude-zep\t")
    term.wait(lambda: "claude-zephyr-9-1" in term.text(), "the model completed in the chat")
    term.close()
    asked = len(server.requests)
    assert bash_complete("claudechat -m claude-zep") == ["claude-zephyr-9-1"]
    assert "claude-sonnet-5-5" in bash_complete("claudechat ask --model claude-s")  # the known ones too
    assert len(server.requests) == asked  # completion never asks the server


def test_bash_completes_conversation_ids(bash_complete, server):
    env = {**bash_complete.env, "ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": server.url}
    server.enqueue(Reply(text=TEXT))
    assert run_cli(env, "what is 2+2").code == 0
    [stored] = json.loads(run_cli(env, "history", "list", "--json").out)
    cid = stored["id"]
    assert bash_complete(f"claudechat history show {cid[:3]}") == [cid]
    assert set(bash_complete("claudechat history rm ")) == {cid, "last"}
    assert bash_complete(f"claudechat --cid {cid[:2]}") == [cid]


def test_completion_creates_no_history(bash_complete, tmp_path):
    assert bash_complete("claudechat history show ") == []
    assert not list((tmp_path / "data").rglob("history.db"))


def test_fish_shows_each_conversation_title_literally(bash_complete, server):
    env = {**bash_complete.env, "ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": server.url}
    server.enqueue(Reply(text=TEXT))
    title = "why does [/] and [bold]x fail with $(date)?"
    assert run_cli(env, title).code == 0
    [stored] = json.loads(run_cli(env, "history", "list", "--json").out)
    asked = {**env, "_CLAUDECHAT_COMPLETE": "complete_fish", "_TYPER_COMPLETE_FISH_ACTION": "get-args",
             "_TYPER_COMPLETE_ARGS": "claudechat history show "}
    done = subprocess.run([sys.executable, "-m", "claudechat"], env=asked, capture_output=True, text=True,
                          timeout=60)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines() == ["last\tthe most recent", f"{stored['id']}\t{stored['title']}"]
    assert "[/]" in stored["title"]
