"""`claudechat config path|show|init|edit`.

`show` prints every effective setting and where it came from, in the order
settings.load applies them (default < built-in profile < file < the profile's
section < environment < flag); keys never appear whole. `init` writes the commented
starter (config.example.toml, shipped in the package) with mode 0600. `edit` opens
$VISUAL/$EDITOR on a copy and checks it with the loader's own rules before it
replaces the file; a copy that fails is offered again, like `crontab -e`.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import tempfile
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claudechat import private
from claudechat import settings as settings_mod
from claudechat.errors import ConfigError, ExitCode, UsageError
from claudechat.sanitize import escape_json, sanitize

if TYPE_CHECKING:
    from claudechat.environment import Environment
    from claudechat.options import Options

HIDDEN = ("config_file", "model_rules", "tool_specs")  # the file's path; `models`; the [tools.NAME] tables


def starter() -> str:
    """The commented starter config: config.example.toml as shipped in the package."""
    from importlib.resources import files

    return files("claudechat").joinpath("config.example.toml").read_text("utf-8")


def _say(env: Environment, line: str) -> None:
    """One line on stderr; what it quotes of the config file cannot drive the terminal."""
    env.stderr.write(f"claudechat: {sanitize(line)}\n")
    env.stderr.flush()


# -- config path ---------------------------------------------------------------------------


def print_path(env: Environment) -> ExitCode:
    path = settings_mod.config_path()
    env.emit(f"{path}\n")
    if not path.exists():
        _say(env, "there is no file there yet: `claudechat config init` writes a commented one")
    return ExitCode.OK


# -- config init ---------------------------------------------------------------------------


def init(env: Environment, force: bool) -> ExitCode:
    path = settings_mod.config_path()
    if path.exists() and not force:
        raise UsageError(f"{path} exists already: `claudechat config edit` changes it, "
                         f"`claudechat config init --force` replaces it with the starter")
    _write_private(path, starter())
    _say(env, f"wrote {path} (mode 0600; every setting commented out): "
              f"`claudechat config edit` to change it")
    return ExitCode.OK


def _write_private(path: Path, text: str) -> None:
    """Write `text` to `path` through a 0600 file in the same folder, replacing it at once
    (a symlinked config, as dotfile managers make, keeps its link: the target is replaced)."""
    path = path.resolve()
    try:
        private.make_dirs(path.parent)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror}") from None


# -- config show ---------------------------------------------------------------------------


def show(env: Environment, options: Options, as_json: bool, plain: bool = False) -> ExitCode:
    flags = {k: v for k, v in options.flags().items() if v is not None}
    path = settings_mod.config_path()
    config = settings_mod.read_config(path)
    chosen = _profile_source(flags, os.environ, config)
    if chosen is None:  # no key anywhere: what the first built-in profile would use
        chosen = "none chosen, as no key is set: the first built-in profile shown"
        current = settings_mod.load({**flags, "profile": next(iter(settings_mod.BUILTIN_PROFILES))})
    else:
        current = settings_mod.load(flags)
    rows = [("profile", current.profile, chosen)]
    for f in fields(current):
        if f.name not in HIDDEN and f.name != "profile":
            rows.append((f.name, _value(f.name, getattr(current, f.name)),
                         source(f.name, current.profile, flags, os.environ, config)))
    rows.append(("key", *_key(current)))
    if as_json:  # on a terminal, the C1 controls json.dumps leaves raw as \u escapes
        text = json.dumps({"config_file": str(path), "exists": path.exists(),
                           "settings": {k: {"value": v, "source": s} for k, v, s in rows}},
                          ensure_ascii=False, indent=2) + "\n"
        env.emit(escape_json(text) if env.stdout_isatty else text)
        return ExitCode.OK
    head = f"config file: {path}" + ("" if path.exists() else " (not there: defaults and environment only)")
    if env.stdout_isatty and not plain:
        _table(env, head, rows)
    else:
        env.emit("".join(f"{k}\t{_text(v)}\t{_text(s)}\n" for k, v, s in rows))
        _say(env, sanitize(head))
    return ExitCode.OK


def source(key: str, profile: str, flags: dict[str, Any], environ: Any, config: dict[str, Any]) -> str:
    """Where settings.load took `key` from: the last of its layers that has it."""
    var = {**settings_mod.GENERAL_ENV, **settings_mod.BUILTIN_ENV.get(profile, {})}.get(key)
    own = (config.get("profiles") or {}).get(profile) or {}
    if key in flags:
        return "flag"
    if var and environ.get(var):
        return f"environment {var}"
    if key in own:
        return f"profile {profile} (file)"
    if key in config and key != "profiles":
        return "file"
    if key in settings_mod.BUILTIN_PROFILES.get(profile, {}):
        return f"profile {profile} (built in)"
    return "default"


def _profile_source(flags: dict[str, Any], environ: Any, config: dict[str, Any]) -> str | None:
    """Why settings.load picks the profile it picks; None when it picks none (no key set)."""
    if flags.get("profile"):
        return "flag"
    if environ.get("CLAUDECHAT_PROFILE"):
        return "environment CLAUDECHAT_PROFILE"
    if config.get("default_profile"):
        return "file (default_profile)"
    found = next((v["api_key_env"] for v in settings_mod.BUILTIN_PROFILES.values()
                  if environ.get(v["api_key_env"], "").strip()), None)
    return f"default (the first built-in profile whose key is set: {found})" if found else None


def _value(key: str, value: Any) -> Any:
    """A setting as shown: keys never whole, a password in a URL hidden."""
    if key == "api_key" and value:
        return redact(value)
    if key == "api_key_command" and value:
        return "(set; not run)"
    if key == "models":
        return list(value)
    if isinstance(value, str):
        return re.sub(r"//[^/@\s]*@", "//…@", value)
    return value


def redact(key: str) -> str:
    """`sk-…abcd`: the kind of key and its last four characters, never more; a short one: (set)."""
    key = key.strip()
    return f"{key[:3]}…{key[-4:]}" if len(key) >= 16 else "(set)"


def _key(current: settings_mod.Settings) -> tuple[str, str]:
    """The key the next request would use, redacted, and where it would come from."""
    var = current.api_key_env
    if var and os.environ.get(var, "").strip():
        return redact(os.environ[var]), f"environment {var}"
    if current.api_key_command:
        return "(from api_key_command; not run)", "api_key_command"
    if current.api_key:
        return redact(current.api_key), "api_key"
    return "(none)", f"set {var}" if var else "add api_key_env or api_key_command to the profile"


def _text(value: Any) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value) or "(none)"
    return " ".join(sanitize(str(value)).replace("\t", " ").split())


def _table(env: Environment, head: str, rows: list[tuple[str, Any, str]]) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    grid = Table(box=box.SIMPLE_HEAD, pad_edge=False, title=Text(sanitize(head)), title_justify="left")
    for name in ("setting", "value", "from"):
        grid.add_column(name)
    for key, value, where in rows:
        grid.add_row(key, Text(_text(value)), Text(_text(where), style="" if where == "default" else "bold"))
    env.console().print(grid)


# -- config edit ---------------------------------------------------------------------------


def edit(env: Environment) -> ExitCode:
    """Open the config in the editor on a copy; save it only when the loader accepts it."""
    from claudechat.repl.editor import editor

    path = settings_mod.config_path()
    original = path.read_text("utf-8") if path.exists() else None
    command = editor()
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise UsageError(f"VISUAL or EDITOR ({command}) is not a command line ({exc}); fix it") from None
    real = path.resolve()  # a symlinked config keeps its link: the target is replaced
    private.make_dirs(real.parent)
    fd, name = tempfile.mkstemp(prefix=f".{real.name}.edit-", suffix=".toml", dir=real.parent)
    copy = Path(name)
    start = original if original is not None else starter()
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(start)
    while True:
        _run_editor(argv, command, copy, start)
        if copy.read_text("utf-8", errors="replace") == start:
            copy.unlink()
            _say(env, f"no changes; {path} is as it was" if original is not None
                 else f"no changes; {path} not written")
            return ExitCode.OK
        problem = check(copy, path)
        if problem is None:
            os.replace(copy, real)
            _say(env, f"saved {path}")
            return ExitCode.OK
        _say(env, problem)
        try:
            again = _again(env)
        except KeyboardInterrupt:
            env.stderr.write("\n")
            again = False
        if not again:
            raise ConfigError(f"{path} is unchanged; your edit is kept in {copy}")


def _run_editor(argv: list[str], command: str, copy: Path, start: str) -> None:
    try:
        done = subprocess.run([*argv, str(copy)], check=False)
    except OSError as exc:
        copy.unlink()
        raise UsageError(f"the editor ({command}) cannot be run ({exc.strerror}): set VISUAL or "
                         f"EDITOR to an editor that is installed") from None
    if done.returncode != 0:
        if copy.read_text("utf-8", errors="replace") == start:
            copy.unlink()
            raise UsageError(f"the editor ({command}) exited with status {done.returncode}; "
                             f"nothing changed")
        raise UsageError(f"the editor ({command}) exited with status {done.returncode}; the config "
                         f"file is unchanged; your edit is kept in {copy}")


def check(copy: Path, path: Path) -> str | None:
    """What the loader says of `copy` as if it were `path` (None: it would load)."""
    try:
        config = settings_mod.read_config(copy)
        default = config.get("default_profile")
        known = {*settings_mod.BUILTIN_PROFILES, *(config.get("profiles") or {})}
        if isinstance(default, str) and default not in known:
            raise ConfigError(f"{copy}: default_profile {default!r} is not a profile "
                              f"(known: {', '.join(sorted(known))})")
    except ConfigError as exc:
        return str(exc).replace(str(copy), str(path))
    return None


def _again(env: Environment) -> bool:
    """Ask "edit again? [Y/n]" on stderr; end of input is no."""
    env.stderr.write("edit again? [Y/n] ")
    env.stderr.flush()
    answer = env.stdin.readline()
    if not answer:
        env.stderr.write("\n")
        return False
    return answer.strip().lower() in ("", "y", "yes")
