"""The project's top-level ``conftest.py``: the verification suites refuse to run without a target,
while the plugin stays inert everywhere else. Real ``pytest`` processes from the project root."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYTEST = Path(sys.executable).with_name("pytest")  # the venv's pytest, as a user runs it
REFUSAL = (
    "ERROR: the verification suites need a target: pass --env NAME (a file in environments/) "
    "or --env-file PATH"
)


def run_pytest(*args: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("FACTURINO_", "PYTEST_"))}
    return subprocess.run(
        [str(PYTEST), *args], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    "args",
    [["tests_smoke", "-q"], ["tests_smoke/test_health.py::test_health_returns_200"]],
    ids=["suite_dir", "one_test"],
)
def test_suite_without_env_is_one_usage_error(args: list[str]) -> None:
    run = run_pytest(*args)
    lines = (run.stdout + run.stderr).splitlines()
    assert run.returncode == pytest.ExitCode.USAGE_ERROR
    assert [line for line in lines if line.startswith("ERROR:")] == [REFUSAL]
    assert "Traceback" not in run.stdout + run.stderr


def test_non_suite_path_without_env_is_not_refused() -> None:
    run = run_pytest("tests/config_cases", "-q")  # holds no tests: exit 5, not 4
    assert run.returncode == pytest.ExitCode.NO_TESTS_COLLECTED
    assert "ERROR:" not in run.stdout + run.stderr


def test_suite_with_env_file_collects(tmp_path: Path) -> None:
    env = tmp_path / "nowhere.toml"
    env.write_text('[target]\nurl = "https://127.0.0.1:9"\n')
    run = run_pytest("tests_smoke", "--env-file", str(env), "--no-reports", "--collect-only", "-q")
    assert run.returncode == pytest.ExitCode.OK, run.stdout + run.stderr
    assert "tests_smoke/test_availability.py::test_up_returns_200_application_up" in run.stdout
