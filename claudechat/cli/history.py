"""`claudechat history …`: list, show, export, rm, path."""

from __future__ import annotations

from typing import Annotated

import typer

from claudechat.cli import suggest
from claudechat.cli.app import app, environment

history_app = typer.Typer(
    help="Saved conversations: list, show, export, rm, path.",
    invoke_without_command=True,
    rich_markup_mode=None,
)
app.add_typer(history_app, name="history")
Ref = Annotated[str, typer.Argument(help="Conversation id (any unique prefix), or last.",
                                    autocompletion=suggest.conversations)]


@history_app.callback()
def history(ctx: typer.Context) -> None:
    """Saved conversations (`claudechat history` alone lists them)."""
    if ctx.invoked_subcommand is None:
        from claudechat.history.commands import list_conversations

        plain = bool(ctx.find_root().params.get("plain"))  # claudechat --plain history
        raise typer.Exit(int(list_conversations(environment(), 20, None, False, plain)))


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

    raise typer.Exit(int(list_conversations(environment(), limit, search, json_out, plain, show_all)))


@history_app.command("show")
def history_show(
    ref: Ref,
    plain: Annotated[bool, typer.Option("--plain", help="Plain Markdown even on a terminal.")] = False,
) -> None:
    """Print a conversation's transcript."""
    from claudechat.history.commands import show

    raise typer.Exit(int(show(environment(), ref, plain)))


@history_app.command("export")
def history_export(
    ref: Ref,
    fmt: Annotated[str, typer.Option("--format", "-F", help="md or json.")] = "md",
    output: Annotated[str | None, typer.Option("--output", "-o", help="Write to FILE.")] = None,
) -> None:
    """Export a conversation as Markdown or JSON."""
    from claudechat.history.commands import export

    raise typer.Exit(int(export(environment(), ref, fmt, output)))


@history_app.command("rm")
def history_rm(
    refs: Annotated[list[str], typer.Argument(help="Conversation ids (prefixes), or last.",
                                              autocompletion=suggest.conversations)],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Don't ask for confirmation.")] = False,
) -> None:
    """Remove conversations (asks first on a terminal)."""
    from claudechat.history.commands import remove

    raise typer.Exit(int(remove(environment(), refs, yes)))


@history_app.command("path")
def history_path() -> None:
    """Print where the history database is."""
    from claudechat.history.commands import print_path

    raise typer.Exit(int(print_path(environment())))

