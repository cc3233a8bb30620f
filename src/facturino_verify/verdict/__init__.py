"""The release verdict: severities, the decision, the runbook's rollback scenarios. No pytest."""

from __future__ import annotations

from .catalog import SEVERITIES, Scenario, Severity, default_rule, matches
from .decide import EXIT_CODES, CheckResult, Verdict, decide
from .scenarios import TITLES, RollbackValues, rollback_values, steps

__all__ = [
    "EXIT_CODES",
    "SEVERITIES",
    "TITLES",
    "CheckResult",
    "RollbackValues",
    "Scenario",
    "Severity",
    "Verdict",
    "decide",
    "default_rule",
    "matches",
    "rollback_values",
    "steps",
]
