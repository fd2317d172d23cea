"""The interactive chat: `claudechat` with no subcommand, on a terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claudechat.environment import Environment
    from claudechat.errors import NoKeyError
    from claudechat.options import Options


def start(options: Options, env: Environment) -> int:
    """The chat on a terminal; without one (a pipe either way), behave like ask."""
    if not env.interactive:
        from claudechat.ask import run_ask

        return run_ask(options, env)
    from claudechat.repl import tty

    with tty.without("ICRNL"):  # first: an Enter typed while the chat starts is Enter
        return _chat(options, env)


def _chat(options: Options, env: Environment) -> int:
    from claudechat.errors import ClaudechatError, NoKeyError
    from claudechat.history.store import HistoryStore
    from claudechat.repl.loop import Printer, run_repl
    from claudechat.repl.state import RESUMED_UNANSWERED, ReplState
    from claudechat.startup import prepare

    out = Printer(env.console(), debug=env.debug, env=env)
    try:
        start = prepare(options)
        session = start.connect(out.notice, deferred=True)  # built once the prompt is drawn
    except NoKeyError as exc:
        return _no_key(exc, env)
    out.say(f"{start.settings.profile} · {start.settings.model} · /help for commands",
            style="dim" if env.colors else "")
    state = ReplState(settings=start.settings, session=session, conversation=session.new_conversation(),
                      color=env.colors, notify=out.notice)
    state.save = start.save
    try:
        state.store = start.history.store or HistoryStore()
    except ClaudechatError as exc:
        if state.save:
            raise
        out.notice(f"/history and /load are off: {exc}")
    state.start_recording(None, 0)
    stored = start.history.stored
    if stored is not None:
        from claudechat.repl.commands.saved import resumed

        said = state.resume(stored, system=start.settings.system)
        resumed(state, out, stored, "continuing")
        if said:
            out.notice(said)
        from claudechat.tools.calls import kept_tools_note

        kept = kept_tools_note(state.conversation, session.params.tools)
        if kept:
            out.notice(kept)
        if state.take_back():
            out.say(RESUMED_UNANSWERED, style="yellow")
    return run_repl(state, out)


def _no_key(exc: NoKeyError, env: Environment) -> int:
    """No key yet: a few lines on stderr (where each built-in profile's key comes from, how
    to set it, --demo) instead of the one line ask prints."""
    from claudechat.errors import ExitCode
    from claudechat.sanitize import sanitize

    first, *rest = exc.lines()
    print("\n".join([f"claudechat: {sanitize(first)}", *map(sanitize, rest)]), file=env.stderr, flush=True)
    return ExitCode.USAGE
