"""The per-model rules table (docs/API-2026.md §1-§4): which rules a name gets, the
server's capabilities over the table, and the config's [models."NAME"] tables over both."""

from __future__ import annotations

import pytest

from claudechat.models import (
    CURRENT_MODELS,
    EFFORTS,
    OVERRIDE_KEYS,
    TABLE,
    override_problem,
    parse_name,
    rules_for,
)


@pytest.mark.parametrize(("model", "parsed"), [
    ("claude-opus-5-5", ("opus", (5, 5))),
    ("claude-opus-5", ("opus", (5, 0))),
    ("claude-haiku-4-5-20251001", ("haiku", (4, 5))),
    ("claude-sonnet-4-20250514", ("sonnet", (4, 0))),
    ("claude-3-7-sonnet-20250219", ("sonnet", (3, 7))),
    ("claude-3-haiku-20240307", ("haiku", (3, 0))),
    ("claude-sonnet-5-5-thinking", ("sonnet", (5, 5))),  # Ace's chat-completions name
    ("gpt-4o", None),
])
def test_names_are_read_as_family_and_version(model, parsed):
    assert parse_name(model) == parsed


@pytest.mark.parametrize(("model", "types", "default"), [
    ("claude-fable-5-2", ("adaptive",), "always"),
    ("claude-fable-5-1", ("adaptive",), "always"),
    ("claude-mythos-5-1", ("adaptive",), "always"),
    ("claude-opus-5-5", ("adaptive",), "always"),
    ("claude-sonnet-5-5", ("adaptive", "between_tools"), "on"),
    ("claude-haiku-5-5", ("adaptive", "disabled"), "on"),
    ("claude-opus-5", ("adaptive", "disabled"), "on"),
    ("claude-sonnet-5", ("adaptive", "disabled"), "on"),
    ("claude-opus-4-8", ("adaptive", "disabled"), "off"),
    ("claude-opus-4-7", ("adaptive", "disabled"), "off"),
    ("claude-sonnet-4-6", ("adaptive", "enabled", "disabled"), "off"),
    ("claude-haiku-4-5", ("enabled", "disabled"), "off"),
    ("claude-3-5-haiku-20241022", (), "off"),
])
def test_the_thinking_each_model_accepts(model, types, default):
    rules = rules_for(model)
    assert (rules.thinking_types, rules.thinking_default) == (types, default)


def test_the_per_model_rules_of_section_1c():
    opus55, sonnet55, haiku55 = (rules_for(f"claude-{m}-5-5") for m in ("opus", "sonnet", "haiku"))
    assert (opus55.default_effort, sonnet55.default_effort, haiku55.default_effort) == (
        "medium", "high", "medium")
    assert [r.forced_tool_choice for r in (opus55, sonnet55, haiku55)] == [False, False, True]
    assert all(r.sampling == "never" and not r.prefill and r.system_messages and r.preserved_thinking
               and r.display_default == "omitted" for r in (opus55, sonnet55, haiku55))
    assert rules_for("claude-opus-5").disabled_max_effort == "high"
    assert not rules_for("claude-sonnet-5").system_messages
    assert not rules_for("claude-opus-4-7").system_messages
    assert rules_for("claude-opus-4-8").system_messages
    old = rules_for("claude-haiku-4-5")
    assert (old.sampling, old.prefill, old.display_default, old.efforts) == (
        "without_thinking", True, "summarized", ())
    assert rules_for("claude-sonnet-4-6").efforts == ("low", "medium", "high", "max")


@pytest.mark.parametrize(("model", "minimum"), [
    ("claude-opus-5-5", 512), ("claude-fable-5-1", 512), ("claude-opus-4-8", 1024),
    ("claude-sonnet-5", 1024), ("claude-opus-4-7", 2048), ("claude-opus-4-6", 4096),
    ("claude-haiku-4-5", 4096),
])
def test_the_cache_minimum_of_section_4(model, minimum):
    assert rules_for(model).cache_min == minimum


def test_windows_and_prices():
    opus = rules_for("claude-opus-5-5")
    assert (opus.context_window, opus.max_output, opus.price_in, opus.price_out) == (
        1_000_000, 128_000, 4, 20)
    haiku = rules_for("claude-haiku-4-5-20251001")
    assert (haiku.context_window, haiku.max_output) == (200_000, 64_000)


