"""The live renderer as a person sees it: the real `claudechat ask` on a pseudo-terminal,
against the loopback fake server, its output played into a terminal emulator (pyte).

Every wait is on something visible (a regex over the emulated screen), never on a
sleep; stalls in the fake server hold the reply where a test needs to look at it.

- a reply much taller than the screen, checked after every frame (each synchronized
  update, DEC mode 2026): what scrolled into the scrollback is final and right, no
  line is ever on the terminal twice, and at the end each line is there once, in order;
- the spinner with its elapsed time before the first token, gone afterwards;
- cache read/write tokens in the status line;
- `thinking_display` from the config file (collapsed, expanded, hidden) and
  `--show-thinking`.
"""

from __future__ import annotations

import json
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers.fake_server import FakeServer, Reply
from helpers.markdown_corpus import pieces
from helpers.pty_terminal import Terminal
from helpers.terminal import rendered

MARKER = "more lines above"
STATUS = re.compile(r" · \d[\d,]* in · \d[\d,]* out · .*end_turn · \d+\.\d s$")


# -- a terminal with the CLI in it -------------------------------------------------------------


def served(server: FakeServer, clean_env: dict[str, str], **extra: str) -> dict[str, str]:
    return {**clean_env, "ANTHROPIC_API_KEY": "sk-live", "ANTHROPIC_BASE_URL": server.url, **extra}


# -- a. a reply much taller than the screen, frame by frame ------------------------------------

TAG = re.compile(r"\bk(\d{4})\b")


def tall_reply() -> str:
    """About 7 KB of Markdown, several blocks of it taller than a 30-row screen, every
    line (every few words in a paragraph) carrying its own tag k0001, k0002, ..."""
    tags = iter(range(1, 10_000))

    def tag() -> str:
        return f"k{next(tags):04d}"

    out = [f"# Report {tag()}\n\nIntro {tag()}: the numbers, then the code.\n\n"]
    out.append("```python\n" + "".join(f"value_{i} = {i} * 3  # {tag()}\n" for i in range(45)) + "```\n\n")
    out.append("".join(f"- item {tag()} with words enough to wrap on a narrow screen, "
                       f"so that the list grows tall {tag()}\n" for _ in range(22)) + "\n")
    out.append(" ".join(f"{tag()} is one word of a long paragraph that wraps" for _ in range(45)) + "\n\n")
    out.append("| name | value |\n|---|---:|\n" + "".join(f"| {tag()} | {i} |\n" for i in range(35)) + "\n")
    out.append("".join(f"> quoted {tag()}\n>\n" for _ in range(18)) + "\n")
    out.append("".join(f"{i}. step {tag()}\n" for i in range(1, 31)) + "\n")
    out.append(f"The end {tag()}.\n")
    return "".join(out)


def tags_in(lines: list[str]) -> list[int]:
    return [int(m.group(1)) for line in lines for m in TAG.finditer(line)]


class FrameChecks:
    """After every frame: the scrollback holds only final lines, in their final place;
    no tag shows twice on the whole terminal and the tags are in order; a clipped
    block shows one marker, on the screen, never in the scrollback."""

    def __init__(self, expected: list[str]) -> None:
        self.expected = expected
        self.clipped_frames = 0  # frames that showed the "more lines above" marker
        self.scrolled_before_end = 0  # lines in the scrollback at the last frame

    def __call__(self, term: Terminal) -> None:
        history, display = term.history, term.display
        where = f"frame {term.frames}"
        assert history == self.expected[: len(history)], (
            f"{where}: the scrollback holds a line that is not final\n" + "\n".join(history[-40:]))
        seen = tags_in(history + display)
        assert len(seen) == len(set(seen)), (
            f"{where}: a line is on the terminal twice: "
            f"{sorted({t for t in seen if seen.count(t) > 1})}\n" + "\n".join(display))
        assert seen == sorted(seen), f"{where}: lines out of order\n" + "\n".join(display)
        markers = [line for line in display if MARKER in line]
        assert len(markers) <= 1, f"{where}: {len(markers)} markers\n" + "\n".join(display)
        # the newest lines are shown, not cut off at the bottom (rich's "..." when a live
        # region is taller than the console)
        cut = "..." in [line.strip() for line in display]
        assert not cut, f"{where}: tail cut off\n" + "\n".join(display)
        self.clipped_frames += bool(markers)
        self.scrolled_before_end = len(history)


