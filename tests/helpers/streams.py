"""Messages API streams written from docs/API-2026.md §5 and §9, for RawSSE: the shapes
of late 2026 (stop_details, input_transformations, fallback and compaction blocks,
thinking under `display: omitted`) before the fake server's Reply can script them."""

from __future__ import annotations

import json
from typing import Any


def sse(*events: tuple[str, dict[str, Any]]) -> bytes:
    return b"".join(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode() for name, data in events)


def _block_events(index: int, block: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    kind = block["type"]
    start: dict[str, Any] = dict(block)
    deltas: list[dict[str, Any]] = []
    if kind == "text":
        start["text"] = ""
        deltas = [{"type": "text_delta", "text": block["text"]}]
    elif kind == "thinking":  # §1c: empty start, one thinking_delta, then the signature
        start.update(thinking="", signature="")
        deltas = [{"type": "thinking_delta", "thinking": block["thinking"]},
                  {"type": "signature_delta", "signature": block["signature"]}]
    elif kind == "compaction":  # §8: the whole summary in one compaction_delta
        start["content"] = None
        deltas = [{"type": "compaction_delta", "content": block["content"],
                   "encrypted_content": block.get("encrypted_content")}]
    events = [("content_block_start", {"type": "content_block_start", "index": index,
                                       "content_block": start})]
    events += [("content_block_delta", {"type": "content_block_delta", "index": index, "delta": d})
               for d in deltas]
    events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    return events


def reply_stream(blocks: list[dict[str, Any]], *, stop_reason: str = "end_turn",
                 model: str = "claude-opus-5-5", stop_details: dict[str, Any] | None = None,
                 input_transformations: list[dict[str, Any]] | None = None,
                 message_id: str = "msg_e2e") -> bytes:
    """A whole streamed reply of `blocks` (each as the API ends up with it)."""
    message: dict[str, Any] = {
        "id": message_id, "type": "message", "role": "assistant", "model": model, "content": [],
        "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 10, "output_tokens": 1}}
    if input_transformations is not None:
        message["input_transformations"] = input_transformations
    events = [("message_start", {"type": "message_start", "message": message})]
    for index, block in enumerate(blocks):
        events += _block_events(index, block)
    delta: dict[str, Any] = {"stop_reason": stop_reason, "stop_sequence": None}
    if stop_details is not None:
        delta["stop_details"] = stop_details
    events.append(("message_delta", {"type": "message_delta", "delta": delta,
                                     "usage": {"output_tokens": 7}}))
    events.append(("message_stop", {"type": "message_stop"}))
    return sse(*events)
