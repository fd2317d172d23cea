"""Tools the API runs (docs/API-2026.md §6): web search and web fetch, as settings and as the
request's `tools` entries; and `--cite`, citations on the documents a message attaches.

What is sent where: with web on, the request offers `web_search` (and `web_fetch`, unless
`[web_fetch] enabled = false`); the API runs the searches and fetches on its side and bills
them ($10 per 1,000 searches, plus tokens). Nothing is fetched by claudechat itself.

Why these versions: `web_search_20250305` and `web_fetch_20250910` are the basic ones, and
the simplest that work on every model a chat client talks to. The later ones (`_20260209`
and after) filter results through code execution: they default `allowed_callers` to code
execution, so a model without programmatic tool calling refuses them unless the request sets
`allowed_callers: ["direct"]`, and they bill the code-execution tool alongside; a chat gains
nothing from them (§6 table).

Keeping `tools` stable (§2 "Toggle tools / web search"): once a conversation has sent the
web tools, every later request sends the same definitions; turning web off sends
`tool_choice: {"type": "none"}` instead of editing `tools` (§7), so the prompt cache and
the model's preserved thinking survive. Pure: settings in, dicts out.
"""

from __future__ import annotations

import re
from typing import Any

from claudechat.errors import UsageError

SEARCH_TYPE = "web_search_20250305"
FETCH_TYPE = "web_fetch_20250910"
NAMES = ("web_search", "web_fetch")

_DOMAINS = ("allowed_domains", "blocked_domains")
_LOCATION = ("city", "region", "country", "timezone")
KEYS = {
    "web_search": ("max_uses", *_DOMAINS, "user_location"),
    "web_fetch": ("enabled", "max_uses", *_DOMAINS, "citations", "max_content_tokens"),
}


def table_problem(name: str, table: Any) -> str | None:
    """What is wrong with a [web_search] or [web_fetch] table of the config (None: nothing),
    as "KEY must be …"; the API's 400s are refused here, when the config loads."""
    if not isinstance(table, dict):
        return f"must be a table ([{name}])"
    for key, value in table.items():
        if key not in KEYS[name]:
            return f"has no setting {key!r} (it takes: {', '.join(KEYS[name])})"
        problem = _value_problem(key, value)
        if problem:
            return f"{key} {problem}"
    if all(key in table for key in _DOMAINS):  # §6: both get a 400
        return "takes allowed_domains or blocked_domains, not both (the API refuses both at once)"
    return None


def _value_problem(key: str, value: Any) -> str | None:
    if key in ("enabled", "citations"):
        return None if isinstance(value, bool) else "must be true or false"
    if key in ("max_uses", "max_content_tokens"):
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 1
        return None if ok else "must be an integer of at least 1"
    if key in _DOMAINS:
        if not isinstance(value, list) or not value or not all(isinstance(d, str) and d for d in value):
            return "must be a list of domains, such as [\"docs.python.org\"]"
        bad = next((d for d in value if "://" in d or " " in d), None)
        return f"takes bare domains (an optional path, no scheme): {bad!r}" if bad else None
    return _location_problem(value)


