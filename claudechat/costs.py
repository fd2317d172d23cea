"""What a turn costs: the usage the API reported, priced by the model's rules (the
prices in `models.TABLE`, list prices checked on `models.PRICES_CHECKED`, or the
config's [models."NAME"] table). A model without a price gets no cost, never a guess.

Prompt caching (docs/API-2026.md §4): cache writes cost 1.25 x the input price (5
minutes) or 2 x (1 hour), reads 0.1 x unless the table says otherwise; what the cache
saved is what the tokens read would have cost as plain input, less what they cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from claudechat.models import ModelRules

MILLION = 1_000_000


@dataclass(frozen=True, slots=True)
class Tokens:
    """A reply's usage by kind."""

    input: int = 0
    write_5m: int = 0
    write_1h: int = 0
    read: int = 0
    output: int = 0
    searches: int = 0

    @classmethod
    def of(cls, usage: dict[str, Any] | None) -> Tokens:
        usage = usage or {}
        written = _int(usage.get("cache_creation_input_tokens"))
        split = usage.get("cache_creation")
        hour = _int(split.get("ephemeral_1h_input_tokens")) if isinstance(split, dict) else 0
        tools = usage.get("server_tool_use")
        searches = _int(tools.get("web_search_requests")) if isinstance(tools, dict) else 0
        return cls(input=_int(usage.get("input_tokens")), write_5m=max(0, written - hour),
                   write_1h=min(hour, written), read=_int(usage.get("cache_read_input_tokens")),
                   output=_int(usage.get("output_tokens")), searches=searches)

    @property
    def prompt(self) -> int:
        """Every input token: after the breakpoint, written and read (§4 "Total input")."""
        return self.input + self.write_5m + self.write_1h + self.read

    @property
    def read_share(self) -> float:
        return self.read / self.prompt if self.prompt else 0.0

    def __add__(self, other: Tokens) -> Tokens:
        return Tokens(*(a + b for a, b in zip(_values(self), _values(other), strict=True)))


@dataclass(frozen=True, slots=True)
class Cost:
    total: float  # USD
    saved: float  # what the cache reads saved against plain input


def _values(tokens: Tokens) -> tuple[int, ...]:
    return (tokens.input, tokens.write_5m, tokens.write_1h, tokens.read, tokens.output,
            tokens.searches)


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def price(tokens: Tokens, rules: ModelRules) -> Cost | None:
    """The cost of one reply's tokens at the model's prices; None without a price."""
    base, out = rules.price_in, rules.price_out
    if base is None or out is None:
        return None
    factor = rules.price_tier_factor if rules.price_tier_tokens is not None \
        and tokens.prompt > rules.price_tier_tokens else 1.0
    write_5m = rules.price_write_5m if rules.price_write_5m is not None else 1.25 * base
    write_1h = rules.price_write_1h if rules.price_write_1h is not None else 2 * base
    read = rules.price_read if rules.price_read is not None else 0.1 * base
    total = (tokens.input * base + tokens.write_5m * write_5m + tokens.write_1h * write_1h
             + tokens.read * read + tokens.output * out) * factor / MILLION
    total += tokens.searches * rules.price_search / 1000
    return Cost(total=total, saved=tokens.read * (base - read) * factor / MILLION)


def money(usd: float) -> str:
    """$0.0123 below a dollar, $1.23 from one, $0.000048 below a hundredth of a cent."""
    if 0 < usd < 0.0001:
        return f"${usd:.6f}"
    return f"${usd:.4f}" if usd < 1 else f"${usd:,.2f}"


def percent(share: float) -> str:
    return f"{share * 100:.0f} %"


def summary(usage: dict[str, Any] | None, rules: ModelRules) -> str | None:
    """"$0.0123 · cache saved $0.0410 (92 % read)" for one reply; None without a price."""
    tokens = Tokens.of(usage)
    cost = price(tokens, rules)
    if cost is None:
        return None
    line = money(cost.total)
    if tokens.searches and rules.price_search:  # $10 per 1,000 searches (docs/API-2026.md §6)
        line += f" (searches {money(tokens.searches * rules.price_search / 1000)})"
    if tokens.read:
        line += f" · cache saved {money(cost.saved)} ({percent(tokens.read_share)} read)"
    return line


def conversation_cost(replies: list[tuple[str | None, dict[str, Any] | None]],
                      model: str | None) -> float | None:
    """The total of the replies (each its model, else `model`, and its usage) at the
    table's list prices; None when there is no usage or any reply's model has no price
    of its own in the table (a partial sum, or a neighbour's price, would be wrong)."""
    from claudechat.models import TABLE, parse_name

    total, priced = 0.0, False
    for name, usage in replies:
        if not usage:
            continue
        key = parse_name(name or model or "")
        cost = price(Tokens.of(usage), TABLE[key]) if key in TABLE else None
        if cost is None:
            return None
        total, priced = total + cost.total, True
    return total if priced else None