@pytest.mark.parametrize("delay", [0.004, 0.0], ids=["paced", "burst"])
def test_a_reply_taller_than_the_screen_never_scrolls_a_wrong_or_duplicate_line(clean_env, delay):
    width, height = 80, 30
    text = tall_reply()
    expected = rendered(text, width, height)
    numbers = tags_in(expected)
    assert numbers == list(range(1, numbers[-1] + 1))  # the reference shows each tag once, in order
    assert len(expected) > 5 * height
    checks = FrameChecks(expected)
    with FakeServer(auth="x-api-key", key="sk-live") as server:
        server.enqueue(Reply(text=pieces(text, 16), delay=delay, usage={"input_tokens": 5}))
        with Terminal(["ask", "a long report"], served(server, clean_env), width=width, height=height,
                      on_frame=checks) as term:
            assert term.finish() == 0, "\n".join(term.lines)
    lines = term.lines
    assert lines[:-1] == expected
    assert STATUS.search(lines[-1]), lines[-1]
    assert tags_in(lines) == numbers  # each line exactly once, in order
    assert term.frames > (20 if delay else 1)
    if delay:  # streamed over many frames: the clipped tail and early commits were seen
        assert checks.clipped_frames > 0
        assert checks.scrolled_before_end > height


def test_an_open_block_taller_than_the_screen_shows_its_last_lines_under_a_marker(clean_env):
    width, height, sent = 80, 30, 50
    fence = [f"value_{i} = {i} * 3\n" for i in range(70)]
    text = "".join(["Intro paragraph.\n\n", "```python\n", *fence, "```\n\nAfter.\n"])
    # no pings: events 1 message_start, 2 content_block_start, then one per piece
    reply = Reply(text=["Intro paragraph.\n\n", "```python\n", *fence, "```\n\nAfter.\n"],
                  pings=False, stall_after=2 + 2 + sent)
    with FakeServer(auth="x-api-key", key="sk-live") as server:
        server.enqueue(reply)
        with Terminal(["ask", "code"], served(server, clean_env), width=width, height=height) as term:
            term.wait_for(rf"value_{sent - 1} = ")
            history, display = term.history, [line for line in term.display if line]
            server.release()
            assert term.finish() == 0
    shown = [int(m.group(1)) for line in display if (m := re.match(r"\s*value_(\d+) = ", line))]
    assert shown == list(range(sent - len(shown), sent))  # the newest lines, in order
    marker = re.search(r"⋮ (\d+) more lines above", "\n".join(display))
    assert marker, display
    assert int(marker.group(1)) >= sent - len(shown)  # says how many are hidden
    assert len(display) <= height
    assert not any("value_" in line for line in history)  # nothing of the open block committed
    assert "Intro paragraph." in history + display
    lines = term.lines
    assert lines[:-1] == rendered(text, width, height)
    assert [line.strip() for line in lines if "value_" in line] == [line.strip() for line in fence]


def test_the_last_events_before_a_pause_are_drawn_while_the_stream_waits(clean_env):
    """Frames are drawn by the thread that reads the stream, at most 20 a second: the
    events that came within a frame of the last one it drew are drawn while it waits
    for more, not when more comes (a reply paused mid-burst shows all it has)."""
    words = [f"w{i:03d} " for i in range(150)]
    text = ["Start.\n\n", *words, "BURSTEND\n\n", "After the pause.\n"]
    # no pings: events 1 message_start, 2 content_block_start, then one per piece; one every
    # 2 ms, so that the reader reads many times and its last read comes within a frame
    reply = Reply(text=text, pings=False, delay=0.002, stall_after=2 + len(text) - 1)
    with FakeServer(auth="x-api-key", key="sk-live") as server:
        server.enqueue(reply)
        with Terminal(["ask", "go"], served(server, clean_env)) as term:
            term.wait_for(r"BURSTEND")  # while the server holds the rest
            shown = " ".join(term.history + term.display).split()
            assert "After" not in shown
            server.release()
            assert term.finish() == 0
    assert [w for w in shown if w.startswith("w")] == [w.strip() for w in words]
    lines = term.lines
    assert lines[:-1] == rendered("".join(text), 80, 24)
    assert STATUS.search(lines[-1]), lines[-1]


