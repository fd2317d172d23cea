"""A history written straight through the store's bulk API (fast): conversations of one
question and its reply each, for tests that need ids to exist."""

from __future__ import annotations

from pathlib import Path


def seed_history(path: Path, titles: list[str], start: float = 1_000_000.0) -> list[str]:
    """A conversation per title (the question; the reply "Noted."), oldest first, at times
    start, start + 1, …; their ids."""
    from claudechat.conversation import Conversation, RequestParams
    from claudechat.history.store import HistoryStore
    from claudechat.message import Message

    items = []
    for n, title in enumerate(titles):
        conversation = Conversation(params=RequestParams(model="claude-haiku-4-5", max_tokens=100))
        conversation.add_user(title)
        conversation.add_assistant(Message(content=[{"type": "text", "text": "Noted."}],
                                           stop_reason="end_turn"))
        items.append((conversation, "anthropic", start + n, start + n))
    with HistoryStore(path) as store:
        return store.add_many(items)
