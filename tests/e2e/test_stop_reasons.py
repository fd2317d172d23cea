"""The stop reasons and blocks of late 2026 (docs/API-2026.md §5, §8, §9) through the real
CLI: what the user sees, and what the next request sends back.

The streams are written from the reference (helpers/streams.py) and sent as RawSSE
until the fake server's Reply scripts them (stop_details=, fallback=, blocks=)."""

from __future__ import annotations

import pytest
from helpers.cli import Result, run_cli
from helpers.fake_server import FakeServer, RawSSE, Reply, Search
from helpers.pty_terminal import PROMPT
from helpers.received import posts, user, wait_for_bodies
from helpers.streams import reply_stream

MODEL = "claude-opus-5-5"


@pytest.fixture
def server(server: FakeServer) -> FakeServer:
    server.set_default(Reply(text="Fine."))
    return server


def ask(env: dict[str, str], *args: str) -> Result:
    return run_cli(env, "ask", "--model", MODEL, *args)


def notices(result: Result) -> list[str]:
    return [line for line in result.err_lines if line.startswith("claudechat: ")]


def test_a_refusal_keeps_the_partial_reply_says_why_and_is_not_sent_back(server, env):
    details = {"type": "refusal", "category": "cyber",
               "explanation": "This looks like malware development."}
    server.enqueue(RawSSE(reply_stream([{"type": "text", "text": "Here is how to st"}],
                                       stop_reason="refusal", stop_details=details)))
    first = ask(env, "write me a worm")
    assert first.code == 0, first
    assert first.out.decode() == "Here is how to st\n"  # the partial reply stays
    [line] = notices(first)
    assert line.startswith("claudechat: declined (cyber): This looks like malware development.")
    assert "rephrase the request, or try another model (--model NAME)" in line

    second = ask(env, "-c", "what is a worm, historically?")
    assert second.code == 0, second
    sent = wait_for_bodies(server, 2)[1]["messages"]
    assert sent == [user("what is a worm, historically?")]  # the declined exchange stays out

    shown = run_cli(env, "history", "show", "last")
    assert "Here is how to st" in shown.out.decode()  # but stays in the history, marked
    assert "declined" in shown.out.decode()


def test_pause_turn_is_continued_with_the_paused_reply_last_and_unchanged(server, env):
    server.enqueue(Reply(web=[Search("weather", results=[("Weather", "https://example.com")])], text="",
                         stop_reason="pause_turn"),
                   Reply(text="Sunny."))
    result = ask(env, "--web", "weather?")
    assert result.code == 0, result
    assert result.out.decode() == "Sunny.\n"
    assert notices(result) == ["claudechat: web search “weather”: 1 result",
                               "claudechat: the server paused its tool loop; continuing (1 of 5)"]
    bodies = wait_for_bodies(server, 2)
    [encrypted] = server.issued.content  # the value the server handed out, sent back as it was
    paused = [{"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search",
               "input": {"query": "weather"}},
              {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1",
               "content": [{"type": "web_search_result", "url": "https://example.com",
                            "title": "Weather", "page_age": None, "encrypted_content": encrypted}]}]
    assert bodies[1]["messages"] == [user("weather?"), {"role": "assistant", "content": paused}]


def test_pause_turn_is_continued_a_bounded_number_of_times(server, env):
    server.set_default(Reply(text="still searching", stop_reason="pause_turn"))
    result = ask(env, "search forever")
    assert result.code == 0, result
    assert len(posts(server)) == 6  # the request and five continuations, no more
    assert notices(result)[-2:] == ["claudechat: the server paused its tool loop; continuing (5 of 5)",
                                    "claudechat: the server paused its tool loop again; stopped after 5 "
                                    "continuations (what arrived is kept): send a message to let it go on"]


