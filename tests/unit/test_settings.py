"""Settings and profiles: where each value comes from, which profile is used,
how the API key is found, and the one-line errors for a bad config.

Expectations come from the spec in the project's issue, not from settings.py.
Unit tests call `settings.load(flags=..., env=...)` with an explicit env whose
CLAUDECHAT_CONFIG points at a file in tmp_path; a few end-to-end tests run the
real CLI in a subprocess (they all fail before any request is made).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from claudechat.errors import ConfigError
from claudechat.keys import resolve_key
from claudechat.settings import load

ACEDATA_URL = "https://api.acedata.cloud"
ANTHROPIC_URL = "https://api.anthropic.com"

# A complete user profile; its key comes from $WORK_KEY.
WORK = """
[profiles.work]
base_url = "https://llm.work.example"
auth = "bearer"
api_key_env = "WORK_KEY"
model = "work-model"
"""

MakeEnv = Callable[..., dict[str, str]]


# -- helpers ---------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _isolated_process_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Whatever the developer's own shell has, no real config file is ever read."""
    monkeypatch.delenv("CLAUDECHAT_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "process-xdg-config"))


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    return tmp_path / "config.toml"


@pytest.fixture
def make_env(config_file: Path) -> MakeEnv:
    """make_env(toml, VAR=value, ...): write the config file (None: leave it
    missing) and return an environment pointing CLAUDECHAT_CONFIG at it."""

    def make(toml: str | None = "", **variables: str) -> dict[str, str]:
        if toml is not None:
            config_file.write_text(textwrap.dedent(toml), encoding="utf-8")
        return {"CLAUDECHAT_CONFIG": str(config_file), **variables}

    return make


def config_error(env: dict[str, str], flags: dict | None = None) -> str:
    """The message of the ConfigError that `load` raises; it must be one line."""
    with pytest.raises(ConfigError) as info:
        load(flags=flags, env=env)
    message = str(info.value)
    assert "\n" not in message
    return message


def key_error(settings, env: dict[str, str]) -> str:
    with pytest.raises(ConfigError) as info:
        resolve_key(settings, env)
    message = str(info.value)
    assert "\n" not in message
    return message


# -- precedence ------------------------------------------------------------------------


def test_model_precedence_flag_env_profile_top_level_builtin(make_env: MakeEnv):
    top = 'model = "top-model"\n'
    profile = '[profiles.anthropic]\nmodel = "profile-model"\n'
    key = {"ANTHROPIC_API_KEY": "sk-test"}

    everywhere = make_env(top + profile, CLAUDECHAT_MODEL="env-model", **key)
    assert load({"model": "flag-model"}, everywhere).model == "flag-model"
    assert load({}, everywhere).model == "env-model"
    assert load({}, make_env(top + profile, **key)).model == "profile-model"
    assert load({}, make_env(top, **key)).model == "top-model"

    builtin = load({}, make_env("", **key)).model
    assert builtin.strip()
    assert builtin not in {"flag-model", "env-model", "profile-model", "top-model"}


def test_a_flag_given_as_none_is_not_given(make_env: MakeEnv):
    env = make_env('model = "top-model"\n', ANTHROPIC_API_KEY="sk-test")
    assert load({"model": None, "profile": None}, env).model == "top-model"


def test_request_default_precedence_flag_profile_top_level(make_env: MakeEnv):
    top = "temperature = 0.1\n"
    profile = "[profiles.anthropic]\ntemperature = 0.2\n"
    key = {"ANTHROPIC_API_KEY": "sk-test"}

    assert load({"temperature": 0.3}, make_env(top + profile, **key)).temperature == 0.3
    assert load({}, make_env(top + profile, **key)).temperature == 0.2
    assert load({}, make_env(top, **key)).temperature == 0.1
    assert load({}, make_env("", **key)).temperature is None


def test_anthropic_base_url_precedence(make_env: MakeEnv):
    profile = '[profiles.anthropic]\nbase_url = "https://profile.example"\n'
    key = {"ANTHROPIC_API_KEY": "sk-test"}
    everywhere = make_env(profile, ANTHROPIC_BASE_URL="https://env.example", **key)

    assert load({"base_url": "https://flag.example"}, everywhere).base_url == "https://flag.example"
    assert load({}, everywhere).base_url == "https://env.example"
    assert load({}, make_env(profile, **key)).base_url == "https://profile.example"
    assert load({}, make_env("", **key)).base_url == ANTHROPIC_URL


def test_claudechat_base_url_precedence_for_a_user_profile(make_env: MakeEnv):
    env = make_env(WORK, CLAUDECHAT_BASE_URL="https://env.example")
    flags = {"profile": "work"}

    assert load({**flags, "base_url": "https://flag.example"}, env).base_url == "https://flag.example"
    assert load(flags, env).base_url == "https://env.example"
    assert load(flags, make_env(WORK)).base_url == "https://llm.work.example"


def test_anthropic_base_url_does_not_move_the_acedata_profile(make_env: MakeEnv):
    env = make_env("", ACEDATA_API_TOKEN="tok", ANTHROPIC_BASE_URL="https://elsewhere.example")
    assert load({"profile": "acedata"}, env).base_url == ACEDATA_URL


def test_top_level_model_fills_in_for_a_user_profile_without_one(make_env: MakeEnv):
    toml = """
    model = "top-model"
    [profiles.bare]
    base_url = "https://bare.example"
    auth = "x-api-key"
    """
    assert load({"profile": "bare"}, make_env(toml)).model == "top-model"


# -- choosing a profile -----------------------------------------------------------------


def test_profile_choice_order(make_env: MakeEnv):
    toml = 'default_profile = "home"\n' + WORK + """
    [profiles.home]
    base_url = "https://home.example"
    auth = "x-api-key"
    model = "home-model"
    """
    both_keys = {"ACEDATA_API_TOKEN": "tok", "ANTHROPIC_API_KEY": "sk-test"}
    env = make_env(toml, CLAUDECHAT_PROFILE="anthropic", **both_keys)

    assert load({"profile": "work"}, env).profile == "work"
    assert load({}, env).profile == "anthropic"
    assert load({}, make_env(toml, **both_keys)).profile == "home"
    assert load({}, make_env(WORK, **both_keys)).profile == "acedata"
    assert load({}, make_env(WORK, ANTHROPIC_API_KEY="sk-test")).profile == "anthropic"


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ({"ACEDATA_API_TOKEN": "tok"}, "acedata"),
        ({"ANTHROPIC_API_KEY": "sk-test"}, "anthropic"),
        ({"ACEDATA_API_TOKEN": "tok", "ANTHROPIC_API_KEY": "sk-test"}, "acedata"),
    ],
)
def test_without_a_choice_the_first_builtin_with_a_key_is_used(make_env: MakeEnv, keys, expected):
    assert load({}, make_env(None, **keys)).profile == expected


