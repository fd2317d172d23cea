"""`claudechat models`: the server's models (GET /v1/models, every page), asked now.

A terminal gets a table, a pipe tab-separated lines (id, name, released, context
window, max output, thinking types, efforts; a field the server does not give is
empty), `--json` the list as the server sent it. The answer replaces the cached
list that Tab after /model and the /model check read. The chat's /model with no
argument draws the same table (`table`).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from claudechat.errors import ClaudechatError, ExitCode

if TYPE_CHECKING:
    from rich.table import Table

    from claudechat.environment import Environment
    from claudechat.options import Options

COLUMNS = ("id", "name", "released", "context", "max output", "thinking", "efforts")


class NoModelList(ClaudechatError):
    """The server answered GET /v1/models with "not here" (models.NO_MODEL_LIST)."""


def list_models(env: Environment, options: Options, as_json: bool, plain: bool) -> ExitCode:
    from claudechat import settings as settings_mod
    from claudechat.connect import open_client
    from claudechat.models import ModelCatalog

    settings = settings_mod.load(options.flags())
    client = open_client(settings, debug=options.debug)
    entries = ModelCatalog(client, settings_mod.cache_dir()).refresh()
    if entries is None:
        raise NoModelList(f"the server of profile {settings.profile!r} ({settings.base_url}) has no "
                          f"model list (GET /v1/models); use the model names its documentation gives "
                          f"with -m NAME")
    if as_json:  # on a terminal, the C1 controls json.dumps leaves raw as \u escapes
        from claudechat.sanitize import escape_json

        text = json.dumps(entries, ensure_ascii=False, indent=2) + "\n"
        env.emit(escape_json(text) if env.stdout_isatty else text)
    elif env.stdout_isatty and not plain:
        env.console().print(table(entries, settings.model))
    else:
        env.emit("".join("\t".join(fields(entry, plain=True)) + "\n" for entry in entries))
    if not entries:
        env.stderr.write(f"claudechat: the server of profile {settings.profile!r} lists no models\n")
        env.stderr.flush()
    return ExitCode.OK


def fields(entry: dict[str, Any], *, plain: bool = False) -> list[str]:
    """One model's COLUMNS as text, from what the server said (empty where it said nothing).
    Numbers are grouped (1,000,000) unless `plain`; lists are comma-separated."""
    caps = entry.get("capabilities") if isinstance(entry.get("capabilities"), dict) else {}
    return [_text(entry.get("id")), _text(entry.get("display_name")), _released(entry),
            _number(entry.get("max_input_tokens"), plain), _number(entry.get("max_tokens"), plain),
            _supported(caps.get("thinking"), "types"), _supported(caps.get("effort"), None)]


def table(entries: list[dict[str, Any]], current: str | None = None) -> Table:
    """The models as a rich table; `current` (the model in use) is marked with ▸ and bold."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    rows = [fields(entry) for entry in entries]
    grid = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    grid.add_column("")  # the mark of the current model
    for name in COLUMNS:  # only the name gives way (shortened, …) on a narrow screen
        grid.add_column(name, justify="right" if name in ("context", "max output") else "left",
                        no_wrap=name != "name")
    for entry, row in zip(entries, rows, strict=True):
        mine = entry.get("id") == current
        row[6] = _runs(row[6])
        grid.add_row("▸" if mine else "", *(Text(cell.replace(",", ", ") if i > 4 else cell, no_wrap=True,
                                                overflow="ellipsis") for i, cell in enumerate(row)),
                     style="bold" if mine else None)
    return grid


def _runs(efforts: str) -> str:
    """"low,medium,high,xhigh,max" as "low–max": three or more levels in a row as a range."""
    from claudechat.models import EFFORTS

    levels = efforts.split(",")
    if not set(levels) <= set(EFFORTS) or levels != sorted(levels, key=EFFORTS.index):
        return efforts
    runs: list[list[str]] = []
    for level in levels:
        if runs and EFFORTS.index(level) == EFFORTS.index(runs[-1][-1]) + 1:
            runs[-1].append(level)
        else:
            runs.append([level])
    return ",".join(f"{run[0]}–{run[-1]}" if len(run) >= 3 else ",".join(run) for run in runs)


def _text(value: Any) -> str:
    from claudechat.sanitize import sanitize

    return " ".join(sanitize(value).replace("\t", " ").split()) if isinstance(value, str) else ""


def _released(entry: dict[str, Any]) -> str:
    """created_at's date (Anthropic: an RFC 3339 string), or `created` (OpenAI's shape: seconds)."""
    created = entry.get("created_at")
    if isinstance(created, str):
        return _text(created[:10])
    seconds = entry.get("created")
    if isinstance(seconds, int) and not isinstance(seconds, bool) and seconds > 0:
        import datetime

        return datetime.datetime.fromtimestamp(seconds, datetime.UTC).date().isoformat()
    return ""


def _number(value: Any, plain: bool) -> str:
    if not isinstance(value, int) or isinstance(value, bool):
        return ""
    return str(value) if plain else f"{value:,}"


def _supported(capability: Any, within: str | None) -> str:
    """The names marked {"supported": true} in a capability ("effort": its levels; "thinking":
    its "types"); "none" when the capability itself is unsupported, "" when not described."""
    if not isinstance(capability, dict):
        return ""
    if capability.get("supported") is False:
        return "none"
    options = capability.get(within) if within else capability
    if not isinstance(options, dict):
        return ""
    return ",".join(_text(name) for name, value in options.items()
                    if isinstance(value, dict) and value.get("supported") is True)
