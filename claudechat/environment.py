"""Environment: the process's streams and what they are, found out once.

Built in cli.py (`Environment.from_process`) and handed to every command, so no
other module asks `isatty()` or reads NO_COLOR/TERM itself. Tests of a command
can build one over their own streams.

    stdin, stdout, stderr   the text streams (stdin's bytes: `piped_stdin()`)
    *_isatty                whether each one is a terminal (False when closed)
    colors                  colour and styles allowed: not --plain, NO_COLOR unset
                            or empty, TERM not "dumb"
    debug                   --debug or CLAUDECHAT_DEBUG: tracebacks and HTTP headers
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, BinaryIO, TextIO


def isatty(stream: Any) -> bool:
    """Is `stream` a terminal? (False for a closed stream or one with no isatty.)"""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def colors_allowed(env: Mapping[str, str], *, plain: bool = False) -> bool:
    """Colour and styles, unless --plain, NO_COLOR (non-empty, see no-color.org) or TERM=dumb."""
    return not plain and not env.get("NO_COLOR") and env.get("TERM") != "dumb"


@dataclass(frozen=True)
class Environment:
    stdin: TextIO
    stdout: TextIO
    stderr: TextIO
    stdin_isatty: bool
    stdout_isatty: bool
    stderr_isatty: bool
    colors: bool = True
    debug: bool = False
    env: Mapping[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def from_process(cls, *, plain: bool = False, debug: bool = False) -> Environment:
        return cls.over(sys.stdin, sys.stdout, sys.stderr, env=os.environ, plain=plain, debug=debug)

    @classmethod
    def over(cls, stdin: TextIO, stdout: TextIO, stderr: TextIO, *, env: Mapping[str, str],
             plain: bool = False, debug: bool = False) -> Environment:
        """An Environment over the given streams (the process's, or a test's)."""
        return cls(stdin=stdin, stdout=stdout, stderr=stderr, stdin_isatty=isatty(stdin),
                   stdout_isatty=isatty(stdout), stderr_isatty=isatty(stderr),
                   colors=colors_allowed(env, plain=plain), debug=debug, env=env)

    def with_options(self, *, plain: bool = False, debug: bool = False) -> Environment:
        """The same streams with a command's --plain and --debug applied."""
        return replace(self, colors=self.colors and not plain, debug=self.debug or debug)

    @property
    def hyperlinks(self) -> bool:
        """OSC 8 links on stdout: a terminal with colour (so never a pipe, NO_COLOR or
        TERM=dumb) that draws them; the Linux console, old VTs and GNU screen would not."""
        term = self.env.get("TERM", "")
        return self.stdout_isatty and self.colors and not term.startswith(("linux", "vt", "dumb")) \
            and not self.env.get("STY")

    @property
    def interactive(self) -> bool:
        """Both ends are a terminal: the chat can run."""
        return self.stdin_isatty and self.stdout_isatty

    def piped_stdin(self) -> BinaryIO | None:
        """stdin's bytes when something is piped or redirected into it; None for a
        terminal or a closed stdin."""
        if self.stdin_isatty:
            return None
        stream = getattr(self.stdin, "buffer", None)
        if stream is None or getattr(stream, "closed", False):
            return None
        return stream

    def console(self, *, stderr: bool = False, **options: Any) -> Any:
        """A rich Console on stdout (or stderr) that honours `colors`. Strings print
        literally: no markup (`[red]`, `arr[i]`), no :emoji: codes, no highlighting, as
        nearly every string printed came from the user, the model, a file or a server."""
        from rich.console import Console

        for literal in ("markup", "emoji", "highlight"):
            options.setdefault(literal, False)
        if not self.colors:
            options.setdefault("no_color", True)
        return Console(file=self.stderr if stderr else self.stdout, **options)

    def quiet_stdout(self) -> None:
        """stdout's reader went away (`| head`): point stdout at /dev/null, so the
        interpreter's last flush at exit fails quietly instead of with a traceback."""
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.stdout.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):
            pass

    def emit(self, text: str) -> None:
        """Write to stdout and flush; a reader that went away (`| head`) is not an error."""
        try:
            self.stdout.write(text)
            self.stdout.flush()
        except BrokenPipeError:
            self.quiet_stdout()
