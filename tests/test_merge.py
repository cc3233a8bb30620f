"""``facturino-verify merge``: runs of the same gate from several locations become one verdict
and one report (verdict/locations.py holds the rule), and bad input is one ERROR: line, exit 4."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from facturino_verify.cli import main
from facturino_verify.verdict import EXIT_CODES
from facturino_verify.verdict.locations import SUMMARY_SCHEMA, LocationRun, merge
from facturino_verify.verdict.rootcause import UNREACHABLE_CLAIM

from .notify_receivers import LOOPBACK, smtp_server, webhook

CHECKS = {
    "test_up_returns_200_application_up": "critical",
    "test_deployment_reports_the_expected_release": "critical",
    "test_security_header_has_expected_value[X-Frame-Options]": "major",
    "test_health_check_passes[paddle]": "warning",
}
UNREACHABLE = UNREACHABLE_CLAIM + "up')"
HOOK_SECRET = "canary-merge-hook-3v9x"


def check(name: str, outcome: str = "passed", message: str = "") -> dict[str, Any]:
    return {
        "id": f"tests_smoke/test_x.py::{name}",
        "name": name,
        "severity": CHECKS[name],
        "scenario": "bad_deployment",
        "outcome": outcome,
        "flaky": False,
        "retries": 0,
        "duration_s": 0.1,
        "message": message,
        "seen": "",
        "remedy": "",
        "caused_by": None,
        "figures": {},
    }


def summary(location: str | None, failures: dict[str, str] | None = None) -> dict[str, Any]:
    """A run's summary.json as plugin/verdict.py writes it; ``failures``: check → message."""
    failures = failures or {}
    checks = [
        check(n, "failed" if n in failures else "passed", failures.get(n, "")) for n in CHECKS
    ]
    critical = [n for n in failures if CHECKS[n] == "critical"]
    verdict = "ROLLBACK" if critical else "GO"
    return {
        "schema": SUMMARY_SCHEMA,
        "verdict": verdict,
        "exit_code": EXIT_CODES[verdict],  # type: ignore[index]
        "reason": f"{len(critical)} critical check(s) failed" if critical else "all passed",
        "environment": "prod",
        "target": "https://app.facturino.mk",
        "location": location,
        "scenario": {"name": "bad_deployment", "title": "Scenario 1", "steps": ["railway status"]}
        if critical
        else None,
        "counts": {},
        "duration_s": 2.5,
        "root_causes": [],
        "checks": checks,
    }


ALL_DOWN = {name: UNREACHABLE for name in CHECKS}


def run_of(data: dict[str, Any]) -> LocationRun:
    return LocationRun(
        str(data["location"]),
        data["verdict"],
        data["exit_code"],
        data["reason"],
        tuple(data["checks"]),
        data["scenario"],
    )


def write(folder: Path, name: str, data: object) -> Path:
    path = folder / name / "summary.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


# The rule


def test_every_location_passing_is_go() -> None:
    merged = merge([run_of(summary(loc)) for loc in ("eu", "us", "ap")])
    assert merged.verdict.name == "GO"
    assert merged.regional == []


def test_unreachable_from_one_location_of_three_is_blocked_down_from_1_of_3() -> None:
    runs = [run_of(summary("eu")), run_of(summary("us")), run_of(summary("ap", ALL_DOWN))]
    merged = merge(runs)
    assert merged.verdict.name == "BLOCKED"
    assert "down from 1 of 3 locations (ap)" in merged.verdict.reason
    assert {c.result.name for c in merged.regional} == set(CHECKS)
    up = next(c for c in merged.checks if c.result.name == "test_up_returns_200_application_up")
    assert up.result.severity == "major"  # critical, but only a network path is down
    assert up.seen_at == {"eu": "passed", "us": "passed", "ap": "failed"}
    paddle = next(c for c in merged.checks if "paddle" in c.result.name)
    assert paddle.result.severity == "warning"  # a warning stays a warning