def _location_problem(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "must be a table: { city = …, region = …, country = \"DE\", timezone = \"Europe/Berlin\" }"
    for key, part in value.items():
        if key not in _LOCATION:
            return f"has no field {key!r} (it takes: {', '.join(_LOCATION)})"
        if not isinstance(part, str) or not part.strip():
            return f"{key} must be a non-empty string"
    country = value.get("country")
    if country is not None and not re.fullmatch(r"[A-Z]{2}", country):
        return f"country must be a two-letter ISO code such as \"DE\" (got {country!r})"
    return None


def server_tools(settings: Any) -> tuple[dict[str, Any], ...]:
    """The `tools` entries of the API's own tools for these settings (none with web off)."""
    if not getattr(settings, "web", False):
        return ()
    search: dict[str, Any] = {"type": SEARCH_TYPE, "name": "web_search"}
    options = dict(settings.web_search or {})
    if "user_location" in options:
        options["user_location"] = {"type": "approximate", **options["user_location"]}
    search.update(options)
    fetch_options = dict(settings.web_fetch or {})
    if fetch_options.pop("enabled", True) is False:
        return (search,)
    if "citations" in fetch_options:
        fetch_options["citations"] = {"enabled": fetch_options["citations"]}
    return search, {"type": FETCH_TYPE, "name": "web_fetch", **fetch_options}


def request_tools(own: tuple[dict[str, Any], ...], wanted: tuple[dict[str, Any], ...],
                  sent: tuple[dict[str, Any], ...], choice: dict[str, Any] | None
                  ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """`tools` and `tool_choice` for a request: the user's own tools (`own`), then the web
    tools this conversation sent before (`sent`, unchanged), else those the settings want now;
    web off after they were sent is `tool_choice: none` (UsageError when that would switch the
    user's own tools off too)."""
    server = sent or wanted
    if sent and not wanted and choice is None:
        if own:
            raise UsageError("web search cannot be switched off mid-conversation while your own tools "
                             "are on (tool_choice none would stop them too); turn web back on, or start "
                             "a new conversation")
        choice = {"type": "none"}
    return [*own, *server], choice


# -- document citations (--cite) ------------------------------------------------------

_WRAPPED = re.compile(r'<document name="([^"]*)">\n(.*)</document>\Z', re.DOTALL)


def cite_documents(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The blocks with citations enabled on every document (§6: all or none per request):
    a PDF gets `citations: {enabled: true}`; a text file (attached as a <document> text block)
    becomes a plain-text document titled with its name, so the model can cite its characters."""
    out = []
    for block in blocks:
        if block.get("type") == "document":
            out.append({**block, "citations": {"enabled": True}})
            continue
        match = _WRAPPED.match(block.get("text", "")) if block.get("type") == "text" else None
        if match is None:
            out.append(block)
            continue
        import html  # only for --cite on a text file: not at every start

        out.append({"type": "document", "title": html.unescape(match.group(1)),
                    "source": {"type": "text", "media_type": "text/plain", "data": match.group(2)},
                    "citations": {"enabled": True}})
    return out


def cite_blocks(blocks: list[dict[str, Any]], cite: bool, turns: list[Any], *, chat: bool = False
                ) -> list[dict[str, Any]]:
    """A new message's blocks with citations on its documents when `cite`; UsageError when its
    documents and those the conversation sent before would differ (§6: all or none)."""
    new = cite_documents(blocks) if cite else blocks
    before = documents_cited(turns)
    if before is None or before == cite or not any(b.get("type") == "document" or _WRAPPED.match(
            str(b.get("text", ""))) for b in blocks):
        return new
    how = ("/cite on" if before else "/cite off") if chat else \
        ("add --cite" if before else "leave out --cite")
    said = "with" if before else "without"
    raise UsageError(f"this conversation sent its documents {said} citations, and the API takes citations "
                     f"on all of a request's documents or on none; {how}, or start a new conversation")


def documents_cited(turns: list[Any]) -> bool | None:
    """Do the documents this conversation sent have citations on (None: it sent none)?"""
    for turn in turns:
        for block in turn.content:
            if block.get("type") == "document":
                citations = block.get("citations")
                return isinstance(citations, dict) and citations.get("enabled") is True
    return None


# -- what a server tool call did, in one line ------------------------------------------

_VERBS = {"web_search": "web search", "web_fetch": "web fetch"}


def call_subject(name: str, arguments: Any) -> str:
    """What a call is about: the search's query (quoted) or the fetched URL; "" unknown."""
    if not isinstance(arguments, dict):
        return ""
    if name == "web_search" and isinstance(arguments.get("query"), str):
        return f"“{arguments['query']}”"
    if name == "web_fetch" and isinstance(arguments.get("url"), str):
        return arguments["url"]
    return ""


def partial_subject(name: str, raw: str) -> str:
    """The subject of a call whose input is still streaming (partial JSON)."""
    key = "query" if name == "web_search" else "url" if name == "web_fetch" else None
    match = re.search(rf'"{key}"\s*:\s*"((?:[^"\\]|\\.)*)', raw) if key else None
    if match is None:
        return ""
    text = re.sub(r"\\(.)", r"\1", match.group(1))
    return f"“{text}" if key == "query" else text


def call_line(call: dict[str, Any], result: dict[str, Any] | None) -> str:
    """"web search “cats”: 5 results", "web fetch https://…: “Title”", "… failed: CODE"
    (unsanitised: the caller sanitises)."""
    name = str(call.get("name", ""))
    head = " ".join(filter(None, [_VERBS.get(name, name.replace("_", " ")),
                                  call_subject(name, call.get("input"))]))
    if result is None:
        return head
    content = result.get("content")
    code = content.get("error_code") if isinstance(content, dict) else None
    if code is not None:
        return f"{head} failed: {code}"
    if isinstance(content, list):
        return f"{head}: {len(content)} result{'s' if len(content) != 1 else ''}"
    document = content.get("content") if isinstance(content, dict) else None
    title = document.get("title") if isinstance(document, dict) else None
    return f"{head}: “{title}”" if title else f"{head}: fetched"
