"""cache_health: a turn that should have read the prompt cache and did not, and why.

The usage dicts are what the Messages API reports (docs/API-2026.md §4, §9); the clock is
injected, so five idle minutes pass without waiting."""

from __future__ import annotations

from claudechat.cache_health import CacheWatch, api_reason, missed
from claudechat.conversation import Conversation, RequestParams
from claudechat.message import Message

WROTE = {"input_tokens": 4, "cache_creation_input_tokens": 1000, "cache_read_input_tokens": 0,
         "output_tokens": 2}
READ = {"input_tokens": 4, "cache_creation_input_tokens": 3, "cache_read_input_tokens": 1000,
        "output_tokens": 2}
WROTE_AGAIN = {"input_tokens": 4, "cache_creation_input_tokens": 1003, "cache_read_input_tokens": 0,
               "output_tokens": 2}


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def conversation(ttl: str = "5m", model: str = "claude-sonnet-5-5") -> Conversation:
    return Conversation(params=RequestParams(model=model, max_tokens=1000, cache_ttl=ttl),
                        system="x" * 4000)


def turn(watch: CacheWatch, conv: Conversation, usage: dict, **extra: object) -> str | None:
    watch.sending(conv)
    return watch.received(Message(model=conv.params.model, usage=dict(usage), extra=dict(extra)))


def test_a_miss_is_a_read_of_nothing_and_a_write_after_a_turn_that_had_the_cache():
    assert missed(WROTE, WROTE_AGAIN) and missed(READ, WROTE_AGAIN)
    assert not missed(WROTE, READ)  # read: a hit
    assert not missed(None, WROTE)  # the first turn
    assert not missed({"input_tokens": 900, "output_tokens": 2}, WROTE)  # nothing cached before


def test_more_than_five_idle_minutes_is_the_reason_of_a_miss():
    clock, conv = Clock(), conversation()
    watch = CacheWatch(clock)
    assert turn(watch, conv, WROTE) is None
    clock.now += 60
    assert turn(watch, conv, READ) is None
    clock.now += 7 * 60  # 7 minutes: the 5-minute entry expired
    line = turn(watch, conv, WROTE_AGAIN)
    assert line == "cache missed: 7 minutes since the last request, longer than the cache keeps it " \
                   "(5m) — 1,003 tokens written again"


def test_with_a_one_hour_ttl_seven_minutes_is_no_reason_but_ninety_are():
    clock, conv = Clock(), conversation(ttl="1h")
    watch = CacheWatch(clock)
    turn(watch, conv, WROTE)
    clock.now += 7 * 60
    assert turn(watch, conv, WROTE_AGAIN) == "cache missed: reason unknown — 1,003 tokens written again"
    clock.now += 90 * 60
    assert "90 minutes since the last request, longer than the cache keeps it (1h)" in \
        turn(watch, conv, WROTE_AGAIN)


def test_the_apis_reason_comes_first():
    clock, conv = Clock(), conversation()
    watch = CacheWatch(clock)
    turn(watch, conv, WROTE)
    clock.now += 3600
    diagnosed = {"cache_miss_reason": {"type": "system_changed", "cache_missed_input_tokens": 1000}}
    assert turn(watch, conv, WROTE_AGAIN, diagnostics=diagnosed) == \
        "cache missed: the system prompt changed — 1,003 tokens written again"
    assert api_reason({"cache_miss_reason": {"type": "previous_message_not_found"}}) is None
    assert api_reason({"cache_miss_reason": None}) is None


def test_own_knowledge_names_a_model_switch_an_effort_change_and_a_new_system_prompt():
    from dataclasses import replace

    from claudechat.conversation import Thinking

    watch, conv = CacheWatch(Clock()), conversation()
    turn(watch, conv, WROTE)
    conv.params = replace(conv.params, model="claude-opus-5-5")
    assert "the model changed (claude-sonnet-5-5 → claude-opus-5-5)" in turn(watch, conv, WROTE_AGAIN)
    conv.params = replace(conv.params, thinking=Thinking(mode="adaptive", effort="low"))
    assert "the thinking or effort setting changed" in turn(watch, conv, WROTE_AGAIN)
    conv.system = "y" * 4000
    assert "the system prompt changed" in turn(watch, conv, WROTE_AGAIN)
