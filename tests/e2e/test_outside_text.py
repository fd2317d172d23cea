"""Text from outside never drives the terminal (issue 15; README "Outside text on your terminal").

Every command that prints text claudechat did not write itself (a stored conversation's title,
system prompt, messages, thinking, tool calls, attachment names; a reply as it streams; the
server's model list and error messages; the config file's values) is run by the real CLI on a
real pseudo-terminal, its output played into pyte: none of the escape sequences in that text
(OSC 52 clipboard write, OSC 0 title, CSI 2J screen clear, the 8-bit CSI U+009B, BEL, an OSC 8
link) reaches the terminal, their payloads are not on the screen, the title is untouched, and
the words around them are there (each sequence removed whole, as sanitize.py's rules say). The
same command to a pipe, or `history export -o FILE`, writes the text exactly as it was received.
"""

from __future__ import annotations

import base64
import json
import os
import re
import sqlite3
import sys
from pathlib import Path

import pytest
from helpers.cli import run_cli
from helpers.fake_server import ErrorReply, FakeServer, Reply, model_info
from helpers.pty_terminal import Terminal

# The sequences issue 15 names, between words; SHOWN is what a terminal may show of it: every
# sequence gone whole with its payload, every word around them kept.
HOSTILE = ("clip\x1b]52;c;SGFja2Vk\x07 title\x1b]0;PWNED\x07 clear\x1b[2J csi\x9b31m bell\x07 "
           "link\x1b]8;;https://evil.example/\x1b\\here\x1b]8;;\x1b\\ end")
SHOWN = "clip title clear csi bell linkhere end"
PAYLOADS = ("SGFja2Vk", "PWNED", "evil.example")
# What claudechat itself writes on a terminal for these commands: colours and styles (SGR); the
# live view's cursor moves, line erases, cursor hiding and synchronized output.
OWN_SEQUENCES = re.compile(r"\x1b\[(?:[0-9;]*m|\d*[AK]|\?25[hl]|\?2026[hl])")
# Control characters that must not reach the terminal (a raw byte 0x80-0xff not in UTF-8 would
# come back as a surrogate, U+DC80-U+DCFF).
CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\udc80-\udcff]")
WIDE = 200  # columns: no line of these tests wraps or is cut short


def said(place: str) -> str:
    """The hostile text as it is stored (or sent) at `place`."""
    return f"{place}: {HOSTILE}"


def seen(place: str) -> str:
    """What a terminal shows of said(place)."""
    return f"{place}: {SHOWN}"


def on_a_terminal(env: dict[str, str], *args: str, code: int = 0) -> Terminal:
    """`claudechat ARGS` run to its end on a pty, WIDE columns; it exits with `code`."""
    with Terminal(list(args), env, width=WIDE, height=60) as term:
        assert term.finish() == code, term.lines
    return term


def assert_neutralised(term: Terminal, visible: list[str], *, literal: bool = False) -> str:
    """Nothing of HOSTILE but its words reached the terminal; each of `visible` is on the screen.
    `literal`: JSON, which shows the sequences as \\u escapes (their payloads as text). Returns
    the screen's text."""
    raw = bytes(term.raw).decode("utf-8", "surrogateescape")
    leftover = OWN_SEQUENCES.sub("", raw)
    assert "\x1b" not in leftover, leftover
    assert not CONTROLS.search(leftover.replace("\r", "")), leftover
    assert literal or not [p for p in PAYLOADS if p in raw], raw
    assert term.screen.title == ""  # no title change got through
    screen = "\n".join(term.lines)
    assert [line for line in visible if line not in screen] == [], screen
    return screen


def json_on_a_terminal(term: Terminal) -> object:
    """What a JSON command wrote on the terminal (the pty's CRLF folded back), parsed."""
    return json.loads(bytes(term.raw).replace(b"\r\n", b"\n").decode())


# -- a stored conversation holding hostile text everywhere ---------------------------------


