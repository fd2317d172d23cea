"""The command line: thin typer commands that parse options and call one function.

This is the only place that turns a ClaudechatError into one line on stderr
and an exit code (0 ok, 1 API or network error, 2 usage or input error, 130
interrupted). Heavy modules (httpx, rich, prompt_toolkit) are imported inside
the commands, so `--version` and `--help` stay fast.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer

from claudechat import __version__, signals
from claudechat.environment import Environment
from claudechat.errors import ClaudechatError, ExitCode, UsageError

app = typer.Typer(
    name="claudechat",
    help="A terminal chat client for the Claude Messages API (Anthropic and Ace Data Cloud).",
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


# Options shared by the chat (the root command) and ask.
Model = Annotated[str | None, typer.Option(
    "--model", "-m", metavar="NAME", help="Model name (default claude-sonnet-5-5).")]
System = Annotated[str | None, typer.Option("--system", "-s", metavar="TEXT", help="System prompt.")]
Profile = Annotated[str | None, typer.Option("--profile", "-p", metavar="NAME", help="Profile to use.")]
MaxTokens = Annotated[int | None, typer.Option("--max-tokens", metavar="N", help="Reply length limit.")]
Think = Annotated[
    bool | None, typer.Option("--think/--no-think", help="Thinking on or off (unset: the model's default).")
]
ThinkingBudget = Annotated[
    int | None,
    typer.Option("--thinking-budget", metavar="N", help="Thinking tokens, for models that take a budget."),
]
Effort = Annotated[
    str | None,
    typer.Option("--effort", metavar="LEVEL", help="low|medium|high|xhigh|max, for models that take one."),
]
BaseUrl = Annotated[str | None, typer.Option("--base-url", metavar="URL", help="Override the server URL.")]
Plain = Annotated[bool, typer.Option("--plain", help="No colour or formatting (also NO_COLOR, TERM=dumb).")]
Debug = Annotated[
    bool, typer.Option("--debug", help="Tracebacks and HTTP headers on stderr (key redacted).")
]
Continue = Annotated[
    bool, typer.Option("--continue", "-c", help="Continue the most recent conversation.")
]
Cid = Annotated[
    str | None,
    typer.Option("--cid", metavar="ID", help="Continue conversation ID (a unique prefix, or last)."),
]
Save = Annotated[
    bool | None, typer.Option("--save/--no-save", help="Keep the conversation in the history.")
]
Resize = Annotated[bool | None, typer.Option(
    "--resize/--no-resize", help="Downscale images over the API's limits (the resize_images setting).")]


def _version(value: bool) -> None:
    if value:
        try:
            print(f"claudechat {__version__}", flush=True)
        except BrokenPipeError:
            _quiet_stdout()
        raise typer.Exit(0)


@app.callback()
def root(
    ctx: typer.Context,
    version: Annotated[
        bool | None,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Print the version."),
    ] = None,
    model: Model = None,
    system: System = None,
    profile: Profile = None,
    think: Think = None,
    thinking_budget: ThinkingBudget = None,
    effort: Effort = None,
    max_tokens: MaxTokens = None,
    base_url: BaseUrl = None,
    continue_last: Continue = False,
    cid: Cid = None,
    save: Save = None,
    resize: Resize = None,
    plain: Plain = False,
    debug: Debug = False,
) -> None:
    """Chat with Claude from the terminal (no arguments: the interactive chat;
    `claudechat ask "…"`: one question). Without a terminal, behaves like ask."""
    if ctx.invoked_subcommand is not None:
        _environment(plain=plain, debug=debug)
        _pass_down(ctx)
        return
    from claudechat.options import Options
    from claudechat.repl import start

    env = _environment(plain=plain, debug=debug)
    options = Options(model=model, system=system, profile=profile, think=think,
                      thinking_budget=thinking_budget, effort=effort, max_tokens=max_tokens,
                      base_url=base_url, debug=env.debug, continue_last=continue_last, cid=cid,
                      save=save, plain=plain, resize=resize)
    raise typer.Exit(int(start(options, env)))


GLOBAL_OPTIONS = ("plain", "debug")  # the environment's: every command takes them


def _pass_down(ctx: typer.Context) -> None:
    """Options given before a subcommand apply to it (`claudechat -m X ask hi` is
    `claudechat ask -m X hi`): they become its own options' defaults, so the same option
    given after the subcommand wins. One it has no use for is refused in one line."""
    given = {p.name: ctx.params[p.name] for p in ctx.command.params
             if p.name and _source(ctx, p.name) == "COMMANDLINE"}
    name = ctx.invoked_subcommand or ""
    sub = ctx.command.get_command(ctx, name) if isinstance(ctx.command, typer.core.TyperGroup) else None
    if not given or sub is None:
        return
    defaults = _defaults_for(sub, given)
    for key in given:
        if key not in GLOBAL_OPTIONS and not _mentions(defaults, key):
            raise UsageError(_misplaced(_option(ctx, key), given[key], name))
    ctx.default_map = {name: defaults}


def _misplaced(option: Any, value: Any, command: str) -> str:
    """"-m/--model does not apply to `claudechat history`; it goes with the chat (…) or ask (…)"."""
    flags = "/".join([*sorted(option.opts, key=len), *option.secondary_opts])
    typed = option.secondary_opts[0] if value is False and option.secondary_opts else option.opts[0]
    shown = typed if option.is_flag else f"{typed} {option.metavar or 'VALUE'}"
    return (f"{flags} does not apply to `claudechat {command}`; it goes with the chat "
            f"(claudechat {shown}) or with ask (claudechat ask {shown} PROMPT)")


def _source(ctx: typer.Context, name: str) -> str:
    source = ctx.get_parameter_source(name)
    return source.name if source is not None else ""


def _defaults_for(command: Any, given: dict[str, Any]) -> dict[str, Any]:
    """{param: value} for the options of `command` among `given`; for a group, per subcommand."""
    if isinstance(command, typer.core.TyperGroup):
        return {name: _defaults_for(sub, given) for name, sub in command.commands.items()}
    return {p.name: given[p.name] for p in command.params if p.name in given}


def _mentions(defaults: dict[str, Any], key: str) -> bool:
    return key in defaults or any(isinstance(v, dict) and _mentions(v, key) for v in defaults.values())


def _option(ctx: typer.Context, name: str) -> Any:
    return next(p for p in ctx.command.params if p.name == name)


# Options only ask takes.
Prompt = Annotated[list[str] | None,
                   typer.Argument(metavar="PROMPT...", help="The prompt (words are joined).")]
Temperature = Annotated[float | None, typer.Option(
    "--temperature", "-t", metavar="X", help="Randomness, 0 to 1 (older models only; else --effort).")]
TopP = Annotated[float | None, typer.Option(
    "--top-p", metavar="X", help="Nucleus sampling (older models only).")]
TopK = Annotated[int | None, typer.Option(
    "--top-k", metavar="N", help="Sample from the top K (older models only).")]
Stop = Annotated[list[str] | None, typer.Option("--stop", metavar="TEXT", help="Stop sequence (repeatable).")]
Files = Annotated[list[str] | None, typer.Option("--file", "-f", metavar="PATH",
                                                 help="Attach a text file or PDF (repeatable; - is stdin).")]
Images = Annotated[list[str] | None, typer.Option("--image", "-i", metavar="PATH|URL",
                                                  help="Attach an image file or URL (repeatable).")]
NoStream = Annotated[bool, typer.Option("--no-stream", help="Wait for the whole reply.")]
JsonOut = Annotated[bool, typer.Option("--json", help="Print the final Message object as JSON.")]
ShowThinking = Annotated[bool, typer.Option("--show-thinking", help="Print the thinking (to stderr).")]
Usage = Annotated[bool,
                  typer.Option("--usage", help="Print token usage, stop reason and time (to stderr).")]


@app.command()
def ask(
    prompt: Prompt = None,
    model: Model = None,
    system: System = None,
    profile: Profile = None,
    max_tokens: MaxTokens = None,
    temperature: Temperature = None,
    top_p: TopP = None,
    top_k: TopK = None,
    stop: Stop = None,
    think: Think = None,
    thinking_budget: ThinkingBudget = None,
    effort: Effort = None,
    files: Files = None,
    images: Images = None,
    resize: Resize = None,
    no_stream: NoStream = False,
    json_out: JsonOut = False,
    show_thinking: ShowThinking = False,
    usage: Usage = False,
    plain: Plain = False,
    base_url: BaseUrl = None,
    debug: Debug = False,
    continue_last: Continue = False,
    cid: Cid = None,
    save: Save = None,
) -> None:
    """Ask one question and stream the answer to stdout."""
    from claudechat.ask import run_ask
    from claudechat.options import Options

    env = _environment(plain=plain, debug=debug)
    code = run_ask(Options(
        prompt=prompt or [], files=files or [], images=images or [], resize=resize,
        show_thinking=show_thinking, usage=usage, plain=plain, model=model, system=system,
        profile=profile, max_tokens=max_tokens,
        temperature=temperature, top_p=top_p, top_k=top_k, stop=stop or [], think=think,
        thinking_budget=thinking_budget, effort=effort, stream=not no_stream, json=json_out,
        base_url=base_url, debug=env.debug, continue_last=continue_last, cid=cid, save=save,
    ), env)
    raise typer.Exit(int(code))


history_app = typer.Typer(
    help="Saved conversations: list, show, export, rm, path.",
    invoke_without_command=True,
    rich_markup_mode=None,
)
app.add_typer(history_app, name="history")
Ref = Annotated[str, typer.Argument(help="Conversation id (any unique prefix), or last.")]


@history_app.callback()
def history(ctx: typer.Context) -> None:
    """Saved conversations (`claudechat history` alone lists them)."""
    if ctx.invoked_subcommand is None:
        from claudechat.history.commands import list_conversations

        plain = bool(ctx.find_root().params.get("plain"))  # claudechat --plain history
        raise typer.Exit(int(list_conversations(_environment(), 20, None, False, plain)))


@history_app.command("list")
def history_list(
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many (0: all).")] = 20,
    search: Annotated[
        str | None, typer.Option("--search", "-s", help="Only those whose title or text contains TEXT.")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="A JSON array.")] = False,
    plain: Annotated[bool, typer.Option("--plain", help="Tab-separated lines even on a terminal.")] = False,
    show_all: Annotated[bool, typer.Option(
        "--all", "-a", help="Also the conversations in which no question got a reply.")] = False,
) -> None:
    """List conversations, most recent first."""
    from claudechat.history.commands import list_conversations

    raise typer.Exit(int(list_conversations(_environment(), limit, search, json_out, plain, show_all)))


@history_app.command("show")
def history_show(
    ref: Ref,
    plain: Annotated[bool, typer.Option("--plain", help="Plain Markdown even on a terminal.")] = False,
) -> None:
    """Print a conversation's transcript."""
    from claudechat.history.commands import show

    raise typer.Exit(int(show(_environment(), ref, plain)))


