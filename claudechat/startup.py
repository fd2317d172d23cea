"""The one start-up path of the chat and `ask`: options -> the conversation to
continue (if any) -> settings -> a connected session -> the conversation.

    start = prepare(options)                 # history and settings: no network
    session = start.connect(notice)          # key, API client, request parameters
    conversation = start.conversation(session)

Split in two steps so a command can do its own checks in between (ask reads its
attachments before a password manager is asked for the key).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from claudechat import settings as settings_mod
from claudechat.advice import Advice
from claudechat.connect import Session, open_session
from claudechat.conversation import Conversation
from claudechat.history.saving import Continuation, open_continuation
from claudechat.options import Options
from claudechat.settings import Settings


@dataclass
class Start:
    options: Options
    settings: Settings
    history: Continuation  # the stored conversation continued (-c/--cid), if any

    @property
    def save(self) -> bool:
        """Is the conversation to be kept: --save/--no-save, else the save_history setting."""
        return self.settings.save_history if self.options.save is None else self.options.save

    def connect(self, notice: Callable[[str], None] | None = None, *, deferred: bool = False) -> Session:
        """The session; `deferred`: its HTTP client is built at the first use (open_client)."""
        advice = Advice.command_line(self.options.flags(), self.settings.config_file)
        return open_session(self.settings, debug=self.options.debug, notice=notice, advice=advice,
                            deferred=deferred)

    def conversation(self, session: Session, notice: Callable[[str], None] | None = None) -> Conversation:
        """A new conversation, or the continued one's turns, with the session's parameters
        (a changed system prompt is said through `notice`)."""
        return self.history.resume(session.new_conversation(), notice)


def prepare(options: Options) -> Start:
    """The conversation to continue, and the settings with its model and system prompt
    filling in for the flags not given."""
    history = open_continuation(options.continue_last, options.cid)
    settings = settings_mod.load(history.restore(options.flags()))
    return Start(options=options, settings=settings, history=history)