# -- b. the spinner before the first token -----------------------------------------------------

SPINNER = r"Waiting for Claude… (\d+\.\d) s"


@pytest.mark.parametrize("stall_after", [0, 2], ids=["before-any-event", "after-message-start"])
def test_spinner_shows_the_elapsed_time_until_the_first_token_then_goes(clean_env, stall_after):
    text = "The answer is **42**.\n\nA second paragraph.\n"
    with FakeServer(auth="x-api-key", key="sk-live") as server:
        server.enqueue(Reply(text=text, stall_after=stall_after))
        with Terminal(["ask", "what is it?"], served(server, clean_env)) as term:
            first = float(term.wait_for(SPINNER).group(1))
            # the elapsed time counts up while nothing arrives
            term.wait_for(SPINNER, accept=lambda m: float(m.group(1)) >= first + 0.5)
            assert not term.history and len([line for line in term.display if line]) == 1
            server.release()
            assert term.finish() == 0
    lines = term.lines
    assert not any("Waiting for Claude" in line for line in lines), lines
    assert lines[:-1] == rendered(text, 80, 24)  # where the spinner was, the reply begins
    assert STATUS.search(lines[-1]), lines[-1]


# -- c. cache tokens in the status line --------------------------------------------------------


@pytest.mark.parametrize("cache", [
    {"cache_read_input_tokens": 12_345, "cache_creation_input_tokens": 678},
    {"cache_read_input_tokens": 2_048},
    {"cache_creation_input_tokens": 1_500},
    {},
], ids=["read-and-write", "read", "write", "none"])
def test_status_line_shows_cache_tokens_when_the_usage_has_them(clean_env, cache):
    usage = {"input_tokens": 21, "output_tokens": 7, **cache}
    with FakeServer(auth="x-api-key", key="sk-live") as server:
        server.enqueue(Reply(text="Cached answer.\n", model="claude-sonnet-4-6", usage=usage))
        # wide enough for the whole line, the model included (see the 80-column test below)
        with Terminal(["ask", "again"], served(server, clean_env), width=120) as term:
            assert term.finish() == 0
    lines = term.lines
    assert lines[0] == "Cached answer."
    status = lines[-1]
    parts = ["claude-sonnet-4-6", "21 in", "7 out"]
    if "cache_read_input_tokens" in cache:
        parts.append(f"{cache['cache_read_input_tokens']:,} cache read")
    if "cache_creation_input_tokens" in cache:
        parts.append(f"{cache['cache_creation_input_tokens']:,} cache write")
    assert re.fullmatch(re.escape(" · ".join([*parts, "end_turn"])) + r" · \d+\.\d s", status), status
    assert len(lines) == 2  # one line, after the reply


def test_status_line_with_cache_tokens_is_one_line_on_an_80_column_terminal(clean_env):
    usage = {"input_tokens": 1_234, "output_tokens": 567, "cache_read_input_tokens": 12_345,
             "cache_creation_input_tokens": 678}
    with FakeServer(auth="x-api-key", key="sk-live") as server:
        server.enqueue(Reply(text="Cached answer.\n", model="claude-sonnet-4-6", usage=usage))
        with Terminal(["ask", "again"], served(server, clean_env), width=80) as term:
            assert term.finish() == 0
    lines = term.lines
    assert lines[0] == "Cached answer."
    assert len(lines) == 2, lines
    assert "12,345 cache read" in lines[1] and "678 cache write" in lines[1] and "end_turn" in lines[1]
    assert len(lines[1]) <= 80


# -- d. thinking_display ----------------------------------------------------------------------

THOUGHT = [f"Thought line {n}: weighing option {n}.\n" for n in range(1, 11)]
ANSWER = "So the answer is **yes**.\n"
THOUGHT_LIVE = 6  # the live panel keeps the last few lines


def config(tmp_path: Path, body: str) -> str:
    path = tmp_path / "config.toml"
    path.write_text(body)
    return str(path)


