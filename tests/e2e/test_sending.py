"""What is sent is what the user sees (issue 10, items 2 and 3), the chat on a pty against the
fake servers: thinking that came without a signature stays on screen and in the history but is
never sent back; /tokens counts the request the next message would send (a reply that ends in
whitespace included), says where there is no count, and reports a refused count as the server's
answer."""

from __future__ import annotations

import json

from helpers.cli import TOKEN, run_cli
from helpers.fake_server import FakeServer, Reply
from helpers.pty_terminal import PROMPT, Term
from helpers.received import assistant, plain, posts, user, wait_for_bodies

THOUGHT = "The user asks about tides. The moon pulls the sea twice a day."


def finish(term: Term, n: int) -> int:
    """Wait for the n-th finished reply of this session and the prompt under it; its row."""
    term.wait(lambda: term.text().count("end_turn") >= n, f"reply {n}")
    return term.wait_prompt(after="end_turn")


def said(term: Term, typed: str, row: int) -> str:
    """What the chat printed between the prompt line `› typed` and `row`, joined (lines wrap)."""
    return " ".join(line for line in term.between(f"{PROMPT} {typed}", row) if line)


def ace_chat(spawn, ace: FakeServer, *args: str) -> Term:
    """The chat on the built-in acedata profile (the Messages API), pointed at `ace`."""
    return spawn("--base-url", ace.url, *args, ANTHROPIC_API_KEY=None, ANTHROPIC_BASE_URL=None,
                 ACEDATA_API_TOKEN=TOKEN)


def counted(server: FakeServer) -> list[dict]:
    return [r.json for r in server.requests if r.path == "/v1/messages/count_tokens"]


# -- item 2: thinking without a signature ----------------------------------------------------------


def test_unsigned_thinking_is_shown_and_kept_but_not_sent_back(ace, spawn, env):
    ace.enqueue(Reply(thinking=THOUGHT, text="Twice a day.", unsigned=True),
                Reply(text="Because of the moon."), Reply(text="The moon, again."))
    term = ace_chat(spawn, ace)
    term.say("How often are there tides?")
    row = finish(term, 1)
    assert "Twice a day." in term.text()
    assert ("this server sent thinking without a signature: it is kept in the history, but not "
            "sent back to the model (the API would refuse it)") in said(term, "How often", row)
    [first] = wait_for_bodies(ace, 1)

    term.say("Why?")
    row = finish(term, 2)
    assert "Because of the moon." in term.text()
    assert "error" not in said(term, "Why?", row)
    second = wait_for_bodies(ace, 2)[1]
    # the reply goes back without the block the API cannot verify; nothing else changes
    assert second["messages"] == [*first["messages"], {"role": "assistant", "content": [
        {"type": "text", "text": "Twice a day."}]}, {"role": "user", "content": [
            {"type": "text", "text": "Why?"}]}]
    assert "without a signature" not in said(term, "Why?", row)  # said once per conversation

    term.say("/retry")
    finish(term, 3)
    assert "The moon, again." in term.text()
    assert wait_for_bodies(ace, 3)[2]["messages"] == second["messages"]  # the same prefix again

    term.say("/expand 1")
    row = term.wait_prompt(after="twice a day.")
    assert "The user asks about tides." in said(term, "/expand 1", row)
    assert len(posts(ace)) == 3
    term.send("\x04")
    assert term.exit_status() == 0

    ace_env = {**env, "ACEDATA_API_TOKEN": TOKEN}
    ace_env.pop("ANTHROPIC_API_KEY")
    exported = run_cli(ace_env, "history", "export", "last", "--format", "json")
    assert exported.code == 0, exported.err
    stored = json.loads(exported.out)["messages"]
    assert stored[1]["content"][0] == {"type": "thinking", "thinking": THOUGHT}  # kept as it came


def test_a_reply_that_is_only_unsigned_thinking_says_the_model_will_not_see_it(ace, spawn):
    ace.enqueue(Reply(thinking=THOUGHT, text=[], unsigned=True), Reply(text="Tides come twice a day."))
    term = ace_chat(spawn, ace)
    term.say("How often are there tides?")
    row = finish(term, 1)
    assert ("this reply is only thinking, which the server sent without a signature: it is kept in the "
            "history, but the model will not see it; ask again for an answer") in \
        said(term, "How often", row)
    term.say("Please answer.")
    finish(term, 2)
    assert "Tides come twice a day." in term.text()
    sent = wait_for_bodies(ace, 2)[1]["messages"]
    assert "thinking" not in json.dumps(sent)  # nothing unsigned goes back: the request is taken