def test_unreachable_from_every_location_is_the_deployments_rollback() -> None:
    merged = merge([run_of(summary(loc, ALL_DOWN)) for loc in ("eu", "us", "ap")])
    assert merged.verdict.name == "ROLLBACK"
    assert merged.regional == []
    assert merged.verdict.scenario == "bad_deployment"


def test_a_wrong_answer_from_one_location_is_the_deployments_failure_at_full_severity() -> None:
    old = {"test_deployment_reports_the_expected_release": "the deployment reports the release"}
    merged = merge([run_of(summary("eu")), run_of(summary("us")), run_of(summary("ap", old))])
    assert merged.verdict.name == "ROLLBACK"
    release = next(c for c in merged.checks if c.result.name in old)
    assert release.result.message.startswith("failed from 1 of 3 locations (ap): the deployment")


def test_down_from_two_of_three_locations_counts_both() -> None:
    runs = [run_of(summary("eu")), run_of(summary("us", ALL_DOWN)), run_of(summary("ap", ALL_DOWN))]
    merged = merge(runs)
    assert merged.verdict.name == "BLOCKED"
    assert "down from 2 of 3 locations (ap, us)" in merged.verdict.reason


def test_a_check_run_in_one_location_only_is_judged_there() -> None:
    eu, us = summary("eu"), summary("us")
    us["checks"] = [c for c in us["checks"] if "release" not in c["name"]]
    assert merge([run_of(eu), run_of(us)]).verdict.name == "GO"


# The command


