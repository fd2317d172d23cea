"""Issue 11's long chat: the real chat on a pty, on `claude-opus-5-5`, against the fake server
that binds each thinking block to everything before it (docs/API-2026.md §2: an edited prefix
is a 400 "bound to a different conversation"). The chat changes its system prompt, switches
model and back, undoes, retries, and is resumed the next day (a new process, -c). Not one
request may be refused, and what went out once must go out the same again."""

from __future__ import annotations

from helpers.fake_server import FakeServer, Reply
from helpers.pty_terminal import Term
from helpers.received import posts, wait_for_bodies

OPUS, SONNET = "claude-opus-5-5", "claude-sonnet-5-5"


def replies(*texts: str) -> list[Reply]:
    return [Reply(text=text, thinking=f"Thinking about: {text}") for text in texts]


def answered(term: Term, text: str) -> None:
    """The reply `text` is on screen and the prompt is back under it."""
    term.wait_text(text)
    term.wait_prompt(after=text)


def prefix_kept(bodies: list[dict]) -> None:
    """Each request starts with everything the one before it sent, up to its last user
    message: nothing already sent was edited (a /retry or /undo only drops from the end)."""
    for earlier, later in zip(bodies, bodies[1:], strict=False):
        assert later["system"] == earlier["system"]
        kept = earlier["messages"][:-1]
        assert later["messages"][:len(kept)] == kept


def test_a_long_chat_on_opus_5_5_never_sees_a_400(server: FakeServer, spawn) -> None:
    server.enqueue(*replies("Answer one.", "Answer two.", "Answer three.", "Answer four.",
                           "Answer four, again.", "Answer four, retried.", "Answer five."))
    term = spawn("-m", OPUS, "-s", "Be careful.")
    term.say("first question")
    answered(term, "Answer one.")

    term.say("/system Be brief.")  # mid-conversation: appended, the start stays as it was
    term.wait_prompt(after="after your next message")
    term.say("second question")
    answered(term, "Answer two.")

    term.say(f"/model {SONNET}")
    term.wait_prompt(after=f"model: {SONNET}")
    term.say("third question")
    answered(term, "Answer three.")
    term.say(f"/model {OPUS}")
    term.wait_prompt(after=f"model: {OPUS}")
    term.say("fourth question")
    answered(term, "Answer four.")

    term.say("/undo")
    term.wait_prompt(after="/undo", typed="fourth question")  # back in the input line
    term.say("")
    answered(term, "Answer four, again.")
    term.say("/retry")
    answered(term, "Answer four, retried.")
    term.send("\x04")
    assert term.exit_status() == 0

    nextday = spawn("-c")  # another process: the conversation comes back from the history
    nextday.say("fifth question")
    answered(nextday, "Answer five.")

    bodies = wait_for_bodies(server, 7)
    assert len(posts(server)) == 7  # seven requests, each answered: no 400, no retry of a 400
    assert "error" not in term.text().lower() and "error" not in nextday.text().lower()
    assert [b["model"] for b in bodies] == [OPUS, OPUS, SONNET, OPUS, OPUS, OPUS, OPUS]
    assert all(b["system"] == "Be careful." for b in bodies)  # the top-level prompt never edited
    second = bodies[1]["messages"]
    assert [m["role"] for m in second] == ["user", "assistant", "user", "system"]
    assert second[3]["content"] == [{"type": "text", "text": "Be brief."}]
    # every reply's thinking goes back with its signature, untouched
    sent_back = [block for m in bodies[6]["messages"] if m["role"] == "assistant"
                 for block in m["content"] if block["type"] == "thinking"]
    assert len(sent_back) == 4 and all(block["signature"] for block in sent_back)
    # /undo and /retry dropped only from the end; so the retried request is the undone one again
    assert bodies[5]["messages"] == bodies[4]["messages"] == bodies[3]["messages"]
    prefix_kept(bodies[:4])
    prefix_kept([bodies[3], bodies[6]])
