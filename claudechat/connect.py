"""From Settings to a ready Session: the API client, the wire format, and the
request parameters (thinking mode resolved). Shared by `ask` and the REPL."""

from __future__ import annotations

import json
import os
import ssl
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from claudechat import costs, models, web
from claudechat.advice import COMMAND_LINE, Advice
from claudechat.api.client import ApiClient, Endpoint
from claudechat.api.lazy_httpx import httpx  # loaded at its first use
from claudechat.api.wire import Wire
from claudechat.conversation import Conversation, RequestParams, Thinking
from claudechat.errors import ConfigError, UsageError
from claudechat.keys import resolve_key
from claudechat.models import EFFORTS, MIN_THINKING_BUDGET
from claudechat.sanitize import sanitize
from claudechat.settings import DEFAULT_THINKING_BUDGET, Settings, cache_dir


@dataclass
class Session:
    settings: Settings
    client: ApiClient
    wire: Wire
    params: RequestParams
    catalog: models.ModelCatalog | None = None
    advice: Advice = COMMAND_LINE  # how a refusal says what to do: the command line's words

    def rules_of(self, model: str | None) -> models.ModelRules:
        """The rules (prices included) of the model a reply names, else the session's."""
        return models.rules_for(model or self.settings.model, None, self.settings.model_rules)

    def cost_line(self, message: Any) -> str | None:
        """"$0.0123 · cache saved $0.0410 (92 % read)" for a reply; None without a price.
        On a proxy the figures are Anthropic's list prices, and say so."""
        line = costs.summary(message.usage, self.rules_of(message.model))
        return f"{line} (list price)" if line and list_prices_only(self.settings) else line

    def cost_json(self, message: Any) -> dict[str, Any] | None:
        """The `cost` object `--json` adds: USD, what the cache saved, which prices."""
        rules = self.rules_of(message.model)
        tokens = costs.Tokens.of(message.usage)
        cost = costs.price(tokens, rules)
        if cost is None:
            return None
        own = "price_in" in (self.settings.model_rules.get(message.model or self.settings.model) or {})
        kind = "config" if own else "anthropic list prices"
        return {"usd": round(cost.total, 6), "cache_saved_usd": round(cost.saved, 6),
                "cache_read_share": round(tokens.read_share, 4),
                "prices": kind, "prices_checked": models.PRICES_CHECKED}

    def new_conversation(self) -> Conversation:
        return Conversation(params=self.params, system=self.settings.system)

    def apply(self, settings: Settings, *, notice: Callable[[str], None] | None = None,
              advice: Advice | None = None) -> None:
        """Take new settings (a /model or /think in the REPL): the model's rules and the
        request parameters are derived again. A setting the model refuses raises
        UsageError, in one line in `advice`'s words (default: the session's), before
        anything is sent."""
        advice = advice or self.advice
        catalog = self.catalog
        info = (lambda: catalog.info(settings.model)) if catalog else (lambda: None)
        rules = model_rules(settings, info)
        thinking = resolve_thinking(settings, rules, advice)
        budget = thinking.budget_tokens if thinking.mode == "enabled" else None
        params = RequestParams(
            model=settings.model,
            max_tokens=settings.effective_max_tokens(thinking.on, budget),
            temperature=settings.temperature,
            top_p=settings.top_p,
            top_k=settings.top_k,
            stop_sequences=settings.stop_sequences,
            thinking=thinking,
            rules=rules,
            api_version=settings.anthropic_version,
            cache_ttl=settings.cache_ttl if caching(settings) else None,
            server_tools=offered_server_tools(settings, advice),
            tools=tuple(settings.tool_specs[name].definition() for name in settings.tools),
            tool_choice=tool_choice(settings.tool_choice),
        )
        params.checked(advice)
        self.settings = settings
        self.params = params


def open_session(
    settings: Settings,
    *,
    debug: bool = False,
    notice: Callable[[str], None] | None = None,
    transport: httpx.BaseTransport | None = None,
    advice: Advice = COMMAND_LINE,
    deferred: bool = False,
) -> Session:
    client = open_client(settings, debug=debug, transport=transport, deferred=deferred)
    session = Session(settings=settings, client=client, wire=_wire(settings.api),
                      params=RequestParams(model=settings.model, max_tokens=1),
                      catalog=models.ModelCatalog(client, cache_dir()), advice=advice)
    session.apply(settings, notice=notice)
    client.cache_refused = lambda: _cache_refused(session, notice)
    return session


