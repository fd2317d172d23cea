"""The OpenAI-compatible Chat Completions wire format (Ace Data Cloud's
`POST /v1/chat/completions`), adapted to the same StreamEvents and Message as
the Messages API, so nothing after the decoder knows which one was used.

Thinking is asked for with a model name ending in `-thinking`; the reasoning
comes back as `reasoning_content` and becomes a thinking block (without a
signature: this API has none). The user's tools go both ways through api/chat_tools.py:
`tools`/`tool_choice`, `tool_calls` and `role: "tool"` messages <-> tool_use and tool_result
blocks. The API's own tools (web search and fetch) and citations do not exist on this format:
connect.py refuses --web for such a profile, and a document (--cite, a PDF) is refused here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from claudechat.api import chat_tools
from claudechat.api.events import (
    BadShape,
    ContentBlockDelta,
    ContentBlockStart,
    ContentBlockStop,
    ErrorEvent,
    InputJsonDelta,
    MessageDelta,
    MessageStart,
    MessageStop,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    field,
    loads,
    not_json,
    what,
)
from claudechat.api.messages import check_prefill
from claudechat.api.sse import ServerSentEvent
from claudechat.conversation import Conversation, RequestParams
from claudechat.errors import MalformedStream, UsageError
from claudechat.message import Message

PATH = "/v1/chat/completions"
COUNT_PATH: str | None = None  # no token count in this format
THINKING_SUFFIX = "-thinking"
STOP_REASONS = {
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "content_filter": "refusal",
}

# -- request -------------------------------------------------------------------


def build_body(conversation: Conversation, params: RequestParams, *, stream: bool,
               allow_trailing_assistant: bool = False) -> dict[str, Any]:
    """Thinking asked for (not the model's default) is the `-thinking` model name;
    effort and the other thinking forms have no field here. Sampling parameters were
    checked by model in `RequestParams.checked`."""
    model = params.model
    thinking = params.thinking
    if thinking.on and not thinking.by_default and not model.endswith(THINKING_SUFFIX):
        model += THINKING_SUFFIX
    sent = conversation.api_messages()
    check_prefill(sent, params, allow_trailing_assistant)
    messages: list[dict[str, Any]] = []
    if conversation.system:
        messages.append({"role": "system", "content": conversation.system})
    for message in sent:
        messages.extend(_convert(message))
    body: dict[str, Any] = {"model": model, "messages": messages, "max_tokens": params.max_tokens}
    if params.temperature is not None:
        body["temperature"] = params.temperature
    if params.top_p is not None:
        body["top_p"] = params.top_p
    if params.stop_sequences:
        body["stop"] = list(params.stop_sequences)
    tools = conversation.request_tools(params.tools)
    if tools:
        body["tools"] = [chat_tools.tool(t) for t in tools]
    if params.tool_choice:
        body["tool_choice"] = chat_tools.tool_choice(params.tool_choice)
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    return body


def _convert(message: dict[str, Any]) -> list[dict[str, Any]]:
    role = message["role"]
    blocks = message["content"]
    if role == "system":  # a system message mid-conversation
        return [{"role": "system", "content": "".join(_system_text(b) for b in blocks)}]
    if role == "assistant":
        return [chat_tools.assistant_message(blocks)]
    # the results first, one tool message each, then what else the user said (docs/API-2026.md §7)
    results = [chat_tools.tool_message(b) for b in blocks if b.get("type") == "tool_result"]
    parts = [_part(b) for b in blocks if b.get("type") != "tool_result"]
    if not parts:
        return results
    if all(p["type"] == "text" for p in parts):
        content: Any = "".join(p["text"] for p in parts) if len(parts) == 1 else parts
    else:
        content = parts
    return results + [{"role": "user", "content": content}]


def _part(block: dict[str, Any]) -> dict[str, Any]:
    kind = block.get("type")
    if kind == "text":
        return {"type": "text", "text": block.get("text", "")}
    if kind == "image":
        source = block.get("source") or {}
        if source.get("type") == "url":
            url = source["url"]
        else:
            url = f"data:{source.get('media_type')};base64,{source.get('data')}"
        return {"type": "image_url", "image_url": {"url": url}}
    use = chat_tools.USE_MESSAGES
    if block.get("citations"):
        raise UsageError(f"citations (--cite, /cite on) are a feature of the Messages API, and the "
                         f"chat-completions API has no documents; leave out --cite (/cite off in the chat), "
                         f"or {use}")
    raise UsageError(f"a {kind} block cannot be sent with the chat-completions API; {use}")


def _system_text(block: dict[str, Any]) -> str:
    if block.get("type") != "text":  # tool_removal/tool_addition: this wire switches tools by tool_choice
        raise UsageError(f"this conversation holds a {block.get('type')} system message from the Messages "
                         f"API, which the chat-completions API cannot carry; {chat_tools.USE_MESSAGES} "
                         f"to continue it")
    return str(block.get("text", ""))


# -- response ------------------------------------------------------------------


def parse_message(data: Any) -> Message:
    """A non-streaming chat.completion -> Message."""
    try:
        choice = data["choices"][0]
        reply = choice["message"]
    except (KeyError, IndexError, TypeError):
        raise MalformedStream("the server's reply is not a chat completion") from None
    content: list[dict[str, Any]] = []
    if reply.get("reasoning_content"):
        content.append({"type": "thinking", "thinking": reply["reasoning_content"]})
    if reply.get("content"):
        content.append({"type": "text", "text": reply["content"]})
    calls = reply.get("tool_calls") or []
    try:
        for n, call in enumerate(calls if isinstance(calls, list) else [calls]):
            _check_call(call, f"choices[0].message.tool_calls[{n}]")
    except BadShape as exc:
        raise MalformedStream(f"the server's reply is malformed ({exc})") from None
    for n, call in enumerate(calls):
        block = chat_tools.use_block(call, f"choices[0].message.tool_calls[{n}]")
        block["input"] = chat_tools.arguments((call.get("function") or {}).get("arguments"))
        content.append(block)
    finish = choice.get("finish_reason")
    return Message(
        id=data.get("id", ""),
        model=data.get("model", ""),
        content=content,
        stop_reason=STOP_REASONS.get(finish, finish),
        usage=_usage(data.get("usage")),
    )


def _usage(usage: Any) -> dict[str, Any]:
    if not isinstance(usage, dict):
        return {}
    out = {"input_tokens": usage.get("prompt_tokens", 0),
           "output_tokens": usage.get("completion_tokens", 0)}
    cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens")
    if cached:
        out["cache_read_input_tokens"] = cached
    return out


def events(records: Iterable[ServerSentEvent]) -> Iterator[StreamEvent]:
    """Chat completion chunks -> the Messages API's event sequence."""
    adapter = _Adapter()
    for record in records:
        if record.data.strip() == "[DONE]":
            yield from adapter.flush()
            return
        try:
            chunk = loads(record.data)
        except ValueError as exc:
            raise MalformedStream(f"the server sent a malformed chunk ({not_json(exc)})") from None
        if not isinstance(chunk, dict):
            raise MalformedStream(f"the server sent a malformed chunk (it is {what(chunk)}, not an object)")
        try:
            check_chunk(chunk)
        except BadShape as exc:
            raise MalformedStream(f"the server sent a malformed chunk ({exc})") from None
        yield from adapter.feed(chunk)
        if adapter.failed:
            return
    if adapter.finish_reason is not None:  # some servers omit [DONE]
        yield from adapter.flush()


NONE = type(None)


def check_chunk(chunk: dict[str, Any]) -> None:
    """BadShape, naming the field, unless the chunk's fields this adapter reads are of their
    documented types (docs/PROTOCOL.md, "Stream"); fields it does not read are not checked."""
    error = field(chunk, "error", dict, NONE, optional=True)
    if error is not None:
        for key in ("type", "code", "message"):
            field(error, key, str, int, NONE, at="error.", optional=True)
        return
    for key in ("id", "model"):
        field(chunk, key, str, NONE, optional=True)
    usage = field(chunk, "usage", dict, NONE, optional=True) or {}
    for key in ("prompt_tokens", "completion_tokens"):
        field(usage, key, int, NONE, at="usage.", optional=True)
    details = field(usage, "prompt_tokens_details", dict, NONE, at="usage.", optional=True) or {}
    field(details, "cached_tokens", int, NONE, at="usage.prompt_tokens_details.", optional=True)
    for n, choice in enumerate(field(chunk, "choices", list, NONE, optional=True) or ()):
        at = f"choices[{n}]."
        if type(choice) is not dict:
            raise BadShape(f"choices[{n}] is {what(choice)}, not an object")
        field(choice, "finish_reason", str, NONE, at=at, optional=True)
        delta = field(choice, "delta", dict, NONE, at=at, optional=True) or {}
        for key in ("role", "content", "reasoning_content"):
            field(delta, key, str, NONE, at=f"{at}delta.", optional=True)
        calls = field(delta, "tool_calls", list, NONE, at=f"{at}delta.", optional=True) or ()
        for m, call in enumerate(calls):
            _check_call(call, f"{at}delta.tool_calls[{m}]")


def _check_call(call: Any, at: str) -> None:
    if type(call) is not dict:
        raise BadShape(f"{at} is {what(call)}, not an object")
    if field(call, "index", int, at=f"{at}.", optional=True) is not None and call["index"] < 0:
        raise BadShape(f"{at}.index is {call['index']}, not a position")
    field(call, "id", str, NONE, at=f"{at}.", optional=True)
    function = field(call, "function", dict, NONE, at=f"{at}.", optional=True) or {}
    for key in ("name", "arguments"):
        field(function, key, str, NONE, at=f"{at}.function.", optional=True)


class _Adapter:
    """Chat completion chunks -> StreamEvents: `feed` one chunk at a time, `flush` at the end."""

    def __init__(self) -> None:
        self.started = False
        self.failed = False
        self.finish_reason: str | None = None
        self.usage: dict[str, Any] = {}
        self.count = 0  # blocks started
        self.open: list[int] = []
        self.current: tuple[str, int] | None = None  # the open text or thinking block
        self.tools: dict[int, int] = {}  # tool call index -> block index

    def feed(self, chunk: dict[str, Any]) -> Iterator[StreamEvent]:
        if isinstance(chunk.get("error"), dict):
            error = chunk["error"]
            self.failed = True
            yield ErrorEvent(type=str(error.get("type") or error.get("code") or "error"),
                             message=str(error.get("message") or "the server reported an error"))
            return
        if not self.started:
            self.started = True
            yield MessageStart({"id": chunk.get("id", ""), "type": "message", "role": "assistant",
                                "model": chunk.get("model", ""), "content": [], "stop_reason": None,
                                "stop_sequence": None, "usage": {"input_tokens": 0, "output_tokens": 0}})
        if isinstance(chunk.get("usage"), dict):
            self.usage = _usage(chunk["usage"])
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or {}
            if delta.get("reasoning_content"):
                yield from self._text("thinking", delta["reasoning_content"])
            if delta.get("content"):
                yield from self._text("text", delta["content"])
            for call in delta.get("tool_calls") or []:
                yield from self._tool_call(call)
            if choice.get("finish_reason"):
                self.finish_reason = choice["finish_reason"]

    def _start(self, block: dict[str, Any]) -> Iterator[StreamEvent]:
        index = self.count
        self.count += 1
        self.open.append(index)
        yield ContentBlockStart(index, block)

    def _text(self, kind: str, text: str) -> Iterator[StreamEvent]:
        if self.current is None or self.current[0] != kind:
            if self.current is not None:
                self.open.remove(self.current[1])
                yield ContentBlockStop(self.current[1])
            self.current = (kind, self.count)
            yield from self._start({"type": kind, kind: ""})
        index = self.current[1]
        yield ContentBlockDelta(index, ThinkingDelta(text) if kind == "thinking" else TextDelta(text))

    def _tool_call(self, call: dict[str, Any]) -> Iterator[StreamEvent]:
        position = int(call.get("index", 0))
        function = call.get("function") or {}
        if position not in self.tools:
            if self.current is not None:
                self.open.remove(self.current[1])
                yield ContentBlockStop(self.current[1])
                self.current = None
            block = chat_tools.use_block(call, f"delta.tool_calls index {position}")
            self.tools[position] = self.count
            yield from self._start(block)
        if function.get("arguments"):
            yield ContentBlockDelta(self.tools[position], InputJsonDelta(function["arguments"]))

    def flush(self) -> Iterator[StreamEvent]:
        if not self.started:
            return
        for index in sorted(self.open):
            yield ContentBlockStop(index)
        self.open.clear()
        self.current = None
        reason = self.finish_reason
        yield MessageDelta(stop_reason=STOP_REASONS.get(reason, reason) if reason else None,
                           stop_sequence=None, usage=self.usage)
        yield MessageStop()
