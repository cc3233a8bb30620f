"""The pytest plugin (entry point ``pytest11``): options, markers, config, fixtures, reports.

Inert unless ``--env``/``--env-file`` is given, because it is loaded into every pytest run.
"""

from __future__ import annotations

from .capabilities import pytest_collection_modifyitems
from .configure import pytest_configure
from .fixtures import (
    admin_session,
    deployment,
    environment,
    partner_session,
    postgres,
    probes,
    redis_client,
)
from .history import record_figure, record_state, run_history
from .ops import now_utc, ops, shell_command
from .options import pytest_addoption
from .report import (
    pytest_html_report_title,
    pytest_html_results_summary,
    pytest_html_results_table_row,
    pytest_metadata,
    pytest_report_header,
    pytest_runtest_makereport,
    pytest_sessionstart,
    pytest_terminal_summary,
    pytest_unconfigure,
)

# The feature flows' hooks and fixtures, as plugins of their own (their hooks share names with
# this module's: pytest_configure, pytest_terminal_summary, ...).
pytest_plugins = [
    "facturino_verify.plugin.features",
    "facturino_verify.plugin.flows",
    "facturino_verify.plugin.perf",
    "facturino_verify.plugin.queue_watch",
    "facturino_verify.plugin.monitoring",
]

__all__ = [
    "admin_session",
    "deployment",
    "environment",
    "now_utc",
    "ops",
    "partner_session",
    "postgres",
    "probes",
    "pytest_addoption",
    "pytest_collection_modifyitems",
    "pytest_configure",
    "pytest_html_report_title",
    "pytest_html_results_summary",
    "pytest_html_results_table_row",
    "pytest_metadata",
    "pytest_report_header",
    "pytest_runtest_makereport",
    "pytest_sessionstart",
    "pytest_terminal_summary",
    "pytest_unconfigure",
    "record_figure",
    "record_state",
    "redis_client",
    "run_history",
    "shell_command",
]