def open_client(settings: Settings, *, debug: bool = False,
                transport: httpx.BaseTransport | None = None, deferred: bool = False) -> ApiClient:
    """The key (looked up now) and an ApiClient for the profile's server; no request made.
    `deferred`: its HTTP client (httpx imported, the base URL checked) is built at the
    first use, or by `client.warm()` (the chat's prompt comes first)."""
    key, source = resolve_key(settings)
    endpoint = Endpoint(
        base_url=settings.base_url,
        auth=settings.auth,
        api_key=key,
        key_source=source,
        anthropic_version=settings.anthropic_version,
        profile=settings.profile,
    )

    def http() -> httpx.Client:
        try:
            client = httpx.Client(
                timeout=httpx.Timeout(connect=settings.connect_timeout, read=settings.idle_timeout,
                                      write=60.0, pool=10.0),
                transport=transport,
                follow_redirects=False,
                verify=True if transport is not None else tls_context(settings.base_url),
            )
        except OSError as exc:  # the CA certificates (ssl.SSLError is an OSError too)
            raise ConfigError(certificates_problem(exc)) from None
        try:
            check_url(client, settings.base_url)
        except ConfigError:
            client.close()
            raise
        return client

    # headers and reason phrases are the server's text: no control character reaches the terminal
    log = (lambda line: print(f"debug: {sanitize(line)}", file=sys.stderr, flush=True)) if debug else None
    return ApiClient(endpoint, None if deferred else http(), build_http=http if deferred else None,
                     max_retries=settings.max_retries, idle_timeout=settings.idle_timeout, debug=log)


def tls_context(base_url: str) -> ssl.SSLContext | bool:
    """httpx's own (the system's or certifi's CAs, SSL_CERT_FILE) for an https server. A
    plain http:// server (on loopback: keys.py refuses others unless allowed) never uses
    one, and loading the CAs costs ~20 ms of every start: it gets a context that trusts
    nothing, so that if TLS were ever attempted through it, it would fail, never pass
    unchecked. Redirects are not followed; an https proxy gets httpx's default context."""
    if base_url[:7].lower() != "http://":
        return True
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies certificates and names; knows no CA


def certificates_problem(exc: OSError) -> str:
    """The line for CA certificates that could not be loaded (a missing or bad SSL_CERT_FILE)."""
    named = [f"{name}={os.environ[name]}" for name in ("SSL_CERT_FILE", "SSL_CERT_DIR")
             if os.environ.get(name)]
    where = f" ({', '.join(named)})" if named else ""
    return (f"the TLS certificates could not be loaded{where}: {exc.strerror or exc}; point "
            f"SSL_CERT_FILE at a readable PEM file of CA certificates, or unset it")


def check_url(http: httpx.Client, base_url: str) -> None:
    """The base URL as httpx will read it, checked before anything is sent or kept (the
    settings' own check is the standard library's, which lets some through: a bad IDNA
    host name, "http://[::1]x")."""
    try:
        http.build_request("POST", base_url.rstrip("/") + "/v1/messages")
    except (httpx.InvalidURL, ValueError) as exc:  # idna's errors are UnicodeErrors
        raise ConfigError(f"the base URL is not a valid URL ({exc}); fix base_url in the profile, "
                          f"or --base-url") from None


def offered_server_tools(settings: Settings, advice: Advice) -> tuple[dict[str, Any], ...]:
    """The API's web tools for these settings (web.py); refused where the API has none."""
    if settings.web and settings.api != "messages":
        off = "/web off" if advice.chat else "leave out --web (or web = true in the config)"
        raise UsageError(f"web search is a tool of the Messages API, and profile {settings.profile!r} "
                         f"uses Chat Completions; {off}, or use a Messages API profile")
    return web.server_tools(settings)


def tool_choice(choice: str | None) -> dict[str, Any] | None:
    """--tool-choice auto|none|NAME as the request's tool_choice (None: not sent)."""
    if choice is None:
        return None
    return {"type": choice} if choice in ("auto", "none") else {"type": "tool", "name": choice}


def list_prices_only(settings: Settings) -> bool:
    """A proxy bills its own way: figures from the table are Anthropic's list prices
    unless the config priced the model itself."""
    own = "price_in" in (settings.model_rules.get(settings.model) or {})
    return not own and "anthropic.com" not in settings.base_url and settings.auth == "bearer"


def _refusals() -> Path:
    return cache_dir() / "no-cache-control.json"


def caching(settings: Settings) -> bool:
    """Prompt caching for this profile: asked for, on the Messages API, and not refused
    by its server before (remembered in the cache dir)."""
    if not settings.cache or settings.api != "messages":
        return False
    try:
        refused = json.loads(_refusals().read_text("utf-8"))
    except (OSError, ValueError):
        return True
    return not (isinstance(refused, list) and settings.profile in refused)


