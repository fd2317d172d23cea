"""`claudechat ask`: one prompt, one streamed answer, scriptable."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Any, TextIO

from claudechat import settings as settings_mod
from claudechat import signals
from claudechat.errors import ExitCode


@dataclass
class AskOptions:
    prompt: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    resize: bool | None = None
    model: str | None = None
    system: str | None = None
    profile: str | None = None
    max_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    stop: list[str] = field(default_factory=list)
    think: bool | None = None
    thinking_budget: int | None = None
    effort: str | None = None
    stream: bool = True
    json: bool = False
    show_thinking: bool = False
    usage: bool = False
    plain: bool = False
    base_url: str | None = None
    debug: bool = False
    continue_last: bool = False  # -c/--continue
    cid: str | None = None  # --cid ID
    save: bool | None = None  # --save/--no-save; None: the save_history setting

    def flags(self) -> dict[str, Any]:
        """The options that override settings (None: not given)."""
        return {
            "profile": self.profile,
            "model": self.model,
            "system": self.system,
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "top_k": self.top_k,
            "stop_sequences": tuple(self.stop) if self.stop else None,
            "thinking": self.think,
            "thinking_budget": self.thinking_budget,
            "effort": self.effort,
            "base_url": self.base_url,
        }


def run_ask(opts: AskOptions, *, stdin: Any = None, stdout: TextIO | None = None,
            stderr: TextIO | None = None) -> ExitCode:
    from claudechat.attachments import compose
    from claudechat.connect import open_session
    from claudechat.history.saving import open_continuation
    from claudechat.turn import run_turn

    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    if stdin is None:
        stdin = _piped_stdin()
    history = open_continuation(opts.continue_last, opts.cid)
    settings = settings_mod.load(history.restore(opts.flags()))
    resize = settings.resize_images if opts.resize is None else opts.resize
    content = compose(" ".join(opts.prompt), files=opts.files, images=opts.images, stdin=stdin,
                      resize=resize)
    view = _view(opts, settings, stdout, stderr)
    session = open_session(settings, debug=opts.debug, notice=view.notice)
    conversation = history.resume(session.new_conversation())
    conversation.add_user(content)
    save = settings.save_history if opts.save is None else opts.save
    persist = history.recorder(save, settings.profile, view.notice)
    result = run_turn(conversation, session.client, view, wire=session.wire, stream=opts.stream,
                      persist=persist)
    for line in stop_notices(result.message, conversation.params.max_tokens):
        view.notice(line)
    if opts.usage and (result.has_content or result.message.usage):
        view.notice(usage_line(result.message, result.elapsed))
    if result.output_closed:  # `| head` had enough: not an error
        quiet_stdout()
        return ExitCode.OK
    if result.error is not None:
        raise result.error
    if result.interrupted:
        return signals.exit_code() or ExitCode.INTERRUPTED
    return ExitCode.OK


def quiet_stdout() -> None:
    """After stdout's reader went away, keep Python from failing when it flushes
    stdout at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _piped_stdin() -> Any:
    """stdin's binary stream when something is piped or redirected into it."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        return None
    try:
        if sys.stdin.isatty():
            return None
    except ValueError:  # closed
        return None
    return stream


def color_allowed(plain: bool, env: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    return not plain and not env.get("NO_COLOR") and env.get("TERM") != "dumb"


def _view(opts: AskOptions, settings: Any, stdout: TextIO, stderr: TextIO) -> Any:
    """Chosen once: JSON, the live rich view on a terminal, else plain text."""
    from claudechat.render.view import JsonView, PlainView

    if opts.json:
        return JsonView(stdout, stderr)
    color = color_allowed(opts.plain)
    if _isatty(stdout) and color:
        from rich.console import Console

        from claudechat.render.rich_view import RichView

        thinking = "expanded" if opts.show_thinking else settings.thinking_display
        return RichView(Console(file=stdout, highlight=False), Console(file=stderr, highlight=False),
                        thinking=thinking)
    return PlainView(stdout, stderr, terminal=_isatty(stdout), show_thinking=opts.show_thinking,
                     err_terminal=_isatty(stderr), color=color)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def stop_notices(message: Any, max_tokens: int) -> list[str]:
    reason = message.stop_reason
    if reason == "max_tokens":
        return [f"the reply was cut off at max_tokens ({max_tokens}); "
                f"ask for more room with --max-tokens {max_tokens * 2}"]
    if reason == "stop_sequence" and message.stop_sequence is not None:
        return [f"the reply stopped at the stop sequence {message.stop_sequence!r}"]
    if reason == "refusal":
        return ["the model declined to answer (stop reason: refusal)"]
    return []


def usage_line(message: Any, elapsed: float) -> str:
    from claudechat.render.view import token_counts

    parts = token_counts(message.usage)
    stop = message.stop_reason or "none (incomplete)"
    return f"tokens: {', '.join(parts)} · stop: {stop} · {elapsed:.2f} s"
