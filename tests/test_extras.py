"""Which suites a `-m` expression asks for, and the fix named when their extra is missing."""

from __future__ import annotations

import itertools
import subprocess
import tomllib
from pathlib import Path

import pytest

from facturino_verify.extras import (
    FEATURES_EXTRA,
    PERF_EXTRA,
    SUITE_FOLDERS,
    install_hint,
    missing_modules,
    selected_by,
)
from facturino_verify.plugin.options import SUITE_MARKERS

from .test_suites_require_env import ROOT, run_pytest


@pytest.mark.parametrize(
    ("markexpr", "features", "perf"),
    [
        ("", True, True),
        ("smoke", False, False),
        ("features", True, False),
        ("features and writes", True, False),
        ("features and not browser", True, False),
        ("not smoke", True, True),
        ("smoke or perf", False, True),
        ("daily or weekly", False, False),
        ("admin_account", True, True),
        # capabilities mixed: a browser test that needs no database exists only if each
        # capability is tried on its own, not all present or all absent
        ("features and browser and not db", True, False),
        ("perf and not (db or admin_account)", False, True),
    ],
)
def test_a_suite_is_asked_for_when_the_expression_can_select_one_of_its_tests(
    markexpr: str, features: bool, perf: bool
) -> None:
    assert selected_by(markexpr, FEATURES_EXTRA, SUITE_MARKERS) is features
    assert selected_by(markexpr, PERF_EXTRA, SUITE_MARKERS) is perf


@pytest.mark.parametrize(
    ("markexpr", "ops"),
    [
        ("smoke", False),
        ("smoke or variables or caches", True),
        ("smoke or caches", True),
        ("daily and not (variables or caches)", True),
    ],
)
def test_the_runtime_configuration_checks_bring_the_ops_folder_into_the_gate(
    markexpr: str, ops: bool
) -> None:
    """`-m "smoke or variables or caches"` adds printenv and the caches to the gate: tests_ops
    must be collected for it (conftest.py leaves out the folders -m cannot select)."""
    (folder,) = [suite for suite in SUITE_FOLDERS if suite.folder == "tests_ops"]
    assert selected_by(markexpr, folder, SUITE_MARKERS) is ops


def test_missing_modules_are_named_with_the_pip_command() -> None:
    missing = missing_modules(FEATURES_EXTRA, found=lambda module: module != "lxml")
    assert missing == ["lxml"]
    hint = install_hint(FEATURES_EXTRA, missing)
    assert "(missing: lxml)" in hint
    assert "pip install 'facturino-verify[features]'" in hint
    assert missing_modules(PERF_EXTRA) == [], "the project's own venv has every extra"


INSTALL = Path(__file__).resolve().parent.parent / "tools" / "install-suite.sh"


def test_make_install_names_each_suite_s_extra_and_refuses_an_unknown_suite() -> None:
    script = INSTALL.read_text()
    for suite in (FEATURES_EXTRA, PERF_EXTRA):
        (marker,) = suite.markers
        assert f'{marker}) extra="[{suite.extra}]"' in script
    assert 'smoke) extra=""' in script, "the gate is the core install"
    done = subprocess.run([str(INSTALL), "bogus"], capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "SUITE must be one of smoke, features, perf, monitoring, daily, weekly" in done.stderr


def test_suite_folders_are_the_testpaths_and_carry_every_suite_marker() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    testpaths = pyproject["tool"]["pytest"]["ini_options"]["testpaths"]
    assert [suite.folder for suite in SUITE_FOLDERS] == testpaths
    assert sorted(m for suite in SUITE_FOLDERS for m in suite.markers) == sorted(SUITE_MARKERS)


def test_every_check_carries_its_folder_s_suite_marker_and_no_other() -> None:
    """What lets a `-m` run skip importing the folders it cannot select (conftest.py)."""
    listing = run_pytest("--list-checks", "-q", *[suite.folder for suite in SUITE_FOLDERS])
    lines = listing.stdout.splitlines()
    checks = [(node, detail) for node, detail in itertools.pairwise(lines) if "::" in node]
    assert len(checks) > 100, listing.stdout[-2000:]
    folders = {suite.folder: set(suite.markers) for suite in SUITE_FOLDERS}
    for node, detail in checks:
        suites = set(detail.split(";", 1)[0].removeprefix("    suite ").split(", "))
        own = folders[node.split("/", 1)[0]]
        assert suites and suites <= own, f"{node}: suite markers {suites}, its folder's {own}"


def plugins_loaded(*args: str) -> str:
    """The plugins a run registered, and its collection count line."""
    run = run_pytest("--collect-only", "-q", "--trace-config", "--no-reports", *args)
    lines = run.stdout.splitlines()
    assert "Warning" not in run.stdout, run.stdout[-2000:]
    return "\n".join(line for line in lines if "PLUGIN registered" in line or "collected" in line)


def test_the_smoke_gate_loads_neither_the_browser_nor_the_benchmark_plugin(tmp_path: Path) -> None:
    env = tmp_path / "target.toml"
    env.write_text('[target]\nurl = "https://127.0.0.1:9"\n')
    smoke = plugins_loaded("-m", "smoke", f"--env-file={env}")
    assert "facturino_verify.plugin.optional" in smoke
    assert "pytest_playwright" not in smoke and "pytest_base_url" not in smoke
    assert "pytest_benchmark" not in smoke and "anyio" not in smoke
    # The other suites' folders are not even collected: as many tests as tests_smoke holds.
    only_smoke = plugins_loaded("tests_smoke", "-m", "smoke", f"--env-file={env}")
    assert collected_total(smoke) == collected_total(only_smoke)


def collected_total(output: str) -> str:
    """M of pytest's "N/M tests collected" (N when nothing was deselected)."""
    line = next(line for line in output.splitlines() if "collected" in line)
    return line.split(" tests collected")[0].split("/")[-1]


@pytest.mark.parametrize(
    ("args", "loaded", "absent"),
    [
        (["-m", "features"], ["pytest_playwright", "pytest_base_url"], ["pytest_benchmark"]),
        (["-m", "perf"], ["pytest_benchmark"], ["pytest_playwright"]),
        (["tests_features", "-m", "not smoke"], ["pytest_playwright"], ["pytest_benchmark"]),
        (["-m", "features", "-p", "no:playwright"], ["pytest_base_url"], ["pytest_playwright"]),
    ],
    ids=["features", "perf", "features_folder", "blocked_by_the_user"],
)
def test_a_run_that_can_select_a_suite_loads_the_plugins_it_uses(
    args: list[str], loaded: list[str], absent: list[str]
) -> None:
    seen = plugins_loaded(*args)
    for name in loaded:
        assert name in seen, f"{name} not loaded by {args}"
    for name in absent:
        assert name not in seen, f"{name} loaded by {args}"
