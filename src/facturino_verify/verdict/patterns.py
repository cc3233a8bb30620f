"""``[severity]`` and ``[waivers]`` patterns that name no check are the operator's mistake (a
typo would silently change nothing): found before collection, from the suites' own source, so
the run stops with one usage error instead of quietly ignoring them."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..config import ConfigError
from ..config.errors import did_you_mean, location
from ..verdict.catalog import matches

SUITE_GLOB = "tests_*/test_*.py"


def check_names(root: Path) -> set[str]:
    """Every check (test function) of the suites under ``root``, by name; parameters aside."""
    names: set[str] = set()
    for path in root.glob(SUITE_GLOB):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (OSError, SyntaxError, UnicodeDecodeError):
            continue
        names |= {
            node.name
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.name.startswith("test_")
        }
    return names


def names_a_check(pattern: str, names: Iterable[str]) -> bool:
    """The pattern's test name (before any ``[parameters]``) matches a check's name."""
    base = pattern.split("[", 1)[0]
    return any(matches(base, name) or matches(pattern, name) for name in names)


def pattern_mistakes(
    patterns: Mapping[str, Iterable[str]], file: str, root: Path
) -> list[ConfigError]:
    """Each pattern (by section: ``severity``, ``waivers``) that names no check of the suites
    under ``root``."""
    if not any(patterns.values()):
        return []  # nothing to match: the suites' source is not read
    names = check_names(root)
    if not names:  # not run from the project (no suites to read): nothing to check against
        return []
    mistakes = []
    for section, written in patterns.items():
        for pattern in written:
            if names_a_check(pattern, names):
                continue
            close = did_you_mean(pattern.split("[", 1)[0], sorted(names))
            mistakes.append(
                ConfigError(
                    f"pattern '{pattern}' names no check. {close}".rstrip(),
                    location(file, section),
                    "fix it (test names; `*` is the only wildcard) or remove it",
                )
            )
    return mistakes
