"""Drawing a reply: the views (view.py: plain and JSON; rich_view.py: the live
terminal view) and the one place that picks between them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from claudechat.environment import Environment
    from claudechat.render.view import StreamView


def choose_view(env: Environment, *, thinking_display: str = "collapsed", show_thinking: bool = False,
                json: bool = False, chat_console: Any = None,
                idle_timeout: float | None = None) -> StreamView:
    """The one place that picks how a reply is drawn, from what stdout is.

    `--json`: the final Message only. A terminal with colour: the live rich view
    (thinking on stderr for ask; the chat passes its console, which then takes
    everything). Otherwise plain text: the reply exactly as received on a pipe,
    sanitised on a terminal; thinking on stderr with `show_thinking`, or on the
    chat's terminal unless thinking_display is "hidden". `idle_timeout`: when a silent
    stream is given up on (the live view says a stall before that)."""
    from claudechat.render.view import JsonView, PlainView

    if json:  # on a terminal, the control characters json.dumps leaves raw are escaped
        return JsonView(env.stdout, env.stderr, terminal=env.stdout_isatty)
    if env.stdout_isatty and env.colors:
        from claudechat.render.rich_view import RichView

        main = chat_console if chat_console is not None else env.console()
        status = chat_console if chat_console is not None else env.console(stderr=True)
        view = RichView(main, status, thinking="expanded" if show_thinking else thinking_display,
                        idle_timeout=idle_timeout)
        view.links = env.hyperlinks  # the sources under a reply as OSC 8 links
        return view
    if chat_console is not None:
        return PlainView(env.stdout, env.stdout, terminal=True, err_terminal=True, color=False,
                         show_thinking=thinking_display != "hidden")
    return PlainView(env.stdout, env.stderr, terminal=env.stdout_isatty, show_thinking=show_thinking,
                     err_terminal=env.stderr_isatty, color=env.colors)
