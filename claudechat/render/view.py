"""StreamView: how a turn is drawn. Views get events and snapshots, never HTTP.

`PlainView` writes the reply text exactly as received (pipes, files, NO_COLOR,
`--plain`); on a terminal it strips control sequences first. `JsonView`
prints only the final Message as the API would return it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Protocol, TextIO

from claudechat.api.events import ContentBlockDelta, Message, StreamEvent, TextDelta
from claudechat.render.sanitize import sanitize

if TYPE_CHECKING:
    from claudechat.turn import TurnResult


class StreamView(Protocol):
    def begin(self) -> None:
        """The request is about to be sent."""

    def event(self, event: StreamEvent, message: Message) -> None:
        """One stream event, and the message accumulated so far."""

    def whole(self, message: Message) -> None:
        """A reply that arrived in one piece (no streaming)."""

    def notice(self, text: str) -> None:
        """A one-line warning for the user."""

    def end(self, result: TurnResult) -> None:
        """The turn is over (finished, failed or interrupted)."""


class PlainView:
    def __init__(self, out: TextIO, err: TextIO, *, terminal: bool = False) -> None:
        self.out = out
        self.err = err
        self.terminal = terminal
        self._last = ""  # the last character written, to end the line cleanly

    def begin(self) -> None:
        pass

    def event(self, event: StreamEvent, message: Message) -> None:
        if isinstance(event, ContentBlockDelta) and isinstance(event.delta, TextDelta):
            self._write(event.delta.text)

    def whole(self, message: Message) -> None:
        self._write(message.text)

    def notice(self, text: str) -> None:
        self.err.write(f"claudechat: {sanitize(text)}\n")
        self.err.flush()

    def end(self, result: TurnResult) -> None:
        if self._last and self._last != "\n":
            self._write("\n")

    def _write(self, text: str) -> None:
        if not text:
            return
        if self.terminal:
            text = sanitize(text)
        self.out.write(text)
        self.out.flush()
        self._last = text[-1]


class JsonView(PlainView):
    """`--json`: nothing while streaming, then the final Message object."""

    def event(self, event: StreamEvent, message: Message) -> None:
        pass

    def whole(self, message: Message) -> None:
        pass

    def end(self, result: TurnResult) -> None:
        self.out.write(json.dumps(result.message.to_dict(), ensure_ascii=False, indent=2) + "\n")
        self.out.flush()