def test_three_summaries_two_go_one_unreachable_give_one_report_showing_all_three(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = [
        write(tmp_path, "eu", summary("eu-central")),
        write(tmp_path, "us", summary("us-east")),
        write(tmp_path, "ap", summary("ap-south", ALL_DOWN)),
    ]
    out = tmp_path / "merged"
    assert main(["merge", *map(str, paths), f"--reports-dir={out}"]) == EXIT_CODES["BLOCKED"]
    printed = capsys.readouterr().out
    assert "VERDICT: BLOCKED (exit 11)" in printed
    assert "down from 1 of 3 locations (ap-south)" in printed
    merged = json.loads((out / "summary.json").read_text())
    assert [loc["location"] for loc in merged["locations"]] == ["eu-central", "us-east", "ap-south"]
    assert [loc["verdict"] for loc in merged["locations"]] == ["GO", "GO", "ROLLBACK"]
    up = next(c for c in merged["checks"] if c["name"] == "test_up_returns_200_application_up")
    assert up["down_from"] == ["ap-south"]
    assert up["locations"] == {"eu-central": "passed", "us-east": "passed", "ap-south": "failed"}
    page = (out / "report.html").read_text()
    for text in ("eu-central", "us-east", "ap-south", "BLOCKED", "down from 1 of 3 locations"):
        assert text in page
    assert "<script" not in page


def notifying_environment(folder: Path, hook_url: str, smtp_port: int) -> Path:
    """An environment file whose [notify] posts and mails to the local receivers."""
    file = folder / "prod-notify.toml"
    file.write_text(
        f"""[target]
url = "https://app.facturino.mk"

[notify.slack]
webhook_url = "${{FACTURINO_TEST_MERGE_HOOK}}"

[notify.email]
host = "{LOOPBACK}"
port = {smtp_port}
tls = "none"
sender = "verify@facturino.example"
"""
    )
    return file


def test_the_merged_verdict_is_sent_once_to_the_environments_channels(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three locations ran with --no-notify; the merge sends one Slack message and one e-mail
    with the merged verdict, the report attached, and its webhook URL nowhere in the output."""
    paths = [
        write(tmp_path, "eu", summary("eu")),
        write(tmp_path, "us", summary("us")),
        write(tmp_path, "ap", summary("ap", ALL_DOWN)),
    ]
    with webhook(f"/services/{HOOK_SECRET}") as hook, smtp_server() as box:
        monkeypatch.setenv("FACTURINO_TEST_MERGE_HOOK", hook.url)
        file = notifying_environment(tmp_path, hook.url, box.port)
        out = tmp_path / "merged"
        code = main(["merge", *map(str, paths), f"--reports-dir={out}", f"--env-file={file}"])
    printed = capsys.readouterr().out
    assert code == EXIT_CODES["BLOCKED"]
    assert (len(hook.posts), len(box.messages)) == (1, 1)
    slack = json.loads(hook.posts[0][1])
    assert slack["blocks"][0]["text"]["text"] == "Facturino verification: BLOCKED on prod-notify"
    assert "down from 1 of 3 locations (ap)" in json.dumps(slack)
    mail = (box.messages[0].original_content or b"").decode()
    assert "Subject: [BLOCKED] Facturino verification" in mail
    assert 'filename="report.html"' in mail
    assert "notified by slack: posted to #facturino-alerts" in printed
    assert "notified by email: mailed to ops@facturino.mk" in printed
    merged = json.loads((out / "summary.json").read_text())
    assert [(n["channel"], n["outcome"]) for n in merged["notifications"]] == [
        ("slack", "sent"),
        ("email", "sent"),
    ]
    assert HOOK_SECRET not in printed + json.dumps(merged) + (out / "report.html").read_text()


def test_a_go_merge_sends_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = [write(tmp_path, loc, summary(loc)) for loc in ("eu", "us")]
    with webhook() as hook, smtp_server() as box:
        monkeypatch.setenv("FACTURINO_TEST_MERGE_HOOK", hook.url)
        file = notifying_environment(tmp_path, hook.url, box.port)
        code = main(
            ["merge", *map(str, paths), f"--reports-dir={tmp_path / 'o'}", f"--env-file={file}"]
        )
    assert code == 0 and (hook.posts, box.messages) == ([], [])
    assert "notified" not in capsys.readouterr().out


def test_the_merged_summary_reads_in_the_ci_summary(tmp_path: Path) -> None:
    from facturino_verify.ci_summary import markdown

    paths = [
        write(tmp_path, loc, summary(loc, ALL_DOWN if loc == "ap" else None))
        for loc in ("eu", "ap")
    ]
    main(["merge", *map(str, paths), f"--reports-dir={tmp_path / 'out'}"])
    text = markdown(json.loads((tmp_path / "out" / "summary.json").read_text()))
    assert text.startswith("## BLOCKED (exit 11)")


def test_a_summary_without_location_is_named_by_its_file(tmp_path: Path) -> None:
    paths = [write(tmp_path, "a", summary(None)), write(tmp_path, "b", summary(None))]
    assert main(["merge", *map(str, paths), f"--reports-dir={tmp_path / 'out'}"]) == 0
    merged = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert [loc["location"] for loc in merged["locations"]] == list(map(str, paths))


def bad_inputs(tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    good = str(write(tmp_path, "good", summary("eu")))
    old = summary("us")
    del old["schema"]
    newer = {**summary("us"), "schema": SUMMARY_SCHEMA + 1}
    other = {**summary("us"), "target": "https://staging.facturino.mk"}
    return {
        "zero files": ([], "ERROR: no summary given: facturino-verify merge SUMMARY.json..."),
        "missing file": (
            [good, str(tmp_path / "nope.json")],
            f"ERROR: {tmp_path / 'nope.json'}: file not found",
        ),
        "not JSON": ([good, str(write(tmp_path, "html", "<html>"))], "not JSON (Expecting value"),
        "not a summary": (
            [good, str(write(tmp_path, "list", [1, 2]))],
            "not a facturino-verify summary.json",
        ),
        "older version": (
            [good, str(write(tmp_path, "old", old))],
            "written by an older facturino-verify (no schema); this merge reads schema 1",
        ),
        "newer version": (
            [good, str(write(tmp_path, "new", newer))],
            f"written by schema {SUMMARY_SCHEMA + 1}",
        ),
        "other target": (
            [good, str(write(tmp_path, "other", other))],
            "the summaries verify different targets",
        ),
        "same location": (
            [good, str(write(tmp_path, "again", summary("eu")))],
            "location eu given twice",
        ),
        "unknown option": ([good, "--colour"], "unrecognized arguments: --colour"),
        "unknown environment": ([good, "--env=nowhere"], "Unknown environment 'nowhere'"),
        "both environments": (
            [good, "--env=prod", f"--env-file={tmp_path / 'x.toml'}"],
            "not allowed with argument",
        ),
        "secret written in the file": (
            [good, f"--env-file={literal_secret(tmp_path)}"],
            "webhook_url",
        ),
    }


def literal_secret(folder: Path) -> Path:
    """An environment file with its webhook URL written out: refused, the URL not repeated."""
    file = folder / "literal.toml"
    url = "https://hooks.slack.com/services/T0/B0/" + HOOK_SECRET
    file.write_text(f'[target]\nurl = "https://a.example"\n[notify.slack]\nwebhook_url = "{url}"\n')
    return file


@pytest.mark.parametrize(
    "case",
    [
        "zero files",
        "missing file",
        "not JSON",
        "not a summary",
        "older version",
        "newer version",
        "other target",
        "same location",
        "unknown option",
        "unknown environment",
        "both environments",
        "secret written in the file",
    ],
)
def test_bad_input_is_one_error_line_and_exit_4(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args, expected = bad_inputs(tmp_path)[case]
    assert main(["merge", *args, f"--reports-dir={tmp_path / 'out'}"]) == 4
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ERROR: "), captured.err
    assert expected in lines[0]
    assert "Traceback" not in captured.err + captured.out
    assert HOOK_SECRET not in captured.err + captured.out
    assert not (tmp_path / "out").exists()


def test_a_merged_summary_is_not_merged_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = [str(write(tmp_path, loc, summary(loc))) for loc in ("eu", "us")]
    main(["merge", *paths, f"--reports-dir={tmp_path / 'out'}"])
    capsys.readouterr()
    again = str(tmp_path / "out" / "summary.json")
    assert main(["merge", paths[0], again, f"--reports-dir={tmp_path / 'x'}"]) == 4
    assert "already a merged summary" in capsys.readouterr().err


def test_the_output_may_not_overwrite_an_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = [str(write(tmp_path, loc, summary(loc))) for loc in ("eu", "us")]
    assert main(["merge", *paths, f"--reports-dir={tmp_path / 'eu'}"]) == 4
    assert "would overwrite the input" in capsys.readouterr().err


def test_the_console_script_is_installed() -> None:
    import tomllib

    scripts = tomllib.loads(
        (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text()
    )["project"]["scripts"]
    assert scripts["facturino-verify"] == "facturino_verify.cli:main"
    assert scripts["facturino-verify-summary"] == "facturino_verify.ci_summary:main"


def test_a_failure_explained_by_no_answer_there_is_regional_too() -> None:
    """The login form Chromium could not load fails with its own words; its cause (the app did
    not answer from there) makes it a network-class failure of that location."""
    ap = summary("ap", {**ALL_DOWN, "test_health_check_passes[paddle]": "page.goto: net::ERR"})
    paddle = next(c for c in ap["checks"] if "paddle" in c["name"])
    paddle["caused_by"] = "test_up_returns_200_application_up"
    merged = merge([run_of(summary("eu")), run_of(ap)])
    assert merged.verdict.name == "BLOCKED"
    assert any("paddle" in c.result.name for c in merged.regional)
    paddle["caused_by"] = None  # on its own, a wrong answer from one place is the deployment's
    assert not any(
        "paddle" in c.result.name for c in merge([run_of(summary("eu")), run_of(ap)]).regional
    )
