"""models_command.fields: one /v1/models entry as the columns `claudechat models` prints,
from what the server said and nothing else (docs/API-2026.md §1d; PROTOCOL.md for the
OpenAI shape of a chat-completions proxy)."""

from __future__ import annotations

from rich.console import Console

from claudechat.models_command import fields, table


def test_an_entry_without_capabilities_leaves_those_columns_empty():
    entry = {"type": "model", "id": "claude-x", "display_name": "Claude X",
             "created_at": "2026-12-01T00:00:00Z", "max_input_tokens": None, "max_tokens": None,
             "capabilities": None}
    assert fields(entry) == ["claude-x", "Claude X", "2026-12-01", "", "", "", ""]


def test_an_openai_shaped_entry_gives_its_id_and_date():
    entry = {"id": "claude-sonnet-5-5", "object": "model", "created": 1790553600, "owned_by": "anthropic"}
    assert fields(entry, plain=True) == ["claude-sonnet-5-5", "", "2026-09-28", "", "", "", ""]


def test_unsupported_thinking_and_effort_say_none_and_levels_keep_the_servers_words():
    entry = {"id": "m", "max_input_tokens": 200000, "max_tokens": 64000, "capabilities": {
        "thinking": {"supported": False, "types": {}},
        "effort": {"supported": True, "low": {"supported": True}, "medium": {"supported": False},
                   "high": {"supported": True}, "max": {"supported": True}}}}
    assert fields(entry)[3:] == ["200,000", "64,000", "none", "low,high,max"]
    assert fields(entry, plain=True)[3:5] == ["200000", "64000"]


def render(entries, current=None) -> str:
    console = Console(width=160, color_system=None, record=True)
    console.print(table(entries, current))
    return console.export_text()


def test_the_table_shows_three_levels_in_a_row_as_a_range_and_marks_the_current_model():
    def entry(model_id, levels):
        effort = {"supported": True, **{lv: {"supported": lv in levels}
                                        for lv in ("low", "medium", "high", "xhigh", "max")}}
        return {"id": model_id, "capabilities": {"effort": effort}}

    text = render([entry("a-model", ("low", "medium", "high", "max")), entry("b-model", ("low", "high"))],
                  current="b-model")
    rows = [line.split() for line in text.splitlines() if "-model" in line]
    assert rows == [["a-model", "low–high,", "max"], ["▸", "b-model", "low,", "high"]]
