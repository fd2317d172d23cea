"""What Tab offers for option values in a shell: profile names (built-in and the config
file's), model names (the cached server lists, and the known ones) and conversation ids
(with their titles). Never the network, quick, and silent on any error: a completion
must not print one. Imports lazily: app.py names these for its options."""

from __future__ import annotations

import re


def _described(text: str) -> str:
    """A title or name as a shell shows it beside a value: one line, no control sequences,
    its brackets kept (typer reads zsh's and fish's descriptions as rich markup)."""
    from rich.markup import escape

    from claudechat.sanitize import sanitize

    line = " ".join(sanitize(text).split())
    return escape(line if len(line) <= 60 else line[:59] + "…")


def profiles(incomplete: str) -> list[tuple[str, str]]:
    from claudechat import settings

    names = {name: str(p["base_url"]) for name, p in settings.BUILTIN_PROFILES.items()}
    try:
        config = settings.read_config(settings.config_path())
    except Exception:  # noqa: BLE001 - a broken config still completes the built-in ones
        config = {}
    for name, body in config.get("profiles", {}).items():
        names[name] = str(body.get("base_url", names.get(name, "")))
    return [(name, _described(url)) for name, url in names.items() if name.startswith(incomplete)]


def models(incomplete: str) -> list[tuple[str, str]]:
    from claudechat import models as known
    from claudechat.settings import cache_dir

    try:
        listed = known.cached_models(cache_dir())
    except OSError:
        listed = []
    entries = [(e["id"], str(e.get("display_name") or "")) for e in listed
               if re.fullmatch(r"[\w.:@/+-]+", e["id"])]  # a server's id goes into a command line
    entries += [(name, "") for name in known.CURRENT_MODELS if name not in {n for n, _ in entries}]
    return [(name, _described(about)) for name, about in entries if name.startswith(incomplete)]


def conversations(incomplete: str) -> list[tuple[str, str]]:
    """The stored conversations' ids, most recent first, each with its title; and last."""
    from claudechat.history.store import HistoryStore, history_path

    if not history_path().exists():  # a completion creates no history
        return []
    try:
        with HistoryStore() as store:
            found = [(s.id, s.title) for s in store.list(limit=500)]
    except Exception:  # noqa: BLE001 - a locked or newer database: nothing to offer
        return []
    return [(cid, _described(title)) for cid, title in [("last", "the most recent"), *found]
            if cid.startswith(incomplete)]