def run_thinking(clean_env: dict[str, str], tmp_path: Path, setting: str | None,
                 flags: tuple[str, ...] = ()) -> tuple[list[str], list[str]]:
    """The screen while the thinking block is open (all of it sent, the stream held
    before its signature), and the screen and scrollback at the end."""
    extra = {"CLAUDECHAT_CONFIG": config(tmp_path, f'thinking_display = "{setting}"\n' if setting else "")}
    # no pings: events 1 message_start, 2 content_block_start, 3..12 the thinking deltas; with
    # thinking hidden nothing asks for its text, so the model's default (display "omitted",
    # docs/API-2026.md §1c) sends one empty thinking delta (event 3) before the signature
    hidden = setting == "hidden" and "--show-thinking" not in flags
    stall = 3 if hidden else 2 + len(THOUGHT)
    reply = Reply(thinking=THOUGHT, text=ANSWER, pings=False, stall_after=stall)
    with FakeServer(auth="x-api-key", key="sk-live") as server:
        server.enqueue(reply)
        with Terminal(["ask", *flags, "think first"], served(server, clean_env, **extra)) as term:
            if hidden:
                term.wait_for(r"Thinking…")
            else:
                term.wait_for(r"Thought line 10: weighing option 10\.")
            during = term.lines
            server.release()
            assert term.finish() == 0
    return during, term.lines


def thought_lines(lines: list[str]) -> list[int]:
    return [int(m.group(1)) for line in lines for m in re.finditer(r"Thought line (\d+):", line)]


@pytest.mark.parametrize("setting", [None, "collapsed"], ids=["default", "collapsed"])
def test_collapsed_thinking_streams_in_a_panel_then_is_one_line(clean_env, tmp_path, setting):
    during, after = run_thinking(clean_env, tmp_path, setting)
    assert "Thinking" in during[0] and thought_lines(during) == list(range(11 - THOUGHT_LIVE, 11)), during
    assert re.fullmatch(r"▸ Thought for \d+\.\d s \(~\d+ tokens\)", after[0]), after
    assert after[1] == ""
    assert after[2:-1] == rendered(ANSWER, 80, 24)
    assert not thought_lines(after) and not any("Thinking" in line for line in after)
    assert STATUS.search(after[-1]), after[-1]


def test_expanded_thinking_keeps_the_whole_thought(clean_env, tmp_path):
    during, after = run_thinking(clean_env, tmp_path, "expanded")
    assert "Thinking" in during[0] and thought_lines(during) == list(range(11 - THOUGHT_LIVE, 11)), during
    assert re.match(r"╭─ Thinking · \d+\.\d s ─+╮$", after[0]), after
    assert thought_lines(after) == list(range(1, 11))  # every line, once
    panel_end = after.index(next(line for line in after if line.startswith("╰")))
    assert panel_end == len(THOUGHT) + 1
    assert after[panel_end + 1] == ""
    assert after[panel_end + 2 : -1] == rendered(ANSWER, 80, 24)
    assert STATUS.search(after[-1]), after[-1]


def test_show_thinking_flag_expands_even_when_the_config_hides_it(clean_env, tmp_path):
    _, after = run_thinking(clean_env, tmp_path, "hidden", flags=("--show-thinking",))
    assert after[0].startswith("╭─ Thinking · ")
    assert thought_lines(after) == list(range(1, 11))
    assert not any(line.startswith("▸ Thought for") for line in after)


def test_hidden_thinking_shows_only_that_it_is_thinking(clean_env, tmp_path):
    during, after = run_thinking(clean_env, tmp_path, "hidden")
    assert not thought_lines(during), during
    assert not thought_lines(after) and not any("Thinking" in line or "Thought" in line for line in after)
    assert after[:-1] == rendered(ANSWER, 80, 24)  # the reply starts on the first row
    assert STATUS.search(after[-1]), after[-1]


# -- live panels of thinking and tool input taller than the screen ----------------------------

# rich's own cut of a live region taller than the console: a centred "..." at the bottom
RICH_CUT = r"^ +\.\.\.$"