@pytest.mark.parametrize("toml", [None, "", WORK], ids=["no-file", "empty-file", "user-profile"])
def test_no_key_anywhere_names_the_variables_that_would_give_one(make_env: MakeEnv, toml):
    message = config_error(make_env(toml))
    assert "ACEDATA_API_TOKEN" in message
    assert "ANTHROPIC_API_KEY" in message


@pytest.mark.parametrize(
    ("how", "near_miss", "suggestion"),
    [
        ("flag", "antropic", "anthropic"),
        ("env", "acedta", "acedata"),
        ("file", "wrok", "work"),
    ],
)
def test_unknown_profile_is_named_with_a_suggestion(make_env: MakeEnv, how, near_miss, suggestion):
    toml = WORK
    flags: dict = {}
    variables = {"ANTHROPIC_API_KEY": "sk-test"}
    if how == "flag":
        flags["profile"] = near_miss
    elif how == "env":
        variables["CLAUDECHAT_PROFILE"] = near_miss
    else:
        toml = f'default_profile = "{near_miss}"\n' + WORK

    message = config_error(make_env(toml, **variables), flags)
    assert repr(near_miss) in message or f'"{near_miss}"' in message
    assert re.search(rf"\b{suggestion}\b", message.replace(near_miss, ""))


def test_unknown_profile_far_from_any_name_is_still_named(make_env: MakeEnv):
    message = config_error(make_env(WORK, ANTHROPIC_API_KEY="sk-test"), {"profile": "zzzzzz"})
    assert "zzzzzz" in message