@history_app.command("export")
def history_export(
    ref: Ref,
    fmt: Annotated[str, typer.Option("--format", "-F", help="md or json.")] = "md",
    output: Annotated[str | None, typer.Option("--output", "-o", help="Write to FILE.")] = None,
) -> None:
    """Export a conversation as Markdown or JSON."""
    from claudechat.history.commands import export

    raise typer.Exit(int(export(_environment(), ref, fmt, output)))


@history_app.command("rm")
def history_rm(
    refs: Annotated[list[str], typer.Argument(help="Conversation ids (prefixes), or last.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Don't ask for confirmation.")] = False,
) -> None:
    """Remove conversations (asks first on a terminal)."""
    from claudechat.history.commands import remove

    raise typer.Exit(int(remove(_environment(), refs, yes)))


@history_app.command("path")
def history_path() -> None:
    """Print where the history database is."""
    from claudechat.history.commands import print_path

    raise typer.Exit(int(print_path(_environment())))


_state: dict[str, Any] = {"env": None}


def _environment(*, plain: bool = False, debug: bool = False) -> Environment:
    """The process's Environment, found out once in main(), with a command's --plain
    and --debug applied (and remembered, for the error handling in main())."""
    env = _state["env"] or Environment.from_process()
    _state["env"] = env = env.with_options(plain=plain, debug=debug)
    return env


