"""Typed stash keys: the plugin's state lives on ``config.stash``, not on attributes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ..config import Environment
from ..config.release import ExpectedRelease
from ..redact import Redactor
from ..report.notify import Sent
from ..verdict import CheckResult, RollbackValues, Verdict
from ..verdict.rootcause import RootCause
from ..verdict.waivers import WaiverReport, WaiverRule

ENVIRONMENT = pytest.StashKey[Environment]()
ENV_FILE = pytest.StashKey[Path]()
REDACTOR = pytest.StashKey[Redactor]()
SECRETS = pytest.StashKey[list[str]]()  # every secret the environment resolved
# (node id, reason) of every test deselected because the environment lacks a capability.
DESELECTED = pytest.StashKey[list[tuple[str, str]]]()
# Every selected or capability-deselected check of the run, by node id.
RESULTS = pytest.StashKey[dict[str, CheckResult]]()
VERDICT = pytest.StashKey[Verdict]()
RUN_STARTED = pytest.StashKey[float]()  # time.monotonic() at configure: the run's time budget
PROBE_LATENCY = pytest.StashKey[dict[str, float]]()  # probe name → ms, for the report's chart
PUSH_PROBLEM = pytest.StashKey[str]()  # why the Pushgateway push failed ("" = it worked)
WAIVERS = pytest.StashKey[list[WaiverRule]]()  # the environment's [waivers], as rules
TODAY = pytest.StashKey[date]()  # the run's UTC date: waivers count through their expiry date
WAIVER_REPORT = pytest.StashKey[WaiverReport]()  # what the waivers did, decided at the end
ROOT_CAUSES = pytest.StashKey[list[RootCause]]()  # failures that explain others, found at the end
INTERRUPTED = pytest.StashKey[bool]()  # the run ended on Ctrl-C (set with the verdict)
NOTIFICATIONS = pytest.StashKey[list[Sent]]()  # what each channel of [notify] made of the verdict
# The release the deployment must report; None when nothing names one (its check is deselected).
RELEASE = pytest.StashKey[ExpectedRelease | None]()
# The runbook's rollback values with the release to go back to, found with the verdict.
ROLLBACK = pytest.StashKey[RollbackValues]()
