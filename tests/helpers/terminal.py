"""A terminal for rendering tests: rich writes into it, pyte plays the bytes back.

What a person would see: every line that scrolled into the scrollback, then the
screen, as text.
"""

from __future__ import annotations

import io

import pyte
from rich.console import Console
from rich.markdown import Markdown


class TerminalFile(io.StringIO):
    """A file that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def terminal_console(width: int = 80, height: int = 24) -> Console:
    return Console(file=TerminalFile(), width=width, height=height, force_terminal=True,
                   force_interactive=True, color_system=None, highlight=False)


def screen_lines(output: str, width: int, height: int) -> list[str]:
    """Scrollback then screen, trailing blank lines dropped. A tty turns each
    LF into CR LF (onlcr); this does the same before pyte sees it."""
    screen = pyte.HistoryScreen(width, height, history=1_000_000)
    stream = pyte.Stream(screen)
    stream.feed(output.replace("\n", "\r\n"))
    lines = ["".join(row[x].data for x in range(width)).rstrip() for row in screen.history.top]
    lines += [line.rstrip() for line in screen.display]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def rendered(text: str, width: int, height: int) -> list[str]:
    """Markdown `text` rendered at once by rich, played through the same emulator: what a
    reply should end up as on a terminal of `width` x `height`."""
    console = terminal_console(width, height)
    console.print(Markdown(text))
    return screen_lines(console.file.getvalue(), width, height)
