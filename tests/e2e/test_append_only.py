"""Append-only conversations through the real CLI and the chat on a pty (docs/API-2026.md
§2, §3): a changed system prompt edits nothing already sent, /edit-last and /undo only drop
from the end, and a reply cut at max_tokens in the chat says how to get more room."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.cli import Result, run_cli
from helpers.fake_server import FakeServer, Reply
from helpers.received import assistant, plain, user, wait_for_bodies


# The fake server answers `role: "system"` with a 400 until the SERVER part of issue 11
# teaches it §3; these tests then pass, and strict xfail makes that visible.
@pytest.fixture
def server(server: FakeServer) -> FakeServer:
    server.set_default(Reply(text="Fine."))
    return server


def ask(env: dict[str, str], *args: str) -> Result:
    result = run_cli(env, "ask", *args)
    assert "Traceback" not in result.err
    return result


def system(text: str) -> dict:
    return {"role": "system", "content": [{"type": "text", "text": text}]}


def editor(folder: Path, script: str) -> str:
    folder.mkdir(exist_ok=True)
    path = folder / "fake-editor"
    path.write_text("#!/bin/sh\n" + script + "\n", "utf-8")
    path.chmod(0o755)
    return str(path)


def test_continue_with_a_new_system_prompt_on_a_model_without_system_messages(server, env):
    model = "claude-sonnet-4-6"  # takes no system messages and binds no thinking to the prefix
    assert ask(env, "--model", model, "-s", "Be terse.", "one").code == 0
    second = ask(env, "--model", model, "-c", "-s", "Be verbose.", "two")
    assert second.code == 0, second
    [line] = second.err_lines
    assert line.startswith(f"claudechat: system prompt set: {model} takes no system messages "
                           "mid-conversation, so the top-level one was changed")
    assert wait_for_bodies(server, 2)[1]["system"] == "Be verbose."


def test_continue_with_a_new_system_prompt_appends_a_system_message(server, env):
    model = "claude-opus-5-5"
    assert ask(env, "--model", model, "-s", "Be terse.", "one").code == 0
    second = ask(env, "-c", "-s", "Answer in French.", "two")
    assert second.code == 0, second
    assert second.err_lines == [
        "claudechat: system prompt set: it goes out as a system message after your next "
        "message (the conversation's start stays as it was)"]
    sent = wait_for_bodies(server, 2)[1]
    assert sent["system"] == "Be terse."  # the prefix is not edited
    assert plain(sent["messages"]) == [user("one"), assistant("Fine."), user("two"),
                                       system("Answer in French.")]
    third = ask(env, "-c", "three")  # kept, in its place, without -s
    assert (third.code, third.err) == (0, ""), third
    assert plain(wait_for_bodies(server, 3)[2]["messages"])[3] == system("Answer in French.")


def test_edit_last_resends_the_edited_message_in_place_of_the_last_exchange(server, spawn, tmp_path):
    server.enqueue(Reply(text="One reply."), Reply(text="Two reply."), Reply(text="Edited reply."))
    script = 'printf "%s, edited\\n" "$(cat "$1")" > "$1.new" && mv "$1.new" "$1"'
    term = spawn(EDITOR=editor(tmp_path / "bin", script), VISUAL=None)
    term.say("one")
    term.wait_prompt(after="One reply.")
    term.say("two")
    term.wait_prompt(after="Two reply.")
    term.say("/edit-last")
    term.wait_prompt(after="Edited reply.")
    assert "two, edited" in term.text()  # what is sent is shown
    sent = wait_for_bodies(server, 3)[2]["messages"]
    assert plain(sent) == [user("one"), assistant("One reply."), user("two, edited")]


def test_a_reply_cut_at_max_tokens_in_the_chat_says_how_to_get_more_room(server, spawn):
    server.enqueue(Reply(text="The start of", stop_reason="max_tokens"))
    term = spawn("--max-tokens", "300")
    term.say("tell me everything")
    term.wait_prompt(after="/set max_tokens 600")
    assert "the reply was cut off at max_tokens (300)" in term.text()


def test_system_undo_and_retry_in_the_chat_only_append(server, spawn):
    server.enqueue(Reply(text="One reply."), Reply(text="Two reply."), Reply(text="Two again."),
                   Reply(text="Three reply."))
    term = spawn("--model", "claude-opus-5-5", "-s", "Be terse.")
    term.say("one")
    term.wait_prompt(after="One reply.")
    term.say("/system Answer in French.")
    term.wait_prompt(after="system prompt set")
    term.say("two")
    term.wait_prompt(after="Two reply.")
    term.say("/retry")
    term.wait_prompt(after="Two again.")
    term.say("/undo")
    term.wait_prompt(after="/undo", typed="two")
    term.say(" three")
    term.wait_prompt(after="Three reply.")
    bodies = wait_for_bodies(server, 4)
    start = [user("one"), assistant("One reply.")]
    assert plain(bodies[1]["messages"]) == [*start, user("two"), system("Answer in French.")]
    assert bodies[2]["messages"] == bodies[1]["messages"]  # /retry: the same prefix again
    assert plain(bodies[3]["messages"]) == [*start, user("two three"), system("Answer in French.")]
    assert {b["system"] for b in bodies} == {"Be terse."}
