"""The chat's state and what can be done to it: the conversation, the settings and
the connection, pending attachments, pastes, the text the prompt comes back with,
the history store and its recorder.

No console and no prompt_toolkit here: an operation returns what happened (or raises
UsageError) and the caller, the loop or a command, says it on the screen. The one
thing that arrives unasked, a notice (a setting the model cannot take, a conversation
saved under a new id), goes to `notify`, which the loop points at the screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from claudechat import attachments, costs, web
from claudechat.advice import CHAT
from claudechat.cache_health import CacheWatch
from claudechat.conversation import Conversation
from claudechat.errors import UsageError
from claudechat.message import Message
from claudechat.models import rules_for
from claudechat.repl import mentions
from claudechat.sanitize import sanitize
from claudechat.settings import Settings

RESUMED_UNANSWERED = ("its last message got no reply: it is back in the input line, and goes out "
                      "again only if you send it")


def _ignore(text: str) -> None:
    pass


def label(block: dict[str, Any]) -> str:
    """What an attachment given back (by /undo, or a message that got no reply) is called
    in the pending list."""
    kind = block.get("type", "attachment")
    document = attachments.document_name(block)
    if document is not None:
        return document
    source = block.get("source") or {}
    if source.get("type") == "url":
        return str(source.get("url"))
    return {"image": f"image ({source.get('media_type', '?')})", "document": "PDF"}.get(kind, kind)


def choose(arg: str, count: int, what: str) -> int:
    """The number `arg` names, one of 1..count ("/detach 2", "/expand 3")."""
    if not arg.isdigit() or not 1 <= int(arg) <= count:
        raise UsageError(f"no {what} {sanitize(arg)} (there {'is' if count == 1 else 'are'} {count})")
    return int(arg)


@dataclass(frozen=True)
class Typed:
    """A file the typed text attaches: the path as written, and whether a terminal's
    drag-and-drop put it at the start (rather than an @path)."""

    path: str
    attachment: attachments.Attachment
    dropped: bool = False


@dataclass
class ReplState:
    settings: Settings
    session: Any  # connect.Session
    conversation: Conversation
    recorder: Any = None  # persists turns (history.saving.Recorder); None with --no-save
    store: Any = None  # the HistoryStore, for /history and /load (read-only with --no-save)
    save: bool = True
    color: bool = True  # False: NO_COLOR, TERM=dumb or --plain: replies as plain text
    pending: list[attachments.Attachment] = field(default_factory=list)
    pastes: dict[str, str] = field(default_factory=dict)
    prefill: str = ""  # what the next prompt starts with (a message given back to fix)
    quit: bool = False
    notify: Callable[[str], None] = _ignore  # where notices go
    watch: CacheWatch = field(default_factory=CacheWatch)  # cache misses between turns
    confirmed: set[str] = field(default_factory=set)  # large attachments the user said yes to
    given_back: list[attachments.Attachment] = field(default_factory=list)  # by give_back, last
    always: set[str] = field(default_factory=set)  # tools the user said "always" to, this conversation

    def notice(self, text: str) -> None:
        self.notify(text)

    # -- conversation ------------------------------------------------------------------

    def new_conversation(self) -> None:
        """A fresh conversation; the settings, the system prompt among them, stay."""
        system = self.conversation.system
        self.conversation = self.session.new_conversation()
        self.conversation.system = system
        self.watch = CacheWatch()
        self.always = set()
        self.start_recording(None, 0)

    def start_recording(self, cid: str | None, saved: int) -> None:
        """From now on the store keeps this conversation (as `cid`, whose first `saved`
        turns it has), unless the history is off."""
        if self.store is not None and self.save:
            from claudechat.history.saving import Recorder

            self.recorder = Recorder(self.store, profile=self.settings.profile, cid=cid,
                                     saved=saved, notice=self.notice)
            self.recorder.kept = list(self.conversation.turns[:saved])

    def saved_changed(self) -> None:
        """The turns or the settings changed (/undo, /system, /model…): the store follows."""
        if self.recorder is not None and (self.conversation.turns or self.recorder.cid):
            self.recorder(self.conversation)

    def compose(self, text: str, confirm: Callable[[list[tuple[str, int]]], bool] | None = None,
                show: Callable[[list[Typed]], None] | None = None, *, literal: bool = False) -> bool:
        """The typed message, with what is attached, as the conversation's next user turn.
        False: there was nothing to send. A message that cannot be sent raises UsageError
        (ConfigError: the HTTP client cannot be built) and comes back as `prefill`, to be
        fixed. `show` is given what the text attaches (@paths, a dropped path) before
        anything is sent; `confirm([(label, tokens)…])` is asked, once per attachment, about
        any over the confirm_tokens setting. `literal` (a message escaped with //): a path
        at its start is text, not an attachment."""
        try:
            self.session.params.checked(CHAT)
            self.session.client.ready()  # built once the prompt was drawn; a bad base URL is said here
            typed, text_to_send = self.typed_attachments(text, strict=True, dropped=not literal)
        except BaseException:  # a UsageError, a ConfigError, Ctrl-C while the client is built…
            self.prefill = text  # nothing typed is lost: it comes back to be fixed
            raise
        attached = attachments.check_request([*self.pending, *(t.attachment for t in typed)],
                                             resize=self.settings.resize_images)
        if show is not None and typed:  # as check_request left them (resized, maybe)
            show([replace(t, attachment=a) for t, a in zip(typed, attached[len(self.pending):], strict=True)])
        self.confirm_large(attached, text, confirm)
        blocks = [a.block for a in attached]
        if text_to_send.strip():
            blocks.append({"type": "text", "text": text_to_send})
        if not blocks:
            return False
        try:
            blocks = web.cite_blocks(blocks, self.settings.cite, self.conversation.turns, chat=True)
        except UsageError:
            self.prefill = text
            raise
        self.pending.clear()
        self.conversation.add_user(blocks)
        return True

    def confirm_large(self, attached: list[attachments.Attachment], text: str,
                      confirm: Callable[[list[tuple[str, int]]], bool] | None) -> None:
        """Ask once about attachments over confirm_tokens (0: never); a no sends nothing."""
        limit = self.settings.confirm_tokens
        large = [(a.label, attachments.estimated_tokens(a)) for a in attached]
        large = [(label, n) for label, n in large
                 if limit and n > limit and f"{label}:{n}" not in self.confirmed]
        if not large or confirm is None:
            return
        if not confirm(large):
            self.prefill = text
            raise UsageError("nothing sent; /detach N drops an attachment, or send again to be asked again")
        self.confirmed.update(f"{label}:{n}" for label, n in large)

    def next_request(self) -> Conversation:
        """The conversation as the next message would send it: with the pending attachments
        as a user turn of their own when there are any (for counting, not for sending)."""
        import copy

        conv = copy.copy(self.conversation)
        conv.turns = list(conv.turns)
        if self.pending:
            conv.add_user([a.block for a in self.pending])
        return conv

    def ready_to_send(self) -> Conversation:
        """The conversation, with the request settings of now (the cache watch told)."""
        self.conversation.params = self.session.params
        self.watch.sending(self.conversation)
        return self.conversation

    def mentioned(self, text: str, *, strict: bool = False) -> tuple[list[attachments.Attachment], str]:
        """The files a message attaches, and the text to send (see mentions.parse)."""
        typed, text_to_send = self.typed_attachments(text, strict=strict)
        return [t.attachment for t in typed], text_to_send

    def typed_attachments(self, text: str, *, strict: bool = False,
                          dropped: bool = True) -> tuple[list[Typed], str]:
        """What the text attaches, each with the path as written, and the text to send.
        `strict`: an @path that looks like a path but is no file, or is a directory, is an
        error. `dropped=False`: a path at the start stays text."""
        parsed = mentions.parse(text, dropped=dropped)
        found = []
        for mention in parsed.mentions:
            if mention.is_file:
                attachment = attachments.file_arg(mention.path, resize=self.settings.resize_images)
                found.append(Typed(mention.path, attachment, mention.dropped))
            elif strict and mentions.is_dir(mention.path):
                inside = f"{mention.path.rstrip('/')}/NAME"
                inside = f'"{inside}"' if " " in inside else inside
                raise UsageError(f"@{sanitize(mention.path)} is a directory, not a file: attach files "
                                 f"from it with @{sanitize(inside)} (Tab lists them), or write @@ "
                                 f"for a plain @")
            elif strict and mentions.exists(mention.path):  # a device, a FIFO…: says which
                attachments.read_path(mention.path)
            elif strict and mention.looks_like_path:
                raise UsageError(f"@{sanitize(mention.path)}: no such file — fix the path "
                                 f"(Tab completes it), or write @@ for a plain @")
        return found, parsed.text

    def retry(self) -> bool:
        """Remove the last reply (if any), from the end; is there a user message left to answer?
        (One that got no reply is sent again as it was; what it gave back is no longer pending.)"""
        if not self.conversation.drop_reply():
            return False
        self.unpend_given_back(next(t for t in reversed(self.conversation.turns) if t.role == "user"))
        return True

    def unpend_given_back(self, turn: Any) -> None:
        """`turn` goes out again with its attachments: those given back from it are no longer
        pending (one the user attached anew stays)."""
        self.pending = [a for a in self.pending
                        if not (any(a is b for b in self.given_back) and a.block in turn.content)]

    def give_back(self, turn: Any) -> None:
        """A message of the user's back for editing: its typed text as the next prompt's,
        its other attachments pending (each once; the @paths in the text attach theirs
        again when it is sent)."""
        blocks = list(turn.content)
        typed = ""
        if blocks and blocks[-1].get("type") == "text" and attachments.document_name(blocks[-1]) is None:
            typed = blocks.pop()["text"]
        for again in self.mentioned(typed)[0]:
            if again.block in blocks:
                blocks.remove(again.block)
        already = [a.block for a in self.pending]
        self.prefill = typed
        back = [attachments.Attachment(b, label(b)) for b in blocks if b not in already]
        self.pending = back + self.pending
        self.given_back = [a for a in self.pending if a.block in blocks]

    def take_back(self, *, declined: bool = False) -> bool:
        """After a reply, or on continuing: the user's last message, when it got no reply
        (it is set aside: kept, marked unanswered, not sent again unasked) or, with
        `declined`, was declined, comes back into the input line. Did it?"""
        before = list(self.conversation.turns)
        self.conversation.set_aside()
        if any(a is not b for a, b in zip(before, self.conversation.turns, strict=True)):
            self.saved_changed()  # newly marked (a conversation continued): the history follows
        turns = [t for t in self.conversation.turns if t.role != "system"]
        if turns and turns[-1].role == "user" and turns[-1].unanswered:
            self.give_back(turns[-1])
            return True
        if declined and len(turns) > 1 and turns[-1].declined and turns[-2].role == "user":
            self.give_back(turns[-2])
            return True
        return False

    def drop_exchange(self) -> Any:
        """Remove the last exchange from the end; the user Turn removed (None: nothing to drop)."""
        return self.conversation.drop_exchange()

    def change_system(self, text: str | None) -> str:
        """A new system prompt, appended rather than edited in (see Conversation.change_system)."""
        self.conversation.params = self.session.params
        said = self.conversation.change_system(text)
        self.saved_changed()
        return said

    def replies(self) -> int:
        """How many replies the conversation holds: the last one's number."""
        return sum(t.role == "assistant" for t in self.conversation.turns)

    def reply(self, arg: str) -> Message:
        """Reply number `arg` (1 is the first), or the last."""
        replies = [t for t in self.conversation.turns if t.role == "assistant"]
        if not replies:
            raise UsageError("there is no reply yet")
        index = len(replies) if not arg else choose(arg, len(replies), "reply")
        turn = replies[index - 1]
        return Message(content=turn.content, model=turn.model or "", usage=turn.usage or {})

    def priced_turns(self) -> list[tuple[int, Any, costs.Tokens, costs.Cost | None]]:
        """Each reply with usage: (its number, the Turn, its tokens, its cost or None)."""
        out = []
        replies = [t for t in self.conversation.turns if t.role == "assistant"]
        for n, turn in enumerate(replies, 1):
            if turn.usage:
                tokens = costs.Tokens.of(turn.usage)
                rules = rules_for(turn.model or self.settings.model, None, self.settings.model_rules)
                out.append((n, turn, tokens, costs.price(tokens, rules)))
        return out

    def running_cost(self) -> str | None:
        """The conversation's cost so far ("$0.0123"), None when no reply has a price."""
        priced = [cost.total for _, _, _, cost in self.priced_turns() if cost is not None]
        return costs.money(sum(priced)) if priced else None

    def tokens_used(self) -> int:
        total = 0
        for turn in self.conversation.turns:
            usage = turn.usage or {}
            total += sum(int(usage.get(k) or 0) for k in (
                "input_tokens", "output_tokens", "cache_read_input_tokens",
                "cache_creation_input_tokens"))
        return total

    # -- settings ------------------------------------------------------------------------

    def update_settings(self, **changes: Any) -> None:
        """Change settings; a combination the model would refuse is refused now (UsageError,
        nothing changed), not at the next request."""
        self.session.apply(replace(self.settings, **changes), notice=self.notice, advice=CHAT)
        self.settings = self.session.settings
        self.conversation.params = self.session.params
        self.saved_changed()

    def thinking_label(self) -> str:
        """"on (adaptive, effort high)", "on (model default)", "on (4,096 tokens)", "off"…"""
        t = self.session.params.thinking
        effort = f", effort {t.effort}" if t.effort else ""
        if t.mode == "enabled":
            return f"on ({t.budget_tokens:,} tokens{effort})"
        if t.mode == "adaptive":
            return f"on ({'model default' if t.by_default else 'adaptive'}{effort})"
        if t.mode == "between_tools":
            return f"off (notes between tool calls only{effort})"
        return f"off ({effort[2:]})" if effort else "off"

    # -- attachments and pastes ----------------------------------------------------------

    def attach(self, attachment: attachments.Attachment) -> attachments.Attachment:
        """Add to what the next message carries; checked (and, with resize_images, shrunk)
        once, here, not again at every send."""
        self.pending = attachments.check_request([*self.pending, attachment],
                                                 resize=self.settings.resize_images)
        return attachment

    def with_pastes(self, text: str) -> str:
        """The text with each paste placeholder replaced by what was pasted."""
        for token, pasted in self.pastes.items():
            text = text.replace(token, pasted)
        return text

    def expand_pastes(self, text: str) -> str:
        text = self.with_pastes(text)
        self.pastes.clear()
        return text

    # -- history -----------------------------------------------------------------------------

    def recent(self, limit: int = 15, search: str | None = None) -> list[tuple[Any, int]]:
        """The most recently saved conversations (with `search` in their title or text):
        (the row with id, updated, title…, how many replies it holds)."""
        rows = self._readable_store().list(limit=limit, search=search or None, replied=True)
        return [(row, row.replies) for row in rows]

    def unreplied(self, search: str | None = None) -> int:
        """How many saved conversations (with `search`) got no reply at all: /history hides them."""
        return self._readable_store().count_unreplied(search or None)

    def load(self, ref: str) -> Any:
        """Continue the stored conversation `ref` names; the stored conversation."""
        store = self._readable_store()
        stored = store.load(store.resolve(ref))
        saved = stored.settings if isinstance(stored.settings, dict) else {}
        kept = {"web": saved.get("web"), "cite": web.documents_cited(stored.turns)}  # the conversation's
        changes = {k: v for k, v in kept.items() if isinstance(v, bool) and v != getattr(self.settings, k)}
        if changes:
            self.update_settings(**changes)
        self.resume(stored)
        return stored

    def resume(self, stored: Any, *, system: str | None = None) -> str | None:
        """Continue a stored conversation: its turns, system prompt, model and state.
        `system`: a system prompt given now (-c -s TEXT), a change made without editing
        the prefix; what happened to it, in a line (None: nothing to say)."""
        if stored.summary.model and stored.summary.model != self.settings.model:
            self.update_settings(model=stored.summary.model)
        self.conversation = self.session.new_conversation()
        self.conversation.system = stored.system
        self.conversation.turns = list(stored.turns)
        self.conversation.restore_state(stored.settings if isinstance(stored.settings, dict) else {})
        self.always = set()
        self.watch = CacheWatch.resuming(self.conversation, stored.times)
        self.start_recording(stored.summary.id, len(stored.turns))
        if system is None or (system or None) in (stored.system or None,
                                                  self.conversation.current_system()):
            return None  # not given (-c fills in the stored one), or no change
        return self.change_system(system or None)

    def _readable_store(self) -> Any:
        if self.store is None:
            raise UsageError("the history cannot be read (see the notice when the chat started)")
        return self.store