def test_live_thinking_panel_of_long_paragraphs_shows_the_newest_text(clean_env):
    paragraphs = [" ".join(f"p{p}w{i}" for i in range(90)) + f" END{p}.\n\n" for p in range(8)]
    reply = Reply(thinking=paragraphs, text=ANSWER, pings=False, stall_after=2 + len(paragraphs))
    with FakeServer(auth="x-api-key", key="sk-live") as server:
        server.enqueue(reply)
        with Terminal(["ask", "think first"], served(server, clean_env)) as term:
            seen = term.wait_for(rf"(?m)END7\.|{RICH_CUT}")  # the newest text, or the cut
            display = term.display
            server.release()
            assert term.finish() == 0
    assert re.fullmatch(r"▸ Thought for \d+\.\d s \(~[\d,]+ tokens\)", term.lines[0]), term.lines
    assert seen.group(0) == "END7.", "\n".join(display)


def test_live_tool_panel_of_a_long_input_shows_the_newest_input(clean_env):
    tool_input = {"path": "notes.txt", "content": " ".join(f"c{i}" for i in range(700)) + " LAST"}
    fragments = 1 + math.ceil(len(json.dumps(tool_input)) / 5)  # as the fake server splits it
    text = "Let me write.\n"
    # no pings: 1 message_start, 2 text start, 3..6 text, 7 text stop, 8 tool start, then the input
    reply = Reply(text=text, tool_use=[{"name": "write_file", "input": tool_input}], pings=False,
                  stall_after=8 + fragments)
    with FakeServer(auth="x-api-key", key="sk-live") as server:
        server.enqueue(reply)
        with Terminal(["ask", "write it"], served(server, clean_env)) as term:
            seen = term.wait_for(rf"(?m)LAST|{RICH_CUT}")
            display = term.display
            server.release()
            assert term.finish() == 0
    lines = term.lines
    assert lines[0] == "Let me write." and "tool call: write_file" in lines[2]
    assert sum("LAST" in line for line in lines) == 1
    assert seen.group(0) == "LAST", "\n".join(display)


# -- e. narrowing the terminal while a block is live -------------------------------------------


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True, timeout=30).stdout


@pytest.mark.skipif(not shutil.which("tmux"), reason="needs tmux, a terminal that re-wraps on resize")
def test_narrowing_the_terminal_mid_block_leaves_no_stale_copy(clean_env, tmp_path):
    # pyte does not re-wrap lines on resize; tmux does, as most terminals do now. Earlier
    # output fills the screen, so the live region sits at the bottom, as in a long chat
    # (a region re-wrapped to more rows than there are above the cursor goes partly
    # into the terminal's own scrollback, out of reach: see the README).
    words = " ".join(f"w{n:03d}" for n in range(300))
    reply = Reply(text=["Intro line.\n\n", *pieces(words, 50), " the end.\n"], pings=False,
                  stall_after=2 + 1 + 20)  # message_start, block start, the intro, 20 pieces
    session = f"claudechat-resize-{os.getpid()}"
    with FakeServer(auth="x-api-key", key="sk-live") as server:
        server.enqueue(reply)
        env = served(server, clean_env, TERM="xterm-256color")
        script = tmp_path / "run.sh"
        script.write_text("unset COLUMNS LINES\n"  # exported, they pin rich's width
                          + "".join(f"export {k}={shlex.quote(v)}\n" for k, v in env.items()
                                    if k not in ("COLUMNS", "LINES"))
                          + "seq 1 60; "
                          + f"{shlex.quote(sys.executable)} -m claudechat ask hi; "
                          f"echo EXIT=$?; sleep 60\n", "utf-8")
        tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "40", f"sh {script}")
        try:
            def screen() -> str:
                return tmux("capture-pane", "-p", "-J", "-S", "-", "-t", session)

            deadline = time.monotonic() + 20
            while "w195" not in screen():  # 20 pieces of 10 words: up to w199
                assert time.monotonic() < deadline, screen()
                time.sleep(0.05)  # polling the emulator: nothing announces a redraw
            tmux("resize-window", "-t", session, "-x", "50")
            deadline = time.monotonic() + 10
            while tmux("display", "-p", "-t", session, "#{pane_width}").strip() != "50":
                assert time.monotonic() < deadline
                time.sleep(0.05)
            server.release()
            deadline = time.monotonic() + 20
            while "EXIT=" not in screen():
                assert time.monotonic() < deadline, screen()
                time.sleep(0.05)
            shown = screen()
        finally:
            subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    assert "EXIT=0" in shown, shown
    assert shown.count("Intro line.") == 1, shown
    for n in (0, 150, 299):
        assert shown.count(f"w{n:03d}") == 1, (n, shown)
