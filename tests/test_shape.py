"""The shape docs/DESIGN.md promises, checked: modules and functions stay small, no
import cycle among claudechat's modules (lazy imports included: they run too), and
no module reaches into another's private names."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "claudechat"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def test_the_package_is_found():
    assert {"claudechat.cli", "claudechat.turn", "claudechat.api.client"} <= set(modules())


def test_no_module_over_400_lines():
    sizes = {name: len(path.read_text("utf-8").splitlines()) for name, path in modules().items()}
    assert {name: n for name, n in sizes.items() if n > MAX_MODULE_LINES} == {}


def test_no_function_over_60_lines():
    long = {}
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long[f"{name}.{node.name}"] = lines
    assert long == {}


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for statement in node.body:
                skipped.update(id(n) for n in ast.walk(statement))
    return skipped


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The claudechat modules `name` imports when it runs (not for type checking only)."""
    tree = ast.parse(path.read_text("utf-8"))
    skipped = _type_checking_nodes(tree)
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in known else node.module)
    return {m for m in found if m in known and m != name}


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the path that closes it, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle():
    known = modules()
    graph = {name: imports(name, path, known) for name, path in known.items()}
    assert cycle(graph) is None


def test_no_module_uses_another_modules_private_names():
    reaching = []
    for name, path in modules().items():
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("claudechat"):
                reaching += [f"{name}: from {node.module} import {a.name}" for a in node.names
                             if a.name.startswith("_") and not a.name.startswith("__")]
            if (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                    and not node.attr.startswith("__") and isinstance(node.value, ast.Name)
                    and node.value.id not in ("self", "cls")):
                reaching.append(f"{name}:{node.lineno}: {ast.unparse(node)}")
    assert reaching == []


# The layers of docs/DESIGN.md: a module may import its own layer or lower ones only.
LAYERS = {
    "claudechat.cli": 5, "claudechat.__main__": 5,
    "claudechat.ask": 4, "claudechat.startup": 4, "claudechat.repl": 4, "claudechat.history.commands": 4,
    "claudechat.models_command": 4, "claudechat.config_command": 4,
    "claudechat.turn": 3, "claudechat.connect": 3, "claudechat.render": 3,
    "claudechat.api": 2, "claudechat.accumulator": 2, "claudechat.history.saving": 2,
    "claudechat.history.transcript": 2,
    "claudechat.conversation": 1, "claudechat.replay": 1, "claudechat.attachments": 1,
    "claudechat.input_files": 1,
    "claudechat.settings": 1, "claudechat.setting_keys": 1, "claudechat.keys": 1,
    "claudechat.models": 1, "claudechat.costs": 1, "claudechat.cache_health": 1,
    "claudechat.web": 1, "claudechat.citations": 1,
    "claudechat.history.store": 1,
    "claudechat.history.schema": 1,
    "claudechat.history.blobs": 1,
    "claudechat.history.filters": 1,
    "claudechat.tools": 1, "claudechat.tools.loop": 3,
    "claudechat": 0, "claudechat.advice": 0, "claudechat.key_help": 0,
    "claudechat.message": 0, "claudechat.sanitize": 0, "claudechat.errors": 0,
    "claudechat.environment": 0, "claudechat.options": 0, "claudechat.signals": 0,
    "claudechat.api.events": 0, "claudechat.api.sse": 0, "claudechat.history": 0,
    "claudechat.redaction": 0, "claudechat.private": 0, "claudechat.render.blocks": 0,
    "claudechat.demo": 0,
}


def layer(module: str) -> int:
    """The layer of the longest prefix of `module` that the table names."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in LAYERS:
            return LAYERS[".".join(parts[:end])]
    raise AssertionError(f"{module} is in no layer of docs/DESIGN.md")


def test_the_layer_table_reads_longest_prefixes():
    assert layer("claudechat.api.client") == 2 and layer("claudechat.api.sse") == 0
    assert layer("claudechat.repl.state") == 4 and layer("claudechat.history.store") == 1


def test_every_import_goes_to_the_same_layer_or_below():
    known = modules()
    upward = [f"{name} ({layer(name)}) imports {target} ({layer(target)})"
              for name, path in known.items() for target in sorted(imports(name, path, known))
              if layer(target) > layer(name)]
    assert upward == []


def test_the_demo_server_imports_nothing_of_the_client():
    """claudechat/demo/ is an independent reading of the references: it may import only itself
    (a rule copied from the client would agree with the client by construction)."""
    known = modules()
    reaching = [f"{name} imports {target}" for name, path in known.items()
                if name.startswith("claudechat.demo")
                for target in sorted(imports(name, path, known)) if not target.startswith("claudechat.demo")]
    assert reaching == []


def redefined(source: str) -> list[str]:
    """Functions defined twice in one module or class body, where the second silently hides
    the first (a property's setter and @overload are meant to share a name)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        seen: set[str] = set()
        for child in getattr(node, "body", []) if isinstance(node, ast.Module | ast.ClassDef) else []:
            if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            decorators = {ast.unparse(d).split(".")[-1] for d in child.decorator_list}
            if child.name in seen and not decorators & {"setter", "deleter", "overload"}:
                found.append(f"{child.name} (line {child.lineno})")
            seen.add(child.name)
    return found


def test_the_redefinition_finder_finds_a_hidden_method():
    assert redefined("class T:\n def said(self): pass\n def said(self, x): pass\n") == ["said (line 3)"]
    assert redefined("class T:\n @property\n def x(self): pass\n @x.setter\n def x(self, v): pass\n") == []


def test_no_function_or_method_is_defined_twice_in_one_body():
    """Two branches merged can each add a function of the same name: the later one wins silently."""
    roots = [PACKAGE, PACKAGE.parent / "tests", PACKAGE.parent / "bench"]
    paths = [path for root in roots for path in sorted(root.rglob("*.py"))]
    twice = {str(path.relative_to(PACKAGE.parent)): names for path in paths
             if (names := redefined(path.read_text("utf-8")))}
    assert twice == {}
