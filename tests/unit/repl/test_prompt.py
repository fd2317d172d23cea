"""The PromptSession (README, "Typing" and "Attachments"): the bottom toolbar (profile,
model, thinking, the tokens used, the pending attachments), the attachments listed above
the prompt, the input history kept across runs in the user state directory holding what
was sent (a paste whole, not its placeholder), and `editing_mode = "vi"`."""

from __future__ import annotations

import os
import threading

import httpx
from helpers.repl import ENDPOINT, new_state, no_network, settings_for, typed
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from claudechat import attachments
from claudechat.api.client import ApiClient
from claudechat.conversation import Turn
from claudechat.repl import commands
from claudechat.repl.loop import run_repl
from claudechat.repl.prompt import message, toolbar

UP = "\x1b[A"


def plain(render) -> str:
    return "".join(text for _, text in render())


def test_the_toolbar_shows_profile_model_thinking_tokens_and_attachments(state, out, tmp_path):
    bar = toolbar(state)
    assert [part.strip() for part in plain(bar).split("·")] == [
        "anthropic", "claude-sonnet-5-5", "thinking on (model default)", "0 tokens"]
    usage = {"input_tokens": 1000, "output_tokens": 200, "cache_read_input_tokens": 300,
             "cache_creation_input_tokens": 34}
    state.conversation.turns = [Turn("user", [{"type": "text", "text": "q"}]),
                                Turn("assistant", [{"type": "text", "text": "a"}], usage=usage)]
    commands.dispatch(state, "/model claude-haiku-4-5", out)
    commands.dispatch(state, "/think 2048", out)
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "b.txt").write_text("b")
    for name in ("a.txt", "b.txt"):
        state.attach(attachments.file_arg(str(tmp_path / name)))
    assert [part.strip() for part in plain(bar).split("·")] == [
        "anthropic", "claude-haiku-4-5", "thinking on (2,048 tokens)", "1,534 tokens",
        "$0.0021", "2 attached"]  # Haiku 4.5: 1,000 x $1 + 34 x $1.25 + 300 x $0.10 + 200 x $5


def test_pending_attachments_are_listed_above_the_prompt(state, tmp_path):
    assert plain(message(state)) == "› "
    (tmp_path / "notes.txt").write_text("n")
    state.attach(attachments.file_arg(str(tmp_path / "notes.txt")))
    above, prompt = plain(message(state)).split("\n")
    assert "notes.txt" in above and prompt == "› "


def test_the_input_history_keeps_a_paste_whole_across_runs(state, tmp_path):
    block = "\n".join(f"row {i}" for i in range(40))
    assert typed(state, f"look: \x1b[200~{block}\x1b[201~\r") == ["look: [pasted 40 lines #1]"]
    assert (tmp_path / "state" / "claudechat" / "input-history").is_file()  # the user state directory
    again = new_state(settings_for(tmp_path))  # the next run of the chat
    assert typed(again, UP + "\r") == ["look: " + block]


def test_an_input_history_that_cannot_be_written_is_kept_in_memory(state, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "a-file"))
    (tmp_path / "a-file").write_text("not a directory")
    assert typed(state, "first\r", UP + "\r") == ["first", "first"]
    folder = tmp_path / "state" / "claudechat"  # the file is there but writing it fails
    folder.mkdir(parents=True)
    os.symlink(tmp_path / "gone" / "input-history", folder / "input-history")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert typed(state, "second\r", UP + "\r") == ["second", "second"]


def test_vi_editing_mode_gives_vi_keys(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    keys = "abc\x1bbix\r"  # Esc, b (word back), i (insert), x
    assert typed(new_state(settings_for(tmp_path, editing_mode="vi")), keys) == ["xabc"]
    assert typed(new_state(settings_for(tmp_path)), keys) == ["ixabc"]  # emacs: Esc b, then text


def test_the_toolbar_keeps_the_states_sums_as_turns_come_and_go(state, out):
    bar = toolbar(state)

    def shown() -> tuple[str, str | None]:
        parts = [part.strip() for part in plain(bar).split("·")]
        return parts[3], parts[4] if len(parts) > 4 else None

    def expected() -> tuple[str, str | None]:
        return f"{state.tokens_used():,} tokens", state.running_cost()

    for n in range(1, 5):
        usage = {"input_tokens": 100 * n, "output_tokens": 10 * n}
        state.conversation.turns.append(Turn("user", [{"type": "text", "text": f"q{n}"}]))
        state.conversation.turns.append(Turn("assistant", [{"type": "text", "text": "a"}], usage=usage))
        assert shown() == expected() and shown()[1] is not None
    del state.conversation.turns[-2:]  # /undo
    assert shown() == expected() == ("660 tokens", shown()[1])
    state.conversation.turns.append(Turn("user", [{"type": "text", "text": "again"}]))
    state.conversation.turns.append(Turn("assistant", [{"type": "text", "text": "b"}],
                                         usage={"input_tokens": 7, "output_tokens": 1}))
    assert shown() == expected()
    commands.dispatch(state, "/model claude-haiku-4-5", out)
    assert shown() == expected()
    commands.dispatch(state, "/new", out)
    assert shown() == expected() == ("0 tokens", None)


def test_the_http_client_is_built_on_its_own_thread_once_the_prompt_is_drawn(state, out):
    """README, "Start-up": the chat's prompt comes first; its HTTP client (httpx's import) is
    built on a thread while the user types, not when the first message goes out."""
    built = threading.Event()
    builders: list[str] = []

    def build() -> httpx.Client:
        builders.append(threading.current_thread().name)
        built.set()
        return httpx.Client(transport=httpx.MockTransport(no_network))

    state.session.client = ApiClient(ENDPOINT, build_http=build)
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        pipe.send_text("\x04")  # Ctrl-D at the empty prompt: the chat ends, nothing typed
        run_repl(state, out)
    assert built.wait(10), "the client was never built"
    assert builders == ["claudechat-connect"]
