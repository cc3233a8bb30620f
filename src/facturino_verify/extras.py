"""Which suites need an optional part of the install (``pip install 'facturino-verify[EXTRA]'``).

The smoke gate needs only the core install. The other suites' modules import libraries the gate
does not; where those are missing their folder is left out of collection (so ``-m smoke`` still
collects) and a run that asks for such a suite is refused with the pip command that fixes it.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import combinations, product
from typing import Protocol

from _pytest.mark.expression import Expression


@dataclass(frozen=True)
class SuiteExtra:
    folder: str
    markers: tuple[str, ...]
    extra: str
    modules: tuple[str, ...]


# lxml and signxml for e-Faktura, pypdf for the invoice PDF, hashids for the public invoice
# link, pytest-playwright for the browser flows' page fixtures.
FEATURES_EXTRA = SuiteExtra(
    "tests_features",
    ("features",),
    "features",
    ("lxml", "signxml", "pypdf", "hashids", "pytest_playwright"),
)
PERF_EXTRA = SuiteExtra("tests_perf", ("perf",), "perf", ("pytest_benchmark",))
SUITE_EXTRAS = (FEATURES_EXTRA, PERF_EXTRA)


def installed(module: str) -> bool:
    """Whether ``import module`` can find it (a finder that refuses it counts as missing)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def missing_modules(suite: SuiteExtra, found: Callable[[str], bool] = installed) -> list[str]:
    return [module for module in suite.modules if not found(module)]


def install_hint(suite: SuiteExtra, missing: list[str]) -> str:
    return (
        f"the {'/'.join(suite.markers)} suite needs the '{suite.extra}' extra "
        f"(missing: {', '.join(missing)}): pip install 'facturino-verify[{suite.extra}]' "
        f"(from a clone: pip install -e '.[{suite.extra}]', or make setup)"
    )


class HasMarkers(Protocol):
    @property
    def markers(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class SuiteFolder:
    """A suite folder and the suite markers its tests carry (each test at least one of them,
    no other suite's: tests/test_extras.py holds the suites to that)."""

    folder: str
    markers: tuple[str, ...]


SUITE_FOLDERS = (
    SuiteFolder("tests_smoke", ("smoke",)),
    SuiteFolder(FEATURES_EXTRA.folder, FEATURES_EXTRA.markers),
    SuiteFolder(PERF_EXTRA.folder, PERF_EXTRA.markers),
    SuiteFolder("tests_monitoring", ("monitoring",)),
    SuiteFolder("tests_ops", ("daily", "weekly", "predeploy", "variables", "caches")),
)
# pytest's marker-expression identifiers; `and`/`or`/`not` are its operators.
_IDENTIFIER = re.compile(r"(?:\w|:|\+|-|\.|\[|\])+")
_OPERATORS = {"and", "or", "not"}
# Beyond this many other markers named in -m, every combination is not tried: the suite is
# taken as selectable (leaving a suite out on a guess would drop checks silently).
_MOST_TRIED = 10


def selected_by(markexpr: str, suite: HasMarkers, suite_markers: Iterable[str]) -> bool:
    """Whether ``-m MARKEXPR`` can select a test of the suite: one that carries some of the
    suite's markers, no other suite's, and any combination of the other markers the expression
    names (capabilities, severity...). Every combination is tried, so the answer is exact."""
    if not markexpr:
        return True
    expression = Expression.compile(markexpr)
    all_suites = set(suite_markers)
    others = sorted(set(_IDENTIFIER.findall(markexpr)) - _OPERATORS - all_suites)
    if len(others) > _MOST_TRIED:
        return True
    own = [
        set(chosen)
        for count in range(1, len(suite.markers) + 1)
        for chosen in combinations(suite.markers, count)
    ]
    for mine in own:
        for present in product((False, True), repeat=len(others)):
            carried = mine | {name for name, on in zip(others, present, strict=True) if on}
            if expression.evaluate(_carries(carried)):
                return True
    return False


def _carries(markers: set[str]) -> Callable[..., bool]:
    def has(name: str, /, **_: object) -> bool:
        return name in markers

    return has
