"""render/recap.py: an exchange of a stored conversation, shortened or whole."""

from __future__ import annotations

import io

from rich.console import Console

from claudechat.conversation import Turn
from claudechat.render.recap import exchange

WIDTH = 100


def printed(renderables) -> list[str]:
    console = Console(file=io.StringIO(), width=WIDTH, color_system=None, markup=False, emoji=False)
    for renderable in renderables:
        console.print(renderable)
    return [line.rstrip() for line in console.file.getvalue().splitlines()]


def you(text: str) -> Turn:
    return Turn(role="user", content=[{"type": "text", "text": text}])


def claude(*content: dict, **fields) -> Turn:
    return Turn(role="assistant", content=list(content), model="claude-test",
                usage={"input_tokens": 12, "output_tokens": 34}, stop_reason="end_turn", **fields)


def text(value: str) -> dict:
    return {"type": "text", "text": value}


def test_the_last_exchange_is_your_message_the_reply_and_its_numbered_status():
    turns = [you("first"), claude(text("one")), you("second\nline two"), claude(text("two"))]
    assert printed(exchange(turns)) == ["› second", "  line two", "two",
                                        "#2 · claude-test · 12 in · 34 out · end_turn"]
    assert printed(exchange(turns, 1)) == ["› first", "one", "#1 · claude-test · 12 in · 34 out · end_turn"]


def test_a_long_reply_and_message_are_cut_with_the_count_of_rows_left_and_how_to_see_them():
    rows = [f"row {n}" for n in range(1, 41)]
    turns = [you("\n".join(rows)), claude(text("\n\n".join(rows)))]  # paragraphs: a blank row between
    out = printed(exchange(turns))
    cut_mine = out.index("… 36 more lines · /show 1 shows it all")  # 40 rows, the first 4 shown
    assert out[:cut_mine] == ["› row 1", "  row 2", "  row 3", "  row 4"]
    reply = out[cut_mine + 1:out.index("#1 · claude-test · 12 in · 34 out · end_turn")]
    assert [r for r in reply[:-1] if r] == rows[:len([r for r in reply[:-1] if r])]
    shown = len(reply) - 1
    assert reply[-1] == f"… {79 - shown} more lines · /show 1 shows it all"  # 40 rows + 39 blank ones
    whole = printed(exchange(turns, full=True))
    mine = [f"› {rows[0]}", *(f"  {r}" for r in rows[1:])]
    assert [r for r in whole if r.startswith(("› row", "  row"))] == mine
    assert rows[-1] in whole and not any(r.startswith("…") for r in whole)


def test_thinking_is_one_collapsed_line_and_other_blocks_are_notes():
    turns = [you("q"), claude({"type": "thinking", "thinking": "x" * 400, "signature": "s"},
                              {"type": "redacted_thinking", "data": "d"},
                              text("answer"), {"type": "tool_use", "id": "t", "name": "[b]look[/b]",
                                               "input": {}})]
    out = [line for line in printed(exchange(turns)) if line]
    assert out[1:5] == ["▸ Thought (~100 tokens) · /expand 1 shows it",
                        "▸ Redacted thinking (encrypted by the API)", "answer", "▸ tool call: [b]look[/b]"]
    unseen = [you("q"), claude({"type": "thinking", "thinking": "", "signature": "s"}, text("answer"))]
    assert [line for line in printed(exchange(unseen)) if line][1] == "▸ Thought"  # nothing to expand
    hidden = [line for line in printed(exchange(turns, thinking="hidden")) if line]  # thinking_display
    assert hidden[1:3] == ["answer", "▸ tool call: [b]look[/b]"]


def test_attachments_are_notes_and_outside_text_is_sanitised():
    turns = [Turn(role="user", content=[{"type": "image", "source": {"type": "url", "url": "https://x/y.png"}},
                                        text("what is \x1b]52;c;aGk=\x07this?")]),
             claude(text("a \x1b[2Jcleared [red]screen[/red]"))]
    out = printed(exchange(turns))
    assert out[:3] == ["› [image: https://x/y.png]", "  what is this?", "a cleared [red]screen[/red]"]


def test_an_unanswered_message_says_it_has_no_reply_and_an_empty_one_shows_nothing():
    out = printed(exchange([you("first"), claude(text("one")), you("still waiting")]))
    assert out[-2:] == ["› still waiting", "(no reply was saved)"]
    assert printed(exchange([])) == []


def test_an_interrupted_or_declined_reply_says_so_under_its_status():
    cut = claude(text("Half"), interrupted=True)
    assert printed(exchange([you("q"), cut]))[-1] == \
        "(interrupted: the reply stopped here; what arrived is kept)"
    refused = Turn(role="assistant", content=[text("No.")], stop_reason="refusal")
    assert printed(exchange([you("q"), refused]))[-2:] == [
        "#1 · refusal", "(declined: the model refused; this exchange is not sent back to it)"]


def test_plain_shows_the_replys_text_as_it_came_as_the_plain_chat_prints_replies():
    turns = [you("q"), claude(text("# Heading\n\nSome *emphasis*."))]
    assert printed(exchange(turns, plain=True))[1:4] == ["# Heading", "", "Some *emphasis*."]
    assert "# Heading" not in printed(exchange(turns))  # rendered where the chat renders


def test_the_status_line_gives_the_cost_and_a_reply_cut_short_costs_at_least_that():
    def price(turn: Turn) -> str:
        return f"${turn.usage['output_tokens'] / 1000:.3f}"  # any figure: the recap shows what it is given

    done = claude(text("All of it."))
    assert printed(exchange([you("q"), done], price=price))[-1] == \
        "#1 · claude-test · 12 in · 34 out · $0.034 · end_turn"
    cut = Turn(role="assistant", content=[text("Half")], model="claude-test", usage={"input_tokens": 12,
               "output_tokens": 1}, interrupted=True)  # no stop reason: its final usage never came
    assert printed(exchange([you("q"), cut], price=price))[-2] == \
        "#1 · claude-test · 12 in · 1 out · at least $0.001"


def test_a_searched_reply_shows_its_search_in_one_line_its_text_marked_and_its_sources():
    call = {"type": "server_tool_use", "id": "s1", "name": "web_search", "input": {"query": "cats"}}
    result = {"type": "web_search_tool_result", "tool_use_id": "s1",
              "content": [{"type": "web_search_result", "url": "https://a/", "title": "A",
                           "encrypted_content": "e"}]}
    cited = {"type": "text", "text": "great", "citations": [
        {"type": "web_search_result_location", "url": "https://a/", "title": "A", "encrypted_index": "i",
         "cited_text": "great"}]}
    out = printed(exchange([you("cats?"), claude(call, result, text("Cats are "), cited, text("."))]))
    assert out == ["› cats?", "▸ web search “cats”: 1 result", "", "Cats are great[1].", "",
                   "[1] A — https://a/", "#1 · claude-test · 12 in · 34 out · end_turn"]
