"""Server tools and citations (docs/API-2026.md §6, §5, §9): web search, web fetch, citations of
search results and of documents, for the demo server.

A test scripts what the model does with `Reply(web=[...])`, in order, before the reply's `text`:

* ``Search(query, results=[(title, url), ...])``: a ``server_tool_use`` (its input streamed as
  ``input_json_delta``), then a ``web_search_tool_result`` (whole, in ``content_block_start``) whose
  results carry an ``encrypted_content`` this server issued; ``Search(query, error=CODE)`` answers a
  ``web_search_tool_result_error`` instead;
* ``Fetch(url, text=..., title=...)``: ``server_tool_use`` ``web_fetch`` then its result: the page as a
  text document, or ``url_not_in_prior_context`` when the URL did not appear earlier (in a user message,
  a client tool result, or a search or fetch result: never the system prompt or the model's own text),
  ``url_too_long`` beyond 250 characters, ``url_not_allowed`` outside the tool's domains;
* ``Cite(text, url=...)``: a text block citing a search result (``web_search_result_location`` with an
  issued ``encrypted_index``, sent as ``citations_delta`` before the text), ``Cite(text, document=N,
  quote=...)`` one citing the request's document N (``char_location`` for text, ``page_location`` for a
  PDF with ``page=``) when citations are enabled on the documents; a plain ``str`` is a text block.

What the model cannot do, it does not: without the tool in ``tools`` (or with ``tool_choice: none``)
there is no search or fetch and no search citation; without ``citations.enabled`` on the documents a
``Cite`` is plain text. Searches and fetches beyond the tool's ``max_uses`` get ``max_uses_exceeded``;
results outside ``allowed_domains`` (or inside ``blocked_domains``) are left out. The reply's
``usage.server_tool_use`` counts ``web_search_requests`` and ``web_fetch_requests``.

The 400s (web_checks.py, ``check_request``): ``encrypted_content`` / ``encrypted_index`` sent back
missing or modified; a ``server_tool_use`` sent back without its result (§5, quoted); a server tool
use in the messages with that tool no longer in ``tools`` (§5: the text's ending is quoted);
``allowed_domains`` with ``blocked_domains``; a ``user_location.country`` that is no ISO-2 code; a
``_20260209``/``_20260318`` version without ``allowed_callers: ["direct"]``; documents with
citations enabled on some but not all.
Texts the reference does not quote are marked [U]: tests match only the status and type.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from claudechat.demo.web_checks import (
    FETCH_TYPES,
    SEARCH_TYPES,
    Issued,
    cited,
    documents,
    offered,
)

_URL = re.compile(r"https?://[^\s<>\"')\]]+")
MAX_URL = 250  # §6 url_too_long


@dataclass
class Search:
    query: str
    results: Sequence[tuple[str, str]] = ()  # (title, url)
    error: str | None = None  # a web_search_tool_result_error code instead of results


@dataclass
class Fetch:
    url: str
    text: str = "The page's text."
    title: str | None = None


@dataclass
class Cite:
    text: str
    url: str | None = None  # a search result's URL
    document: int | None = None  # the request's document index
    quote: str | None = None  # the cited text (default: the block's text, at most 150 characters)
    page: int = 1  # a PDF document's page


Step = Search | Fetch | Cite | str


# --------------------------------------------------------------------------- the request's tools


def _usable(body: dict, types: tuple[str, ...]) -> dict | None:
    """The tool the model may call in this request: offered, and tool_choice not `none` (§7)."""
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") == "none":
        return None
    return offered(body, types)


def _host(url: str) -> str:
    return re.sub(r"^https?://", "", url).split("/")[0].split(":")[0].lower()


def _domain_allowed(tool: dict, url: str) -> bool:
    """`allowed_domains` / `blocked_domains` (bare domains, optional path; subdomains included)."""
    host, rest = _host(url), re.sub(r"^https?://[^/]*", "", url)

    def matches(entry: str) -> bool:
        domain, _, path = entry.partition("/")
        domain = domain.lower()
        return (host == domain or host.endswith("." + domain)) and rest.lstrip("/").startswith(path)

    allowed, blocked = tool.get("allowed_domains"), tool.get("blocked_domains")
    if isinstance(allowed, list) and allowed:
        return any(matches(str(d)) for d in allowed)
    return not (isinstance(blocked, list) and any(matches(str(d)) for d in blocked))


def prior_urls(body: dict) -> set[str]:
    """§6 web fetch: URLs that appeared earlier: user messages, client tool results, search and fetch
    results (not the system prompt, not the model's own text)."""
    urls: set[str] = set()

    def texts(blocks: Any) -> None:
        for block in blocks if isinstance(blocks, list) else []:
            if not isinstance(block, dict):
                continue
            if block.get("type") == "text":
                urls.update(u.rstrip(".,;:!?") for u in _URL.findall(str(block.get("text", ""))))
            elif block.get("type") == "tool_result":
                inner = block.get("content")
                texts([{"type": "text", "text": inner}] if isinstance(inner, str) else inner)

    for message in body.get("messages") or []:
        if not isinstance(message, dict):
            continue
        content = message.get("content")
        if message.get("role") == "user":
            texts([{"type": "text", "text": content}] if isinstance(content, str) else content)
        elif message.get("role") == "assistant" and isinstance(content, list):
            for block in content:
                urls.update(result_urls(block))
    return urls


def result_urls(block: Any) -> list[str]:
    if not isinstance(block, dict):
        return []
    inner = block.get("content")
    if block.get("type") == "web_search_tool_result" and isinstance(inner, list):
        return [str(r.get("url")) for r in inner if isinstance(r, dict) and r.get("url")]
    if block.get("type") == "web_fetch_tool_result" and isinstance(inner, dict) and inner.get("url"):
        return [str(inner["url"])]
    return []


# --------------------------------------------------------------------------- the reply's blocks

Block = tuple[dict, list[dict], dict]  # (content_block_start block, deltas, final block), as replies.Plan


@dataclass
class Run:
    """One reply's server-tool work: its blocks and counts."""

    body: dict
    issued: Issued
    new_id: Callable[[], str]
    blocks: list[Block] = field(default_factory=list)
    searches: int = 0
    fetches: int = 0
    seen: dict[str, str] = field(default_factory=dict)  # url -> title, of this reply's results

    def counts(self) -> dict[str, int]:
        return {"web_search_requests": self.searches, "web_fetch_requests": self.fetches}


def plan_blocks(steps: Sequence[Step], body: dict, issued: Issued, new_id: Callable[[], str]) -> Run:
    run = Run(body, issued, new_id)
    for step in steps:
        if isinstance(step, Search):
            _search(run, step)
        elif isinstance(step, Fetch):
            _fetch(run, step)
        elif isinstance(step, Cite):
            run.blocks.append(_text(step.text, _citation(run, step)))
        else:
            run.blocks.append(_text(str(step), None))
    return run


def _call(run: Run, name: str, arguments: dict) -> str | None:
    """The server_tool_use block, its input streamed (§6); None when the model may not call it."""
    tool_id = "srvtoolu_" + run.new_id().removeprefix("toolu_")
    pieces = ["", *(lambda s: [s[i:i + 6] for i in range(0, len(s), 6)])(json.dumps(arguments))]
    start = {"type": "server_tool_use", "id": tool_id, "name": name, "input": {}}
    final = {"type": "server_tool_use", "id": tool_id, "name": name, "input": arguments}
    run.blocks.append((start, [{"type": "input_json_delta", "partial_json": p} for p in pieces], final))
    return tool_id


def _over(tool: dict, used: int) -> bool:
    limit = tool.get("max_uses")
    return isinstance(limit, int) and used > limit


def _search(run: Run, step: Search) -> None:
    tool = _usable(run.body, SEARCH_TYPES)
    if tool is None:
        return
    tool_id = _call(run, "web_search", {"query": step.query})
    run.searches += 1
    error = "max_uses_exceeded" if _over(tool, run.searches) else step.error
    if error is not None:
        content: Any = {"type": "web_search_tool_result_error", "error_code": error}
    else:
        content = []
        for title, url in step.results:
            if not _domain_allowed(tool, url):
                continue
            run.seen[url] = title
            content.append({"type": "web_search_result", "url": url, "title": title, "page_age": None,
                            "encrypted_content": run.issued.token("content", url, run.new_id())})
    block = {"type": "web_search_tool_result", "tool_use_id": tool_id, "content": content}
    run.blocks.append((block, [], block))


def _fetch(run: Run, step: Fetch) -> None:
    tool = _usable(run.body, FETCH_TYPES)
    if tool is None:
        return
    tool_id = _call(run, "web_fetch", {"url": step.url})
    run.fetches += 1
    known = prior_urls(run.body) | set(run.seen)
    error = ("max_uses_exceeded" if _over(tool, run.fetches) else "url_too_long" if len(step.url) > MAX_URL
             else "url_not_allowed" if not _domain_allowed(tool, step.url)
             else "url_not_in_prior_context" if step.url not in known else None)
    if error is not None:
        content: dict = {"type": "web_fetch_tool_result_error", "error_code": error}
    else:
        document: dict = {"type": "document", "source": {"type": "text", "media_type": "text/plain",
                                                         "data": step.text}}
        if step.title is not None:
            document["title"] = step.title
        if isinstance(tool.get("citations"), dict) and tool["citations"].get("enabled"):
            document["citations"] = {"enabled": True}
        content = {"type": "web_fetch_result", "url": step.url, "retrieved_at": "2026-12-01T08:00:00Z",
                   "content": document}
        run.seen[step.url] = step.title or step.url
    block = {"type": "web_fetch_tool_result", "tool_use_id": tool_id, "content": content}
    run.blocks.append((block, [], block))


def _citation(run: Run, step: Cite) -> dict | None:
    quote = step.quote if step.quote is not None else step.text[:150]
    if step.url is not None:
        if _usable(run.body, SEARCH_TYPES) is None:
            return None
        title = run.seen.get(step.url) or _prior_title(run.body, step.url)
        if title is None:
            raise ValueError(f"Cite(url={step.url!r}): no search result of this conversation has that URL")
        return {"type": "web_search_result_location", "url": step.url, "title": title,
                "encrypted_index": run.issued.token("index", step.url, run.new_id()), "cited_text": quote}
    docs = documents(run.body)
    if step.document is None or step.document >= len(docs) or not cited(docs[step.document]):
        return None
    document = docs[step.document]
    source = document.get("source") or {}
    base = {"cited_text": quote, "document_index": step.document, "document_title": document.get("title")}
    if source.get("type") == "text":
        start = str(source.get("data", "")).find(quote)
        if start < 0:
            raise ValueError(f"Cite(quote={quote!r}) is not in document {step.document}")
        end = start + len(quote)
        return {"type": "char_location", **base, "start_char_index": start, "end_char_index": end}
    return {"type": "page_location", **base, "start_page_number": step.page, "end_page_number": step.page + 1}


def _prior_title(body: dict, url: str) -> str | None:
    """The title of a search result with this URL earlier in the conversation (a paused turn's)."""
    for message in body.get("messages") or []:
        content = message.get("content") if isinstance(message, dict) else None
        for block in content if isinstance(content, list) else []:
            if isinstance(block, dict) and block.get("type") == "web_search_tool_result" \
                    and isinstance(block.get("content"), list):
                for result in block["content"]:
                    if isinstance(result, dict) and result.get("url") == url:
                        return str(result.get("title"))
    return None


def _text(text: str, citation: dict | None) -> Block:
    pieces = [text[i:i + 4] for i in range(0, len(text), 4)]
    deltas = [{"type": "citations_delta", "citation": citation}] if citation else []
    deltas += [{"type": "text_delta", "text": piece} for piece in pieces]
    final: dict = {"type": "text", "text": text}
    if citation:
        final["citations"] = [citation]
    return {"type": "text", "text": ""}, deltas, final