# -- built-in profiles -------------------------------------------------------------------


def test_acedata_builtin(make_env: MakeEnv):
    settings = load({}, make_env(None, ACEDATA_API_TOKEN="tok"))
    assert (settings.profile, settings.base_url, settings.auth) == ("acedata", ACEDATA_URL, "bearer")
    key, source = resolve_key(settings, {"ACEDATA_API_TOKEN": "tok-123"})
    assert key == "tok-123"
    assert "ACEDATA_API_TOKEN" in source


def test_anthropic_builtin(make_env: MakeEnv):
    settings = load({}, make_env(None, ANTHROPIC_API_KEY="sk-test"))
    assert (settings.profile, settings.base_url, settings.auth) == ("anthropic", ANTHROPIC_URL, "x-api-key")
    assert settings.anthropic_version == "2023-06-01"
    key, source = resolve_key(settings, {"ANTHROPIC_API_KEY": "sk-ant-123"})
    assert key == "sk-ant-123"
    assert "ANTHROPIC_API_KEY" in source


def test_a_builtin_profile_can_be_adjusted_in_the_file(make_env: MakeEnv):
    toml = '[profiles.anthropic]\nanthropic_version = "2099-01-01"\nmodel = "my-model"\n'
    settings = load({}, make_env(toml, ANTHROPIC_API_KEY="sk-test"))
    assert (settings.anthropic_version, settings.model) == ("2099-01-01", "my-model")
    assert (settings.base_url, settings.auth) == (ANTHROPIC_URL, "x-api-key")


# -- user profiles and the accepted settings -------------------------------------------------


def test_every_documented_setting_is_accepted_and_used(make_env: MakeEnv, config_file: Path):
    toml = """
    default_profile = "full"
    max_retries = 0
    connect_timeout = 2.5
    idle_timeout = 30
    stop_sequences = ["TOP"]

    [profiles.full]
    base_url = "http://127.0.0.1:9"
    auth = "x-api-key"
    api_key_env = "FULL_KEY"
    api_key_command = "pass show full"
    api_key = "sk-inline"
    api = "chat-completions"
    anthropic_version = "2030-01-01"
    model = "full-model"
    max_tokens = 1234
    temperature = 0.5
    top_p = 0.9
    top_k = 40
    stop_sequences = ["END", "STOP"]
    system = "Be brief."
    thinking = true
    thinking_budget = 2048
    effort = "high"
    thinking_text = "omitted"
    """
    s = load({}, make_env(toml))
    assert s.profile == "full"
    assert (s.base_url, s.auth, s.api, s.anthropic_version) == (
        "http://127.0.0.1:9", "x-api-key", "chat-completions", "2030-01-01")
    assert (s.api_key_env, s.api_key_command, s.api_key) == ("FULL_KEY", "pass show full", "sk-inline")
    assert (s.model, s.max_tokens, s.temperature, s.top_p, s.top_k) == ("full-model", 1234, 0.5, 0.9, 40)
    assert list(s.stop_sequences) == ["END", "STOP"]
    assert (s.system, s.thinking, s.thinking_budget) == ("Be brief.", True, 2048)
    assert (s.effort, s.thinking_text) == ("high", "omitted")
    assert (s.max_retries, s.connect_timeout, s.idle_timeout) == (0, 2.5, 30)
    assert s.config_file == config_file


def test_every_request_default_is_accepted_at_the_top_level(make_env: MakeEnv):
    toml = """
    model = "m"
    max_tokens = 100
    temperature = 0
    top_p = 1
    top_k = 1
    stop_sequences = []
    system = "s"
    thinking = false
    thinking_budget = 1024
    effort = "low"
    thinking_text = "summarized"
    max_retries = 10
    """
    s = load({}, make_env(toml, ANTHROPIC_API_KEY="sk-test"))
    assert (s.model, s.max_tokens, s.temperature, s.top_p, s.top_k) == ("m", 100, 0, 1, 1)
    assert (s.system, s.thinking, s.thinking_budget, s.effort) == ("s", False, 1024, "low")
    assert (s.thinking_text, s.max_retries) == ("summarized", 10)


