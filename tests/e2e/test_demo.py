"""`claudechat --demo` and `ask --demo` (issue 14; README "Try it without a key: --demo"): the real
CLI with no key in its environment, against the server it starts itself on 127.0.0.1; the chat
on a pseudo-terminal, ask on a pipe. What the user sees is checked: every reply labelled
simulated, thinking, an image echoed as the server received it, a tool call, a 429 retried,
Ctrl-C keeping what arrived, and nothing written to the history unless asked."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from helpers.cli import run_cli
from helpers.images import png
from helpers.pty_terminal import PROMPT, Term, chat_env

LABEL = "Simulated reply: claudechat --demo"


@pytest.fixture
def keyless(clean_env: dict[str, str]) -> dict[str, str]:
    """No key, no base URL, no profile: a fresh machine (clean_env removes them all)."""
    assert not [k for k in clean_env if k.startswith(("ANTHROPIC_", "ACEDATA_", "CLAUDECHAT_"))]
    return clean_env


@pytest.fixture
def demo_chat(keyless: dict[str, str]):
    term = Term(["--demo"], chat_env(keyless))
    term.wait(lambda: term.lines()[term.cursor_row()] == PROMPT, "the first prompt")
    yield term
    term.close()


# -- ask --demo on a pipe ----------------------------------------------------------------------------


def test_ask_demo_answers_with_no_key_labelled_and_plain(keyless):
    result = run_cli(keyless, "ask", "--demo", "hello")
    assert result.code == 0, result
    text = result.out.decode()
    assert text.splitlines()[0] == f"*{LABEL}, no model and no network.*"
    assert "Try:" in text and "**markdown**" in text  # the tour's list, as Markdown source on a pipe
    assert "\x1b" not in text and result.err == ""


def test_demo_before_ask_is_passed_down_to_it(keyless):
    result = run_cli(keyless, "--demo", "ask", "show me markdown")
    assert result.code == 0, result
    assert "## A short Markdown tour" in result.out.decode()
    assert "def greet(name: str) -> str:" in result.out.decode()


def test_ask_demo_echoes_the_image_as_the_server_received_it(keyless, tmp_path):
    image = tmp_path / "red.png"
    image.write_bytes(png(3, 2))
    result = run_cli(keyless, "ask", "--demo", "--image", str(image), "what is this?")
    assert result.code == 0, result
    assert f"- an image: image/png, {image.stat().st_size:,} bytes" in result.out.decode()


def test_ask_demo_error_is_a_429_retried_then_the_reply(keyless):
    result = run_cli(keyless, "ask", "--demo", "show me an error")
    assert result.code == 0, result
    assert re.search(r"retrying in 1 s \(429 rate limited, attempt 2 of \d\)", result.err), result
    assert "this reply is what the retry got" in result.out.decode().replace("\n", " ")


def test_demo_conversations_stay_out_of_the_history_unless_saved(keyless):
    assert run_cli(keyless, "ask", "--demo", "first").code == 0
    listed = run_cli(keyless, "history", "list", "--plain")
    assert (listed.code, listed.out) == (0, b""), listed
    assert run_cli(keyless, "ask", "--demo", "--save", "kept on purpose").code == 0
    listed = run_cli(keyless, "history", "list", "--plain")
    assert listed.code == 0 and "kept on purpose" in listed.out.decode(), listed


def test_demo_takes_the_config_files_settings_but_not_its_profiles(keyless, config):
    env = config(keyless, """
default_profile = "work"
model = "claude-haiku-5-5"

[profiles.work]
base_url = "https://example.invalid"
auth = "bearer"
api_key_command = "exit 3"
""")
    result = run_cli(env, "ask", "--demo", "--json", "hello")
    assert result.code == 0, result
    message = json.loads(result.out)
    assert message["model"] == "claude-haiku-5-5"
    assert message["content"][-1]["text"].startswith(f"*{LABEL}")


@pytest.mark.parametrize("args, flags", [(["-p", "anthropic"], "-p/--profile"),
                                         (["--base-url", "http://127.0.0.1:9"], "--base-url"),
                                         (["-c"], "-c/--continue")])
def test_what_the_demo_decides_itself_is_refused_in_one_line(keyless, args, flags):
    result = run_cli(keyless, "--demo", *args, "ask", "hi")
    assert (result.code, result.out) == (2, b""), result
    assert result.err_lines == [f"claudechat: {flags} does not go with --demo (the demo runs its own "
                                "server, with no key and no history); leave one of them out"]


# -- the chat on a terminal ----------------------------------------------------------------------------


def test_demo_chat_a_turn_thinking_an_image_a_tool_call_and_ctrl_c(demo_chat, tmp_path):
    term = demo_chat
    term.say("hello")
    term.wait_prompt(after="end_turn")
    assert LABEL in term.text() and "Try:" in term.text()

    term.say("think about it")  # thinking is on by default for the default model
    term.wait_prompt(after="Say help for the whole tour.")
    assert re.search(r"▸ Thought for \d+\.\d s \(~\d+ tokens\)", term.text())

    image = tmp_path / "red.png"
    image.write_bytes(png(3, 2))
    term.say(f"@{image} what is this?")
    term.wait_prompt(after=f"an image: image/png, {image.stat().st_size} bytes")
    assert "".join(f"attached {image} (image/png, {image.stat().st_size} bytes)".split()) \
        in "".join(term.text().split())  # the path may wrap

    term.say("tool cats")  # web search is off: the tour says how to turn it on
    term.wait_prompt(after="then ask for a tool again")
    term.say("/web on")
    term.wait_prompt(after="web search: on")
    term.say("tool cats")
    term.wait_prompt(after="[1] A simulated result — https://example.com/one")
    assert "▸ web search “cats”: 2 results" in term.text()
    assert "the first result is the one to read[1]" in term.text()

    term.say("long")
    term.wait_text("Line 1 of a long reply")
    term.child.sendintr()
    row = term.wait_prompt(after="interrupted")
    assert "Line 8 of a long reply" not in "\n".join(term.lines()[:row])

    term.send("\x04")
    assert term.exit_status() == 0


@pytest.mark.parametrize("args", [("--version",), ("--help",), ("ask", "--help")])
def test_version_and_help_do_not_import_the_demo_server(keyless, args):
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "claudechat", *args], env=keyless,
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    assert done.returncode == 0 and b"claudechat" in done.stdout, done
    modules = [line.rsplit("|", 1)[-1].strip()
               for line in done.stderr.decode().splitlines() if line.startswith("import time:")]
    assert "claudechat.cli" in modules  # importtime did report
    assert [m for m in modules if m.startswith("claudechat.demo")] == []
