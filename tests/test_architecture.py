"""The package's import graph: no circles, and data flows one way (client -> service -> views -> text).

Every import counts, including those inside functions and under TYPE_CHECKING: a lazy import is
still a dependency, and a circle through one is still a circle a newcomer has to untangle.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import huawei_meeting_mcp

PACKAGE = "huawei_meeting_mcp"
ROOT = Path(huawei_meeting_mcp.__file__).resolve().parent


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """The package modules `path` imports (resolved, relative imports included)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith(PACKAGE))
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if not target.startswith(PACKAGE):
                continue
            for alias in node.names:  # `from . import x` may name a module
                candidate = f"{target}.{alias.name}"
                found.add(candidate if candidate in MODULES else target)
    return {module for module in found if module in MODULES and module != name}


MODULES = {module_name(path) for path in ROOT.rglob("*.py")}
GRAPH = {module_name(path): imports_of(path) for path in ROOT.rglob("*.py")}


def short(module: str) -> str:
    return module.removeprefix(PACKAGE + ".")


def find_cycle() -> list[str] | None:
    """One import circle in GRAPH, as the modules along it, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        stack.append(module)
        for target in sorted(GRAPH[module]):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (cycle := visit(target)) is not None:
                return cycle
        stack.pop()
        state[module] = 2
        return None

    for module in sorted(GRAPH):
        if module not in state and (cycle := visit(module)) is not None:
            return cycle
    return None


def test_the_graph_was_read() -> None:
    assert len(GRAPH) > 20
    assert f"{PACKAGE}.wire" in GRAPH[f"{PACKAGE}.reads"]


def test_no_import_circles() -> None:
    cycle = find_cycle()
    assert cycle is None, "import circle: " + " -> ".join(short(module) for module in cycle or [])


def test_the_cycle_finder_finds_one() -> None:
    GRAPH["huawei_meeting_mcp.wire"].add("huawei_meeting_mcp.reads")
    try:
        assert find_cycle() is not None
    finally:
        GRAPH["huawei_meeting_mcp.wire"].discard("huawei_meeting_mcp.reads")


def below(module: str) -> set[str]:
    """Everything `module` imports, directly or not."""
    seen: set[str] = set()
    todo = [f"{PACKAGE}.{module}"]
    while todo:
        for target in GRAPH.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return {short(target) for target in seen}


LAYERS = {
    # a module: what it must never import, directly or through others
    "wire": {"reads", "client", "service", "view", "output", "app", "cache"},
    "text": {"wire", "reads", "client", "service", "view", "output", "app"},
    "reads": {"client", "service", "view", "app"},
    "attendance_fold": {"client", "service", "view", "app", "output"},
    "output": {"client", "service", "view", "app", "reads"},
    "client": {"service", "view", "app", "cache", "output"},
    "transport": {"client", "page_reads", "service", "view", "app", "cache", "output", "wire", "reads"},
    "page_reads": {"client", "transport", "service", "view", "app", "cache", "output", "wire", "errors"},
    "concurrency": {"client", "transport", "page_reads", "service", "view", "app", "cache", "output", "wire"},
    "service": {"view", "app", "output"},
}


@pytest.mark.parametrize(("module", "forbidden"), sorted(LAYERS.items()))
def test_data_flows_one_way(module: str, forbidden: set[str]) -> None:
    reached = below(module)
    crossed = sorted(target for target in reached if target.split(".")[0] in forbidden or target in forbidden)
    assert not crossed, f"{module} reaches {crossed}"


def test_views_read_no_client_nor_service() -> None:
    for module in [m for m in GRAPH if short(m).startswith("view")]:
        reached = below(short(module))
        assert not {"client", "service", "app", "cache", "auth"} & reached, short(module)


def test_the_module_table_lists_every_module_and_only_those() -> None:
    """docs/architecture.md's table is the one module table: every module in it, none that is gone."""
    doc = (Path(__file__).resolve().parents[1] / "docs" / "architecture.md").read_text(encoding="utf-8")
    rows = [line for line in doc.splitlines() if line.startswith("| ") and line.rstrip().endswith("|")]
    named = {name for row in rows for name in re.findall(r"`([\w/]+(?:\.py)?/?)`", row.rsplit("|", 2)[-2])}
    modules = {str(path.relative_to(ROOT)) for path in ROOT.rglob("*.py") if path.parts[len(ROOT.parts)] != "sandbox"}
    assert "sandbox/" in named
    assert sorted(modules - named) == [], "modules missing from docs/architecture.md's table"
    assert sorted(name for name in named - modules if name != "sandbox/") == [], "the table names modules that are gone"
