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
    run = run_pytest("tests_smoke", f"--env-file={env}", "--no-reports", "--collect-only", "-q")
    assert run.returncode == pytest.ExitCode.OK, run.stdout + run.stderr
    assert "tests_smoke/test_availability.py::test_up_returns_200_application_up" in run.stdout


@pytest.mark.parametrize("option", ["--env-file", "--reports-dir"])
def test_a_path_option_written_with_a_space_that_moves_rootdir_is_refused(
    option: str, tmp_path: Path
) -> None:
    """pytest reads the value as a test path before the plugin is loaded: outside the project
    it moves rootdir and loses pyproject.toml (markers, --strict-markers, test paths)."""
    env = tmp_path / "nowhere.toml"
    env.write_text('[target]\nurl = "https://127.0.0.1:9"\n')
    reports = tmp_path / "reports"
    reports.mkdir()  # docs/ci.md's cron line, from its second run on
    value = str(env if option == "--env-file" else reports)
    given = [option, value] if option == "--env-file" else [f"--env-file={env}", option, value]
    run = run_pytest("-m", "smoke", *given)
    errors = [line for line in (run.stdout + run.stderr).splitlines() if line.startswith("ERROR")]
    assert run.returncode == pytest.ExitCode.USAGE_ERROR, run.stdout + run.stderr
    # rootdir becomes the common ancestor of the project and the value (/tmp when the project
    # itself is under /tmp, as in .ci/run's copy): named, whichever it is.
    (error,) = errors
    assert error.startswith(f"ERROR: {option}: pytest took {value} for a test path before the ")
    assert "(rootdir became /" in error and f"{ROOT / 'pyproject.toml'} was not read" in error
    assert error.endswith(f"write it with '=': {option}={value}")
    assert not (tmp_path / ".pytest_cache").exists() and list(reports.iterdir()) == []


def test_a_space_inside_the_project_keeps_the_configuration(tmp_path: Path) -> None:
    run = run_pytest("-m", "smoke", "--env", "nowhere", "--co", "-q")  # 'nowhere' is no path
    assert "pytest took" not in run.stdout + run.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--markers"],
        ["--fixtures", "tests_smoke"],
        ["--collect-only", "-q", "tests_smoke"],
        ["-m", "smoke", "--list-checks"],
    ],
    ids=["markers", "fixtures", "collect_only", "list_checks"],
)
def test_the_manual_needs_no_target_and_writes_no_report(args: list[str], tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    run = run_pytest(*args, f"--reports-dir={reports}")
    assert run.returncode == pytest.ExitCode.OK, run.stdout + run.stderr
    assert "ERROR" not in run.stdout + run.stderr
    assert not reports.exists()


def test_list_checks_says_what_an_environment_would_not_run(tmp_path: Path) -> None:
    env = tmp_path / "nowhere.toml"
    env.write_text('[target]\nurl = "https://127.0.0.1:9"\n')
    reports = tmp_path / "reports"
    run = run_pytest(
        "-m", "smoke", "--list-checks", f"--env-file={env}", f"--reports-dir={reports}"
    )
    assert run.returncode == pytest.ExitCode.OK, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    at = lines.index("tests_smoke/test_redis.py::test_redis_answers_ping")
    assert lines[at + 1].strip() == (
        "suite smoke; critical; needs redis; deselected: environment 'nowhere' has no [redis] "
        "section"
    )
    at = lines.index("tests_smoke/test_availability.py::test_up_returns_200_application_up")
    assert lines[at + 1].strip().endswith("needs nothing beyond the target; runs")
    assert not reports.exists(), "a listing overwrites no report"


def test_fixtures_with_a_target_overwrite_no_report(tmp_path: Path) -> None:
    env = tmp_path / "nowhere.toml"
    env.write_text('[target]\nurl = "https://127.0.0.1:9"\n')
    reports = tmp_path / "reports"
    run = run_pytest("--fixtures", "tests_smoke", f"--env-file={env}", f"--reports-dir={reports}")
    assert run.returncode == pytest.ExitCode.OK, run.stdout + run.stderr
    assert "deployment" in run.stdout and not reports.exists()
