"""`claudechat history list|show|export|rm|path`.

Output strategy is chosen once from TTY detection: a terminal gets rich tables
and transcripts, a pipe plain text (tab-separated lines for `list`), `--json`
JSON. Status and questions go to stderr.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from claudechat.errors import ClaudechatError, ExitCode, UsageError
from claudechat.history.store import HistoryStore, Stored, Summary, history_path


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _console(out: TextIO, plain: bool = False) -> Any:
    from rich.console import Console

    return Console(file=out, no_color=plain or None, highlight=False, soft_wrap=False)


def _emit(out: TextIO, text: str) -> None:
    """Write and flush; a reader that went away (`| head`) is not an error."""
    try:
        out.write(text)
        out.flush()
    except BrokenPipeError:
        try:  # keep the interpreter's last flush quiet
            os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
        except (OSError, ValueError, AttributeError):
            pass


# -- history list ------------------------------------------------------------------------


def list_conversations(limit: int, search: str | None, as_json: bool, plain: bool,
                       out: TextIO | None = None, err: TextIO | None = None) -> ExitCode:
    out, err = out or sys.stdout, err or sys.stderr
    if limit < 0:
        raise UsageError(f"--limit must be 0 (no limit) or more (got {limit})")
    with HistoryStore() as store:
        rows = store.list(limit=limit or None, search=search)
    if as_json:
        _emit(out, json.dumps([_summary_json(r) for r in rows], ensure_ascii=False, indent=2) + "\n")
    elif _isatty(out) and not plain:
        _table(rows, out, err, search)
    else:
        _emit(out, "".join("\t".join(_field(f) for f in (r.id, _iso(r.updated), r.title,
                                                          r.model or "", str(r.turns))) + "\n"
                           for r in rows))
    return ExitCode.OK


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


def _table(rows: list[Summary], out: TextIO, err: TextIO, search: str | None) -> None:
    from rich import box
    from rich.table import Table

    from claudechat.history.transcript import short_time

    if not rows:
        err.write(f"claudechat: no conversation matches {search!r}\n" if search
                  else "claudechat: no conversations yet\n")
        return
    console = _console(out)
    models = [_field(r.model or "") for r in rows]
    model_width = min(24, max(len("model"), *map(len, models)))
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("id", no_wrap=True, style="cyan")
    table.add_column("updated", no_wrap=True)
    # Only the title gives way on a narrow terminal: 12 + 16 + model + 5 + 3 per gap.
    title_width = max(10, console.width - 12 - 16 - model_width - 5 - 4 * 3)
    table.add_column("title", no_wrap=True, overflow="ellipsis", max_width=title_width)
    table.add_column("model", no_wrap=True, overflow="ellipsis", max_width=model_width, style="dim")
    table.add_column("turns", justify="right", no_wrap=True)
    for r, model in zip(rows, models, strict=True):
        table.add_row(r.id, short_time(r.updated), _field(r.title), model, str(r.turns))
    console.print(table)


# -- show, export ----------------------------------------------------------------------


def _load(ref: str) -> Stored:
    with HistoryStore() as store:
        return store.load(store.resolve(ref))


def show(ref: str, plain: bool, out: TextIO | None = None) -> ExitCode:
    from claudechat.history import transcript

    out = out or sys.stdout
    stored = _load(ref)
    if _isatty(out) and not plain:
        transcript.show_rich(stored, _console(out))
    else:
        _emit(out, transcript.markdown(stored))
    return ExitCode.OK


def export(ref: str, fmt: str, output: str | None, out: TextIO | None = None) -> ExitCode:
    from claudechat.history import transcript

    if fmt not in ("md", "json"):
        raise UsageError(f"--format must be md or json (got {fmt!r})")
    stored = _load(ref)
    if fmt == "json":
        text = json.dumps(transcript.as_json(stored), ensure_ascii=False, indent=2) + "\n"
    else:
        text = transcript.markdown(stored)
    if output is None or output == "-":
        _emit(out or sys.stdout, text)
        return ExitCode.OK
    try:
        Path(output).expanduser().write_text(text, "utf-8")
    except OSError as exc:
        raise ClaudechatError(f"cannot write {output}: {exc.strerror}") from None
    return ExitCode.OK


# -- rm, path ------------------------------------------------------------------------------


def remove(refs: list[str], yes: bool, stdin: TextIO | None = None,
           err: TextIO | None = None) -> ExitCode:
    stdin, err = stdin or sys.stdin, err or sys.stderr
    if not refs:
        raise UsageError("name the conversations to remove (ids, prefixes or last)")
    with HistoryStore() as store:
        ids = list(dict.fromkeys(store.resolve(ref) for ref in refs))
        titles = {cid: row.title for cid in ids if (row := store.summary(cid))}
        if not yes:
            if not _isatty(stdin):
                raise UsageError(f"not removing {len(ids)} conversation(s) without confirmation: "
                                 f"stdin is not a terminal; add --yes")
            if not _confirm(ids, titles, stdin, err):
                raise ClaudechatError("nothing was removed")
        store.delete(ids)
    for cid in ids:
        err.write(f"removed {cid}" + (f"  {_field(titles[cid])}" if cid in titles else "") + "\n")
    err.flush()
    return ExitCode.OK


def _confirm(ids: list[str], titles: dict[str, str], stdin: TextIO, err: TextIO) -> bool:
    for cid in ids[:10]:
        err.write(f"  {cid}  {_field(titles.get(cid, ''))}\n")
    if len(ids) > 10:
        err.write(f"  … and {len(ids) - 10} more\n")
    err.write(f"Remove {'this conversation' if len(ids) == 1 else f'these {len(ids)} conversations'}"
              f"? [y/N] ")
    err.flush()
    answer = stdin.readline()
    return answer.strip().lower() in ("y", "yes")


def print_path(out: TextIO | None = None) -> ExitCode:
    out = out or sys.stdout
    out.write(f"{history_path()}\n")
    return ExitCode.OK
