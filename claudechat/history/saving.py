"""The history side of `ask` and the chat: continuing a stored conversation
(-c/--continue, --cid) and Recorder, the save policy (--save, --no-save,
save_history) that keeps a growing conversation in the store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from claudechat import signals, web
from claudechat.errors import ClaudechatError, UsageError

if TYPE_CHECKING:
    from claudechat.conversation import Conversation
    from claudechat.history.store import HistoryStore, Stored

NO_SAVE_HINT = "--no-save asks without keeping a history"
START_ONE = 'start one with: claudechat ask "…"'
NOTHING_YET = f"there is no conversation to continue yet; {START_ONE}"
UNREPLIED_DAYS = 7  # a conversation without any reply is kept this long after its last message


class Recorder:
    """Keeps one growing Conversation in the store: `run_turn(..., persist=recorder)`."""

    def __init__(self, store: HistoryStore, *, profile: str | None, cid: str | None = None,
                 saved: int = 0, notice: Callable[[str], None] | None = None) -> None:
        self.store, self.profile, self.cid, self.saved, self.notice = store, profile, cid, saved, notice
        self.kept: list[Any] | None = None  # the turns as last saved (None: the first `saved`)

    def __call__(self, conversation: Conversation) -> None:
        if self.cid is None:
            self.prune()
        turns = conversation.turns
        start = self.saved
        if self.kept is not None:  # /undo keeps a system message: it moves up, rewrite it
            start = next((i for i, (a, b) in enumerate(zip(self.kept, turns, strict=False))
                          if a is not b), min(len(self.kept), len(turns)))
        try:
            with signals.deferred():
                cid, forked = self.store.save(conversation, cid=self.cid, saved=self.saved,
                                              profile=self.profile, start=start)
        except ClaudechatError as exc:
            raise exc.with_hint(NO_SAVE_HINT) from exc
        self.cid, self.saved, self.kept = cid, len(turns), list(turns)
        if forked and self.notice:
            self.notice(f"conversation {forked} was changed elsewhere meanwhile; "
                        f"this one was saved as {cid}")

    def prune(self) -> None:
        """Remove the conversations in which no question got a reply (a failed `ask`)
        UNREPLIED_DAYS after their last message: until then `history show` and -c can
        recover the question. Done as a new conversation is first saved."""
        import time

        try:
            with signals.deferred():
                old = self.store.unreplied_before(time.time() - UNREPLIED_DAYS * 86400)
                if old:
                    self.store.delete(old)
        except ClaudechatError as exc:
            raise exc.with_hint(NO_SAVE_HINT) from exc


@dataclass
class Continuation:
    """The stored conversation that `ask` or the chat continues (if any), and how
    its turns are saved."""

    store: HistoryStore | None = None
    stored: Stored | None = None

    def restore(self, flags: dict[str, Any]) -> dict[str, Any]:
        """The flags, with the continued conversation's model and system prompt
        filling in for the ones not given on the command line."""
        if self.stored is None:
            return flags
        restored = dict(flags)
        if restored.get("model") is None and self.stored.summary.model:
            restored["model"] = self.stored.summary.model
        if restored.get("system") is None:
            restored["system"] = self.stored.system or ""  # "": none, whatever the config says
        state = self.stored.settings if isinstance(self.stored.settings, dict) else {}
        if restored.get("web") is None and isinstance(state.get("web"), bool):
            restored["web"] = state["web"]  # web search on or off: the conversation's (web.py)
        cited = web.documents_cited(self.stored.turns)  # its documents went with citations or without
        if restored.get("cite") is None and cited is not None:
            restored["cite"] = cited
        return restored

    def resume(self, conversation: Conversation,
               notice: Callable[[str], None] | None = None) -> Conversation:
        """The stored turns and state in `conversation`. A system prompt given now (-s)
        that differs from the stored one is a change of it, made without editing the
        prefix (Conversation.change_system), said through `notice`."""
        stored = self.stored
        if stored is None:
            return conversation
        wanted = conversation.system or None
        conversation.system = stored.system or None
        conversation.turns = list(stored.turns)
        conversation.restore_state(stored.settings if isinstance(stored.settings, dict) else {})
        if wanted not in (conversation.system, conversation.current_system()):  # -s given
            said = conversation.change_system(wanted)
            if notice is not None:
                notice(said)
        return conversation

    def recorder(self, save: bool, profile: str | None,
                 notice: Callable[[str], None] | None) -> Recorder | None:
        """The persist hook for run_turn, or None when nothing is to be saved
        (`save`: the flag, or else the save_history setting)."""
        if not save:
            return None
        from claudechat.history.store import HistoryStore  # SQLite: not loaded by --no-save (~1 MB)

        try:
            store = self.store or HistoryStore()
        except ClaudechatError as exc:
            raise exc.with_hint(NO_SAVE_HINT) from exc
        stored = self.stored
        recorder = Recorder(store, profile=profile, notice=notice,
                            cid=stored.summary.id if stored else None,
                            saved=len(stored.turns) if stored else 0)
        if stored is not None:  # a stored question set aside (marked unanswered) is rewritten
            recorder.kept = list(stored.turns)
        return recorder


def open_continuation(continue_last: bool, cid: str | None) -> Continuation:
    """What -c/--continue or --cid ID name (nothing to continue without either)."""
    if continue_last and cid is not None:
        raise UsageError("give either -c/--continue or --cid ID, not both")
    if not continue_last and cid is None:
        return Continuation()
    from claudechat.history.store import HistoryStore, history_path

    if not history_path().exists():  # nothing to continue: no history is made for it
        raise UsageError(NOTHING_YET if continue_last else
                         f"no conversation with id {cid!r}: the history is empty; {START_ONE}")
    store = HistoryStore()
    if continue_last and not store.list(limit=1):
        raise UsageError(NOTHING_YET)
    return Continuation(store, store.load(store.resolve("last" if continue_last else cid or "")))
