"""`claudechat models`: the server's models."""

from __future__ import annotations

from typing import Annotated

import typer

from claudechat.cli.app import BaseUrl, Debug, Profile, app, environment


@app.command("models")
def models(
    profile: Profile = None,
    base_url: BaseUrl = None,
    json_out: Annotated[bool, typer.Option("--json", help="The list as the server sent it (JSON).")] = False,
    plain: Annotated[bool, typer.Option("--plain", help="Tab-separated lines even on a terminal.")] = False,
    debug: Debug = False,
) -> None:
    """The models the profile's server offers (GET /v1/models), asked now; also refreshes
    the list Tab offers after /model in the chat."""
    from claudechat.models_command import list_models
    from claudechat.options import Options

    env = environment(plain=plain, debug=debug)
    options = Options(profile=profile, base_url=base_url, debug=env.debug)
    raise typer.Exit(int(list_models(env, options, json_out, plain)))
