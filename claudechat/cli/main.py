"""The entry point: run the app; the only place that turns a ClaudechatError into one
line on stderr and an exit code (0 ok, 1 API or network error, 2 usage or input
error, 130 interrupted)."""

from __future__ import annotations

import os
import sys
from typing import Any

import typer

from claudechat import redaction, signals
from claudechat.cli.app import COMPLETE_VAR, app, begin, completion_setup, debug_on, quiet_stdout
from claudechat.environment import Environment
from claudechat.errors import ClaudechatError, ExitCode, UsageError


def _fail(message: str, code: int) -> int:
    """One line on stderr; a file name or server text in it cannot drive the terminal, and
    a key or a URL's password in it is not shown (redaction.py; the guarded stderr too)."""
    from claudechat.sanitize import sanitize

    redaction.release_streams()  # what the reply's last write kept back comes first
    try:
        print(f"claudechat: {' '.join(sanitize(redaction.redact(message)).split())}", file=sys.stderr,
              flush=True)
    except OSError:  # stderr is gone too (the terminal closed)
        pass
    return code


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, map errors to one stderr line and an exit code."""
    redaction.guard_streams()  # first: every line printed from here on passes redaction
    begin(Environment.from_process(debug=bool(os.environ.get("CLAUDECHAT_DEBUG"))))
    signals.install()
    completion_setup()
    try:
        check_argv(sys.argv[1:] if argv is None else argv)
        register(sys.argv[1:] if argv is None else argv)
        code = app(args=argv, prog_name="claudechat", standalone_mode=False)
    except (KeyboardInterrupt, typer.Abort):
        code = signals.exit_code() or ExitCode.INTERRUPTED
    except ClaudechatError as exc:
        if debug_on():  # its message may quote the server: sanitised like the line below
            import traceback

            from claudechat.sanitize import sanitize

            print(sanitize(traceback.format_exc()), end="", file=sys.stderr, flush=True)
        code = _fail(str(exc), exc.exit_code)
    except BrokenPipeError:
        quiet_stdout()
        code = ExitCode.OK
    except Exception as exc:
        if signals.received is not None:  # the terminal closed under a write: nobody to tell
            code = signals.exit_code()
        elif _is_click_error(exc):  # typer's (or click's) own usage errors
            code = _fail(_usage_message(exc), exc.exit_code)
        elif debug_on():  # a bug: one line, the traceback only with --debug
            raise
        else:
            code = _fail(f"internal error: {type(exc).__name__}: {exc} "
                         f"(run with --debug for details)", ExitCode.ERROR)
    sys.exit(int(code or 0))


COMMANDS = ("ask", "history", "models", "config", "completion")  # modules of claudechat.cli, --help's order


def register(args: list[str] | None = None) -> None:
    """Import the command modules, whose decorators add them to the app: only the one that
    the first word names (`claudechat ask …`: building every command's options for click
    costs ~8 ms of each start), else all of them (the chat, --help, options before a
    command, a prompt without ask, a shell asking for completions)."""
    import importlib

    first = args[0] if args else None
    wanted = (first,) if first in COMMANDS and not os.environ.get(COMPLETE_VAR) else COMMANDS
    for name in wanted:
        importlib.import_module(f"claudechat.cli.{name}")


PATH_OPTIONS = ("-f", "--file", "-i", "--image")  # their values are file names: any bytes


def check_argv(args: list[str]) -> None:
    """Every argument is UTF-8 text (Python holds other bytes as lone surrogates, which no
    request, history or terminal can take), except a file's name after -f or -i."""
    for i, arg in enumerate(args):
        if not any("\udc80" <= c <= "\udcff" for c in arg):
            continue
        a_path = (i > 0 and args[i - 1] in PATH_OPTIONS) or arg.startswith(("--file=", "--image=")) \
            or (arg[:2] in ("-f", "-i") and not arg.startswith("--"))
        if a_path:
            continue
        raw = os.fsencode(arg)
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UsageError(f"the argument '{raw.decode('utf-8', 'backslashreplace')}' is not UTF-8 "
                             f"text (byte 0x{raw[exc.start]:02x}); claudechat reads its command line "
                             f"as UTF-8: convert it (iconv -t utf-8) or use a UTF-8 locale") from None


def _usage_message(exc: Any) -> str:
    """typer's usage error in one line; an option of ask given before it says where it goes."""
    ctx = getattr(exc, "ctx", None)
    name = getattr(exc, "option_name", None)
    if ctx is not None and ctx.parent is None and name:
        ask_command = ctx.command.get_command(ctx, "ask")
        if ask_command is not None and any(name in (*p.opts, *p.secondary_opts) for p in ask_command.params):
            return f"{name} is an option of ask, not of the chat: put it after ask (claudechat ask {name} …)"
    where = f"{ctx.command_path} --help" if ctx is not None else "claudechat --help"
    if ctx is not None and ctx.parent is not None and ctx.parent.parent is None \
            and exc.format_message().startswith("No such command") \
            and "Did you mean" not in exc.format_message():  # claudechat history of rome
        return (f"{exc.format_message()} (see {where}; a question that starts with "
                f"{ctx.info_name!r}: claudechat ask {ctx.info_name} …)")
    return f"{exc.format_message()} (see {where})"


def _is_click_error(exc: Exception) -> bool:
    return isinstance(getattr(exc, "exit_code", None), int) and hasattr(exc, "format_message")

