"""The house rules that keep the rooms apart: no module imports a module that imports it."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "fwprobe"


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(("fwprobe", *parts)).removesuffix(".__init__")


def _imports() -> dict[str, set[str]]:
    """Each module -> the fwprobe modules it imports (at the top or inside a function alike);
    ``from fwprobe.pkg import sub`` counts as an import of ``fwprobe.pkg.sub`` when that is a module."""
    modules = {_module_name(p): p for p in SRC.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("fwprobe"):
                subs = {f"{node.module}.{a.name}" for a in node.names} & modules.keys()
                deps |= subs or {node.module}
            elif isinstance(node, ast.Import):
                deps |= {a.name for a in node.names if a.name.startswith("fwprobe")}
        graph[name] = {d for d in deps if d in modules and d != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_no_import_circles() -> None:
    graph = _imports()
    # a package's __init__ re-exporting its own submodules is not a circle between rooms
    for name in graph:
        graph[name] = {d for d in graph[name] if not d.startswith(name + ".") or name.count(".") == 0}
    cycles = [c for c in _cycles(graph) if not _package_and_its_parts(c)]
    assert cycles == [], cycles


def _package_and_its_parts(component: list[str]) -> bool:
    """fwprobe.index <-> fwprobe.index.client: a package and the modules inside it."""
    roots = [m for m in component if all(o == m or o.startswith(m + ".") for o in component)]
    return bool(roots)


def test_the_detector_sees_a_circle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
