"""The interactive chat: `claudechat` with no subcommand, on a terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claudechat.environment import Environment
    from claudechat.options import Options


def start(options: Options, env: Environment) -> int:
    """The chat on a terminal; without one (a pipe either way), behave like ask."""
    if not env.interactive:
        from claudechat.ask import run_ask

        return run_ask(options, env)
    from rich.text import Text

    from claudechat.errors import ClaudechatError
    from claudechat.history.store import HistoryStore
    from claudechat.repl.session import ReplState, run_repl
    from claudechat.startup import prepare

    start = prepare(options)
    console = env.console()
    session = start.connect(lambda text: console.print(f"claudechat: {text}", markup=False))
    state = ReplState(settings=start.settings, session=session, conversation=session.new_conversation(),
                      console=console, color=env.colors)
    state.save = start.save
    try:
        state.store = start.history.store or HistoryStore()
    except ClaudechatError as exc:
        if state.save:
            raise
        console.print(Text(f"claudechat: /history and /load are off: {exc}", style="yellow"))
    state._record(None, 0)
    stored = start.history.stored
    if stored is not None:
        state.resume(stored)
        console.print(Text(f"continuing {stored.summary.id[:8]}: {stored.summary.title} "
                           f"({len(stored.turns)} turns)", style="dim"))
    return run_repl(state)