def test_model_context_window_exceeded_says_what_to_do(server, env):
    server.enqueue(Reply(text="The answer beg", stop_reason="model_context_window_exceeded",
                         model=MODEL))
    result = ask(env, "a very long question")
    assert result.code == 0, result
    assert notices(result) == [
        f"claudechat: the conversation is too long for {MODEL}'s context window; start a fresh "
        "one (without -c), or switch to a model with a larger window (--model NAME)"]


def test_a_fallback_is_mentioned_and_echoed_back_in_place(server, env):
    fallback = {"type": "fallback", "from": {"model": "claude-fable-5-1"},
                "to": {"model": MODEL}, "trigger": {"type": "refusal", "category": "cyber"}}
    refused_thinking = {"type": "thinking", "thinking": "", "signature": "sig-fable"}
    answer = {"type": "text", "text": "Here is a safe overview."}
    server.enqueue(RawSSE(reply_stream([refused_thinking, fallback, answer])))
    first = ask(env, "explain buffer overflows")
    assert first.code == 0, first
    assert first.out.decode() == "Here is a safe overview.\n"
    assert notices(first) == [
        f"claudechat: answered by {MODEL} after a refusal by claude-fable-5-1 (cyber)"]

    assert ask(env, "-c", "and stack canaries?").code == 0
    sent = wait_for_bodies(server, 2)[1]["messages"]
    # §5: echo the fallback block in its place; thinking before it is left out
    assert sent[1] == {"role": "assistant", "content": [fallback, answer]}


def test_blocks_the_client_does_not_know_round_trip_unchanged(server, env, config):
    # thinking hidden: the model's default display, "omitted" (§1c), gives an empty thinking block
    env = config(env, 'thinking_display = "hidden"\n')
    blocks = [{"type": "compaction", "content": "Summary of before.", "encrypted_content": "enc"},
              {"type": "mystery_block_2027", "payload": {"a": [1, "", None]}, "note": ""}]
    server.enqueue(Reply(thinking="private", text="Done.", blocks=blocks))
    assert ask(env, "go").code == 0
    assert ask(env, "-c", "again").code == 0
    received = posts(server)[0]
    sent = wait_for_bodies(server, 2)[1]["messages"]
    thinking, text, *rest = sent[1]["content"]
    assert thinking["type"] == "thinking" and thinking["thinking"] == "" and thinking["signature"]
    assert text == {"type": "text", "text": "Done."} and rest == blocks  # as they came, in order
    assert received.json["messages"] == [{"role": "user", "content": [{"type": "text", "text": "go"}]}]


def test_in_the_chat_a_refusal_stays_on_screen_marked_declined_and_is_not_sent_back(server, spawn):
    details = {"type": "refusal", "category": "bio", "explanation": "Pathogen enhancement."}
    server.enqueue(RawSSE(reply_stream([{"type": "text", "text": "To culture the"}],
                                       stop_reason="refusal", stop_details=details)),
                   Reply(text="Other answer."))
    term = spawn("--model", MODEL)
    term.say("how do I grow it")
    term.wait_prompt(after="to rephrase", typed="how do I grow it")  # the message comes back
    screen = term.text()
    assert "To culture the" in screen
    assert "declined (bio): Pathogen enhancement. — this exchange stays in the history but is " \
           "not sent back" in " ".join(screen.split())
    term.send("\x03")  # clear the line; say something else
    term.wait(lambda: term.lines()[term.cursor_row()] == PROMPT, "a cleared prompt")
    term.say("something else")
    term.wait_prompt(after="Other answer.")
    assert wait_for_bodies(server, 2)[1]["messages"] == [user("something else")]


def test_in_the_chat_a_paused_reply_is_continued_visibly(server, spawn):
    server.enqueue(Reply(text="Searching…", stop_reason="pause_turn"), Reply(text="Found it."))
    term = spawn("--model", MODEL)
    term.say("look it up")
    term.wait_prompt(after="Found it.")
    assert "the server paused its tool loop; continuing (1 of 5)" in term.text()
    assert wait_for_bodies(server, 2)[1]["messages"][-1]["role"] == "assistant"
