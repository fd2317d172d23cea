"""The 400s of server tools and citations (docs/API-2026.md §5, §6), for the demo server: what
web.py's replies need sent back unchanged, and the tool definitions the API refuses. Texts the
reference does not quote are marked [U]: tests match only the status and type."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import threading
from typing import Any

from claudechat.demo.rules import invalid

SEARCH_TYPES = ("web_search_20250305", "web_search_20260209", "web_search_20260318")  # §6
FETCH_TYPES = ("web_fetch_20250910", "web_fetch_20260209", "web_fetch_20260309", "web_fetch_20260318")
_NEEDS_CALLERS = ("web_search_20260209", "web_search_20260318", "web_fetch_20260209", "web_fetch_20260309",
                  "web_fetch_20260318")  # dynamic filtering: allowed_callers defaults to code execution


class Issued:
    """The encrypted values this server handed out: each must come back unchanged."""

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret or os.urandom(32)
        self._lock = threading.Lock()
        self.content: dict[str, str] = {}  # encrypted_content -> url
        self.index: dict[str, str] = {}  # encrypted_index -> url

    def token(self, kind: str, url: str, salt: str) -> str:
        mac = hmac.new(self._secret, f"{kind}\0{url}\0{salt}".encode(), hashlib.sha256).digest()
        value = base64.b64encode(kind.encode() + b":" + mac).decode("ascii")
        with self._lock:
            (self.content if kind == "content" else self.index)[value] = url
        return value


def offered(body: dict, types: tuple[str, ...]) -> dict | None:
    """The request's tool of one of these types (None: not offered)."""
    tools = body.get("tools")
    for tool in tools if isinstance(tools, list) else []:
        if isinstance(tool, dict) and tool.get("type") in types:
            return tool
    return None


def documents(body: dict) -> list[dict]:
    """Every document block of the request, in order (citations' `document_index`)."""
    found = []
    for message in body.get("messages") or []:
        content = message.get("content") if isinstance(message, dict) else None
        found += [b for b in content if isinstance(b, dict) and b.get("type") == "document"] \
            if isinstance(content, list) else []
    return found


def cited(document: dict) -> bool:
    citations = document.get("citations")
    return isinstance(citations, dict) and citations.get("enabled") is True


# --------------------------------------------------------------------------- the 400s


def check_request(body: dict, issued: Issued) -> None:
    """The §5/§6 400s of a request's server tools, documents and the blocks sent back."""
    for at, tool in enumerate(body.get("tools") or []):
        if isinstance(tool, dict) and tool.get("type") in SEARCH_TYPES + FETCH_TYPES:
            _check_tool(tool, f"tools.{at}")
    docs = documents(body)
    if any(cited(d) for d in docs) and not all(cited(d) for d in docs):
        # §6 "all or none"; text [U]
        raise invalid("messages: citations must be enabled on all or none of the documents in a request")
    for i, message in enumerate(body.get("messages") or []):
        content = message.get("content") if isinstance(message, dict) else None
        if message.get("role") != "assistant" or not isinstance(content, list):
            continue
        _check_pairs(content, i, body)
        for j, block in enumerate(content):
            _check_encrypted(block, f"messages.{i}.content.{j}", issued)


def _check_tool(tool: dict, at: str) -> None:
    allowed, blocked = tool.get("allowed_domains"), tool.get("blocked_domains")
    if allowed is not None and blocked is not None:  # §6 "both -> 400"; text [U]
        raise invalid(f"{at}: allowed_domains and blocked_domains cannot both be specified")
    location = tool.get("user_location")
    if isinstance(location, dict) and "country" in location:
        country = location["country"]
        if not (isinstance(country, str) and re.fullmatch(r"[A-Z]{2}", country)):  # §6; text [U]
            raise invalid(f"{at}.user_location.country: Input should be a two-letter ISO 3166-1 country code")
    if tool.get("type") in _NEEDS_CALLERS and tool.get("allowed_callers") != ["direct"]:
        # §6: this model has no programmatic tool calling; text [U]
        raise invalid(f"{at}: {tool.get('type')} calls the tool from code execution by default; this "
                      "model needs \"allowed_callers\": [\"direct\"]")


def _check_pairs(content: list, i: int, body: dict) -> None:
    answered = {b.get("tool_use_id") for b in content if isinstance(b, dict)
                and str(b.get("type", "")).endswith("_tool_result")}
    for j, block in enumerate(content):
        if not isinstance(block, dict) or block.get("type") != "server_tool_use":
            continue
        name = block.get("name")
        if block.get("id") not in answered:  # §5, quoted
            raise invalid(f"messages.{i}.content.{j}: `{name}` tool use with id `{block.get('id')}` was "
                          f"found without a corresponding `{name}_tool_result` block")
        types = SEARCH_TYPES if name == "web_search" else FETCH_TYPES if name == "web_fetch" else ()
        if types and offered(body, types) is None:  # §5: "a 400 ending" with the quoted words
            raise invalid(f"messages.{i}.content.{j}: the conversation holds a `{name}` tool use, "
                          f"but no `{name}` tool was provided")


def _check_encrypted(block: Any, at: str, issued: Issued) -> None:
    """§6: encrypted_content and encrypted_index go back unchanged (missing or modified: 400, text [U])."""
    if not isinstance(block, dict):
        return
    if block.get("type") == "web_search_tool_result" and isinstance(block.get("content"), list):
        for k, result in enumerate(block["content"]):
            if isinstance(result, dict) and result.get("type") == "web_search_result":
                _same(result, "encrypted_content", issued.content, f"{at}.content.{k}")
    if block.get("type") == "text" and isinstance(block.get("citations"), list):
        for k, citation in enumerate(block["citations"]):
            if isinstance(citation, dict) and citation.get("type") == "web_search_result_location":
                _same(citation, "encrypted_index", issued.index, f"{at}.citations.{k}")


def _same(item: dict, key: str, known: dict[str, str], at: str) -> None:
    value = item.get(key)
    if not isinstance(value, str):
        raise invalid(f"{at}.{key}: Field required")
    if known.get(value) != item.get("url"):
        raise invalid(f"{at}.{key}: the encrypted value is invalid; send it back exactly as received")
