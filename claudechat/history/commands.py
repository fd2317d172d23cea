"""`claudechat history list|show|export|rm|path`.

Output is chosen from the Environment: a terminal gets rich tables and
transcripts, a pipe plain text (tab-separated lines for `list`), `--json` JSON.
Status and questions go to stderr.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claudechat import private
from claudechat.errors import ClaudechatError, ExitCode, UsageError
from claudechat.history.store import HistoryStore, Stored, Summary, history_path

if TYPE_CHECKING:
    from claudechat.environment import Environment


# -- history list ------------------------------------------------------------------------


def list_conversations(env: Environment, limit: int, search: str | None, as_json: bool,
                       plain: bool, show_all: bool = False) -> ExitCode:
    """`show_all`: also the conversations in which no question got a reply (hidden otherwise,
    their number said on stderr)."""
    if limit < 0:
        raise UsageError(f"--limit must be 0 (no limit) or more (got {limit})")
    from claudechat.costs import conversation_cost

    with HistoryStore() as store:
        rows = store.list(limit=limit or None, search=search, replied=not show_all)
        usages = store.usages([r.id for r in rows]) if rows else {}
        hidden = 0 if show_all else store.count_unreplied(search)
    prices = {r.id: conversation_cost(usages.get(r.id, []), r.model) for r in rows}
    if as_json:
        env.emit(_json([{**_summary_json(r), "cost": _usd(prices[r.id])} for r in rows], env.stdout_isatty))
    elif env.stdout_isatty and not plain:
        _table(rows, env, search, prices, hidden)
    else:  # the cost last: readers of the first five fields keep working
        env.emit("".join("\t".join(_field(f) for f in (r.id, _iso(r.updated), r.title,
                                                          r.model or "", str(r.turns),
                                                          _money(prices[r.id], ""))) + "\n"
                           for r in rows))
    if hidden:
        env.stderr.write(f"claudechat: {hidden} conversation{'s' * (hidden != 1)} in which no question "
                         f"got a reply {'is' if hidden == 1 else 'are'} not listed (--all lists them)\n")
        env.stderr.flush()
    return ExitCode.OK


def _json(value: Any, terminal: bool) -> str:
    """`value` as JSON, every text as stored; for a `terminal`, the control characters that
    json.dumps leaves as they are (DEL, C1) written as \\u escapes, which mean the same."""
    from claudechat.sanitize import escape_json

    text = json.dumps(value, ensure_ascii=False, indent=2) + "\n"
    return escape_json(text) if terminal else text


def _usd(cost: float | None) -> float | None:
    return None if cost is None else round(cost, 6)


def _money(cost: float | None, unknown: str = "—") -> str:
    """A conversation's cost at list prices; `unknown` without a price (never a wrong one)."""
    from claudechat.costs import money

    return unknown if cost is None else money(cost)


def _iso(timestamp: float) -> str:
    from claudechat.history.transcript import iso

    return iso(timestamp)


def _field(text: str) -> str:
    from claudechat.sanitize import sanitize

    return " ".join(sanitize(text).replace("\t", " ").splitlines())


def _summary_json(row: Summary) -> dict[str, Any]:
    return {"id": row.id, "title": row.title, "created": _iso(row.created),
            "updated": _iso(row.updated), "profile": row.profile, "model": row.model,
            "turns": row.turns}