# -- item 3: /tokens ---------------------------------------------------------------------------------


def test_tokens_after_a_reply_ending_in_whitespace_counts_the_next_request(server, spawn):
    question, answer = "How long is a piece of string, exactly?", "Twice the distance from the middle.\n\n"
    server.enqueue(Reply(text=answer), Reply(text="Measured from the middle."))
    term = spawn()
    term.say(question)
    finish(term, 1)
    term.say("/tokens")
    row = term.wait_prompt(after="/tokens")
    # the fake server counts characters // 4 + 1: the question and the reply without its "\n\n"
    expected = (len(question) + len(answer.rstrip())) // 4 + 1
    assert said(term, "/tokens", row).startswith(
        f"{expected} input tokens in the next request, before your message · $")
    [count] = counted(server)
    assert plain(count["messages"]) == [user(question), assistant(answer.rstrip())]

    term.say("And the middle?")
    finish(term, 2)
    sent = wait_for_bodies(server, 2)[1]
    # the next request is the counted one with the reply as it came, then the new message
    assert sent["messages"][:1] == count["messages"][:1]
    assert plain(sent["messages"]) == [user(question), assistant(answer), user("And the middle?")]
    assert {k: sent.get(k) for k in ("model", "system", "thinking", "output_config", "tools")} == \
        {k: count.get(k) for k in ("model", "system", "thinking", "output_config", "tools")}


def test_tokens_on_a_chat_completions_profile_is_not_available_and_sends_nothing(ace, chat_env, spawn):
    ace.enqueue(Reply(text="Hi there.", thinking="A greeting; greet back."))
    term = spawn("--profile", "ace", ACEDATA_API_TOKEN=TOKEN, CLAUDECHAT_CONFIG=chat_env["CLAUDECHAT_CONFIG"])
    term.say("hello")
    term.wait_prompt(after="Hi there.")
    assert "Thought for" in term.text()
    assert "signature" not in term.text()  # this API has none and sends no thinking back: nothing to say
    term.say("/tokens")
    row = term.wait_prompt(after="/tokens")
    assert said(term, "/tokens", row) == ("/tokens: not available on this API (chat-completions has no "
                                          "token count); /cost shows the tokens each reply used")
    assert [r.path for r in ace.requests] == ["/v1/chat/completions"]


def test_a_count_the_server_refuses_is_reported_as_its_answer(server, spawn, tmp_path):
    retired = "claude-3-haiku-20240307"  # the server answers 404 "model: <id>" (docs/API-2026.md §1b)
    notes = tmp_path / "notes.txt"
    notes.write_text("some notes\n", "utf-8")
    term = spawn("--model", retired)
    term.say(f"/file {notes}")
    term.wait_prompt(after="notes.txt")
    term.say("/tokens")
    row = term.wait_prompt(after="/tokens")
    line = said(term, "/tokens", row)
    assert line.startswith(f"the server refused the count: HTTP 404 not_found_error: model: {retired}")
    assert "cannot count" not in line
    assert len(counted(server)) == 1


def test_ask_continuing_a_conversation_with_unsigned_thinking_leaves_it_out(ace, clean_env):
    ace.enqueue(Reply(thinking=THOUGHT, text="Twice a day.", unsigned=True), Reply(text="The moon."))
    ace_env = {**clean_env, "ACEDATA_API_TOKEN": TOKEN}
    first = run_cli(ace_env, "ask", "--base-url", ace.url, "How often are there tides?")
    assert (first.code, first.out) == (0, b"Twice a day.\n"), first.err
    assert first.err_lines == ["claudechat: this server sent thinking without a signature: it is kept in "
                               "the history, but not sent back to the model (the API would refuse it)"]
    second = run_cli(ace_env, "ask", "--base-url", ace.url, "-c", "Why?")
    assert (second.code, second.out) == (0, b"The moon.\n"), second.err
    assert "signature" not in second.err  # said once per conversation
    sent = wait_for_bodies(ace, 2)[1]["messages"]
    assert plain(sent) == [user("How often are there tides?"), assistant("Twice a day."), user("Why?")]
    assert "thinking" not in json.dumps(sent)
