"""[tools.NAME] tables: checked when the config loads, one line naming the tool and the problem."""

from __future__ import annotations

import pytest

from claudechat.errors import ConfigError, UsageError
from claudechat.settings import load, read_config
from claudechat.tools.specs import check_input, parse_tool

GOOD = {"description": "d", "command": ["echo"],
        "input_schema": {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}}


GREP = '[tools.grep]\ndescription = "x"\ncommand = ["grep"]\ninput_schema = { type = "object" }\n'


def write(tmp_path, text):
    path = tmp_path / "config.toml"
    path.write_text(text, "utf-8")
    return path


@pytest.mark.parametrize(("change", "said"), [
    ({"input_schema": {"type": "string"}}, 'tools.t.input_schema must be an object schema (type = "object")'),
    ({"command": []}, "tools.t.command must be a non-empty list of strings"),
    ({"command": "ls -l"}, "tools.t.command must be a non-empty list of strings"),
    ({"command": ["ls", 3]}, "tools.t.command must be a non-empty list of strings"),
    ({"colour": "red"}, "tools.t: unknown key 'colour'"),
    ({"timeout": 0}, "tools.t.timeout must be a number of seconds above 0"),
    ({"confirm": "yes"}, "tools.t.confirm must be true or false"),
    ({"description": " "}, "tools.t.description must be a non-empty string"),
    ({"input_schema": {"type": "object", "required": ["x"]}},
     "required names 'x', which is not in properties"),
    ({"strict": True}, "tools.t.input_schema of a strict tool needs additionalProperties = false"),
])
def test_a_bad_tool_is_one_line_naming_it_and_the_problem(change, said):
    with pytest.raises(ValueError) as caught:
        parse_tool("t", {**GOOD, **change})
    assert said in str(caught.value)


def test_the_config_file_error_names_the_file_and_the_tool(tmp_path):
    path = write(tmp_path, GREP.replace('["grep"]', '"grep"'))
    with pytest.raises(ConfigError) as caught:
        read_config(path)
    assert str(caught.value).startswith(f"{path}: tools.grep.command must be a non-empty list of strings")


def test_a_tool_offered_but_not_defined_lists_the_defined_ones(tmp_path):
    path = write(tmp_path, GREP)
    env = {"ANTHROPIC_API_KEY": "k", "CLAUDECHAT_CONFIG": str(path)}
    with pytest.raises(UsageError) as caught:
        load({"tools": ("gerp",)}, env)
    assert str(caught.value) == "--tool: no tool named 'gerp' is defined; defined tools: grep"
    with pytest.raises(UsageError) as caught:
        load({"tools": ("grep",), "tool_choice": "find"}, env)
    assert "--tool-choice 'find' names no tool this request offers (grep)" in str(caught.value)
    settings = load({"tools": ("grep",), "tool_choice": "grep"}, env)
    assert settings.tools == ("grep",) and settings.tool_specs["grep"].timeout == 30
    assert settings.max_tool_rounds == 10 and settings.tool_output_limit == 100_000


def test_a_profile_offers_its_tools(tmp_path):
    path = write(tmp_path, GREP + '[profiles.anthropic]\ntools = ["grep"]\n')
    settings = load({}, {"ANTHROPIC_API_KEY": "k", "CLAUDECHAT_CONFIG": str(path)})
    assert settings.tools == ("grep",)


@pytest.mark.parametrize(("value", "problem"), [
    ({}, "the input lacks the required field 'path'"),
    ({"path": 3}, "the input field 'path' must be string"),
    ([1], "the input is not a JSON object"),
    ({"path": "a"}, None),
])
def test_an_input_is_checked_against_the_schema(value, problem):
    assert check_input(GOOD["input_schema"], value) == problem
