"""Keys typed ahead, while a reply still streams: Enter sends them once the reply is done,
as it does at the prompt, and nothing of them is lost or turned into a new line."""

from __future__ import annotations

from helpers.fake_server import Reply
from helpers.received import plain, posts, user, wait_for_bodies


def test_a_question_typed_with_enter_while_a_reply_streams_is_sent_after_it(server, spawn):
    server.enqueue(Reply(text="Alpha.", stall_after=4), Reply(text="The second answer."))
    term = spawn()
    term.say("first question")
    term.wait_text("Alph")  # streaming: the server holds the rest back
    term.send("next question\r")  # typed ahead, Enter included
    server.release()
    term.wait(lambda: len(posts(server)) == 2, "the second request")
    term.wait_prompt(after="The second answer.")
    second = wait_for_bodies(server, 2)[1]["messages"]
    assert plain(second)[-1] == user("next question")  # sent as typed: no line break added


def test_an_editor_that_reads_a_line_gets_enter_as_the_shell_gives_it(server, spawn, tmp_path):
    script = tmp_path / "line-editor"  # an editor that reads one line from the terminal
    script.write_text('#!/bin/sh\nprintf "editing> "\nread -r line\nprintf "%s" "$line" > "$1"\n')
    script.chmod(0o755)
    server.enqueue(Reply(text="Got it."))
    term = spawn(VISUAL=str(script))
    term.say("/edit")
    term.wait_text("editing>")
    term.send("written in the editor\r")  # Enter ends the editor's line, as in the shell
    term.wait_prompt(after="Got it.")
    assert plain(wait_for_bodies(server, 1)[0]["messages"]) == [user("written in the editor")]
