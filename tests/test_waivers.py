"""Waivers (``[waivers]``): a known defect's failure is WAIVED in the terminal, the HTML report,
JUnit and summary.json and does not change the verdict; after its expiry it counts again; a
waiver whose checks ran and passed is reported as stale. Pure units, then pytester runs."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from facturino_verify.verdict import EXIT_CODES, CheckResult, decide
from facturino_verify.verdict.table import fill
from facturino_verify.verdict.waivers import WaiverRule, covering, report

RUN = ("-p", "no:cacheprovider", "-p", "no:playwright")
TODAY = date(2026, 12, 4)
ENV = '[target]\nurl = "https://127.0.0.1:9"\n'
CHECKS = (
    "def test_metrics_answer():\n    assert False, 'GET /metrics answered 500'\n\n"
    "def test_up_answers():\n    pass\n"
)


def result(name: str, outcome: str, severity: str = "major") -> CheckResult:
    return CheckResult(name, name, severity, "bad_deployment", outcome)  # type: ignore[arg-type]


def rule(pattern: str, expires: date = TODAY) -> WaiverRule:
    return WaiverRule(pattern, "upstream defect", expires, "https://tickets.example/42")


def test_a_waiver_covers_until_its_expiry_date_inclusive() -> None:
    waiver = rule("test_metrics_*")
    assert covering("test_metrics_answer", [waiver]) is waiver
    assert covering("test_up_answers", [waiver]) is None
    assert waiver.active_on(TODAY)
    assert not waiver.active_on(TODAY + timedelta(days=1))


def test_waived_checks_do_not_change_the_verdict_but_are_named() -> None:
    verdict = decide([result("test_up", "passed", "critical"), result("test_metrics_a", "waived")])
    assert verdict.name == "GO"
    assert "1 waived known defect(s): test_metrics_a" in verdict.reason
    assert verdict.counts["major"] == {**verdict.counts["major"], "waived": 1, "ran": 1}


def test_a_waived_critical_check_still_counts_as_judged() -> None:
    # Not INCONCLUSIVE: the check ran; its failure is known and accepted.
    assert decide([result("test_up", "waived", "critical")]).name == "GO"


def test_verification_table_shows_waived_rows() -> None:
    rows = {r.row.feature: r.result for r in fill([result("test_metrics_answer", "waived")])}
    assert rows["Monitoring"] == "WAIVED"


def test_report_sorts_applied_expired_and_stale_waivers() -> None:
    results = [
        result("test_metrics_answer", "waived"),
        result("test_hsts_matches_app_env", "failed"),
        result("test_up_answers", "passed"),
    ]
    rules = [
        rule("test_metrics_*"),
        rule("test_hsts_*", TODAY - timedelta(days=1)),
        rule("test_up_*"),
        rule("test_banking_*"),  # its checks did not run: neither used nor stale
    ]
    seen = report(results, rules, TODAY)
    assert seen.applied == {"test_metrics_*": ["test_metrics_answer"]}
    assert seen.expired == {"test_hsts_*": ["test_hsts_matches_app_env"]}
    assert seen.stale == ["test_up_*"]


def write_env(pytester: pytest.Pytester, expires: date, pattern: str = "test_metrics_*") -> None:
    pytester.makefile(
        ".toml",
        env=ENV
        + f'[waivers."{pattern}"]\nreason = "the real app answers 500 (PrometheusController)"\n'
        f'expires = {expires.isoformat()}\nticket = "https://tickets.example/42"\n',
    )


def test_an_active_waiver_makes_the_failure_waived_everywhere(pytester: pytest.Pytester) -> None:
    write_env(pytester, date.today() + timedelta(days=30))
    pytester.makepyfile(test_checks=CHECKS)
    result = pytester.runpytest("--env-file=env.toml", *RUN, "-v")
    assert result.ret == EXIT_CODES["GO"]
    result.stdout.fnmatch_lines(
        [
            "*test_metrics_answer WAIVED*",
            "*waivers: known defects*",
            "WAIVED test_metrics_answer: the real app answers 500*tickets.example/42*",
            "*VERDICT: GO*1 waived known defect(s): test_metrics_answer*",
        ]
    )
    reports = pytester.path / "reports"
    summary = json.loads((reports / "summary.json").read_text())
    check = next(c for c in summary["checks"] if c["name"] == "test_metrics_answer")
    assert check["outcome"] == "waived"
    assert check["message"].startswith("AssertionError: GET /metrics answered 500")
    assert summary["waivers"]["applied"][0]["checks"] == ["test_metrics_answer"]
    case = next(
        c
        for c in ET.parse(reports / "junit.xml").getroot().iter("testcase")
        if c.get("name") == "test_metrics_answer"
    )
    skipped = case.find("skipped")
    assert skipped is not None and (skipped.get("message") or "").startswith("WAIVED: ")
    html = (reports / "report.html").read_text()
    assert "Known defects (waivers)" in html and "[WAIVED] test_checks.py" in html


def test_an_expired_waiver_counts_the_failure_again(pytester: pytest.Pytester) -> None:
    write_env(pytester, date.today() - timedelta(days=1))
    pytester.makepyfile(test_checks=CHECKS)
    result = pytester.runpytest("--env-file=env.toml", *RUN)
    assert result.ret == EXIT_CODES["BLOCKED"]
    result.stdout.fnmatch_lines(
        [
            "*waiver 'test_metrics_*' expired on *: this failure counts again*",
            "EXPIRED waiver 'test_metrics_*'*test_metrics_answer count again*",
        ]
    )
    summary = json.loads((pytester.path / "reports" / "summary.json").read_text())
    assert summary["waivers"]["expired"][0]["checks"] == ["test_metrics_answer"]


def test_a_waiver_whose_checks_passed_is_stale(pytester: pytest.Pytester) -> None:
    write_env(pytester, date.today() + timedelta(days=30), pattern="test_up_*")
    pytester.makepyfile(test_checks="def test_up_answers():\n    pass\n")
    result = pytester.runpytest("--env-file=env.toml", *RUN)
    assert result.ret == EXIT_CODES["GO"]
    result.stdout.fnmatch_lines(["STALE waiver 'test_up_*': its checks ran and none failed*"])
    summary = json.loads((pytester.path / "reports" / "summary.json").read_text())
    assert summary["waivers"]["stale"][0]["pattern"] == "test_up_*"


def test_a_setup_error_is_not_waived(pytester: pytest.Pytester) -> None:
    write_env(pytester, date.today() + timedelta(days=30))
    pytester.makepyfile(
        test_checks="import pytest\n\n@pytest.fixture\ndef broken():\n"
        "    raise RuntimeError('x')\n\n"
        "def test_metrics_answer(broken):\n    pass\n\ndef test_up_answers():\n    pass\n"
    )
    assert pytester.runpytest("--env-file=env.toml", *RUN).ret == EXIT_CODES["BLOCKED"]
