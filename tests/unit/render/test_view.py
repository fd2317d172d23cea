"""render/view.py (PlainView, JsonView) and render/__init__.py (choose_view). Expected
behaviour from the README ("Output": on a pipe stdout is exactly the reply text as
received, with one final newline; control sequences stripped on a terminal;
--show-thinking on stderr, dimmed only when stderr is a terminal; --json prints the final
Message object and nothing else) and view.py's docstring."""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections.abc import Iterator

import pytest

from claudechat.accumulator import Accumulator
from claudechat.api.events import (
    ContentBlockDelta,
    ContentBlockStart,
    ContentBlockStop,
    MessageDelta,
    MessageStart,
    MessageStop,
    TextDelta,
    ThinkingDelta,
)
from claudechat.environment import Environment
from claudechat.errors import OutputClosed
from claudechat.message import Message
from claudechat.render import choose_view
from claudechat.render.rich_view import RichView
from claudechat.render.view import DIM, JsonView, PlainView
from claudechat.turn import TurnResult

HOSTILE = "clip\x1b]52;c;aGFjaw==\x07board \x1b[2Jred\r\nnext"


def play(view, *blocks: tuple[dict, list]) -> Message:
    """Stream `blocks` (a start block and its deltas, each) to `view` as a run_turn would:
    begin, the events with the message so far, end."""
    acc = Accumulator()
    events = [MessageStart({"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-x",
                            "content": [], "usage": {"input_tokens": 1, "output_tokens": 0}})]
    for index, (block, deltas) in enumerate(blocks):
        events.append(ContentBlockStart(index, block))
        events.extend(ContentBlockDelta(index, delta) for delta in deltas)
        events.append(ContentBlockStop(index))
    events += [MessageDelta("end_turn", None, {"output_tokens": 3}), MessageStop()]
    view.begin()
    for event in events:
        view.event(event, acc.feed(event))
    message = acc.final()
    view.end(TurnResult(message=message, complete=True))
    return message


def text(*pieces: str) -> tuple[dict, list]:
    return {"type": "text", "text": ""}, [TextDelta(p) for p in pieces]


def thinking(*pieces: str) -> tuple[dict, list]:
    return {"type": "thinking", "thinking": "", "signature": ""}, [ThinkingDelta(p) for p in pieces]


REDACTED = ({"type": "redacted_thinking", "data": "opaque"}, [])


