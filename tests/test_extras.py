"""Which suites a `-m` expression asks for, and the fix named when their extra is missing."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from facturino_verify.extras import (
    FEATURES_EXTRA,
    PERF_EXTRA,
    install_hint,
    missing_modules,
    selected_by,
)
from facturino_verify.plugin.options import SUITE_MARKERS


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
    ],
)
def test_a_suite_is_asked_for_when_the_expression_can_select_one_of_its_tests(
    markexpr: str, features: bool, perf: bool
) -> None:
    assert selected_by(markexpr, FEATURES_EXTRA, SUITE_MARKERS) is features
    assert selected_by(markexpr, PERF_EXTRA, SUITE_MARKERS) is perf


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
