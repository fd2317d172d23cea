"""Wire: what a wire format offers run_turn. Both `api.messages` (the Messages
API) and `api.chat_completions` (the OpenAI-compatible one) are modules that
satisfy it, so the rest of the program is written once against this shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from claudechat.api.events import StreamEvent
from claudechat.api.sse import ServerSentEvent
from claudechat.conversation import Conversation, RequestParams
from claudechat.message import Message


class Wire(Protocol):
    PATH: str
    """The path the request is POSTed to, below the base URL."""
    COUNT_PATH: str | None
    """Where a request body of this format is counted (count_tokens); None: nowhere."""

    def build_body(self, conversation: Conversation, params: RequestParams, *,
                   stream: bool, allow_trailing_assistant: bool = False) -> dict[str, Any]:
        """The request JSON; `params` must already be `checked()`. UsageError for a
        request ending on an assistant turn on a model that refuses prefill, unless
        `allow_trailing_assistant` (the pause_turn continuation)."""
        ...

    def events(self, records: Iterable[ServerSentEvent]) -> Iterator[StreamEvent]:
        """The streamed reply's SSE records -> the Messages API's typed events."""
        ...

    def parse_message(self, data: Any) -> Message:
        """A whole (non-streamed) reply's JSON -> Message; MalformedStream if it is not one."""
        ...