def _cache_refused(session: Session, notice: Callable[[str], None] | None) -> None:
    profile = session.settings.profile
    session.params = replace(session.params, cache_ttl=None)
    try:
        path = _refusals()
        try:
            known = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            known = []
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(sorted({*known, profile})) if isinstance(known, list)
                        else json.dumps([profile]), "utf-8")
    except OSError:
        pass  # not remembered: the next run asks (and is refused) once more
    if notice is not None:
        notice(f"the server of profile {profile!r} does not take prompt caching (cache_control); "
               f"sent without it, and from now on for this profile")


def _wire(api: str) -> Wire:
    if api == "chat-completions":
        from claudechat.api import chat_completions

        return chat_completions
    from claudechat.api import messages

    return messages


def model_rules(settings: Settings, info: Callable[[], dict[str, Any] | None]) -> models.ModelRules:
    """The model's rules: the table, the server's capabilities (asked for only when the
    user chose something about thinking), the config's [models."NAME"] table."""
    asked = settings.thinking is not None or settings.effort is not None \
        or settings.thinking_budget is not None
    return models.rules_for(settings.model, info() if asked else None, settings.model_rules)


def resolve_thinking(settings: Settings, rules: models.ModelRules, advice: Advice = COMMAND_LINE) -> Thinking:
    """What to send for the thinking settings on this model: adaptive (+effort),
    enabled+budget, disabled, between_tools, or nothing; UsageError for what it refuses."""
    model, effort = settings.model, settings.effort
    if settings.thinking_budget is not None and not rules.takes("enabled"):
        raise UsageError(f"{model} decides itself how long to think and takes no thinking budget; "
                         f"use {advice.effort('|'.join(rules.efforts or EFFORTS))} instead")
    if effort is not None and not rules.efforts:
        raise UsageError(f"{model} takes a thinking budget, not an effort; "
                         f"use {advice.budget()} instead" + ("" if advice.chat else " of --effort"))
    if effort is not None and effort not in rules.efforts:
        raise UsageError(f"{model} does not support effort {effort!r} "
                         f"(it supports: {', '.join(rules.efforts)})")
    want = settings.thinking
    if want is None:
        # an effort or a budget given on a model that does not think unasked: thinking, then
        asked = effort is not None or settings.thinking_budget is not None
        want = None if rules.thinking_default != "off" else asked
    if want is False:
        return _thinking_off(settings, rules, advice)
    if not rules.takes("adaptive") and not rules.takes("enabled"):
        if want is None:
            return Thinking(effort=effort)
        how = f"turn thinking off ({advice.thinking(False)})" if advice.chat \
            else "leave out --think (or thinking = true)"
        raise UsageError(f"{model} cannot think; {how}")
    display = _display(settings, rules)
    by_default = want is None
    if rules.takes("enabled") and (settings.thinking_budget is not None or not rules.takes("adaptive")):
        return Thinking("enabled", budget_tokens=_budget(settings), effort=effort,
                        display=display, by_default=by_default)
    return Thinking("adaptive", effort=effort, display=display, by_default=by_default)


def _thinking_off(settings: Settings, rules: models.ModelRules, advice: Advice) -> Thinking:
    model, effort = settings.model, settings.effort
    if rules.thinking_default == "off":
        return Thinking(effort=effort)  # sending nothing is off
    if rules.takes("between_tools"):
        if effort in ("xhigh", "max"):
            raise UsageError(f"{model} with thinking off (between_tools) takes effort low, medium "
                             f"or high, not {effort}; lower the effort or turn thinking on")
        return Thinking("between_tools", effort=effort)
    if not rules.takes("disabled"):
        raise UsageError(f"{model} always thinks and cannot turn thinking off; "
                         f"use {advice.effort('low')} for less thinking")
    limit = rules.disabled_max_effort
    level = effort or rules.default_effort
    if limit and level in EFFORTS and EFFORTS.index(level) > EFFORTS.index(limit):
        raise UsageError(f"{model} can turn thinking off only at effort {limit} or lower "
                         f"(got {level}); lower the effort or leave thinking on")
    return Thinking("disabled", effort=effort)


def _display(settings: Settings, rules: models.ModelRules) -> str | None:
    """thinking_text "summarized"/"omitted" is sent as it is; "auto" asks for the text
    ("summarized") where the model would omit it, unless thinking_display hides it."""
    if settings.thinking_text != "auto":
        return settings.thinking_text
    if settings.thinking_display == "hidden" or rules.display_default != "omitted":
        return None
    return "summarized"


def _budget(settings: Settings) -> int:
    """The budget the user gave, else the default, which fits a max_tokens the user gave
    (half of it, at least the API's minimum)."""
    if settings.thinking_budget is not None:
        return settings.thinking_budget
    if settings.max_tokens is not None:
        return max(MIN_THINKING_BUDGET, min(DEFAULT_THINKING_BUDGET, settings.max_tokens // 2))
    return DEFAULT_THINKING_BUDGET
