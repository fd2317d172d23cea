"""The few error types claudechat raises, and its exit codes.

    ClaudechatError            anything the user should see as one line (its str() never
                               holds a registered secret: redaction.py)
     ├── ConfigError           the config file or a setting is wrong        -> exit 2
     │    └── NoKeyError       no API key: says where one comes from, and --demo
     ├── UsageError            bad input: the command line, a file, stdin, the
     │                         history database (unreadable, newer, unwritable) -> exit 2
     │    └── ImageTooLarge    an image over the API's limits, not resized: its hint
     │                         says how to resize, which differs in the chat
     ├── ApiError              the server answered with an error, or could
     │                         not be reached (status 0)                    -> exit 1
     └── StreamError           the reply could not be read to its end       -> exit 1
          ├── IncompleteReply  cut short: the stream ended before message_stop,
          │                    the connection broke, or the server fell silent
          └── MalformedStream  bad data: not JSON, fields missing, events out
                               of order (a whole, non-streamed reply too)

    OutputClosed               (not an error) stdout's reader went away

Each is raised where the problem is found: IncompleteReply by api/client.py
(the connection) and accumulator.py (no message_stop); MalformedStream by
api/sse.py (a line past its limit), api/messages.py, api/chat_completions.py
(an event of the wrong shape), accumulator.py (out of order) and turn.py (a
reply that held bytes that are not UTF-8, kept as U+FFFD). run_turn reports
a MalformedStream to the user as an IncompleteReply raised `from` it (what
arrived before the bad data is kept), so callers tell the two apart by type,
never by the text of the message.

Only `cli.py` turns these into a line on stderr and an exit code.
"""

from __future__ import annotations

import copy
import enum
from typing import Any

from claudechat.redaction import redact


class ExitCode(enum.IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    INTERRUPTED = 130


class ClaudechatError(Exception):
    """An error with a message meant for the user (one line, no secrets)."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:  # whoever prints it: never a key or a URL's password
        return redact(f"{self.message} — {self.hint}" if self.hint else self.message)

    def with_hint(self, hint: str) -> ClaudechatError:
        """A copy of this error with `hint` where it has none, to raise `from` it (the
        caught error is not edited)."""
        copied = copy.copy(self)
        copied.hint = self.hint or hint
        return copied


class ConfigError(ClaudechatError):
    exit_code = ExitCode.USAGE


class NoKeyError(ConfigError):
    """No API key for `profile` (None: no profile chosen and no built-in key variable set).
    One line for ask; the chat says more (key_help.lines)."""

    def __init__(self, profile: str | None, config_file: object, variable: str | None = None) -> None:
        from claudechat import key_help

        super().__init__(key_help.one_line(profile, config_file, variable))
        self.profile, self.config_file, self.variable = profile, config_file, variable

    def lines(self) -> list[str]:
        from claudechat import key_help

        return key_help.lines(self.profile, self.config_file, self.variable)


class UsageError(ClaudechatError):
    exit_code = ExitCode.USAGE


class ImageTooLarge(UsageError):
    """An image over the API's limits, and no resizing asked for. Its hint gives
    `ask`'s flag (--resize); the chat says it with what works there instead
    (repl/commands/attach.py, in_the_chat)."""


class ApiError(ClaudechatError):
    """An error answer from the server, or a failure to reach it (status 0)."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 0,
        code: str | None = None,
        request_id: str | None = None,
        hint: str | None = None,
        retryable: bool = False,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.code = code
        self.request_id = request_id
        self.retryable = retryable

    def __str__(self) -> str:
        head = " ".join(p for p in (self.status and f"HTTP {self.status}", self.code) if p)
        text = f"{head}: {self.message}" if head else self.message
        if self.request_id:
            text += f" [request id {self.request_id}]"
        if self.hint:
            text += f" — {self.hint}"
        return redact(text)


class StreamError(ClaudechatError):
    """A reply could not be read to its end; `partial` is what arrived (a Message) or None."""

    def __init__(self, message: str, *, hint: str | None = None, partial: Any = None) -> None:
        super().__init__(message, hint=hint)
        self.partial = partial


class IncompleteReply(StreamError):
    """The reply stopped before the server finished it; `reason` says why.

    Its message always reads "the reply is incomplete: <reason>".
    """

    def __init__(self, reason: str, *, hint: str | None = None, partial: Any = None) -> None:
        super().__init__(f"the reply is incomplete: {reason}", hint=hint, partial=partial)
        self.reason = reason


class MalformedStream(StreamError):
    """The server sent data that breaks the protocol (bad JSON, missing fields,
    events out of order, a whole reply of the wrong shape)."""


class OutputClosed(Exception):
    """The reader of stdout went away (`claudechat ask … | head`): not an error."""
