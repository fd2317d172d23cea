"""`claudechat completion bash|zsh|fish`: the script a shell sources, and the switch to
typer's completion protocol when a shell asks (suggest.py: what Tab offers for values)."""

from __future__ import annotations

from typing import Annotated

import typer

from claudechat.cli.app import COMPLETE_VAR, app

SHELLS = ("bash", "zsh", "fish")


def script(shell: str) -> str:
    from typer.completion import completion_init, get_completion_script

    completion_init()
    return get_completion_script(prog_name="claudechat", complete_var=COMPLETE_VAR, shell=shell)


@app.command()
def completion(
    shell: Annotated[str, typer.Argument(metavar="SHELL", help="bash, zsh or fish.",
                                         autocompletion=lambda: list(SHELLS))],
) -> None:
    """Print the shell completion script (see README: Shell completion)."""
    from claudechat.errors import UsageError

    if shell not in SHELLS:
        raise UsageError(f"no completion for {shell!r}: choose bash, zsh or fish "
                         f"(see README, Shell completion)")
    print(script(shell), flush=True)
