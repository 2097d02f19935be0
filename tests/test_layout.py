"""The layout shows the architecture (issue 12): layers only import downwards, and no cycles.

The imports of ``ledger/``, ``projections/`` and ``commands/`` are read with :mod:`ast` (every
import: at module level, inside functions, under ``TYPE_CHECKING``), and two rules are checked:

* **layers**: ``ledger`` imports nothing from ``projections`` or ``commands``; ``projections``
  imports nothing from ``commands``; inside ``ledger``, the packages keep their order:
  ``records`` imports nothing from ``access`` (the policy reads records, not the reverse);
* **no cycles** between the modules of each package, except the ones listed in
  :data:`KNOWN_CYCLES`, which issue 12 has still to break (each is named; the list may only
  shrink: a new cycle, or a listed one that grew, fails).

And one rule of size: no module of ``ledger/`` or ``projections/`` is over :data:`MAX_LINES` lines
(split by meaning before then).

Each failure names the modules and the import that breaks the rule.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from eventsourcing.utils import get_topic, resolve_topic

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("ledger", "projections", "commands")
#: The longest a module of ledger/ or projections/ may be, in lines.
MAX_LINES = 600
LAYER = {"ledger": 0, "projections": 1, "commands": 2}

#: Cycles allowed, each as the set of modules in it (strongly connected). None is left: keep it empty.
KNOWN_CYCLES: list[frozenset[str]] = []


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}


def imports_of(path: Path, modules: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """(imported module of ours, line) for every import in ``path``, wherever it stands."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                target = full if full in modules else node.module
                if target.split(".")[0] in PACKAGES:
                    yield target, node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in PACKAGES:
                    yield alias.name, node.lineno


def graph(modules: dict[str, Path]) -> dict[str, dict[str, int]]:
    edges: dict[str, dict[str, int]] = {}
    for name, path in modules.items():
        edges[name] = {}
        for target, line in imports_of(path, modules):
            if target != name and target in modules:
                edges[name].setdefault(target, line)
    return edges


def upward_arrows(edges: dict[str, dict[str, int]]) -> list[str]:
    found = []
    for source, targets in edges.items():
        for target, line in targets.items():
            top_s, top_t = source.split(".")[0], target.split(".")[0]
            if LAYER[top_t] > LAYER[top_s]:
                found.append(f"{source} (line {line}) imports {target}: {top_s} may not import {top_t}")
            elif source.startswith("ledger.records") and target.startswith("ledger.access"):
                found.append(f"{source} (line {line}) imports {target}: ledger.records may not import ledger.access")
    return found


def cycles(edges: dict[str, dict[str, int]], within: str) -> list[frozenset[str]]:
    """Strongly connected sets of more than one module under ``within`` (Tarjan)."""
    nodes = [n for n in edges if n == within or n.startswith(within + ".")]
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in nodes:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for n in nodes:
        if n not in index:
            visit(n)
    return found


def describe(cycle: frozenset[str], edges: dict[str, dict[str, int]]) -> str:
    arrows = [f"{s} -> {t} (line {edges[s][t]})" for s in sorted(cycle) for t in sorted(edges[s]) if t in cycle]
    return "; ".join(arrows)


def oversized(modules: dict[str, Path], limit: int = MAX_LINES) -> list[str]:
    """'module (N lines)' for every module of ledger/ or projections/ longer than ``limit`` lines."""
    found = []
    for name, path in sorted(modules.items()):
        if name.split(".")[0] in ("ledger", "projections"):
            size = len(path.read_text().splitlines())
            if size > limit:
                found.append(f"{name} ({size} lines)")
    return found


def test_no_module_is_over_600_lines() -> None:
    """A module over MAX_LINES is split by meaning (issue 12), not left to grow."""
    assert oversized(all_modules()) == []