@pytest.fixture
def stored(env: dict[str, str], server: FakeServer, tmp_path: Path) -> dict[str, str]:
    """A conversation with HOSTILE in its system prompt, your message, an attached file's name,
    the reply, its thinking, a tool call's name and input, the model the server named, and its
    title (titles are made clean; this one as an older claudechat or another tool left it)."""
    server.enqueue(Reply(text=said("replied"), thinking=said("thought"),
                         model="claude-sonnet-5-5\x1b]0;PWNED\x07",
                         tool_use=[{"name": "tool\x1b]0;PWNED\x07", "input": {"q": "in\x9b2Jput"}}]))
    attached = tmp_path / "att\x1b]0;PWNED\x07.txt"
    attached.write_text("attached text\n", "utf-8")
    result = run_cli(env, "ask", "--system", said("system"), "-f", str(attached), said("asked"))
    assert result.code == 0, result
    with sqlite3.connect(Path(env["XDG_DATA_HOME"]) / "claudechat" / "history.db") as db:
        db.execute("UPDATE conversations SET title = ?", (said("titled"),))
    return env


TRANSCRIPT = [seen("titled"), seen("system"), seen("asked"), seen("replied"), 'name="att.txt"',
              "[tool call tool: {\"q\": \"input\"}]", " words, not shown]"]

# (command, what the screen shows of the conversation)
STORED_COMMANDS = {
    "history show": (["history", "show", "last"], TRANSCRIPT),
    "history show --plain": (["history", "show", "last", "--plain"], TRANSCRIPT),
    "history export": (["history", "export", "last"], TRANSCRIPT),
    "history list": (["history", "list"], [seen("titled")]),
    "history list --plain": (["history", "list", "--plain"], [seen("titled")]),
    "history list --search": (["history", "list", "--search", "replied"], [seen("titled")]),
    "history (no subcommand)": (["history"], [seen("titled")]),
    "history rm --yes": (["history", "rm", "last", "--yes"], [seen("titled")]),
}


@pytest.mark.parametrize(("args", "visible"), list(STORED_COMMANDS.values()), ids=list(STORED_COMMANDS))
def test_a_stored_conversation_cannot_drive_the_terminal(stored, args, visible):
    term = on_a_terminal(stored, *args)
    assert_neutralised(term, visible)


JSON_COMMANDS = {
    "history export -F json": ["history", "export", "last", "-F", "json"],
    "history list --json": ["history", "list", "--json"],
}


@pytest.mark.parametrize("args", list(JSON_COMMANDS.values()), ids=list(JSON_COMMANDS))
def test_json_on_a_terminal_is_the_same_json_with_every_control_character_escaped(stored, args):
    term = on_a_terminal(stored, *args)
    assert_neutralised(term, [], literal=True)
    piped = run_cli(stored, *args)
    assert piped.code == 0 and "\x9b".encode() in piped.out  # a pipe gets the C1 raw (valid JSON)
    assert json_on_a_terminal(term) == json.loads(piped.out)


def test_show_plain_and_export_to_a_pipe_or_a_file_keep_the_text_as_received(stored, tmp_path):
    shown = run_cli(stored, "history", "show", "last", "--plain")
    exported = run_cli(stored, "history", "export", "last")
    assert shown.code == exported.code == 0 and shown.out == exported.out
    text = exported.out.decode()
    for place in ("titled", "system", "asked", "replied"):
        assert said(place) in text
    assert run_cli(stored, "history", "export", "last", "-o", str(tmp_path / "out.md")).code == 0
    assert (tmp_path / "out.md").read_bytes() == exported.out
    json_file = tmp_path / "out.json"
    assert run_cli(stored, "history", "export", "last", "-F", "json", "-o", str(json_file)).code == 0
    saved = json.loads(json_file.read_text("utf-8"))
    assert saved["title"] == said("titled") and saved["system"] == said("system")
    reply = saved["messages"][1]["content"]
    assert said("replied") in [b.get("text") for b in reply]
    assert (reply[2]["name"], reply[2]["input"]) == ("tool\x1b]0;PWNED\x07", {"q": "in\x9b2Jput"})


# -- text a server sends ----------------------------------------------------------------------


def split_everywhere(text: str) -> list[str]:
    """`text` as text deltas of three characters: every escape sequence in it split in two."""
    return [text[i:i + 3] for i in range(0, len(text), 3)]


LIVE = {
    "ask on a terminal (the live view)": ["ask", "hi"],
    "ask --plain on a terminal": ["ask", "--plain", "hi"],
    "ask --show-thinking": ["ask", "--plain", "--show-thinking", "hi"],
}


