"""From Settings to a ready Session: the API client, the wire format, and the
request parameters (thinking mode resolved). Shared by `ask` and the REPL."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from claudechat import models
from claudechat.api.client import ApiClient, Endpoint
from claudechat.api.wire import Wire
from claudechat.conversation import Conversation, RequestParams, Thinking
from claudechat.settings import Settings, cache_dir, resolve_key


@dataclass
class Session:
    settings: Settings
    client: ApiClient
    wire: Wire
    params: RequestParams
    catalog: models.ModelCatalog | None = None

    def new_conversation(self) -> Conversation:
        return Conversation(params=self.params, system=self.settings.system)

    def apply(self, settings: Settings, *, notice: Callable[[str], None] | None = None) -> None:
        """Take new settings (a /model or /think in the REPL): the request
        parameters are derived again, thinking mode included."""
        catalog = self.catalog
        info = (lambda: catalog.info(settings.model)) if catalog else (lambda: None)
        thinking, warnings = resolve_thinking(settings, info)
        for warning in warnings:
            if notice:
                notice(warning)
        budget = thinking.budget_tokens if thinking.mode == "enabled" else None
        self.settings = settings
        self.params = RequestParams(
            model=settings.model,
            max_tokens=settings.effective_max_tokens(thinking.mode != "off", budget),
            temperature=settings.temperature,
            top_p=settings.top_p,
            top_k=settings.top_k,
            stop_sequences=settings.stop_sequences,
            thinking=thinking,
        )


def open_session(
    settings: Settings,
    *,
    debug: bool = False,
    notice: Callable[[str], None] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> Session:
    key, source = resolve_key(settings)
    endpoint = Endpoint(
        base_url=settings.base_url,
        auth=settings.auth,
        api_key=key,
        key_source=source,
        anthropic_version=settings.anthropic_version,
        profile=settings.profile,
    )
    http = httpx.Client(
        timeout=httpx.Timeout(connect=settings.connect_timeout, read=settings.idle_timeout,
                              write=60.0, pool=10.0),
        transport=transport,
        follow_redirects=False,
    )
    log = (lambda line: print(f"debug: {line}", file=sys.stderr, flush=True)) if debug else None
    client = ApiClient(endpoint, http, max_retries=settings.max_retries,
                       idle_timeout=settings.idle_timeout, debug=log)
    session = Session(settings=settings, client=client, wire=_wire(settings.api),
                      params=RequestParams(model=settings.model, max_tokens=1),
                      catalog=models.ModelCatalog(client, cache_dir()))
    session.apply(settings, notice=notice)
    return session


def _wire(api: str) -> Wire:
    if api == "chat-completions":
        from claudechat.api import chat_completions

        return chat_completions
    from claudechat.api import messages

    return messages


def resolve_thinking(settings: Settings,
                     info: Callable[[], dict[str, Any] | None]) -> tuple[Thinking, list[str]]:
    """The Thinking to send for `settings`, and warnings. `info()` returns the
    model's entry from the model list (called only when thinking is on)."""
    wanted = settings.thinking or settings.effort is not None
    if not wanted:
        return Thinking(), []
    model = settings.model
    entry = info()
    mode = models.thinking_mode(model, entry)
    warnings: list[str] = []
    if mode is None:
        return Thinking(), [f"{model} cannot think, according to the server; sending without thinking"]
    if mode == "enabled":
        if settings.effort is not None:
            warnings.append(f"{model} takes a thinking budget, not an effort; ignoring the effort")
        display = None if settings.thinking_text == "auto" else settings.thinking_text
        return Thinking("enabled", budget_tokens=settings.thinking_budget, display=display), warnings
    if settings.effort is not None:
        models.check_effort(model, settings.effort, entry)
    display = "summarized" if settings.thinking_text == "auto" else settings.thinking_text
    return Thinking("adaptive", effort=settings.effort, display=display), warnings
