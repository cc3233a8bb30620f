"""`[variables] source = "railway"`: the critical variables read with `railway variables --kv`,
the service's variables as Railway holds them, instead of `railway run printenv` (which runs on
the runner with the service's variables injected over the runner's own). Against the reference
deployment's stand-in CLI (`HOME/bin/railway`, `facturino_reference/railwaycli.py`): the same
checks pass on a healthy deployment and fail on the same fault, nothing of a process's own is
listed, and a CLI that cannot answer fails the checks with its own words and no secret."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from facturino_reference.appenv import read_env_file
from facturino_reference.railwaycli import run as railway

from .reference_runs import SuiteRun, run_suite
from .test_fault_matrix import reference_on_a_free_base
from .test_fault_matrix_ops import failing, variable

RAILWAY = {"FACTURINO_VERIFY__VARIABLES__SOURCE": "railway"}
CROSS_CHECKS = {
    "test_app_env_agrees_with_hsts_seen_from_outside",
    "test_app_debug_agrees_with_debug_headers_seen_from_outside",
}


def variables_run(home: Path, **overrides: str) -> SuiteRun:
    """`pytest -m variables` over tests_ops with the Railway CLI as the source; -rP shows the
    masked listing of passed checks too."""
    return run_suite(home, "variables", "tests_ops", "-rP", overrides={**RAILWAY, **overrides})


@pytest.fixture(scope="module")
def home() -> Iterator[Path]:
    """One healthy reference deployment for the module."""
    with reference_on_a_free_base([]) as path:
        yield path


def test_the_stand_in_answers_variables_kv_and_refuses_anything_else(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("APP_ENV=production\nAPP_KEY=base64:k\n", encoding="utf-8")
    code, out, _ = railway(tmp_path, ["variables", "--kv", "--service", "facturino"])
    assert code == 0 and "APP_ENV=production\n" in out and "RAILWAY_SERVICE_NAME=facturino" in out
    assert "HOSTNAME=" not in out
    assert railway(tmp_path, ["variables", "--kv", "--set", "APP_DEBUG=true"])[0] == 2
    assert railway(tmp_path, ["run", "printenv"])[0] == 2
    assert railway(tmp_path, ["variables", "--kv", "--environment", "staging"])[:1] == (1,)


def test_a_healthy_deployment_passes_every_variables_check_read_from_railway(home: Path) -> None:
    run = variables_run(home)
    assert run.exit_code == 0, run.output[-3000:]
    assert failing(run) == set() and run.named("skipped") == set()
    assert {variable("APP_ENV"), variable("TELESCOPE_ENABLED")} | CROSS_CHECKS <= set(run.outcomes)
    # Read from Railway, not from printenv in the "container" (whose listing is titled so).
    assert "railway variables --kv (masked)" in run.output
    assert "printenv (masked)" not in run.output


def test_a_cli_that_cannot_answer_fails_the_checks_in_its_own_words_without_a_secret(
    home: Path,
) -> None:
    run = variables_run(home, FACTURINO_VERIFY__VARIABLES__RAILWAY_SERVICE="billing")
    assert run.exit_code != 0
    assert failing(run) == set(run.outcomes) and variable("APP_ENV") in run.outcomes
    assert 'Service "billing" not found.' in run.output
    assert "`railway variables --kv --service billing` lists the deployment's" in run.output
    app_key = read_env_file(home / ".env")["APP_KEY"]
    assert app_key and app_key not in run.output


def test_telescope_enabled_fails_exactly_its_check_read_from_railway() -> None:
    with reference_on_a_free_base(["telescope_enabled"]) as home:
        run = variables_run(home)
    assert run.exit_code != 0
    assert failing(run) == {variable("TELESCOPE_ENABLED")}, run.output[-3000:]
