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
