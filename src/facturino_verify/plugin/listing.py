"""``--list-checks``: the suite's manual. Every collected check with its suite, severity and
capabilities, and whether it would run: not selected (``-m``/``-k``), or, for the environment
given, the capability it lacks. Nothing runs and nothing is written."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

import pytest

from ..verdict.catalog import default_rule
from . import stash
from .options import CAPABILITY_MARKERS, SUITE_MARKERS
from .verdict import rule_for


@dataclass(frozen=True)
class ListedCheck:
    nodeid: str
    suites: tuple[str, ...]
    severity: str
    capabilities: tuple[str, ...]
    status: str  # "runs", or why it does not


class CheckLister:
    """Registered for ``--list-checks`` only."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.checks: list[ListedCheck] = []

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> Generator[None, None, None]:
        collected = list(items)
        result = yield
        kept = {item.nodeid for item in items}
        pairs: list[tuple[str, str]] = config.stash.get(stash.DESELECTED, [])
        dropped = dict(pairs)
        # -m/-k chose the selection; within it, the environment's capabilities decide.
        selected = [item for item in collected if item.nodeid in kept or item.nodeid in dropped]
        self.checks = [self._listed(item, dropped) for item in selected]
        return result

    def _listed(self, item: pytest.Item, dropped: dict[str, str]) -> ListedCheck:
        marks = [m.name for m in item.iter_markers()]
        if item.nodeid in dropped:
            status = f"deselected: {dropped[item.nodeid]}"
        else:
            status = "runs" if stash.ENVIRONMENT in self.config.stash else "selected"
        return ListedCheck(
            item.nodeid,
            tuple(m for m in SUITE_MARKERS if m in marks),
            self._severity(item),
            tuple(dict.fromkeys(m for m in marks if m in CAPABILITY_MARKERS)),
            status,
        )

    def _severity(self, item: pytest.Item) -> str:
        marker = item.get_closest_marker("severity")
        if stash.ENVIRONMENT in self.config.stash:
            return rule_for(item.name, self.config.stash[stash.ENVIRONMENT], marker).severity
        if marker is not None and marker.args:
            return str(marker.args[0])
        return default_rule(item.name).severity

    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        return True  # a listing runs nothing

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        write = terminalreporter.write_line
        terminalreporter.section("checks")
        if stash.ENVIRONMENT not in self.config.stash:
            write("(no --env given: whether each check would run depends on the environment)")
        for check in self.checks:
            write(check.nodeid)
            suites = ", ".join(check.suites) or "-"
            needs = ", ".join(check.capabilities) or "nothing beyond the target"
            write(f"    suite {suites}; {check.severity}; needs {needs}; {check.status}")
        runs = sum(c.status in ("runs", "selected") for c in self.checks)
        write(f"{len(self.checks)} checks listed, {runs} would run")