def _table(rows: list[Summary], env: Environment, search: str | None,
           prices: dict[str, float | None], hidden: int = 0) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from claudechat.history.transcript import short_time

    if not rows and not hidden:
        env.stderr.write(f"claudechat: no conversation matches {search!r}\n" if search
                         else "claudechat: no conversations yet\n")
    if not rows:
        return
    console = env.console(soft_wrap=False)
    models = [_field(r.model or "") for r in rows]
    model_width = min(24, max(len("model"), *map(len, models)))
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("id", no_wrap=True, style="cyan")
    table.add_column("updated", no_wrap=True)
    figures = {r.id: _money(prices.get(r.id)) for r in rows}
    cost_width = max(len("cost"), *map(len, figures.values()))
    # Only the title gives way on a narrow terminal: 12 + 16 + model + 5 + cost + 3 per gap.
    title_width = max(10, console.width - 12 - 16 - model_width - 5 - cost_width - 5 * 3)
    table.add_column("title", no_wrap=True, overflow="ellipsis", max_width=title_width)
    table.add_column("model", no_wrap=True, overflow="ellipsis", max_width=model_width, style="dim")
    table.add_column("turns", justify="right", no_wrap=True)
    table.add_column("cost", justify="right", no_wrap=True)
    for r, model in zip(rows, models, strict=True):
        # Text cells: a str cell is read as markup ("[WIP] … [red]this[/red]", "arr[i]")
        table.add_row(r.id, short_time(r.updated), Text(_field(r.title)), Text(model), str(r.turns),
                      figures[r.id])
    console.print(table)


# -- show, export ----------------------------------------------------------------------


def _load(ref: str) -> Stored:
    with HistoryStore() as store:
        return store.load(store.resolve(ref))


def show(env: Environment, ref: str, plain: bool) -> ExitCode:
    from claudechat.history import transcript

    stored = _load(ref)
    if env.stdout_isatty and not plain:
        transcript.show_rich(stored, env.console(soft_wrap=False))
    else:  # --plain on a terminal: Markdown with the text from outside sanitised
        env.emit(transcript.markdown(stored, terminal=env.stdout_isatty))
    return ExitCode.OK


def export(env: Environment, ref: str, fmt: str, output: str | None) -> ExitCode:
    from claudechat.history import transcript

    if fmt not in ("md", "json"):
        raise UsageError(f"--format must be md or json (got {fmt!r})")
    stored = _load(ref)
    to_stdout = output is None or output == "-"
    terminal = to_stdout and env.stdout_isatty  # a file or a pipe: every text as it was received
    if fmt == "json":
        text = _json(transcript.as_json(stored), terminal)
    else:
        text = transcript.markdown(stored, terminal=terminal)
    if to_stdout:
        env.emit(text)
        return ExitCode.OK
    try:
        private.write_text(Path(output).expanduser(), text)  # 0600, as the history is
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror}") from None
    return ExitCode.OK


# -- rm, path ------------------------------------------------------------------------------


def remove(env: Environment, refs: list[str], yes: bool) -> ExitCode:
    err = env.stderr
    if not refs:
        raise UsageError("name the conversations to remove (ids, prefixes or last)")
    with HistoryStore() as store:
        ids = list(dict.fromkeys(store.resolve(ref) for ref in refs))
        titles = {cid: row.title for cid in ids if (row := store.summary(cid))}
        if not yes:
            if not env.stdin_isatty:
                raise UsageError(f"not removing {len(ids)} conversation(s) without confirmation: "
                                 f"stdin is not a terminal; add --yes")
            if not _confirm(ids, titles, env):
                raise ClaudechatError("nothing was removed")
        store.delete(ids)
    for cid in ids:
        err.write(f"removed {cid}" + (f"  {_field(titles[cid])}" if cid in titles else "") + "\n")
    err.flush()
    return ExitCode.OK


def _confirm(ids: list[str], titles: dict[str, str], env: Environment) -> bool:
    err = env.stderr
    for cid in ids[:10]:
        err.write(f"  {cid}  {_field(titles.get(cid, ''))}\n")
    if len(ids) > 10:
        err.write(f"  … and {len(ids) - 10} more\n")
    err.write(f"Remove {'this conversation' if len(ids) == 1 else f'these {len(ids)} conversations'}"
              f"? [y/N] ")
    err.flush()
    answer = env.stdin.readline()
    return answer.strip().lower() in ("y", "yes")


def print_path(env: Environment) -> ExitCode:
    env.emit(f"{history_path()}\n")
    return ExitCode.OK
