"""The interactive chat: `claudechat` with no subcommand, on a terminal."""

from __future__ import annotations

from claudechat.ask import AskOptions


def start(opts: AskOptions) -> int:
    """The chat on a terminal; without one (a pipe either way), behave like ask."""
    from claudechat.repl.loop import is_interactive

    if not is_interactive():
        from claudechat.ask import run_ask

        return run_ask(opts)
    from rich.console import Console

    from claudechat import settings as settings_mod
    from claudechat.connect import open_session
    from claudechat.errors import ClaudechatError
    from claudechat.history import open_for_ask
    from claudechat.repl.loop import Printer, run_repl
    from claudechat.repl.state import ReplState
    from claudechat.store import HistoryStore

    history = open_for_ask(opts.continue_last, opts.cid)
    settings = settings_mod.load(history.restore(opts.flags()))
    from claudechat.ask import color_allowed

    color = color_allowed(opts.plain)
    console = Console(highlight=False, no_color=not color or None)
    out = Printer(console, debug=opts.debug)
    session = open_session(settings, debug=opts.debug,
                           notice=lambda text: console.print(f"claudechat: {text}", markup=False))
    state = ReplState(settings=settings, session=session, conversation=session.new_conversation(),
                      color=color, notify=out.notice)
    state.save = settings.save_history if opts.save is None else opts.save
    try:
        state.store = history.store or HistoryStore()
    except ClaudechatError as exc:
        if state.save:
            raise
        console.print(f"claudechat: /history and /load are off: {exc}", markup=False, style="yellow")
    state.start_recording(None, 0)
    if history.stored is not None:
        state.resume(history.stored)
        n = len(history.stored.turns)
        console.print(f"continuing {history.stored.id[:8]}: {history.stored.title} ({n} turns)",
                      markup=False, style="dim")
    return run_repl(state, out)