@pytest.mark.parametrize("missing", ["base_url", "auth"])
def test_a_user_profile_needs_base_url_and_auth(make_env: MakeEnv, config_file: Path, missing):
    lines = [line for line in WORK.splitlines() if not line.startswith(missing)]
    message = config_error(make_env("\n".join(lines), WORK_KEY="k"), {"profile": "work"})
    assert str(config_file) in message
    assert "work" in message
    assert missing in message


# -- errors in the file -----------------------------------------------------------------------


def test_toml_syntax_error_gives_file_line_and_column(make_env: MakeEnv, config_file: Path):
    env = make_env('model = "m"\nthis is not toml\n', ANTHROPIC_API_KEY="sk-test")
    message = config_error(env)
    assert str(config_file) in message
    assert re.search(r"line 2\b", message)
    assert re.search(r"column \d+", message)


@pytest.mark.parametrize(
    ("toml", "typo", "meant"),
    [
        ("temprature = 0.5\n", "temprature", "temperature"),
        ("max_token = 100\n", "max_token", "max_tokens"),
        ("[profile.work]\nmodel = 'x'\n", "profile", "profiles"),
        (WORK + "modle = 'x'\n", "modle", "model"),
        (WORK + "api_key_cmd = 'pass show x'\n", "api_key_cmd", "api_key_command"),
    ],
    ids=["top-level", "top-level-plural", "profiles-table", "in-profile", "in-profile-key"],
)
def test_unknown_setting_is_named_with_the_file_and_a_suggestion(
        make_env: MakeEnv, config_file: Path, toml, typo, meant):
    message = config_error(make_env(toml, ANTHROPIC_API_KEY="sk-test"))
    assert str(config_file) in message
    assert typo in message
    assert "did you mean" in message
    after = message.split("did you mean", 1)[1]
    assert re.search(rf"\b{meant}\b", after)


def test_unknown_setting_without_a_near_miss_is_still_named(make_env: MakeEnv, config_file: Path):
    message = config_error(make_env("colour_scheme = 'dark'\n", ANTHROPIC_API_KEY="sk-test"))
    assert str(config_file) in message
    assert "colour_scheme" in message


@pytest.mark.parametrize(
    ("toml", "key", "allowed"),
    [
        ("temperature = 3\n", "temperature", [r"\b0\b", r"\b1\b"]),
        ("temperature = true\n", "temperature", [r"\b0\b", r"\b1\b"]),
        ("top_p = 1.5\n", "top_p", [r"\b0\b", r"\b1\b"]),
        ('max_tokens = "lots"\n', "max_tokens", ["integer"]),
        ("max_tokens = 0\n", "max_tokens", ["integer"]),
        ("top_k = 2.5\n", "top_k", ["integer"]),
        ("thinking_budget = 500\n", "thinking_budget", ["1024"]),
        ('thinking = "yes"\n', "thinking", ["true", "false"]),
        ('stop_sequences = "END"\n', "stop_sequences", ["list"]),
        ("stop_sequences = [1, 2]\n", "stop_sequences", ["string"]),
        ("max_retries = true\n", "max_retries", [r"\b0\b", r"\b10\b"]),
        ("max_retries = 11\n", "max_retries", [r"\b0\b", r"\b10\b"]),
        ("max_retries = -1\n", "max_retries", [r"\b0\b", r"\b10\b"]),
        ("connect_timeout = 0\n", "connect_timeout", [r"\b0\b"]),
        ("idle_timeout = -5\n", "idle_timeout", [r"\b0\b"]),
        ('idle_timeout = "1m"\n', "idle_timeout", [r"\b0\b"]),
        (WORK.replace('"bearer"', '"basic"'), "auth", ["bearer", "x-api-key"]),
        (WORK + 'api = "rest"\n', "api", ["messages", "chat-completions"]),
        (WORK + "temperature = 3\n", "temperature", [r"\b0\b", r"\b1\b"]),
        (WORK + "max_tokens = 1.5\n", "max_tokens", ["integer"]),
    ],
)
def test_wrong_type_or_range_names_the_setting_and_what_is_allowed(
        make_env: MakeEnv, config_file: Path, toml, key, allowed):
    message = config_error(make_env(toml, ANTHROPIC_API_KEY="sk-test"))
    assert str(config_file) in message
    rest = message.replace(str(config_file), "")
    assert re.search(rf"\b{key}\b", rest)
    for pattern in allowed:
        assert re.search(pattern, rest), (pattern, message)