def views(**options) -> tuple[PlainView, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    return PlainView(out, err, **options), out, err


# -- PlainView ----------------------------------------------------------------------------


def test_on_a_pipe_the_text_is_written_exactly_as_received_with_one_final_newline():
    view, out, err = views()
    play(view, text(HOSTILE[:7], HOSTILE[7:20], HOSTILE[20:]))
    assert out.getvalue() == HOSTILE + "\n"
    assert err.getvalue() == ""


def test_a_reply_that_ends_with_a_newline_gets_no_second_one():
    view, out, _ = views()
    play(view, text("line one\n", "line two\n"))
    assert out.getvalue() == "line one\nline two\n"


def test_on_a_terminal_the_text_is_sanitised():
    view, out, _ = views(terminal=True)
    play(view, text("clip", "\x1b]52;c;aGFjaw==\x07board ", "\x1b[2Jred\r\nnext"))
    assert out.getvalue() == "clipboard red\nnext\n"


def test_on_a_terminal_a_sequence_split_across_deltas_is_stripped_whole():
    view, out, _ = views(terminal=True)
    play(view, text(HOSTILE[:7], HOSTILE[7:20], HOSTILE[20:]))
    assert out.getvalue() == "clipboard red\nnext\n"


def test_thinking_is_not_shown_without_show_thinking():
    view, out, err = views()
    play(view, thinking("secret ", "thoughts"), REDACTED, text("answer"))
    assert out.getvalue() == "answer\n"
    assert err.getvalue() == ""


def test_with_show_thinking_thinking_goes_to_stderr_undimmed_when_stderr_is_no_terminal():
    view, out, err = views(show_thinking=True)
    play(view, thinking("step one, ", "step two"), REDACTED, text("answer"))
    assert out.getvalue() == "answer\n"
    assert err.getvalue() == "step one, step two\n[redacted thinking]\n"


def test_thinking_is_dimmed_when_stderr_is_a_colour_terminal():
    view, _, err = views(show_thinking=True, err_terminal=True)
    play(view, thinking("hmm"), text("answer"))
    assert DIM in err.getvalue() and "hmm" in err.getvalue()
    view, _, err = views(show_thinking=True, err_terminal=True, color=False)
    play(view, thinking("hmm"), text("answer"))
    assert err.getvalue() == "hmm\n"


def test_a_whole_reply_is_written_as_a_streamed_one_would_be():
    message = Message(id="m", content=[{"type": "thinking", "thinking": "pondering"},
                                       {"type": "redacted_thinking", "data": "x"},
                                       {"type": "text", "text": "The answer."}])
    view, out, err = views(show_thinking=True)
    view.begin()
    view.whole(message)
    view.end(TurnResult(message=message, complete=True))
    assert out.getvalue() == "The answer.\n"
    assert err.getvalue() == "pondering\n[redacted thinking]\n"


def test_a_notice_is_one_sanitised_line_on_stderr():
    view, out, err = views()
    view.notice("careful\x1b[2J now")
    assert err.getvalue() == "claudechat: careful now\n"
    assert out.getvalue() == ""


@pytest.fixture
def reader_gone() -> Iterator[io.TextIOWrapper]:
    """A text stream on a pipe whose reader has gone away (`| head`)."""
    read, write = os.pipe()
    os.close(read)
    stream = open(write, "w")  # noqa: SIM115 - closed below, where EPIPE is expected
    yield stream
    with contextlib.suppress(BrokenPipeError):
        stream.close()


def test_a_closed_reader_becomes_output_closed_once_and_then_nothing_more_is_written(reader_gone):
    err = io.StringIO()
    view = PlainView(reader_gone, err)
    acc = Accumulator()
    view.begin()
    view.event(MessageStart({"id": "m", "model": "x", "content": [], "usage": {}}),
               acc.feed(MessageStart({"id": "m", "model": "x", "content": [], "usage": {}})))
    acc.feed(ContentBlockStart(0, {"type": "text", "text": ""}))
    view.event(ContentBlockDelta(0, TextDelta("hello")), acc.message)
    with pytest.raises(OutputClosed):  # deltas are written and then flushed once per read
        view.flush()
    view.event(ContentBlockDelta(0, TextDelta(" more")), acc.message)
    view.flush()
    view.end(TurnResult(message=acc.message))
    assert err.getvalue() == ""


# -- JsonView -----------------------------------------------------------------------------


def test_json_view_prints_only_the_final_message():
    out, err = io.StringIO(), io.StringIO()
    view = JsonView(out, err)
    message = play(view, thinking("hidden"), text("Hello", " there"))
    assert json.loads(out.getvalue()) == message.to_dict()
    assert json.loads(out.getvalue())["content"][1] == {"type": "text", "text": "Hello there"}
    assert out.getvalue().endswith("}\n") and out.getvalue().count("\n{") == 0
    assert err.getvalue() == ""


def test_json_view_prints_the_message_so_far_of_an_unfinished_reply():
    out = io.StringIO()
    view = JsonView(out, io.StringIO())
    partial = Message(id="msg_1", content=[{"type": "text", "text": "Part"}])
    view.end(TurnResult(message=partial, interrupted=True))
    printed = json.loads(out.getvalue())
    assert printed["content"] == [{"type": "text", "text": "Part"}] and printed["stop_reason"] is None


def test_json_view_prints_nothing_when_nothing_arrived():
    out = io.StringIO()
    JsonView(out, io.StringIO()).end(TurnResult(message=Message()))
    assert out.getvalue() == ""


# -- choose_view --------------------------------------------------------------------------


def env_over(stdout, stderr=None, **environ: str) -> Environment:
    return Environment.over(io.StringIO(), stdout, stderr or io.StringIO(), env=environ)


def test_json_wins_whatever_stdout_is(tty):
    assert type(choose_view(env_over(tty), json=True)) is JsonView
    assert type(choose_view(env_over(io.StringIO()), json=True)) is JsonView


def test_a_colour_terminal_gets_the_live_view_on_stdout_with_thinking_on_stderr(tty):
    err = io.StringIO()
    view = choose_view(env_over(tty, err))
    assert isinstance(view, RichView)
    assert view.console.file is tty and view.status.file is err
    assert choose_view(env_over(tty), show_thinking=True).thinking == "expanded"


@pytest.mark.parametrize("environ", [{"NO_COLOR": "1"}, {"TERM": "dumb"}], ids=["no-color", "dumb"])
def test_a_terminal_without_colour_gets_plain_sanitised_text(tty, environ):
    view = choose_view(env_over(tty, **environ))
    assert type(view) is PlainView
    assert view.text.terminal  # sanitised


def test_a_pipe_gets_plain_text_as_received():
    out, err = io.StringIO(), io.StringIO()
    view = choose_view(env_over(out, err), show_thinking=True)
    assert type(view) is PlainView
    play(view, thinking("hmm"), text(HOSTILE))
    assert out.getvalue() == HOSTILE + "\n"
    assert err.getvalue() == "hmm\n"


@pytest.mark.parametrize(("display", "shown"), [("collapsed", True), ("expanded", True), ("hidden", False)])
def test_the_chat_without_colour_gets_plain_text_with_thinking_on_its_own_terminal(tty, display, shown):
    view = choose_view(env_over(tty, NO_COLOR="1"), chat_console=object(), thinking_display=display)
    assert type(view) is PlainView
    assert view.text.file is tty and view.thinking.file is tty and view.text.terminal
    assert view.show_thinking is shown
