"""The root command: the chat, and the options given before a subcommand (passed down to it)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from claudechat.cli.app import (
    BaseUrl,
    Cid,
    Cite,
    Continue,
    Debug,
    Demo,
    Effort,
    MaxTokens,
    Model,
    Plain,
    Profile,
    Resize,
    Save,
    System,
    Think,
    ThinkingBudget,
    Tool,
    ToolChoice,
    Web,
    app,
    environment,
    show_version,
)
from claudechat.errors import UsageError


@app.callback()
def root(
    ctx: typer.Context,
    version: Annotated[
        bool | None,
        typer.Option("--version", "-V", callback=show_version, is_eager=True, help="Print the version."),
    ] = None,
    model: Model = None,
    system: System = None,
    profile: Profile = None,
    think: Think = None,
    thinking_budget: ThinkingBudget = None,
    effort: Effort = None,
    web: Web = None,
    cite: Cite = None,
    max_tokens: MaxTokens = None,
    base_url: BaseUrl = None,
    continue_last: Continue = False,
    cid: Cid = None,
    save: Save = None,
    resize: Resize = None,
    tool: Tool = None,
    tool_choice: ToolChoice = None,
    plain: Plain = False,
    debug: Debug = False,
    demo: Demo = False,
) -> None:
    """Chat with Claude from the terminal (no arguments: the interactive chat;
    `claudechat "…"` or `claudechat ask "…"`: one question). Without a terminal,
    behaves like ask."""
    if ctx.invoked_subcommand is not None:
        environment(plain=plain, debug=debug)
        _pass_down(ctx)
        return
    from claudechat.options import Options
    from claudechat.repl import start

    env = environment(plain=plain, debug=debug)
    options = Options(model=model, system=system, profile=profile, think=think,
                      thinking_budget=thinking_budget, effort=effort, max_tokens=max_tokens,
                      base_url=base_url, debug=env.debug, continue_last=continue_last, cid=cid,
                      save=save, plain=plain, resize=resize, web=web, cite=cite, tools=tool or [],
                      tool_choice=tool_choice)
    if not demo:
        raise typer.Exit(int(start(options, env)))
    from claudechat.cli.demo import demo as demo_session

    with demo_session(options) as options:
        code = start(options, env)
    raise typer.Exit(int(code))


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
