"""The typer app, the options the chat and ask share, and the process's Environment.

Heavy modules (httpx, rich, prompt_toolkit) are imported inside the commands, so
`--version` and `--help` stay fast.
"""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer

from claudechat import __version__
from claudechat.cli import suggest
from claudechat.environment import Environment


class Group(typer.core.TyperGroup):
    """The root: words that are not a command are a prompt for ask (`claudechat what is
    2+2`); a word one typo away from a command is a misspelt command, not a prompt."""

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
        if ctx.resilient_parsing or not args or self.get_command(ctx, args[0]) is not None:
            return super().resolve_command(ctx, args)
        close = misspelt(args[0], self.list_commands(ctx))
        if close:
            ctx.fail(f"No such command {args[0]!r} — did you mean {close}? "
                     f"To send it as a prompt: claudechat ask {args[0]} …")
        return "ask", self.get_command(ctx, "ask"), list(args)


def misspelt(word: str, commands: list[str]) -> str | None:
    """The command `word` is a typo of: a word of letters (at least 3) close to its name."""
    import difflib

    if len(word) < 3 or not word.replace("-", "").isalpha():
        return None
    close = difflib.get_close_matches(word.lower(), commands, n=1, cutoff=0.8)
    return close[0] if close else None


app = typer.Typer(
    cls=Group,
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
    "--model", "-m", metavar="NAME", help="Model name (default claude-sonnet-5-5).",
    autocompletion=suggest.models)]
System = Annotated[str | None, typer.Option("--system", "-s", metavar="TEXT", help="System prompt.")]
Profile = Annotated[str | None, typer.Option("--profile", "-p", metavar="NAME", help="Profile to use.",
                                             autocompletion=suggest.profiles)]
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
    typer.Option("--cid", metavar="ID", help="Continue conversation ID (a unique prefix, or last).",
                 autocompletion=suggest.conversations),
]
Save = Annotated[
    bool | None, typer.Option("--save/--no-save", help="Keep the conversation in the history.")
]
Resize = Annotated[bool | None, typer.Option(
    "--resize/--no-resize", help="Downscale images over the API's limits (the resize_images setting).")]

Web = Annotated[bool | None, typer.Option(
    "--web/--no-web", help="Let the model search and fetch web pages (the API runs them; $10 per 1,000 "
                           "searches).")]
Cite = Annotated[bool | None, typer.Option(
    "--cite/--no-cite", help="Citations on attached documents: the answer's sources as footnotes.")]
Tool = Annotated[list[str] | None, typer.Option(
    "--tool", metavar="NAME", help="Offer the [tools.NAME] of the config to the model (repeatable).")]
ToolChoice = Annotated[str | None, typer.Option(
    "--tool-choice", metavar="auto|none|NAME", help="Model's choice, no tools, or must use NAME.")]

Demo = Annotated[bool, typer.Option(
    "--demo", help="Try it with no key: a simulated server of claudechat's own on 127.0.0.1.")]


COMPLETE_VAR = "_CLAUDECHAT_COMPLETE"


def completion_setup() -> None:
    """main(): when a shell asks for completions, answer with typer's protocol (the one its
    scripts speak, completion.py), not click's."""
    if os.environ.get(COMPLETE_VAR):
        from typer.completion import completion_init

        completion_init()


def show_version(value: bool) -> None:
    if value:
        try:
            print(f"claudechat {__version__}", flush=True)
        except BrokenPipeError:
            quiet_stdout()
        raise typer.Exit(0)


_state: dict[str, Any] = {"env": None}


def environment(*, plain: bool = False, debug: bool = False) -> Environment:
    """The process's Environment, found out once in main(), with a command's --plain
    and --debug applied (and remembered, for the error handling in main())."""
    env = _state["env"] or Environment.from_process()
    _state["env"] = env = env.with_options(plain=plain, debug=debug)
    return env


def debug_on() -> bool:
    return bool(_state["env"] and _state["env"].debug)


def quiet_stdout() -> None:
    (_state["env"] or Environment.from_process()).quiet_stdout()


def begin(env: Environment) -> None:
    """main(): the Environment found out once, before any command runs."""
    _state["env"] = env