@pytest.mark.parametrize("args", list(LIVE.values()), ids=list(LIVE))
@pytest.mark.parametrize("chunking", ["event", "bytes"])
def test_a_reply_split_anywhere_cannot_drive_the_terminal(env, server, args, chunking):
    server.enqueue(Reply(text=split_everywhere(said("replied")), thinking=split_everywhere(said("thought")),
                         chunking=chunking))
    term = on_a_terminal(env, *args)
    assert_neutralised(term, [seen("replied")] + ([seen("thought")] if "--show-thinking" in args else []))


def test_a_reply_to_a_pipe_is_the_text_as_received(env, server):
    server.enqueue(Reply(text=split_everywhere(said("replied")), chunking="bytes"))
    result = run_cli(env, "ask", "hi")
    assert (result.code, result.out.decode()) == (0, said("replied") + "\n"), result


def test_ask_json_on_a_terminal_is_the_reply_with_every_control_character_escaped(env, server):
    server.enqueue(Reply(text=split_everywhere(said("replied"))))
    term = on_a_terminal(env, "ask", "--json", "hi")
    assert_neutralised(term, [], literal=True)
    assert json_on_a_terminal(term)["content"][0]["text"] == said("replied")


def test_a_server_error_message_is_one_line_that_cannot_drive_the_terminal(env, server):
    server.enqueue(ErrorReply(400, message=said("refused")))
    term = on_a_terminal(env, "ask", "hi", code=1)
    screen = assert_neutralised(term, [seen("refused")])
    assert len([line for line in screen.splitlines() if line.strip()]) == 1, screen


NOTICES = {  # the lines claudechat says about a reply, quoting what the server sent
    "a refusal's category and explanation": (
        Reply(text="Partial", stop_reason="refusal",
              stop_details={"type": "refusal", "category": "cy\x1b]0;PWNED\x07ber",
                            "explanation": said("why")}),
        ["declined (cyber): " + seen("why")]),
    "the model named at max_tokens": (
        Reply(text="Partial", stop_reason="max_tokens", model="claude-sonnet-5-5\x1b]0;PWNED\x07"),
        ["cut off at max_tokens"]),
}


@pytest.mark.parametrize("plain", [[], ["--plain"]], ids=["live view", "--plain"])
@pytest.mark.parametrize(("reply", "visible"), list(NOTICES.values()), ids=list(NOTICES))
def test_what_claudechat_says_of_a_reply_cannot_drive_the_terminal(env, server, reply, visible, plain):
    server.enqueue(reply)
    term = on_a_terminal(env, "ask", *plain, "--usage", "hi")
    assert_neutralised(term, visible)


def test_debug_lines_show_the_servers_headers_without_their_control_characters(env, server):
    server.enqueue(ErrorReply(400, message=said("refused"), headers={"x-evil": "a\x9b2Jb\x9d0;PWNED\x9c"}))
    term = on_a_terminal(env, "--debug", "ask", "hi", code=1)
    assert_neutralised(term, ["debug: <   x-evil: ab", seen("refused")])  # the traceback's line too


MODELS = {
    "models": ["models"],
    "models --plain": ["models", "--plain"],
}


@pytest.fixture
def hostile_models(server: FakeServer) -> FakeServer:
    server.models = [model_info("claude-x\x1b]0;PWNED\x07", said("named"), "2026-11-01T00:00:00Z",
                                enabled_thinking=True, adaptive_thinking=False)]
    return server


@pytest.mark.parametrize("args", list(MODELS.values()), ids=list(MODELS))
def test_model_names_from_the_server_cannot_drive_the_terminal(env, hostile_models, args):
    term = on_a_terminal(env, *args)
    assert_neutralised(term, ["claude-x", seen("named")])


def test_models_json_on_a_terminal_is_the_servers_list_with_every_control_character_escaped(
        env, hostile_models):
    term = on_a_terminal(env, "models", "--json")
    assert_neutralised(term, [], literal=True)
    piped = json.loads(run_cli(env, "models", "--json").out)
    assert json_on_a_terminal(term) == hostile_models.models == piped


# -- the config file ---------------------------------------------------------------------------


@pytest.fixture
def hostile_config(env: dict[str, str], config) -> dict[str, str]:
    """A config whose system prompt holds HOSTILE (TOML's \\u escapes, as json.dumps writes them)."""
    return config(env, f"system = {json.dumps(said('system'))}\n")


CONFIG = {
    "config show": ["config", "show"],
    "config show --plain": ["config", "show", "--plain"],
}