def test_errors_in_an_unused_profile_are_still_reported(make_env: MakeEnv):
    toml = WORK.replace("work", "spare") + "temperature = 9\n"
    message = config_error(make_env(toml, ANTHROPIC_API_KEY="sk-test"))
    assert "temperature" in message


# -- resolve_key ----------------------------------------------------------------------


def profile_with(make_env: MakeEnv, **keys: str):
    """Settings of a user profile with the given api_key_* settings."""
    body = "\n".join(f"{name} = {json.dumps(value)}" for name, value in keys.items())
    toml = f"""
[profiles.p]
base_url = "https://p.example"
auth = "bearer"
model = "m"
{body}
"""
    return load({"profile": "p"}, make_env(toml))


def test_key_from_the_named_variable(make_env: MakeEnv):
    settings = profile_with(make_env, api_key_env="P_KEY")
    key, source = resolve_key(settings, {"P_KEY": "sk-from-env"})
    assert key == "sk-from-env"
    assert "P_KEY" in source
    assert "sk-from-env" not in source


def test_the_variable_wins_and_the_command_is_not_run(make_env: MakeEnv):
    settings = profile_with(make_env, api_key_env="P_KEY", api_key_command="exit 3", api_key="sk-inline")
    assert resolve_key(settings, {"P_KEY": "sk-from-env"})[0] == "sk-from-env"


def test_key_from_the_command_when_the_variable_is_unset(make_env: MakeEnv):
    settings = profile_with(make_env, api_key_env="P_KEY",
                            api_key_command="printf 'sk-from-cmd\\n'", api_key="sk-inline")
    key, source = resolve_key(settings, {})
    assert key == "sk-from-cmd"
    assert "api_key_command" in source
    assert "sk-from-cmd" not in source


def test_the_command_gives_its_first_line_stripped(make_env: MakeEnv):
    settings = profile_with(make_env, api_key_command="printf '  sk-first  \\nsecond line\\n'")
    assert resolve_key(settings, {})[0] == "sk-first"


def test_key_from_api_key_as_the_last_resort(make_env: MakeEnv):
    settings = profile_with(make_env, api_key_env="P_KEY", api_key="sk-inline")
    key, source = resolve_key(settings, {})
    assert key == "sk-inline"
    assert "api_key" in source
    assert "sk-inline" not in source


@pytest.mark.parametrize(
    "command",
    ["printf 'sk-leaked\\n'; exit 3", "exit 3", "true", "printf '   \\n'"],
    ids=["fails-after-printing", "fails", "prints-nothing", "prints-blanks"],
)
def test_a_failing_key_command_is_a_config_error_without_its_output(make_env: MakeEnv, command):
    settings = profile_with(make_env, api_key_command=command)
    message = key_error(settings, {})
    assert "api_key_command" in message
    assert "sk-leaked" not in message


def test_no_key_names_the_variable_that_would_give_one(make_env: MakeEnv):
    settings = profile_with(make_env, api_key_env="P_KEY")
    assert "P_KEY" in key_error(settings, {"P_KEY": "   "})


def test_no_key_in_a_profile_without_key_settings_names_the_settings(make_env: MakeEnv):
    message = key_error(profile_with(make_env), {})
    assert "api_key_env" in message or "api_key_command" in message


# -- effective_max_tokens ----------------------------------------------------------------


@pytest.mark.parametrize("budget", [1024, 4096, 10_000, 32_000, 64_000])
def test_default_max_tokens_leaves_room_for_the_answer_after_thinking(make_env: MakeEnv, budget):
    settings = load({}, make_env("", ANTHROPIC_API_KEY="sk-test"))
    assert settings.effective_max_tokens(True, budget) >= budget + 1024


