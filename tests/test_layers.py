"""The layers import only downwards, and only the plugin (and the suite-extras glue) imports pytest.

config ← clients ← checks ← runs ← plugin, verdict ← report ← plugin: a run object or a check
that imported pytest, or a client that imported a check, would mix what ARCHITECTURE.md keeps
apart (and would load pytest's machinery into code meant to run without it).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "facturino_verify"
PYTEST = "pytest"

# What each layer may import from the others (its own modules are always allowed).
ALLOWED = {
    "__init__": set(),
    "redact": set(),
    "config": {"redact"},
    "clients": {"config", "redact"},
    "checks": {"clients", "config", "redact"},
    "verdict": {"config", "redact"},
    "runs": {"checks", "clients", "config", "redact"},
    "report": {"verdict", "config", "redact"},
    "ci_summary": {"verdict", "config", "redact"},
    "cli": {"verdict", "report", "config", "redact"},
    "extras": {PYTEST},
    "plugin": {
        "runs",
        "report",
        "verdict",
        "checks",
        "clients",
        "config",
        "redact",
        "extras",
        PYTEST,
    },
}


def layer_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def imported_layers(path: Path) -> set[str]:
    relative = path.relative_to(PACKAGE)
    return imports_of(path.read_text(), relative) - {layer_of(path)}


def imports_of(source: str, relative: Path) -> set[str]:
    """The layers (and pytest) a module at ``relative`` (inside the package) imports."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level:
            # Resolved inside the package: ``..checks`` from ``runs/x.py`` is ``checks``.
            base = list(relative.parts[:-1])[: len(relative.parts) - node.level]
            module = node.module.split(".") if node.module else []
            inside = [base + module] if module else [[*base, a.name] for a in node.names]
            found |= {parts[0] for parts in inside if parts}
            continue
        if isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module]
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        else:
            continue
        for module in modules:
            top, _, rest = module.partition(".")
            if top == "facturino_verify" and rest:
                found.add(rest.split(".")[0])
            elif top in ("pytest", "_pytest"):
                found.add(PYTEST)
    return found


def test_every_layer_imports_only_what_it_may() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        layer = layer_of(path)
        assert layer in ALLOWED, f"{path}: a new layer, place it in ALLOWED"
        for imported in sorted(imported_layers(path) - ALLOWED[layer]):
            wrong.append(f"{path.relative_to(PACKAGE)} imports {imported}")
    assert wrong == []


def test_only_the_plugin_imports_pytest() -> None:
    importers = {
        layer_of(path) for path in PACKAGE.rglob("*.py") if PYTEST in imported_layers(path)
    }
    assert importers <= {"plugin", "extras"}, importers


def test_the_checker_sees_an_upward_import_and_a_pytest_import() -> None:
    """The tests above could pass by reading nothing: each kind of import must be seen."""
    source = "import pytest\nfrom ..checks import base\nfrom facturino_verify.plugin import stash\n"
    assert imports_of(source, Path("clients", "x.py")) == {PYTEST, "checks", "plugin"}
    assert imports_of("from . import stash\n", Path("plugin", "x.py")) == {"plugin"}
    assert imports_of("from .runs import probes\n", Path("x.py")) == {"runs"}
    assert "checks" in imported_layers(PACKAGE / "runs" / "probes.py")
