"""What the history's listings select: the WHERE clause of `history list` (a search of
titles and message text, conversations with a reply only) and the case-folding
`folded_contains` SQL function the store registers for it. Pure."""

from __future__ import annotations

import json
from typing import Any


def where(search: str | None, replied: bool) -> tuple[str, list[Any]]:
    """The WHERE clause (with its leading space; "" for none) of a listing and its arguments."""
    terms, args = [], []
    if search:
        needle = search.casefold()
        terms.append("(folded_contains(title, ?1) OR EXISTS (SELECT 1 FROM messages m"
                     " WHERE m.conversation = conversations.id AND folded_contains(m.content, ?2)"
                     " AND EXISTS (SELECT 1 FROM json_each(m.content) b"
                     " WHERE folded_contains(json_extract(b.value, '$.text'), ?1))))")
        args = [needle, json.dumps(needle, ensure_ascii=False)[1:-1]]
    if replied:
        terms.append("replies > 0")
    return (" WHERE " + " AND ".join(terms)) if terms else "", args


def folded_contains(haystack: Any, needle: str) -> bool:
    return isinstance(haystack, str) and needle in haystack.casefold()