@pytest.mark.parametrize(("thinking_on", "budget"), [(True, 4096), (True, None), (False, None)])
def test_configured_max_tokens_is_used_as_is(make_env: MakeEnv, thinking_on, budget):
    settings = load({}, make_env("max_tokens = 2000\n", ANTHROPIC_API_KEY="sk-test"))
    assert settings.effective_max_tokens(thinking_on, budget) == 2000


def test_max_tokens_from_a_flag_is_used_as_is(make_env: MakeEnv):
    settings = load({"max_tokens": 777}, make_env("", ANTHROPIC_API_KEY="sk-test"))
    assert settings.effective_max_tokens(True, 4096) == 777


# -- where the config file is -------------------------------------------------------------------


@pytest.mark.skipif(sys.platform != "linux", reason="XDG_CONFIG_HOME applies on Linux")
def test_claudechat_config_wins_over_the_xdg_location(make_env: MakeEnv, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch):
    xdg = tmp_path / "xdg"
    (xdg / "claudechat").mkdir(parents=True)
    (xdg / "claudechat" / "config.toml").write_text('model = "from-xdg"\n', encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    env = make_env('model = "from-override"\n', ANTHROPIC_API_KEY="sk-test", XDG_CONFIG_HOME=str(xdg))
    assert load({}, env).model == "from-override"


# -- end to end: the real CLI, failing before any request --------------------------------------


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    """A minimal environment: no keys, HOME and every XDG dir under tmp_path."""
    env = {"PATH": os.environ.get("PATH", os.defpath), "HOME": str(tmp_path)}
    for name in ("CONFIG", "CACHE", "DATA", "STATE"):
        path = tmp_path / f"xdg-{name.lower()}"
        path.mkdir()
        env[f"XDG_{name}_HOME"] = str(path)
    return env


def run_ask(env: dict[str, str], cwd: Path) -> str:
    """Run `claudechat ask hi`; check it fails as a config error and return its stderr line."""
    done = subprocess.run([sys.executable, "-m", "claudechat", "ask", "hi"], env=env, cwd=cwd,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert done.stdout == ""
    return lines[0]


def test_cli_without_any_key(cli_env: dict[str, str], tmp_path: Path):
    line = run_ask(cli_env, tmp_path)
    assert "ACEDATA_API_TOKEN" in line
    assert "ANTHROPIC_API_KEY" in line


def test_cli_toml_syntax_error(cli_env: dict[str, str], tmp_path: Path):
    config = tmp_path / "bad.toml"
    config.write_text('model = "m"\nmodel ==\n', encoding="utf-8")
    line = run_ask({**cli_env, "CLAUDECHAT_CONFIG": str(config)}, tmp_path)
    assert str(config) in line
    assert re.search(r"line 2\b", line)


def test_cli_unknown_setting(cli_env: dict[str, str], tmp_path: Path):
    config = tmp_path / "typo.toml"
    config.write_text("temprature = 0.2\n", encoding="utf-8")
    line = run_ask({**cli_env, "CLAUDECHAT_CONFIG": str(config)}, tmp_path)
    assert str(config) in line
    assert "temprature" in line
    assert "did you mean" in line


def test_cli_unknown_profile(cli_env: dict[str, str], tmp_path: Path):
    env = {**cli_env, "CLAUDECHAT_PROFILE": "antropic", "ANTHROPIC_API_KEY": "sk-test"}
    line = run_ask(env, tmp_path)
    assert "antropic" in line
    assert re.search(r"\banthropic\b", line)
    assert "sk-test" not in line


@pytest.mark.skipif(sys.platform != "linux", reason="XDG_CONFIG_HOME applies on Linux")
def test_cli_reads_the_config_under_xdg_config_home(cli_env: dict[str, str], tmp_path: Path):
    config = Path(cli_env["XDG_CONFIG_HOME"]) / "claudechat" / "config.toml"
    config.parent.mkdir()
    config.write_text("temprature = 0.2\n", encoding="utf-8")
    line = run_ask(cli_env, tmp_path)
    assert str(config) in line
    assert "temprature" in line
