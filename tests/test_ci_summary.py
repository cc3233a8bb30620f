"""The CI job summary and annotations made from a run's summary.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from facturino_verify.ci_summary import annotation_lines, main, markdown

SUMMARY = {
    "verdict": "ROLLBACK",
    "exit_code": 12,
    "reason": "critical check failed: test_up_returns_200_application_up",
    "environment": "prod",
    "target": "https://app.facturino.mk",
    "duration_s": 1.2,
    "scenario": {"title": "Scenario 1: bad deployment", "steps": ["railway rollback ***"]},
    "checks": [
        {"name": "test_hsts", "severity": "major", "outcome": "passed", "message": ""},
        {"name": "test_csp", "severity": "warning", "outcome": "failed", "message": "50% off"},
        {
            "name": "test_up_returns_200_application_up",
            "severity": "critical",
            "outcome": "failed",
            "message": "GET /up: 500\nremedy: check the logs | grep",
        },
    ],
}


def test_annotations_name_each_failed_check_critical_first_escaped() -> None:
    lines = annotation_lines(SUMMARY)
    assert lines == [
        "::error title=critical%3A test_up_returns_200_application_up::GET /up: 500%0Aremedy: "
        "check the logs | grep",
        "::warning title=warning%3A test_csp::50%25 off",
    ]


def test_markdown_leads_with_the_verdict_then_the_runbook_then_the_failures() -> None:
    text = markdown(SUMMARY)
    assert text.startswith("## ROLLBACK (exit 12)\n")
    assert text.index("railway rollback") < text.index("| critical |")
    assert "| critical | `test_up_returns_200_application_up` | GET /up: 500 |" in text
    assert "test_hsts" not in text  # passed checks are the report's business


def test_a_missing_summary_is_a_warning_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path / "summary.json")]) == 0
    assert capsys.readouterr().out.startswith("::warning::no readable summary")


def test_the_command_prints_the_markdown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(SUMMARY))
    assert main([str(path), "--markdown"]) == 0
    assert capsys.readouterr().out == markdown(SUMMARY)


CASCADE = {
    **SUMMARY,
    "root_causes": [
        {
            "check": "test_database_answers_select_1",
            "title": "the database does not answer",
            "seen": "connection refused",
            "remedy": "check DB_HOST",
            "dependents": ["test_session_cookie_secure_flag"],
        }
    ],
    "checks": [
        {
            "name": "test_database_answers_select_1",
            "severity": "critical",
            "outcome": "failed",
            "message": "the deployment answers (probe 'db.version')",
        },
        {
            "name": "test_session_cookie_secure_flag",
            "severity": "major",
            "outcome": "failed",
            "message": "the login page sets the facturino_session cookie",
            "caused_by": "test_database_answers_select_1",
        },
    ],
}


def test_a_root_cause_comes_first_and_its_dependents_carry_no_annotation_of_their_own() -> None:
    lines = annotation_lines(CASCADE)
    assert lines[0].startswith("::error title=root cause%3A the database does not answer::")
    assert "remedy: check DB_HOST" in lines[0].replace("%0A", "\n")
    assert not any("title=major%3A test_session_cookie_secure_flag" in line for line in lines)
    text = markdown(CASCADE)
    assert text.index("Root cause") < text.index("| severity |")
    assert (
        "| major | `test_session_cookie_secure_flag` | caused by test_database_answers_select_1 |"
        in text
    )
