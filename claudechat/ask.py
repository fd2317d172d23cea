"""`claudechat ask`: one prompt, one streamed answer."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any, TextIO

from claudechat import settings as settings_mod
from claudechat.errors import ExitCode, UsageError


@dataclass
class AskOptions:
    prompt: list[str] = field(default_factory=list)
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
    base_url: str | None = None
    debug: bool = False

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


def run_ask(opts: AskOptions, *, stdout: TextIO | None = None,
            stderr: TextIO | None = None) -> ExitCode:
    from claudechat.connect import open_session
    from claudechat.render.view import JsonView, PlainView
    from claudechat.turn import run_turn

    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    prompt = " ".join(opts.prompt).strip()
    if not prompt:
        raise UsageError('no prompt given; try: claudechat ask "your question"')
    settings = settings_mod.load(opts.flags())
    view_cls = JsonView if opts.json else PlainView
    view = view_cls(stdout, stderr, terminal=stdout.isatty())
    session = open_session(settings, debug=opts.debug, notice=view.notice)
    conversation = session.new_conversation()
    conversation.add_user(prompt)
    result = run_turn(conversation, session.client, view, wire=session.wire, stream=opts.stream)
    if result.error is not None:
        raise result.error
    if result.interrupted:
        return ExitCode.INTERRUPTED
    return ExitCode.OK