def test_the_size_check_names_the_module_and_its_size() -> None:
    """The check above can fail: with a lower limit it names the largest module and its size."""
    modules = all_modules()
    sizes = {name: len(path.read_text().splitlines()) for name, path in modules.items()
             if name.split(".")[0] in ("ledger", "projections")}
    largest = max(sizes, key=lambda name: sizes[name])
    assert f"{largest} ({sizes[largest]} lines)" in oversized(modules, limit=sizes[largest] - 1)
    assert "commands.cli" not in " ".join(oversized(modules, limit=1))  # commands/ is not held to it


def test_no_import_runs_up_a_layer() -> None:
    assert upward_arrows(graph(all_modules())) == []


@pytest.mark.parametrize("package", PACKAGES)
def test_no_new_import_cycle(package: str) -> None:
    edges = graph(all_modules())
    unexpected = [describe(c, edges) for c in cycles(edges, package) if c not in KNOWN_CYCLES]
    assert unexpected == []


def test_the_records_import_no_cycle_at_all() -> None:
    """The case, its casework, milestones and roll-backs: the case imports the others, never the reverse."""
    edges = graph(all_modules())
    assert [c for c in cycles(edges, "ledger") if any(m.startswith("ledger.records") for m in c)] == []


def test_the_checks_fail_on_an_upward_import_and_on_a_cycle() -> None:
    """The rules above can fail: the same checks on a graph with one bad arrow added."""
    edges = graph(all_modules())
    up = {k: dict(v) for k, v in edges.items()}
    up["ledger.records.case"]["projections.views"] = 1
    assert upward_arrows(up) == ["ledger.records.case (line 1) imports projections.views: ledger may not import "
                                 "projections"]
    looped = {k: dict(v) for k, v in edges.items()}
    looped["ledger.integrity.encoding"]["ledger.records.case"] = 1
    new = [c for c in cycles(looped, "ledger") if c not in KNOWN_CYCLES]
    assert new and "ledger.integrity.encoding -> ledger.records.case (line 1)" in describe(new[0], looped)


@pytest.mark.parametrize("topic", [
    "ledger.case:CaseRecord", "ledger.case:CaseRecord.CaseNoteRecorded", "ledger.staff:StaffMember.Joined",
    "ledger.staff:Role", "ledger.access_log:AccessLog.AttemptRecorded", "ledger.rollback:RollbackRequest",
    "ledger.access_review:AttemptReview.Reviewed", "ledger.case:NoteKind",
])
def test_classes_keep_the_topics_they_were_first_stored_under(topic: str) -> None:
    """Moving a module never changes a stored name (ledger.integrity.topics): the topic written
    today is the one written before the move, and it resolves to the class."""
    import ledger.application  # noqa: F401  (imports every module whose classes are stored)

    cls = resolve_topic(topic)
    assert get_topic(cls) == topic


#: Imports inside a function that are allowed, each with why (never to dodge a cycle).
LAZY_IMPORTS = {
    # PostgreSQL's driver and view store are loaded only for a PostgreSQL ledger: a fifth of a
    # second saved on every SQLite command.
    ("projections.store_choice", "projections.store_postgres"),
}


def lazy_imports(modules: dict[str, Path], within: tuple[str, ...]) -> list[tuple[str, str, int]]:
    """(module, imported module of ours, line) for each import of ours made inside a function."""
    found = []
    for name, path in modules.items():
        if not name.startswith(within):
            continue
        tree = ast.parse(path.read_text(), str(path))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(func):
                if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in PACKAGES:
                    found.append((name, node.module, node.lineno))
                elif isinstance(node, ast.Import):
                    found += [(name, a.name, node.lineno) for a in node.names if a.name.split(".")[0] in PACKAGES]
    return found


def test_the_core_and_projections_import_at_the_top_not_inside_functions() -> None:
    """An import inside a function is how a cycle hides from a reader: ledger/ and projections/
    import what they use at the top of the module (the listed exceptions say why)."""
    found = [f"{m} (line {line}) imports {t} inside a function"
             for m, t, line in lazy_imports(all_modules(), ("ledger", "projections")) if (m, t) not in LAZY_IMPORTS]
    assert found == []
