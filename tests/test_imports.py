"""The import rules of the house, read from the source (AST, nothing is imported):

- no import cycle between the application's modules (app.py, blueprints/, domain/);
- domain/ never imports blueprints/ or app.py: imports run one way, blueprints -> domain;
- domain/ never reaches for Flask's request globals (request, session, g): the domain is called
  with plain values, so it works the same from a view, the CLI or a test;
- only the keyring modules call `cryptography`, and only kdf.py calls argon2 (domain/core/keyring.py
  says why).
"""
from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OURS = ("app", "blueprints", "domain")

# Cycles known today, each allowed as exactly this set of modules; an import inside a function
# counts (deferring an import hides a cycle, it does not remove one). When a cycle is broken this
# test fails on its stale entry here: delete the entry, until the list is empty.
# Cycles allowed for now, each with the reason; the test fails when one is gone, so the list
# only shrinks. Empty: imports run one way.
KNOWN_CYCLES: list[frozenset[str]] = []

CRYPTOGRAPHY_MODULES = {"domain.core.keyring", "domain.core.primitives", "domain.core.public_keys"}
ARGON2_MODULES = {"domain.core.kdf"}
REQUEST_GLOBALS = {"request", "session", "g"}


def _modules() -> dict[str, Path]:
    files = [ROOT / "app.py", *sorted((ROOT / "blueprints").rglob("*.py")),
             *sorted((ROOT / "domain").rglob("*.py"))]
    found = {}
    for path in files:
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


@cache
def _tree(name: str) -> ast.AST:
    return ast.parse(MODULES[name].read_text(), str(MODULES[name]))


def _is_package(name: str) -> bool:
    return MODULES.get(name, Path()).name == "__init__.py"


def _absolute(module: str, node: ast.ImportFrom) -> str:
    """The module an ImportFrom names, with relative imports resolved against `module`."""
    if not node.level:
        return node.module or ""
    base = module.split(".") if _is_package(module) else module.split(".")[:-1]
    base = base[:len(base) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def _imported(module: str, tree: ast.AST) -> set[str]:
    """Every module of ours that `module` imports, anywhere in the file (a function-level import
    still ties the two modules together)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(module, node)
            names.add(target)
            names.update(f"{target}.{alias.name}" for alias in node.names)
    return {n for n in names if n in MODULES and n != module}


def _graph() -> dict[str, set[str]]:
    return {name: _imported(name, _tree(name)) for name in MODULES}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each as one cycle path."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    components: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                top = stack.pop()
                component.add(top)
                if top == node:
                    break
            if len(component) > 1:
                components.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_path_through(graph, component) for component in components]


def _path_through(graph: dict[str, set[str]], component: set[str]) -> list[str]:
    """One concrete cycle inside a component, start -> ... -> start, for the failure message."""
    start = min(component)
    came_from = {start: start}
    frontier = [start]
    while frontier:
        node = frontier.pop(0)
        for nxt in sorted(graph[node] & component):
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if nxt not in came_from:
                came_from[nxt] = node
                frontier.append(nxt)
    raise AssertionError(f"no cycle through {start}")


def test_no_import_cycles():
    cycles = _cycles(_graph())
    unexpected = [" -> ".join(c) for c in cycles if frozenset(c) not in KNOWN_CYCLES]
    assert not unexpected, "import cycles:\n" + "\n".join(unexpected)
    stale = set(KNOWN_CYCLES) - {frozenset(c) for c in cycles}
    assert not stale, f"these known cycles are gone, remove them from KNOWN_CYCLES: {stale}"


def test_the_checker_finds_a_cycle_and_names_its_path():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c", "a"]]


def test_domain_never_imports_blueprints_or_the_app():
    graph = _graph()
    wrong = {f"{name} -> {target}" for name, targets in graph.items() if name.startswith("domain")
             for target in targets if not target.startswith("domain")}
    assert not wrong, sorted(wrong)


def _request_globals_used(tree: ast.AST) -> set[str]:
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in ("flask", "flask.globals"):
            used.update(a.name for a in node.names if a.name in REQUEST_GLOBALS)
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
              and node.value.id == "flask" and node.attr in REQUEST_GLOBALS):
            used.add(f"flask.{node.attr}")
    return used


def test_domain_never_touches_flask_request_globals():
    found = {name: used for name in MODULES if name.startswith("domain")
             if (used := _request_globals_used(_tree(name)))}
    assert not found, found


def _third_party_importers(package: str) -> set[str]:
    importers = set()
    for name in MODULES:
        for node in ast.walk(_tree(name)):
            modules = ([a.name for a in node.names] if isinstance(node, ast.Import)
                       else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level
                       else [])
            if any(m == package or m.startswith(package + ".") for m in modules):
                importers.add(name)
    return importers


def test_only_the_keyring_modules_call_cryptography_and_argon2():
    assert _third_party_importers("cryptography") <= CRYPTOGRAPHY_MODULES
    assert _third_party_importers("argon2") <= ARGON2_MODULES


def test_domain_packages_import_one_way():
    """Packages, not only modules: `domain.trends` counts and never asks `domain.groups`, while
    groups use trends; a circle between two features means one of them holds the other's rule."""
    graph = _graph()

    def package(module: str) -> str:
        return ".".join(module.split(".")[:2])

    packages: dict[str, set[str]] = {}
    for name, targets in graph.items():
        if name.startswith("domain."):
            packages.setdefault(package(name), set()).update(
                package(t) for t in targets if t.startswith("domain.") and package(t) != package(name))
    assert _cycles(packages) == [], _cycles(packages)
