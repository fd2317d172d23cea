"""The cache health line through the real CLI: a turn that should have read the prompt cache
and did not says why, once, in a dim line (the chat) or on stderr (`ask -c`).

Token figures by hand from the fake server's reading of docs/API-2026.md §4: a prefix of
N characters is N // 4 tokens; each model has its own cache."""

from __future__ import annotations

from helpers.cli import run_cli
from helpers.fake_server import Reply
from helpers.pty_terminal import PROMPT
from helpers.received import posts

from claudechat.models import PRICES_CHECKED

SYSTEM = "x" * 4000  # 1,000 tokens: above Sonnet 5.5's and Opus 5.5's 512-token minimum


def finish(term, n: int) -> int:
    """The n-th reply ("Answer") drawn, its status line (cut to the width: no end_turn
    to wait for) and the prompt under it; the prompt's row."""
    term.wait(lambda: sum(line == "Answer" for line in term.lines()) >= n, f"reply {n}")
    return term.wait_prompt(after="Answer")


def test_a_model_switch_in_the_chat_shows_the_miss_and_the_apis_reason(server, spawn):
    server.set_default(Reply(text="Answer"))
    term = spawn("-s", SYSTEM, "--model", "claude-sonnet-5-5")
    term.say("one")
    finish(term, 1)
    assert "cache missed" not in term.text()
    term.say("/model claude-opus-5-5")
    term.wait_prompt(after="model: claude-opus-5-5")
    term.say("two")
    row = finish(term, 2)
    # 4,000 + "one" + "Answer" + "two" = 4,012 characters: 1,003 tokens, none read, all written
    lines = [line for line in term.between(f"{PROMPT} two", row) if "cache missed" in line]
    assert lines == ["cache missed: the model changed — 1,003 tokens written again"], term.text()
    sent = [r.json for r in posts(server)]
    assert sent[1]["model"] == "claude-opus-5-5"
    assert sent[1]["diagnostics"]["previous_message_id"] is not None  # the API was asked why


def test_a_turn_that_reads_the_cache_says_nothing(server, spawn):
    server.set_default(Reply(text="Answer"))
    term = spawn("-s", SYSTEM, "--model", "claude-sonnet-5-5")
    for n, question in enumerate(("one", "two"), 1):
        term.say(question)
        finish(term, n)
    assert "cache missed" not in term.text()


def test_ask_continued_on_another_model_says_why_on_stderr(env, server):
    server.set_default(Reply(text="Answer"))
    first = run_cli(env, "ask", "--model", "claude-opus-5-5", "--system", SYSTEM, "one", stdin=b"")
    assert first.code == 0 and "cache missed" not in first.err, first
    again = run_cli(env, "ask", "-c", "--model", "claude-sonnet-5-5", "two", stdin=b"")
    assert again.code == 0 and again.out == b"Answer\n", again
    # a new process knows no reply id to ask the API about: claudechat's own reason
    assert again.err_lines == ["claudechat: cache missed: the model changed (claude-opus-5-5 → "
                               "claude-sonnet-5-5) — 1,003 tokens written again"], again.err


def _toolbar(term) -> str:
    return next((line for line in reversed(term.screen.display) if "anthropic" in line), "")  # the
    # bottom line: the chat's first line names the profile too


def test_a_five_turn_chat_reads_the_cache_from_turn_two_and_cost_shows_the_figures(server, spawn):
    """By hand (the fake server: a prefix of N characters is N // 4 tokens, one more after
    the breakpoint; "Answer" is 2 output tokens), turn k sends 4,000 + 2k + 6(k-1) characters:
    turn 1 writes 1,000; turns 2-5 read what the turn before wrote (1,000, 1,002, 1,004,
    1,006) and write 2. Sonnet 5.5 (§1a): $2 in, $2.50 5-minute write, $0.20 read, $10 out
    per million: turn 1 = 2 + 2,500 + 20 = $2,522; turn 2 = 2 + 5 + 200 + 20 = $227;
    turns 3-5 = $227.40, $227.80, $228.20; total $3,432.40 per million = $0.0034. Saved:
    4,012 read x $1.80 = $0.0072; read share 4,012 of 5,025 input tokens = 80 %."""
    server.set_default(Reply(text="Answer"))
    term = spawn("-s", SYSTEM, "--model", "claude-sonnet-5-5", answer_cpr=True, PROMPT_TOOLKIT_NO_CPR=None)
    for k in range(1, 6):
        term.say(f"q{k}")
        finish(term, k)
    assert "cache missed" not in term.text()
    term.wait(lambda: _toolbar(term).rstrip().endswith("· $0.0034"), "$0.0034 in the toolbar")
    term.say("/cost")
    row = term.wait_prompt(after="total $")
    said = [" ".join(line.split()) for line in term.between(f"{PROMPT} /cost", row) if line]
    said[5:] = [" ".join(said[5:])]  # the total line, wrapped at 100 columns
    assert said == [
        "#1 claude-sonnet-5-5 1 in · 1,000 cache write · 0 cache read · 2 out $0.0025 0 % read",
        "#2 claude-sonnet-5-5 1 in · 2 cache write · 1,000 cache read · 2 out $0.0002 100 % read",
        "#3 claude-sonnet-5-5 1 in · 2 cache write · 1,002 cache read · 2 out $0.0002 100 % read",
        "#4 claude-sonnet-5-5 1 in · 2 cache write · 1,004 cache read · 2 out $0.0002 100 % read",
        "#5 claude-sonnet-5-5 1 in · 2 cache write · 1,006 cache read · 2 out $0.0002 100 % read",
        f"total $0.0034 · cache saved $0.0072 · 80 % of input read from the cache "
        f"(list prices checked {PRICES_CHECKED})"], said
