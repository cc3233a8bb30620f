"""Which suites need an optional part of the install (``pip install 'facturino-verify[EXTRA]'``).

The smoke gate needs only the core install. The other suites' modules import libraries the gate
does not; where those are missing their folder is left out of collection (so ``-m smoke`` still
collects) and a run that asks for such a suite is refused with the pip command that fixes it.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterable
from dataclasses import dataclass

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


def selected_by(markexpr: str, suite: SuiteExtra, suite_markers: Iterable[str]) -> bool:
    """Whether ``-m MARKEXPR`` can select a test of the suite: it carries the suite's markers,
    no other suite's, and any of the capability markers (so each is tried both ways)."""
    if not markexpr:
        return True
    expression = Expression.compile(markexpr)
    others = set(suite_markers) - set(suite.markers)

    def with_capabilities(present: bool) -> bool:
        def has(name: str, /, **_: object) -> bool:
            return name in suite.markers or (present and name not in others)

        return expression.evaluate(has)

    return with_capabilities(False) or with_capabilities(True)