def test_a_dated_or_unlisted_version_gets_the_nearest_lower_version_of_its_family():
    assert rules_for("claude-opus-4-7-20260301") == TABLE["opus", (4, 7)]
    assert rules_for("claude-sonnet-5-2") == TABLE["sonnet", (5, 0)]
    assert rules_for("claude-opus-6") == TABLE["opus", (5, 5)]  # a future version: the family's newest
    assert rules_for("claude-haiku-2") == TABLE["haiku", (3, 0)]  # older than all: the oldest


def test_an_unknown_family_gets_the_newest_models_rules_not_the_2023_ones():
    for name in ("claude-nova-6", "some-proxy-model"):
        assert rules_for(name) == TABLE["fable", (5, 2)]
        assert rules_for(name).sampling == "never"


def test_the_completion_list_names_current_models_that_the_table_knows():
    assert CURRENT_MODELS[0] == "claude-sonnet-5-5"
    assert all(parse_name(m) and parse_name(m)[:2] in {(f, v) for f, v in TABLE} for m in CURRENT_MODELS)


def caps(adaptive: bool, enabled: bool, efforts: tuple[str, ...] | None = None, supported=True):
    out = {"thinking": {"supported": supported, "types": {
        "adaptive": {"supported": adaptive}, "enabled": {"supported": enabled}}}}
    if efforts is not None:
        out["effort"] = {"supported": bool(efforts), **{e: {"supported": e in efforts} for e in EFFORTS}}
    return {"id": "x", "capabilities": out}


def test_the_servers_capabilities_win_over_the_table_for_what_they_say():
    rules = rules_for("claude-3-7-sonnet-20250219", caps(True, False, ("low", "high")))
    assert rules.thinking_types == ("adaptive", "disabled")  # disabled: capabilities do not say
    assert rules.efforts == ("low", "high")
    assert rules_for("claude-opus-5-5", caps(False, True)).thinking_types == ("enabled",)
    assert rules_for("claude-opus-5-5", caps(False, False, supported=False)).thinking_types == ()
    assert rules_for("claude-opus-5-5", {"id": "claude-opus-5-5"}) == TABLE["opus", (5, 5)]
    assert rules_for("claude-opus-5-5", caps(True, False, ("low",))).default_effort is None


def test_the_configs_table_wins_over_both_and_like_starts_from_another_model():
    overrides = {"claude-opus-6": {"like": "claude-haiku-5-5", "efforts": ["low", "high"],
                                   "forced_tool_choice": False, "price_in": 3}}
    rules = rules_for("claude-opus-6", caps(True, True), overrides)
    assert rules.thinking_types == ("adaptive", "enabled", "disabled")
    assert (rules.efforts, rules.forced_tool_choice, rules.price_in) == (("low", "high"), False, 3)
    assert rules.default_effort == "medium"  # from like = claude-haiku-5-5
    assert rules_for("claude-opus-5-5", None, overrides) == TABLE["opus", (5, 5)]


@pytest.mark.parametrize(("key", "value", "problem"), [
    ("efforts", ["low", "extreme"], "must be a list of low, medium, high, xhigh, max"),
    ("thinking_types", "adaptive", "must be a list of adaptive, enabled, disabled, between_tools"),
    ("thinking_default", "sometimes", 'must be "always" or "on" or "off"'),
    ("sampling", "yes", 'must be "never" or "without_thinking"'),
    ("display_default", "full", 'must be "omitted" or "summarized"'),
    ("default_effort", "huge", "must be one of low, medium, high, xhigh, max"),
    ("cache_min", -1, "must be a number of at least 0"),
    ("price_in", float("inf"), "must be a number of at least 0"),
    ("max_output", float("nan"), "must be a number of at least 0"),
    ("prefill", "no", "must be true or false"),
    ("like", "", "must be a model name"),
])
def test_each_wrong_override_says_what_it_must_be(key, value, problem):
    assert override_problem(key, value) == problem


def test_an_unknown_override_lists_the_known_ones():
    problem = override_problem("thinking", True)
    assert problem is not None and problem.startswith("is not a model rule (known: like, thinking_types,")
    assert all(override_problem(k, v) is None for k, v in
               [("like", "claude-opus-5-5"), ("efforts", []), ("price_out", 2.5), ("prefill", True)])
    assert "released" not in OVERRIDE_KEYS


