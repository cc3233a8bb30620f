"""The reference's fault registry: one module per area, every name once, and every fault name
the reference acts on is a registered fault (a misspelt name would make a fault do nothing)."""

from __future__ import annotations

import ast
from pathlib import Path

import facturino_reference
from facturino_reference import faults
from facturino_reference.faults import FAULTS, FAULTS_BY_NAME, features, health, ops, perf, smoke

PACKAGE = Path(facturino_reference.__file__).parent
# Names the code tests for membership in the active faults: `"x" in self.faults`, `"x" in active`.
FAULT_CONTAINERS = {"faults", "active", "self.faults"}


def test_every_area_module_is_in_the_registry_in_order() -> None:
    areas = (smoke, perf, health, features, ops)
    assert areas == faults.AREAS
    assert tuple(fault for area in areas for fault in area.FAULTS) == FAULTS
    assert all(area.FAULTS for area in areas)


def test_no_two_faults_share_a_name() -> None:
    assert len(FAULTS_BY_NAME) == len(FAULTS) > 60


def test_fault_values_fall_back_to_the_default() -> None:
    backlog = FAULTS_BY_NAME["queue_backlog"]
    assert backlog.value_in({"queue_backlog": None}) == "1500"
    assert backlog.value_in({"queue_backlog": "40"}) == "40"
    assert FAULTS_BY_NAME["hung"].value_in({"hung": None}) == ""


def _names_tested_for_membership(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare) or not isinstance(node.left, ast.Constant):
            continue
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn) and ast.unparse(right) in FAULT_CONTAINERS:
                names.add(str(node.left.value))
    return names


def test_every_fault_name_the_reference_acts_on_is_registered() -> None:
    acted_on: dict[str, set[str]] = {}
    for module in PACKAGE.rglob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for name in _names_tested_for_membership(tree):
            acted_on.setdefault(name, set()).add(module.relative_to(PACKAGE).as_posix())
    assert len(acted_on) > 30  # the scan sees the effects (deployment.py, faults/*.py, ...)
    unknown = {name: files for name, files in acted_on.items() if name not in FAULTS_BY_NAME}
    assert not unknown, f"fault names acted on but not registered: {unknown}"


def test_the_areas_tables_of_effects_name_registered_faults() -> None:
    tables = {
        "smoke.ROW_EFFECTS": set(smoke.ROW_EFFECTS),
        "smoke.DATABASE_QUEUE_ONLY": set(smoke.DATABASE_QUEUE_ONLY),
        "health.ROW_EFFECTS": set(health.ROW_EFFECTS),
        "ops.NO_WORKER": set(ops.NO_WORKER),
    }
    unknown = {table: names - set(FAULTS_BY_NAME) for table, names in tables.items()}
    assert not any(unknown.values()), unknown