@pytest.mark.parametrize("args", list(CONFIG.values()), ids=list(CONFIG))
def test_config_values_cannot_drive_the_terminal(hostile_config, args):
    term = on_a_terminal(hostile_config, *args)
    assert_neutralised(term, [seen("system")])


def test_config_show_json_on_a_terminal_is_the_same_json(hostile_config):
    term = on_a_terminal(hostile_config, "config", "show", "--json")
    assert_neutralised(term, [], literal=True)
    piped = json.loads(run_cli(hostile_config, "config", "show", "--json").out)
    assert json_on_a_terminal(term) == piped and piped["settings"]["system"]["value"] == said("system")


def test_config_edit_quotes_a_broken_config_without_letting_it_drive_the_terminal(env, tmp_path):
    editor = tmp_path / "editor.py"  # an editor that writes a profile name holding HOSTILE
    broken = f"[profiles]\n{json.dumps(said('profile'))} = 1\n"
    editor.write_text(f"import sys\nopen(sys.argv[1], 'w').write({broken!r})\n", "utf-8")
    with Terminal(["config", "edit"], {**env, "VISUAL": f"{sys.executable} {editor}"}, width=WIDE) as term:
        term.wait_for(r"edit again\? \[Y/n\]")
        os.write(term.master, b"n\r")
        assert term.finish() == 2
    assert_neutralised(term, [f"'profiles.{seen('profile')}' must be a table"])


# -- the chat ----------------------------------------------------------------------------------


def chat_output(term) -> str:
    """What the chat wrote, but for /copy's own OSC 52, which must hold what the screen showed
    of the reply (no sequence hidden in it to be pasted)."""
    copy = re.compile(r"\x1b\]52;c;([A-Za-z0-9+/=]*)\x07")
    assert [base64.b64decode(sent).decode() for sent in copy.findall(term.raw)] == [seen("replied")]
    return copy.sub("", term.raw)


def assert_chat_neutralised(raw: str, term) -> None:
    """No sequence of HOSTILE in what the chat wrote (which has prompt_toolkit's own sequences)."""
    for sequence in ("\x1b]", "\x1b[2J", "\x9b", "\x07", *PAYLOADS):
        assert sequence not in raw, sequence
    assert term.screen.title == ""


def test_the_chat_shows_a_stored_conversation_without_letting_it_drive_the_terminal(stored, spawn):
    term = spawn("-c")  # the recap of the last exchange
    term.wait_text(seen("replied"))
    assert seen("asked") in term.text() and "▸ tool call: tool" in term.text()
    cid = json.loads(run_cli(stored, "history", "list", "--json").out)[0]["id"]
    for typed, answer in [("/show", seen("asked")), ("/show", seen("replied")), ("/expand", seen("thought")),
                          ("/history", seen("titled")), ("/system", seen("system")),
                          (f"/load {cid}", seen("titled")), ("/cost", "#1   claude-sonnet-5-5  "),
                          ("/copy", f"{len(seen('replied'))} characters")]:
        assert answer in term.said(typed), typed
    assert_chat_neutralised(chat_output(term), term)


def test_a_reply_in_the_chat_split_anywhere_cannot_drive_the_terminal(server, spawn):
    server.enqueue(Reply(text=split_everywhere(said("replied")), thinking=split_everywhere(said("thought")),
                         chunking="bytes"))
    term = spawn()
    term.say("hi")
    term.replied(1)
    assert seen("replied") in term.text()
    assert seen("thought") in term.said("/expand")
    term.said("/copy")
    assert_chat_neutralised(chat_output(term), term)


def test_model_names_from_the_server_in_the_chat_cannot_drive_the_terminal(env, hostile_models, spawn):
    assert run_cli(env, "models").code == 0  # the list the chat's /model shows, cached
    term = spawn()
    shown = term.said("/model")
    assert "claude-x " in shown and "named: clip title" in shown
    assert_chat_neutralised(term.raw, term)


def test_a_server_error_in_the_chat_cannot_drive_the_terminal(server, spawn):
    server.enqueue(ErrorReply(400, message=said("refused")))
    term = spawn()
    term.say("hi")
    term.wait_text(seen("refused"))
    term.wait_prompt(after=seen("refused"), typed="hi")  # the message is given back, not lost
    assert_chat_neutralised(term.raw, term)
