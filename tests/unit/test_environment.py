"""environment.py: the process's streams and what they are, found out once. Expected
values from its docstring and the README ("Output": NO_COLOR, TERM=dumb and --plain turn off
all colour; NO_COLOR per no-color.org: set and not empty)."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator

import pytest

from claudechat.environment import Environment, colors_allowed, isatty


@pytest.fixture
def pipe() -> Iterator[tuple[io.TextIOWrapper, io.TextIOWrapper]]:
    """A pipe: (its read end, its write end), both text streams."""
    read, write = os.pipe()
    with open(read) as reader, open(write, "w") as writer:
        yield reader, writer


def over(stdin=None, stdout=None, stderr=None, env=None, **options) -> Environment:
    return Environment.over(stdin or io.StringIO(), stdout or io.StringIO(), stderr or io.StringIO(),
                            env=env or {}, **options)


def closed() -> io.StringIO:
    stream = io.StringIO()
    stream.close()
    return stream


def test_a_pty_is_a_terminal_and_a_stringio_pipe_or_closed_stream_is_not(tty, pipe):
    tty = tty
    reader, writer = pipe
    assert isatty(tty)
    assert not isatty(io.StringIO())
    assert not isatty(reader) and not isatty(writer)
    assert not isatty(closed())
    assert not isatty(object())


def test_over_finds_out_which_streams_are_terminals(tty, pipe):
    tty = tty
    reader, writer = pipe
    env = over(stdin=tty, stdout=writer, stderr=tty)
    assert (env.stdin_isatty, env.stdout_isatty, env.stderr_isatty) == (True, False, True)
    env = over(stdin=reader, stdout=tty, stderr=closed())
    assert (env.stdin_isatty, env.stdout_isatty, env.stderr_isatty) == (False, True, False)


@pytest.mark.parametrize(
    ("env", "plain", "allowed"),
    [
        ({}, False, True),
        ({"TERM": "xterm-256color"}, False, True),
        ({}, True, False),
        ({"NO_COLOR": "1"}, False, False),
        ({"NO_COLOR": "anything"}, False, False),
        ({"NO_COLOR": ""}, False, True),
        ({"TERM": "dumb"}, False, False),
        ({"TERM": "dumb", "NO_COLOR": ""}, False, False),
    ],
    ids=["nothing", "xterm", "plain", "no-color-1", "no-color-any", "no-color-empty", "term-dumb",
         "dumb-and-empty-no-color"],
)
def test_colors_allowed(env, plain, allowed):
    assert colors_allowed(env, plain=plain) is allowed
    assert over(env=env, plain=plain).colors is allowed


def test_with_options_can_turn_colour_off_and_debug_on_but_not_back():
    env = over(env={})
    assert env.with_options(plain=True).colors is False
    assert env.with_options(debug=True).debug is True
    assert env.with_options().colors is True and env.with_options().debug is False
    quiet = over(env={"NO_COLOR": "1"}, debug=True)
    assert quiet.with_options(plain=False).colors is False
    assert quiet.with_options(debug=False).debug is True


def test_with_options_keeps_the_streams(tty):
    tty = tty
    env = over(stdin=tty, stdout=tty)
    changed = env.with_options(plain=True, debug=True)
    assert (changed.stdin, changed.stdout, changed.stderr) == (env.stdin, env.stdout, env.stderr)
    assert changed.interactive


def test_interactive_needs_both_stdin_and_stdout_on_a_terminal(tty, pipe):
    tty = tty
    reader, writer = pipe
    assert over(stdin=tty, stdout=tty).interactive
    assert not over(stdin=reader, stdout=tty).interactive
    assert not over(stdin=tty, stdout=writer).interactive


def test_piped_stdin_is_the_binary_buffer_of_a_pipe(pipe):
    reader, writer = pipe
    writer.write("héllo")
    writer.close()
    stream = over(stdin=reader).piped_stdin()
    assert stream is reader.buffer
    assert stream.read() == "héllo".encode()


def test_piped_stdin_is_none_on_a_terminal_or_a_closed_stdin(tty, pipe):
    tty = tty
    reader, _ = pipe
    assert over(stdin=tty).piped_stdin() is None
    env = over(stdin=reader)
    reader.close()
    assert env.piped_stdin() is None
    assert over(stdin=closed()).piped_stdin() is None


def test_console_writes_colour_only_when_allowed():
    from rich.text import Text

    red = Text("hi", style="red")
    env = over(env={})
    env.console(force_terminal=True, color_system="standard").print(red)
    assert "\x1b[31m" in env.stdout.getvalue()
    plain = over(env={"NO_COLOR": "1"})
    plain.console(force_terminal=True, color_system="standard").print(red)
    assert "hi" in plain.stdout.getvalue() and "\x1b[31m" not in plain.stdout.getvalue()
    flagged = over(env={}).with_options(plain=True)
    flagged.console(force_terminal=True, color_system="standard").print(red)
    assert "\x1b[31m" not in flagged.stdout.getvalue()


def test_console_prints_strings_literally_no_markup_no_emoji_codes():
    # nearly every string printed came from outside: "[red]" and ":smile:" are text
    env = over(env={})
    env.console(force_terminal=True, color_system="standard").print(
        "[WIP] why does [red]this[/red] fail? arr[i] :smile:")
    assert env.stdout.getvalue() == "[WIP] why does [red]this[/red] fail? arr[i] :smile:\n"


def test_console_on_stderr_writes_to_stderr():
    env = over(env={})
    env.console(stderr=True).print("to stderr")
    assert env.stderr.getvalue() == "to stderr\n"
    assert env.stdout.getvalue() == ""


def test_after_quiet_stdout_writing_to_a_pipe_with_no_reader_does_not_fail():
    read, write = os.pipe()
    os.close(read)
    with open(write, "w") as stdout:
        with pytest.raises(BrokenPipeError):
            os.write(write, b"x")  # the premise: nobody reads this pipe
        over(stdout=stdout).quiet_stdout()
        assert os.write(write, b"x") == 1
        stdout.write("the interpreter's last flush")
        stdout.flush()


def test_quiet_stdout_on_a_stream_without_a_file_descriptor_does_nothing():
    env = over()
    env.quiet_stdout()
    env.stdout.write("still here")
    assert env.stdout.getvalue() == "still here"
