"""Weekly: "Check disk usage" (runbook `df -h`; docs alert at 90 %), from the app's
`fakturino_invoiceshelf_disk_usage_percent` gauge (PrometheusController's, in the exporter's
namespace; d5d901d7 answers /metrics with 500) and from `df -h` inside the deployment."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from facturino_verify.checks import ops as checks
from facturino_verify.checks import trend
from facturino_verify.checks.artisan import parse_df
from facturino_verify.checks.metrics import metric_families
from facturino_verify.clients import shell
from facturino_verify.clients.shell import ShellResult
from facturino_verify.config import Environment
from facturino_verify.runs.ops import Ops

pytestmark = pytest.mark.weekly


@pytest.mark.metrics_auth
def test_disk_usage_below_threshold_per_metrics(
    ops: Ops, environment: Environment, record_figure: Callable[[str, float], None]
) -> None:
    percent = checks.expect_gauge(metric_families(ops.metrics_response()), trend.DISK)
    record_figure("disk_usage_percent", percent)
    checks.expect_disk_below(percent, environment.thresholds.disk_usage_percent_max, "metrics")


@pytest.mark.shell
def test_disk_usage_below_threshold_per_df(
    ops: Ops, environment: Environment, shell_command: Callable[[shell.Command], ShellResult]
) -> None:
    result = shell_command(shell.disk_free())
    rows = checks.storage_filesystems(
        parse_df(result.stdout), environment.shell.df_ignored_mounts, ops.shown(result)
    )
    checks.expect_df_below(rows, environment.thresholds.disk_usage_percent_max)
