"""The CI workflow is valid, gates on the verdict, and runs exactly the README's commands."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from facturino_verify.verdict import EXIT_CODES

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "verify.yml"
GATE = ROOT / ".github" / "workflows" / "verdict-gate.sh"


def workflow() -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOW.read_text())
    assert isinstance(data, dict)
    return data


def triggers() -> dict[str, Any]:
    data = workflow()
    # YAML 1.1 reads a bare `on` key as the boolean True.
    return dict(data.get("on") or data.get(True) or {})


def run_commands() -> list[str]:
    lines = []
    for job in workflow()["jobs"].values():
        for step in job["steps"]:
            lines += [line.strip() for line in str(step.get("run", "")).splitlines()]
    return [line for line in lines if line.startswith(("make ", ".venv/bin/"))]


def readme_commands() -> set[str]:
    blocks = re.findall(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)
    lines = (line.split("#", 1)[0].strip() for block in blocks for line in block.splitlines())
    return {line for line in lines if line}


def test_workflow_triggers_on_call_dispatch_deployment_and_schedule() -> None:
    on = triggers()
    assert {"workflow_call", "workflow_dispatch", "deployment_status", "schedule"} <= set(on)
    assert len(on["schedule"]) == 2


def test_every_job_uploads_reports_always_and_gates_on_the_verdict() -> None:
    for name, job in workflow()["jobs"].items():
        steps = job["steps"]
        uploads = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact")]
        assert uploads and uploads[0]["if"] == "always()", name
        assert uploads[0]["with"]["path"] == "reports/", name
        assert "verdict-gate.sh" in steps[-1]["run"], name


def test_workflow_commands_are_the_readmes() -> None:
    documented = readme_commands()
    commands = run_commands()
    assert commands, "the workflow runs no command"
    for command in commands:
        normalised = command.replace('"$VERIFY_ENV"', "prod")
        assert normalised in documented, f"{command!r} is not a README command"


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