def _debug() -> bool:
    return bool(_state["env"] and _state["env"].debug)


def _fail(message: str, code: int) -> int:
    """One line on stderr; a file name or server text in it cannot drive the terminal."""
    from claudechat.sanitize import sanitize

    try:
        print(f"claudechat: {' '.join(sanitize(message).split())}", file=sys.stderr, flush=True)
    except OSError:  # stderr is gone too (the terminal closed)
        pass
    return code


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, map errors to one stderr line and an exit code."""
    _state["env"] = Environment.from_process(debug=bool(os.environ.get("CLAUDECHAT_DEBUG")))
    signals.install()
    try:
        code = app(args=argv, prog_name="claudechat", standalone_mode=False)
    except (KeyboardInterrupt, typer.Abort):
        code = signals.exit_code() or ExitCode.INTERRUPTED
    except ClaudechatError as exc:
        if _debug():
            import traceback

            traceback.print_exc()
        code = _fail(str(exc), exc.exit_code)
    except BrokenPipeError:
        _quiet_stdout()
        code = ExitCode.OK
    except Exception as exc:
        if signals.received is not None:  # the terminal closed under a write: nobody to tell
            code = signals.exit_code()
        elif _is_click_error(exc):  # typer's (or click's) own usage errors
            code = _fail(_usage_message(exc), exc.exit_code)
        elif _debug():  # a bug: one line, the traceback only with --debug
            raise
        else:
            code = _fail(f"internal error: {type(exc).__name__}: {exc} "
                         f"(run with --debug for details)", ExitCode.ERROR)
    sys.exit(int(code or 0))


def _usage_message(exc: Any) -> str:
    """typer's usage error in one line; an option of ask given before it says where it goes."""
    ctx = getattr(exc, "ctx", None)
    name = getattr(exc, "option_name", None)
    if ctx is not None and ctx.parent is None and name:
        ask_command = ctx.command.get_command(ctx, "ask")
        if ask_command is not None and any(name in (*p.opts, *p.secondary_opts) for p in ask_command.params):
            return f"{name} is an option of ask, not of the chat: put it after ask (claudechat ask {name} …)"
    where = f"{ctx.command_path} --help" if ctx is not None else "claudechat --help"
    return f"{exc.format_message()} (see {where})"


def _is_click_error(exc: Exception) -> bool:
    return isinstance(getattr(exc, "exit_code", None), int) and hasattr(exc, "format_message")


def _quiet_stdout() -> None:
    (_state["env"] or Environment.from_process()).quiet_stdout()
