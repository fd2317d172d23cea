"""`claudechat config …`: path, show, init, edit."""

from __future__ import annotations

from typing import Annotated

import typer

from claudechat.cli.app import (
    BaseUrl,
    Effort,
    MaxTokens,
    Model,
    Profile,
    System,
    Think,
    ThinkingBudget,
    app,
    environment,
)

config_app = typer.Typer(
    help="The config file: path, show, init, edit.",
    invoke_without_command=True,
    rich_markup_mode=None,
)
app.add_typer(config_app, name="config")


@config_app.callback()
def config(ctx: typer.Context) -> None:
    """The config file: path, show, init, edit (`claudechat config` alone: this help)."""
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(0)


@config_app.command("path")
def config_path() -> None:
    """Print where the config file is (CLAUDECHAT_CONFIG, else the user config dir)."""
    from claudechat.config_command import print_path

    raise typer.Exit(int(print_path(environment())))


@config_app.command("show")
def config_show(
    profile: Profile = None,
    model: Model = None,
    system: System = None,
    max_tokens: MaxTokens = None,
    think: Think = None,
    thinking_budget: ThinkingBudget = None,
    effort: Effort = None,
    base_url: BaseUrl = None,
    json_out: Annotated[bool, typer.Option("--json", help="A JSON object.")] = False,
    plain: Annotated[bool, typer.Option("--plain", help="Tab-separated lines even on a terminal.")] = False,
) -> None:
    """Print every effective setting and where it came from (flag, environment, profile,
    file, default); keys redacted. The flags show what a chat started with them would use."""
    from claudechat.config_command import show
    from claudechat.options import Options

    options = Options(profile=profile, model=model, system=system, max_tokens=max_tokens, think=think,
                      thinking_budget=thinking_budget, effort=effort, base_url=base_url)
    raise typer.Exit(int(show(environment(plain=plain), options, json_out, plain)))


@config_app.command("init")
def config_init(
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Write a commented starter config (mode 0600); never over an existing file without --force."""
    from claudechat.config_command import init

    raise typer.Exit(int(init(environment(), force)))


@config_app.command("edit")
def config_edit() -> None:
    """Open the config in $VISUAL or $EDITOR; it is saved only if it loads (else: edit again?)."""
    from claudechat.config_command import edit

    raise typer.Exit(int(edit(environment())))
