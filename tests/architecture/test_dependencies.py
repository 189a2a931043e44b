"""Dependencies point one way: the core (portal/) imports no domain app, and intake's modules form no cycle.

Both walk the source with ast, so a lazy import inside a function counts as much as one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DOMAIN_APPS = ("intake", "consent", "messaging", "api")


def _modules(package: str) -> dict[str, Path]:
    found = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imports(path: Path, known: dict[str, Path]) -> set[str]:
    """Every module this file imports; `from a.b import c` counts as a.b.c when c is a module."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                names.add(candidate if candidate in known else node.module)
    return names


def test_the_core_imports_no_domain_app():
    offenders = []
    for name, path in _modules("portal").items():
        for imported in _imports(path, {}):
            if imported.split(".")[0] in DOMAIN_APPS:
                offenders.append(f"{name} imports {imported}")
    assert offenders == []


def test_the_walk_sees_a_domain_import(tmp_path):
    # The check above must be able to fail: a lazy import inside a function is found too.
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from intake.models import Visit\n    return Visit\n")
    assert _imports(sample, {}) == {"intake.models"}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return path[path.index(target) :] + [target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_intake_modules_import_each_other_without_a_cycle():
    known = _modules("intake")
    graph = {name: {i for i in _imports(path, known) if i in known and i != name} for name, path in known.items()}
    assert _cycle(graph) is None


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_messaging_imports_no_domain_app():
    """Domain apps register their messages and schedules with messaging, never the other way round."""
    offenders = []
    for name, path in _modules("messaging").items():
        for imported in _imports(path, {}):
            if imported.split(".")[0] in ("intake", "consent", "api"):
                offenders.append(f"{name} imports {imported}")
    assert offenders == []
