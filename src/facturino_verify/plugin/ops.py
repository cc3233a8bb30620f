"""Fixtures of the daily and weekly operations suite (``tests_ops/``): ``ops`` (runs/ops.py)
with the run's redactor, the clock, and ``shell_command``."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ..clients import shell as commands
from ..clients.shell import ShellResult
from ..runs.deployment import Deployment
from ..runs.ops import Ops
from . import stash


@pytest.fixture(scope="session")
def ops(deployment: Deployment, pytestconfig: pytest.Config) -> Iterator[Ops]:
    """The daily/weekly questions (shell commands, backups, queues, metrics, the restore
    drill), each asked once per run; downloads live in a temporary directory removed at the end."""
    tmp = Path(tempfile.mkdtemp(prefix="facturino-verify-ops-"))
    redact = pytestconfig.stash[stash.REDACTOR]
    try:
        yield Ops(deployment, redact, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def now_utc() -> dt.datetime:
    """The run's reference time (UTC, aware): ages are measured against it."""
    return dt.datetime.now(dt.UTC)


@pytest.fixture
def shell_command(
    ops: Ops, request: pytest.FixtureRequest
) -> Callable[[commands.Command], ShellResult]:
    """``shell_command(command)``: run one allowed command in the deployment (once per run) and
    attach its redacted output to this test's report as evidence."""

    def run(command: commands.Command) -> ShellResult:
        __tracebackhide__ = True
        result = ops.shell(command)
        request.node.add_report_section(
            "call", f"{command.label} (exit {result.exit_code})", ops.shown(result)
        )
        return result

    return run
