"""From Settings to a ready Session: the API client, the wire format, and the
request parameters (thinking mode resolved). Shared by `ask` and the REPL."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from claudechat import models
from claudechat.api.client import ApiClient, Endpoint
from claudechat.api.wire import Wire
from claudechat.conversation import Conversation, RequestParams
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
        thinking, warnings = models.resolve_thinking(settings, info)
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
