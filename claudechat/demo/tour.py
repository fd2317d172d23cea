"""The replies of `claudechat --demo`: a short tour of what the client shows, answered by the same
server the tests use, keyed on words of the last user message. No model is involved: every reply
says so on its first line."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from claudechat.demo.scripts import ErrorReply, Reply, Response
from claudechat.demo.server import FakeServer
from claudechat.demo.web import Cite, Search

LABEL = "*Simulated reply: claudechat --demo, no model and no network.*"

WELCOME = """\
This is claudechat's demo: a server of its own on 127.0.0.1 answers instead of Claude, \
so everything here works without a key. Try:

- **markdown**: headings, lists, a table and highlighted code, streamed
- **think**: a thinking block before the reply (when thinking is on: `/think on`, `--think`)
- **tool**: a web search, its results and a cited answer (with web search on: `/web on`, `--web`)
- **error**: a sample `429 rate_limit_error`; claudechat waits and retries, then the reply comes
- **long**: a long reply, streamed slowly; Ctrl-C stops it and keeps what arrived
- an image or a file (`@path` in the chat, `--image`/`--file` with ask): what arrived, echoed back

Everything you type is answered from this small script. For real replies, set \
`ANTHROPIC_API_KEY` or `ACEDATA_API_TOKEN` and run `claudechat` without `--demo`."""

MARKDOWN = """\
## A short Markdown tour

Replies stream as Markdown: **bold**, *italic*, `inline code` and [links](https://example.com).

1. numbered lists
2. with nested items:
   - like this one

> A quote, for good measure.

| feature | shown as |
|---|---|
| code | highlighted |
| tables | aligned |

```python
def greet(name: str) -> str:
    return f"Hello, {name}!"
```"""

LONG = " ".join(f"Line {n} of a long reply, streamed slowly so that there is time to press Ctrl-C."
                for n in range(1, 9))

WEB_OFF = ("Web search is off for this chat, so the model could not search: `/web on` in the chat "
           "(or `--web`) turns it on; then ask for a **tool** again.")
THINKING_OFF = ("Thinking is off for this chat, so no thinking block came: `/think on` in the chat "
                "(or `--think`) turns it on.")
RETRIED = ("That was a sample error: the server answered `429 rate_limit_error` with `retry-after: 1`, "
           "claudechat waited and sent the request again, and this reply is what the retry got.")
THINKING = ("A simulated thinking block. With a real model this is its reasoning before it answers: "
            "claudechat shows it in a dim panel while it streams, then folds it to one line.")


def responder(body: dict) -> Sequence[Response]:
    """The responses for one request (a 429 first, then the reply its retry gets, for 'error').
    Words may combine ("markdown and a tool"); the first turn of a chat always says what to try."""
    words = last_user_text(body).lower()
    thinking = THINKING if "think" in words and thinking_asked(body) else None
    parts, extra = [LABEL], {}  # extra: Reply's web= (the search), delay= (the long reply)
    if "think" in words and not thinking:
        parts.append(THINKING_OFF)
    received = attachments(body)
    if received:
        parts.append("You attached:\n\n" + "\n".join(f"- {line}" for line in received))
    if "markdown" in words:
        parts.append(MARKDOWN)
    if "tool" in words and searching(body):
        parts.append("Here is a simulated web search: its query, its results, and an answer that cites one.")
        extra["web"] = search_steps(words)
    elif "tool" in words:
        parts.append(WEB_OFF)
    if "long" in words:
        parts.append(LONG)
        extra["delay"] = 0.03
    if "error" in words:
        parts.append(RETRIED)
    if thinking and len(parts) == 1:
        parts.append("The thinking block above is simulated too. Say **help** for the whole tour.")
    elif len(parts) == 1 or "help" in words or user_turns(body) == 1:
        parts.append(WELCOME)
    text = "\n\n".join(parts)
    if "web" in extra:  # the label first, then the search and the answer that cites it
        extra["web"], text = [text + "\n\n", *extra["web"]], ""
    reply = Reply(text=text, thinking=thinking, **extra)
    return [ErrorReply(429, headers={"retry-after": "1"}), reply] if "error" in words else [reply]


def user_turns(body: dict) -> int:
    return sum(1 for m in body.get("messages") or [] if isinstance(m, dict) and m.get("role") == "user")


def last_user_text(body: dict) -> str:
    """The text of the last user message (its text blocks joined)."""
    for message in reversed(body.get("messages") or []):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                return content
            return " ".join(block.get("text", "") for block in content or []
                            if isinstance(block, dict) and block.get("type") == "text")
    return ""


def thinking_asked(body: dict) -> bool:
    thinking = body.get("thinking")
    return isinstance(thinking, dict) and thinking.get("type") in ("enabled", "adaptive")


def attachments(body: dict) -> list[str]:
    """One line per image or document of the last user message: its kind and size as received."""
    messages = [m for m in body.get("messages") or [] if isinstance(m, dict) and m.get("role") == "user"]
    content = messages[-1].get("content") if messages else None
    found = []
    for block in content if isinstance(content, list) else []:
        if isinstance(block, dict) and block.get("type") in ("image", "document"):
            found.append(describe(block))
    return found


def describe(block: dict) -> str:
    source: dict[str, Any] = block.get("source") if isinstance(block.get("source"), dict) else {}
    kind, title = block["type"], block.get("title")
    named = f" “{title}”" if isinstance(title, str) and title else ""
    if source.get("type") == "url":
        return f"an {kind}{named} by URL: `{source.get('url')}`"
    if source.get("type") == "text":
        return f"a text {kind}{named}: {len(str(source.get('data', '')))} characters"
    data = source.get("data")
    size = len(base64.b64decode(data)) if isinstance(data, str) else 0
    return f"an {kind}{named}: {source.get('media_type', 'unknown type')}, {size:,} bytes"


def searching(body: dict) -> bool:
    """May the model search in this request: web search in `tools`, tool_choice not `none`."""
    choice = body.get("tool_choice")
    tools = body.get("tools") if isinstance(body.get("tools"), list) else []
    offered = any(isinstance(t, dict) and str(t.get("type", "")).startswith("web_search") for t in tools)
    return offered and not (isinstance(choice, dict) and choice.get("type") == "none")


def search_steps(words: str) -> list[Any]:
    query = " ".join(words.split("tool", 1)[-1].split()) or "claudechat terminal client"  # the words after
    first = "https://example.com/one"
    return [Search(query, results=[("A simulated result", first),
                                   ("Another simulated result", "https://example.com/two")]),
            "According to the search, ", Cite("the first result is the one to read", url=first), "."]


def demo_server() -> FakeServer:
    """The server `claudechat --demo` starts: any key or none, the tour's replies."""
    return FakeServer(auth="any", responder=responder)
