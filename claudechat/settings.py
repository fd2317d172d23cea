"""Settings: built-in profile < top-level config < [profiles.NAME] < environment < flags.

Resolved once into a frozen `Settings`; nothing here runs at import time. The
API key is looked up only when a request is about to be made (keys.resolve_key);
what each setting may be is in setting_keys.py.
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from claudechat import redaction
from claudechat.errors import ConfigError, NoKeyError, UsageError
from claudechat.models import MIN_THINKING_BUDGET, override_problem
from claudechat.setting_keys import (
    BUILTIN_ENV,
    BUILTIN_PROFILES,
    DEMO,
    DEMO_PROFILE,
    GENERAL_ENV,
    PROFILE_KEYS,
    SECRET_KEYS,
    TOP_KEYS,
    Spec,
)
from claudechat.tools.specs import ToolSpec, parse_tools
from claudechat.web import table_problem

APP = "claudechat"
DEFAULT_MODEL = "claude-sonnet-5-5"  # why: README, "Models"
DEFAULT_MAX_TOKENS = 8192
DEFAULT_THINKING_BUDGET = 4096
REPLY_ROOM = 8192  # tokens left for the answer when thinking raises the default max_tokens


# -- paths (platformdirs, so XDG_*_HOME relocate everything) ------------------


def config_path() -> Path:
    override = os.environ.get("CLAUDECHAT_CONFIG")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return platformdirs.user_config_path(APP) / "config.toml"


def cache_dir() -> Path:
    import platformdirs

    return platformdirs.user_cache_path(APP)


def data_dir() -> Path:
    import platformdirs

    return platformdirs.user_data_path(APP)


def state_dir() -> Path:
    import platformdirs

    return platformdirs.user_state_path(APP)




@dataclass(frozen=True, slots=True)
class Settings:
    profile: str
    base_url: str
    auth: str
    api: str
    api_key_env: str | None
    api_key_command: str | None
    api_key: str | None
    anthropic_version: str
    model: str
    max_tokens: int | None  # None: the default, which leaves room for thinking
    temperature: float | None
    top_p: float | None
    top_k: int | None
    stop_sequences: tuple[str, ...]
    system: str | None
    thinking: bool | None  # None: the model's default
    thinking_budget: int | None  # None: the default budget, fitted to max_tokens
    effort: str | None
    thinking_text: str
    max_retries: int
    connect_timeout: float
    idle_timeout: float
    resize_images: bool
    thinking_display: str
    editing_mode: str
    models: tuple[str, ...]
    model_rules: dict[str, dict[str, Any]]  # [models."NAME"] tables: rule overrides
    save_history: bool
    config_file: Path
    cache: bool = True  # prompt caching on the Messages API (docs/API-2026.md §4)
    cache_ttl: str = "5m"
    confirm_tokens: int = 100_000  # ask before sending an attachment this large
    allow_insecure_http: bool = False  # the key over plain http:// to another machine (keys.py)
    web: bool = False  # offer the API's web search and fetch (web.py)
    cite: bool = False  # citations on attached documents (--cite)
    web_search: dict[str, Any] | None = None  # the [web_search] table, checked (web.table_problem)
    web_fetch: dict[str, Any] | None = None
    tool_specs: dict[str, ToolSpec] = field(default_factory=dict)  # every [tools.NAME] table
    tools: tuple[str, ...] = ()  # the tools a request offers (--tool, a profile's tools)
    tool_choice: str | None = None  # "auto", "none" or a tool's name (None: not sent)
    max_tool_rounds: int = 10
    tool_output_limit: int = 100_000  # bytes of a tool's output sent back

    def effective_max_tokens(self, thinking_on: bool, budget: int | None = None) -> int:
        if self.max_tokens is not None:
            return self.max_tokens
        if thinking_on:  # room for the thinking and for the answer after it
            return max(DEFAULT_MAX_TOKENS, (budget or REPLY_ROOM) + REPLY_ROOM)
        return DEFAULT_MAX_TOKENS


_DEFAULTS: dict[str, Any] = {
    "model": DEFAULT_MODEL,
    "api": "messages",
    "anthropic_version": "2023-06-01",
    "max_tokens": None,
    "temperature": None,
    "top_p": None,
    "top_k": None,
    "stop_sequences": (),
    "system": None,
    "thinking": None,
    "thinking_budget": None,
    "effort": None,
    "thinking_text": "auto",
    "max_retries": 2,
    "connect_timeout": 10.0,
    "idle_timeout": 60.0,
    "resize_images": False,
    "thinking_display": "collapsed",
    "editing_mode": "emacs",
    "models": (),
    "save_history": True,
    "cache": True, "cache_ttl": "5m", "confirm_tokens": 100_000,
    "web": False, "cite": False, "web_search": None, "web_fetch": None,
    "tools": (), "tool_choice": None, "max_tool_rounds": 10, "tool_output_limit": 100_000,
    "api_key_env": None,
    "api_key_command": None,
    "api_key": None,
    "allow_insecure_http": False,
}


def load(flags: dict[str, Any] | None = None, env: dict[str, str] | None = None) -> Settings:
    """Resolve settings from the config file, the environment and `flags`
    (command-line values; None means not given).

    `env` holds the variables claudechat reads itself (CLAUDECHAT_*, key and
    base URL variables); the default config location comes from platformdirs,
    which reads the process environment (XDG_CONFIG_HOME)."""
    env = dict(os.environ) if env is None else env
    flags = {k: v for k, v in (flags or {}).items() if v is not None}
    _check_flags(flags)
    path = config_path_from(env)
    config = read_config(path)
    profiles = config.get("profiles", {})
    demo = flags.get("profile") == DEMO_PROFILE and "base_url" in flags  # no profile of the file
    name = DEMO_PROFILE if demo else _choose_profile(flags.get("profile"), env, config, profiles, path)

    values: dict[str, Any] = dict(_DEFAULTS)
    values.update(DEMO if demo else BUILTIN_PROFILES.get(name, {}))
    values.update({k: v for k, v in config.items() if k not in ("profiles", "default_profile", "tools")})
    values.update({} if demo else profiles.get(name, {}))
    for key, var in {**GENERAL_ENV, **BUILTIN_ENV.get(name, {})}.items():
        if env.get(var):
            spec = _SPECS[key]
            if not _fits(env[var], spec):
                raise UsageError(f"{var} must be {spec.allowed} (got {_shown(env[var])!r})")
            values[key] = env[var]
    values.update({k: v for k, v in flags.items() if k != "profile"})

    if "base_url" not in values or "auth" not in values:
        missing = "base_url" if "base_url" not in values else "auth"
        raise ConfigError(f"{path}: profile {name!r} needs {missing!r}")
    if values["thinking_budget"] is not None and values["thinking_budget"] < MIN_THINKING_BUDGET:
        raise ConfigError(f"the thinking budget must be at least {MIN_THINKING_BUDGET} tokens "
                          f"(got {values['thinking_budget']})")
    values["stop_sequences"] = tuple(values["stop_sequences"] or ())
    listed = values["models"] or ()
    values["model_rules"] = dict(listed) if isinstance(listed, dict) else {}
    values["models"] = tuple(listed)
    _register_secrets(values, env)
    values["tool_specs"] = parse_tools(config.get("tools", {}))  # checked by read_config
    values["tools"] = _offered(values, flags, values["tool_specs"], path, name)
    names = {f.name for f in fields(Settings)}
    return Settings(profile=name, config_file=path, **{k: v for k, v in values.items() if k in names})


def _register_secrets(values: dict[str, Any], env: dict[str, str]) -> None:
    """The key this profile would use and a password in its URL: never printed from now on."""
    for secret in (values.get("api_key"), env.get(values.get("api_key_env") or "")):
        if isinstance(secret, str):
            redaction.add_key(secret)
    if isinstance(values.get("base_url"), str):
        redaction.add_url(values["base_url"])


def _offered(values: dict[str, Any], flags: dict[str, Any], specs: dict[str, ToolSpec], path: Path,
             profile: str) -> tuple[str, ...]:
    """The tools a request offers (--tool, else the profile's list), each defined; a
    tool_choice naming one of them."""
    offered = tuple(dict.fromkeys(values.get("tools") or ()))
    where = "--tool" if "tools" in flags else f"{path}: profiles.{profile}.tools"
    error = UsageError if "tools" in flags else ConfigError
    defined = ", ".join(sorted(specs)) or f"none (add a [tools.NAME] table to {path})"
    for name in offered:
        if name not in specs:
            raise error(f"{where}: no tool named {_shown(name)!r} is defined; defined tools: {defined}")
    choice = values.get("tool_choice")
    if choice not in (None, "auto", "none") and choice not in offered:
        source = "--tool-choice" if "tool_choice" in flags else "tool_choice"
        raise UsageError(f"{source} {_shown(choice)!r} names no tool this request offers "
                         f"({', '.join(offered) or 'none'}); offer it with --tool {_shown(choice)}")
    if choice is not None and not offered:
        source = "--tool-choice" if "tool_choice" in flags else "tool_choice"
        raise UsageError(f"{source} needs tools to choose from: offer one with --tool NAME")
    return offered


def _check_flags(flags: dict[str, Any]) -> None:
    """Command-line values meet the same rules as the file's (the option named, not the file)."""
    for key, value in flags.items():
        spec = _SPECS.get(key)
        if isinstance(value, tuple):  # repeated options
            value = list(value)
        if spec is not None and key not in SECRET_KEYS and not _fits(value, spec):
            raise UsageError(f"--{key.replace('_', '-')} must be {spec.allowed} "
                             f"(got {_shown(value)!r})")


def config_path_from(env: dict[str, str]) -> Path:
    override = env.get("CLAUDECHAT_CONFIG")
    return Path(override).expanduser() if override else config_path()


def read_config(path: Path) -> dict[str, Any]:
    """Parse and validate the config file; a missing file is an empty config."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"cannot read the config file {path}: {exc.strerror}") from None
    import tomllib  # here: without a config file, no TOML parser is needed

    try:
        text = raw.decode("utf-8")
        redaction.add_url(text)  # a password in any URL of the file, before an error can quote it
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the config file is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict):
        raise ConfigError(f"{path}: 'profiles' must be a table of [profiles.NAME] sections")
    _validate(data, TOP_KEYS, path, "", extra=("profiles",))
    try:
        parse_tools(data.get("tools", {}))
    except ValueError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    for pname, body in profiles.items():
        if not isinstance(body, dict):
            raise ConfigError(f"{path}: 'profiles.{pname}' must be a table ([profiles.{pname}])")
        _register_file_secrets(body, path)
        _validate(body, PROFILE_KEYS, path, f"profiles.{pname}.")
        if pname not in BUILTIN_PROFILES:
            for needed in ("base_url", "auth"):
                if needed not in body:
                    raise ConfigError(f"{path}: profile {pname!r} needs {needed!r} "
                                      f"(only the built-in profiles have one already)")
    return data


def _register_file_secrets(profile: dict[str, Any], path: Path) -> None:
    """A profile's api_key (and a key pasted where a variable's name belongs) is never printed;
    a file that holds a key and others may read is said once per run, as ssh does."""
    if isinstance(profile.get("api_key"), str):
        redaction.add_key(profile["api_key"])
    pasted = profile.get("api_key_env")
    if isinstance(pasted, str) and not _fits(pasted, PROFILE_KEYS["api_key_env"]):  # a key itself?
        redaction.add_key(pasted)
    if isinstance(profile.get("api_key"), str) and path not in _WARNED:
        _WARNED.add(path)
        try:
            mode = path.stat().st_mode
        except OSError:
            return
        if mode & 0o044:
            readers = "anyone" if mode & 0o004 else "its group"
            print(f"claudechat: warning: {path} holds an API key and {readers} may read it "
                  f"(mode {mode & 0o777:o}); run: chmod 600 {shlex.quote(str(path))}",
                  file=sys.stderr, flush=True)


_WARNED: set[Path] = set()  # config files already warned of in this run


def _validate(table: dict[str, Any], schema: dict[str, Spec], path: Path, prefix: str,
              extra: tuple[str, ...] = ()) -> None:
    for key, value in table.items():
        if key in extra:
            continue
        spec = schema.get(key)
        if spec is None:
            close = difflib.get_close_matches(key, list(schema) + list(extra), n=1, cutoff=0.6)
            tip = f" (did you mean {prefix + close[0]!r}?)" if close else ""
            raise ConfigError(f"{path}: unknown setting {prefix + key!r}{tip}")
        if not _fits(value, spec):
            shown = "" if key in SECRET_KEYS else f" (got {_shown(value)!r})"
            raise ConfigError(f"{path}: {prefix}{key} must be {spec.allowed}{shown}")
        if key == "models" and isinstance(value, dict):
            _validate_models(value, path)
        if key in ("web_search", "web_fetch"):
            problem = table_problem(key, value)
            if problem:
                raise ConfigError(f"{path}: [{prefix}{key}] {problem}")


def _validate_models(tables: dict[str, Any], path: Path) -> None:
    """[models."NAME"] tables: each key a model rule (models.OVERRIDE_KEYS)."""
    for name, table in tables.items():
        if not isinstance(table, dict):
            raise ConfigError(f'{path}: models."{name}" must be a table ([models."{name}"])')
        for key, value in table.items():
            problem = override_problem(key, value)
            if problem:
                raise ConfigError(f'{path}: models."{name}".{key} {problem} (got {value!r})')


_SPECS = {**TOP_KEYS, **PROFILE_KEYS}  # every setting a flag or a variable may give


def value_problem(key: str, value: Any) -> str | None:
    """What is wrong with `value` for the setting `key`, as "must be …", or None (the chat's
    /set checks by the same rules as the file and the flags)."""
    spec = _SPECS.get(key)
    return None if spec is None or _fits(value, spec) else f"must be {spec.allowed}"


def _shown(value: Any) -> Any:
    """A value for an error line, without a password written into a URL."""
    return re.sub(r"//[^/@\s]*@", "//…@", value) if isinstance(value, str) else value


def _fits(value: Any, spec: Spec) -> bool:
    kinds = spec.kind if isinstance(spec.kind, tuple) else (spec.kind,)
    if isinstance(value, bool) and bool not in kinds:
        return False
    if not isinstance(value, kinds):
        return False
    if spec.choices and value not in spec.choices:
        return False
    return spec.check is None or bool(spec.check(value))


def _choose_profile(flag: str | None, env: dict[str, str], config: dict[str, Any],
                    profiles: dict[str, Any], path: Path) -> str:
    known = list(BUILTIN_PROFILES) + [p for p in profiles if p not in BUILTIN_PROFILES]
    for source, name in (("--profile", flag), ("CLAUDECHAT_PROFILE", env.get("CLAUDECHAT_PROFILE")),
                         (f"default_profile in {path}", config.get("default_profile"))):
        if name:
            if name not in known:
                close = difflib.get_close_matches(name, known, n=1)
                tip = f"did you mean {close[0]!r}? " if close else ""
                raise ConfigError(f"unknown profile {name!r} (from {source}); {tip}"
                                  f"known profiles: {', '.join(known)}")
            return name
    for name, builtin in BUILTIN_PROFILES.items():
        if env.get(builtin["api_key_env"], "").strip():
            return name
    raise NoKeyError(None, path)
