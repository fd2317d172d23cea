"""A tool the user defined in the config file (`[tools.NAME]`), checked when the file loads.

    [tools.read_file]
    description = "Read a text file under the current directory"
    command = ["python3", "-c", "..."]      # the input arrives as JSON on stdin
    input_schema = { type = "object", properties = { path = { type = "string" } }, required = ["path"] }

The schema check is our own, small on purpose: the top level must be an object schema
(what the API takes, PROTOCOL.md `input_schema`), `properties` a table of schemas, `required`
names of those properties. `check_input` checks a call's input against the same few rules
(required keys, extra keys when `additionalProperties = false`, the JSON type of each
property) before the command runs: a wrong input is an error result, never a run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

DEFAULT_TIMEOUT = 30.0
KEYS = ("description", "input_schema", "command", "timeout", "cwd", "confirm", "strict")
NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")  # the API's pattern for a tool name
_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
    "array": (list,), "object": (dict,), "null": (type(None),),
}


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    input_schema: dict[str, Any]
    command: tuple[str, ...]
    timeout: float = DEFAULT_TIMEOUT
    cwd: str | None = None
    confirm: bool = True
    strict: bool = False

    def definition(self) -> dict[str, Any]:
        """The entry of the request's `tools` (docs/API-2026.md §7)."""
        out: dict[str, Any] = {"name": self.name, "description": self.description,
                               "input_schema": self.input_schema}
        if self.strict:
            out["strict"] = True
        return out


def parse_tools(table: Any) -> dict[str, ToolSpec]:
    """The `[tools.NAME]` tables -> specs; ValueError naming the tool and its one problem."""
    if not isinstance(table, dict):
        raise ValueError("tools must be a table of [tools.NAME] sections")
    return {name: parse_tool(name, body) for name, body in table.items()}


def parse_tool(name: str, body: Any) -> ToolSpec:
    where = f"tools.{name}"
    if not NAME.fullmatch(name):
        raise ValueError(f"{where}: a tool name is 1 to 64 letters, digits, _ or -")
    if not isinstance(body, dict):
        raise ValueError(f"{where} must be a table ([{where}])")
    for key in body:
        if key not in KEYS:
            raise ValueError(f"{where}: unknown key {key!r} (a tool takes {', '.join(KEYS)})")
    for needed in ("description", "input_schema", "command"):
        if needed not in body:
            raise ValueError(f"{where} needs {needed!r}")
    description = body["description"]
    if not isinstance(description, str) or not description.strip():
        raise ValueError(f"{where}.description must be a non-empty string (the model reads it)")
    command = body["command"]
    if not isinstance(command, list) or not command or \
            not all(isinstance(part, str) for part in command) or not command[0]:
        raise ValueError(f'{where}.command must be a non-empty list of strings, e.g. ["python3", "tool.py"]')
    timeout = body.get("timeout", DEFAULT_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ValueError(f"{where}.timeout must be a number of seconds above 0")
    cwd = body.get("cwd")
    if cwd is not None and (not isinstance(cwd, str) or not cwd):
        raise ValueError(f"{where}.cwd must be a directory path")
    for flag in ("confirm", "strict"):
        if not isinstance(body.get(flag, False), bool):
            raise ValueError(f"{where}.{flag} must be true or false")
    strict = body.get("strict", False)
    problem = schema_problem(body["input_schema"], strict=strict)
    if problem:
        raise ValueError(f"{where}.input_schema {problem}")
    return ToolSpec(name, description, body["input_schema"], tuple(command), float(timeout),
                    cwd, body.get("confirm", True), strict)


def schema_problem(schema: Any, *, strict: bool = False) -> str | None:
    """What is wrong with a tool's input schema (None: nothing this check sees)."""
    if not isinstance(schema, dict):
        return "must be a table holding a JSON Schema"
    if schema.get("type") != "object":
        return 'must be an object schema (type = "object")'
    properties = schema.get("properties", {})
    if not isinstance(properties, dict) or not all(isinstance(p, dict) for p in properties.values()):
        return "properties must be a table of schemas, one per input field"
    for key, prop in properties.items():
        kind = prop.get("type")
        kinds = kind if isinstance(kind, list) else [kind] if kind is not None else []
        unknown = [k for k in kinds if k not in _TYPES]
        if unknown:
            return f"properties.{key}.type must be one of {', '.join(_TYPES)} (got {unknown[0]!r})"
    required = schema.get("required", [])
    if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
        return "required must be a list of property names"
    missing = [r for r in required if r not in properties]
    if missing:
        return f"required names {missing[0]!r}, which is not in properties"
    extra = schema.get("additionalProperties", True)
    if not isinstance(extra, bool | dict):
        return "additionalProperties must be true, false or a schema"
    if strict and extra is not False:  # §7: strict tools use additionalProperties false plus required
        return "of a strict tool needs additionalProperties = false"
    return None


def check_input(schema: dict[str, Any], value: Any) -> str | None:
    """What is wrong with a call's input for `schema` (None: it fits, as far as this sees)."""
    if not isinstance(value, dict):
        return "the input is not a JSON object"
    properties = schema.get("properties", {})
    for key in schema.get("required", []):
        if key not in value:
            return f"the input lacks the required field {key!r}"
    for key, item in value.items():
        prop = properties.get(key)
        if prop is None:
            if schema.get("additionalProperties", True) is False:
                return f"the input has a field the schema does not allow: {key!r}"
            continue
        kind = prop.get("type")
        kinds = kind if isinstance(kind, list) else [kind] if kind is not None else []
        if kinds and not any(_is(item, k) for k in kinds):
            return f"the input field {key!r} must be {' or '.join(kinds)}"
        if "enum" in prop and isinstance(prop["enum"], list) and item not in prop["enum"]:
            return f"the input field {key!r} must be one of {prop['enum']}"
    return None


def _is(value: Any, kind: str) -> bool:
    if isinstance(value, bool) and kind in ("integer", "number"):
        return False
    if kind == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _TYPES.get(kind, (object,)))