def test_every_model_rule_is_documented_in_the_example_config_and_valid_there(tmp_path):
    import re
    from pathlib import Path

    from claudechat.settings import read_config

    text = (Path(__file__).resolve().parents[2] / "config.example.toml").read_text("utf-8")
    for key in OVERRIDE_KEYS:
        assert re.search(rf"(?m)^#\s+{key}\b", text), f"{key} is not documented"
        assert re.search(rf"(?m)^# {key} = ", text), f"{key} has no example"
    uncommented = re.sub(r"(?m)^# ((?:\[|[a-z_]+ = ).*)$", r"\1", text)
    config = tmp_path / "config.toml"
    config.write_text(uncommented[uncommented.index('[models."claude-opus-6"]'):], "utf-8")
    rules = read_config(config)["models"]["claude-opus-6"]
    assert rules_for("claude-opus-6", None, {"claude-opus-6": rules}).price_in == 4.0


@pytest.mark.parametrize(("toml", "line"), [
    ('[models."claude-opus-6"]\nefforts = ["extreme"]',
     'models."claude-opus-6".efforts must be a list of low, medium, high, xhigh, max (got [\'extreme\'])'),
    ('[models."claude-opus-6"]\nthinking = true',
     'models."claude-opus-6".thinking is not a model rule (known: like, thinking_types,'),
    ('models = 3', 'models must be a table of [models."NAME"] sections (or a list of names) (got 3)'),
])
def test_a_mistake_in_a_models_table_is_one_line_naming_it(tmp_path, toml, line):
    from claudechat.errors import ConfigError
    from claudechat.settings import load

    config = tmp_path / "config.toml"
    config.write_text(toml, "utf-8")
    with pytest.raises(ConfigError) as caught:
        load({}, {"ANTHROPIC_API_KEY": "k", "CLAUDECHAT_CONFIG": str(config)})
    assert str(caught.value).startswith(f"{config}: {line}")
    assert "\n" not in str(caught.value)


def test_the_models_tables_reach_the_settings_and_name_the_models_offered(tmp_path):
    from claudechat.settings import load

    config = tmp_path / "config.toml"
    config.write_text('[models."claude-opus-6"]\nlike = "claude-opus-5-5"\n', "utf-8")
    s = load({}, {"ANTHROPIC_API_KEY": "k", "CLAUDECHAT_CONFIG": str(config)})
    assert s.models == ("claude-opus-6",)
    assert s.model_rules == {"claude-opus-6": {"like": "claude-opus-5-5"}}


# -- the server's model list: is a name in it, and could it be asked ------------------------


@pytest.mark.parametrize(("name", "ids", "found"), [
    ("claude-opus-5-5", ["claude-opus-5-5", "claude-sonnet-5-5"], True),
    ("claude-haiku-4-5", ["claude-haiku-4-5-20251001"], True),  # the alias of a dated id
    ("claude-haiku-4-5-20251001", ["claude-haiku-4-5"], True),  # a dated id of a bare one
    ("claude-sonnet-5-5-thinking", ["claude-sonnet-5-5"], True),  # Ace Data Cloud's thinking name
    ("claude-opus-5-6", ["claude-opus-5-5"], False),
    ("claude-opus-5", ["claude-opus-5-5"], False),
])
def test_a_name_is_listed_as_it_is_or_as_the_bare_or_dated_form_of_an_id(name, ids, found):
    from claudechat.models import listed

    assert listed(name, ids) is found


def catalog_answering(tmp_path, answer):
    import httpx

    from claudechat.api.client import ApiClient, Endpoint
    from claudechat.models import ModelCatalog

    endpoint = Endpoint(base_url="http://models.test", auth="x-api-key", api_key="k", key_source="$K")
    client = ApiClient(endpoint, httpx.Client(transport=httpx.MockTransport(answer)), max_retries=0)
    return ModelCatalog(client, tmp_path)


def test_a_list_that_could_not_be_asked_for_says_why(tmp_path):
    import httpx

    catalog = catalog_answering(tmp_path, lambda request: httpx.Response(
        503, json={"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}))
    assert catalog.models() is None
    assert "Overloaded" in (catalog.problem or "")


def test_a_server_without_a_list_is_no_problem_and_a_listing_clears_one(tmp_path):
    import httpx

    unlisted = catalog_answering(tmp_path, lambda request: httpx.Response(404, json={
        "type": "error", "error": {"type": "not_found_error", "message": "Not Found"}}))
    assert unlisted.models() is None and unlisted.problem is None
    catalog = catalog_answering(tmp_path / "other", lambda request: httpx.Response(
        200, json={"data": [{"id": "claude-opus-5-5"}], "has_more": False}))
    catalog.problem = "an earlier failure"
    assert catalog.models() == [{"id": "claude-opus-5-5"}]
    assert catalog.problem is None
