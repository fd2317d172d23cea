"""render/sections.py: what each content block looks like once it ends (`flush`), and
while it streams (`tail`), printed by a rich Console into a StringIO. Expected looks from
the README ("On a terminal": thinking in a dim panel titled "Thinking" that collapses to
one line such as `▸ Thought for 6.2 s (~1,240 tokens)`; "expanded" keeps the whole text,
"hidden" shows nothing; redacted thinking is a one-line note; a tool call is a panel with
the tool's name and its input) and the module's docstring."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console
from rich.markdown import Markdown

from claudechat.api.events import InputJsonDelta, TextDelta, ThinkingDelta
from claudechat.render.sections import section_for

WIDTH = 60


def printed(renderables) -> str:
    console = Console(file=io.StringIO(), width=WIDTH, color_system=None, highlight=False)
    for renderable in renderables:
        console.print(renderable)
    return console.file.getvalue()


def panel_body(out: str) -> list[str]:
    """The lines inside a panel, without its border and its one column of padding."""
    return [line.strip("│")[1:].rstrip() for line in out.splitlines()[1:-1]]


def section(block: dict, *deltas, thinking: str = "collapsed"):
    sec = section_for(block, thinking, "monokai")
    for delta in deltas:
        sec.feed(delta)
    sec.stop()
    return sec


THINKING = {"type": "thinking", "thinking": "", "signature": ""}
THOUGHT = "First I weigh the question.\nThen I answer it plainly."


def thought(display: str):
    return section(THINKING, *(ThinkingDelta(word + " ") for word in THOUGHT.split(" ")), thinking=display)


def test_collapsed_thinking_is_one_dim_line_with_the_time_and_a_token_estimate():
    out = printed(thought("collapsed").flush())
    assert re.fullmatch(r"▸ Thought for \d+\.\d s \(~\d[\d,]* tokens\)\n", out), out
    assert "weigh" not in out


def test_collapsed_thinking_with_no_text_gives_no_token_estimate():
    out = printed(section(THINKING).flush())
    assert re.fullmatch(r"▸ Thought for \d+\.\d s\n", out), out


def test_expanded_thinking_keeps_the_whole_text_in_a_panel_titled_thinking():
    out = printed(thought("expanded").flush())
    assert re.search(r"Thinking · \d+\.\d s", out.splitlines()[0])
    body = " ".join(panel_body(out))
    assert "First I weigh the question." in body and "Then I answer it plainly." in body


def test_hidden_thinking_shows_nothing_when_it_ends_and_only_a_word_while_it_streams():
    sec = thought("hidden")
    assert sec.flush() == []
    assert printed([sec.tail(10)]).strip() == "Thinking…"


def test_streaming_thinking_shows_its_last_lines_in_a_panel_titled_thinking():
    sec = section_for(THINKING, "collapsed", "monokai")
    for n in range(20):
        sec.feed(ThinkingDelta(f"thought {n}\n"))
    out = printed([sec.tail(24)])
    assert "Thinking" in out.splitlines()[0]
    assert "thought 19" in out and "thought 0\n" not in out and "thought 0 " not in out


def test_thinking_and_redacted_thinking_go_on_the_status_console_text_and_tools_do_not():
    assert section_for(THINKING, "collapsed", "monokai").on_status
    assert section_for({"type": "redacted_thinking", "data": "x"}, "collapsed", "monokai").on_status
    assert not section_for({"type": "text", "text": ""}, "collapsed", "monokai").on_status
    assert not section_for({"type": "tool_use", "name": "f", "input": {}}, "collapsed", "monokai").on_status


@pytest.mark.parametrize("display", ["collapsed", "expanded"])
def test_redacted_thinking_is_a_one_line_note(display):
    out = printed(section({"type": "redacted_thinking", "data": "opaque"}, thinking=display).flush())
    assert out == "▸ Redacted thinking (encrypted by the API)\n"


def test_redacted_thinking_shows_nothing_when_thinking_is_hidden():
    assert section({"type": "redacted_thinking", "data": "opaque"}, thinking="hidden").flush() == []


@pytest.mark.parametrize("kind", ["tool_use", "server_tool_use", "mcp_tool_use"])
def test_a_tool_call_is_a_panel_with_its_name_and_its_input_pretty_printed(kind):
    sec = section({"type": kind, "id": "t", "name": "get_weather", "input": {}},
                  InputJsonDelta(""), InputJsonDelta('{"city": "Par'), InputJsonDelta('is", "days": [1, 2]}'))
    out = printed(sec.flush())
    assert "tool call: get_weather" in out.splitlines()[0]
    assert panel_body(out) == ["{", '  "city": "Paris",', '  "days": [', "    1,", "    2", "  ]", "}"]


def test_a_tool_call_whose_input_came_whole_shows_that_input():
    sec = section({"type": "tool_use", "id": "t", "name": "lookup", "input": {"q": "x"}})
    assert panel_body(printed(sec.flush())) == ["{", '  "q": "x"', "}"]


def test_a_tool_call_with_broken_json_shows_the_text_as_it_came():
    sec = section({"type": "tool_use", "id": "t", "name": "f", "input": {}}, InputJsonDelta('{"a": '))
    assert '{"a":' in printed(sec.flush())


def test_a_tool_call_shows_its_input_as_it_streams():
    sec = section_for({"type": "tool_use", "id": "t", "name": "f", "input": {}}, "collapsed", "monokai")
    sec.feed(InputJsonDelta('{"city": "Pa'))
    out = printed([sec.tail(10)])
    assert "tool call: f" in out and '{"city": "Pa' in out


def test_an_unknown_block_is_a_one_line_note_naming_its_type():
    assert printed(section({"type": "brand_new_block", "x": 1}).flush()) == "▸ brand_new_block\n"


def test_names_from_the_server_are_sanitised():
    assert "\x1b" not in printed(section({"type": "odd\x1b]0;pwned\x07block"}).flush())
    tool = section({"type": "tool_use", "id": "t", "name": "f\x1b[2J", "input": {}})
    assert "\x1b" not in printed(tool.flush())


def test_a_text_block_ends_as_its_markdown_rendered_at_once():
    source = "# Title\n\nSome **bold** text.\n\n- one\n- two\n\n```python\nx = 1\n```\n"
    pieces = [TextDelta(source[i:i + 3]) for i in range(0, len(source), 3)]
    sec = section({"type": "text", "text": ""}, *pieces)
    streamed = printed([*sec.take_commits(), *sec.flush()])
    assert streamed == printed([Markdown(source, code_theme="monokai")])


def test_a_text_block_strips_a_sequence_split_across_deltas():
    sec = section({"type": "text", "text": ""}, TextDelta("clip\x1b]52;c;aGFj"), TextDelta("aw==\x07board"))
    out = printed([*sec.take_commits(), *sec.flush()])
    assert out.strip() == "clipboard"


def test_a_tool_name_with_markup_is_shown_literally_in_the_panel_title():
    # the name is the model's: "[red]probe[/red]" is its text, not a style
    sec = section({"type": "tool_use", "id": "t", "name": "[red]probe[/red] arr[i]", "input": {}})
    assert "tool call: [red]probe[/red] arr[i]" in printed(sec.flush()).splitlines()[0]
    assert "tool call: [red]probe[/red] arr[i]" in printed([sec.tail(10)]).splitlines()[0]


@pytest.mark.parametrize("block", [THINKING, {"type": "tool_use", "id": "t", "name": "f", "input": {}}],
                         ids=["thinking", "tool call"])
def test_a_frame_drawn_while_a_sequence_is_still_arriving_shows_none_of_its_payload(block):
    # the live view draws the open section on its own clock, whatever has arrived so far
    delta = ThinkingDelta if block["type"] == "thinking" else InputJsonDelta
    sec = section_for(block, "collapsed", "monokai")
    sec.feed(delta("see \x1b]8;;https://evil.example/pa"))
    assert "evil" not in printed([sec.tail(10)]) and "see" in printed([sec.tail(10)])
    sec.feed(delta("ge\x1b\\link\x1b]8;;\x1b\\ done"))
    assert "see link done" in printed([sec.tail(10)]) and "evil" not in printed([sec.tail(10)])


def test_a_web_search_shows_its_query_as_it_streams_then_one_line_with_its_results():
    sec = section_for({"type": "server_tool_use", "id": "s1", "name": "web_search", "input": {}},
                      "collapsed", "monokai")
    sec.feed(InputJsonDelta(""))
    sec.feed(InputJsonDelta('{"query": "best ki'))
    assert printed([sec.tail(5)]).strip() == "⌕ searching the web “best ki …"
    sec.feed(InputJsonDelta('tes"}'))
    sec.stop()
    assert sec.waiting  # its result block comes next
    error = {"type": "web_search_tool_result", "tool_use_id": "s1",
             "content": {"type": "web_search_tool_result_error", "error_code": "too_many_requests"}}
    assert not sec.absorbs({**error, "tool_use_id": "other"}) and sec.absorbs(error)
    assert printed(sec.flush()).strip() == "▸ web search “best kites” failed: too_many_requests"


def test_text_blocks_split_around_a_citation_stay_one_paragraph_with_its_marker():
    sec = section_for({"type": "text", "text": ""}, "collapsed", "monokai")
    sec.feed(TextDelta("Kites fly "))
    assert sec.absorbs({"type": "text", "text": ""})
    sec.feed(TextDelta("in wind"))
    sec.cite("[1]")
    assert sec.absorbs({"type": "text", "text": ""})
    sec.feed(TextDelta("."))
    assert printed(sec.flush()).strip() == "Kites fly in wind[1]."
