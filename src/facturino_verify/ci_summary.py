"""A run's summary.json for a CI job: a Markdown job summary and one annotation per failed check.

GitHub Actions shows `$GITHUB_STEP_SUMMARY` on the run's page and `::error` lines as annotations;
both are read by people who decide on the release, so they carry the verdict first, then the
failed checks with their remedies. Everything here comes from summary.json, which the plugin
has already masked, so nothing in it can hold a secret the report does not.

    facturino-verify-summary reports/summary.json            # annotations on stdout
    facturino-verify-summary reports/summary.json --markdown  # the job summary on stdout
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

PROBLEMS = ("failed", "error")
SHOWN_IN_TABLE = 30  # a cascading failure lists dozens; the report has them all


def _escape(text: str) -> str:
    """GitHub's workflow-command escaping of a message (property values also escape : and ,)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape(text).replace(":", "%3A").replace(",", "%2C")


def problems(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The checks that failed or errored, critical first."""
    order = {"critical": 0, "major": 1, "warning": 2}
    failed = [c for c in summary.get("checks", []) if c.get("outcome") in PROBLEMS]
    return sorted(failed, key=lambda c: (order.get(c.get("severity", ""), 3), c.get("name", "")))


def annotation_lines(summary: dict[str, Any]) -> list[str]:
    """One `::error`/`::warning` line per failed check, titled with its severity and name; a
    failure another one explains is not annotated on its own (its cause's line names it)."""
    lines = [
        f"::error title={_escape_property('root cause: ' + c['title'])}::"
        + _escape(
            f"{c['check']}: {c.get('seen', '')}\nremedy: {c.get('remedy', '')}\n"
            f"explains {len(c['dependents'])} more: {', '.join(c['dependents'])}"
        )
        for c in summary.get("root_causes", [])
    ]
    for check in problems(summary):
        if check.get("caused_by"):
            continue
        level = "warning" if check.get("severity") == "warning" else "error"
        title = _escape_property(f"{check.get('severity', '?')}: {check.get('name', '?')}")
        lines.append(f"::{level} title={title}::{_escape(str(check.get('message', '')))}")
    return lines


def markdown(summary: dict[str, Any]) -> str:
    """The job summary: verdict and reason, the runbook's steps when there are any, and the
    failed checks as a table (first lines of their messages)."""
    lines = [
        f"## {summary.get('verdict', '?')} (exit {summary.get('exit_code', '?')})",
        "",
        f"{summary.get('reason', '')}",
        "",
        f"Environment `{summary.get('environment', '?')}`, target {summary.get('target', '?')}, "
        f"{summary.get('duration_s', 0)} s.",
    ]
    for cause in summary.get("root_causes", []):
        lines += [
            "",
            f"**Root cause: {cause['title']}** (`{cause['check']}`): {cause.get('seen', '')}",
            "",
            f"Remedy: {cause.get('remedy', '')}",
            "",
            f"It explains {len(cause['dependents'])} more failure(s); their own remedies do not "
            "apply.",
        ]
    scenario = summary.get("scenario")
    if scenario:
        lines += ["", f"**Runbook: {scenario['title']}**", ""]
        lines += [f"1. `{step}`" for step in scenario.get("steps", [])]
    failed = problems(summary)
    if failed:
        lines += ["", "| severity | check | why |", "|---|---|---|"]
        for check in failed[:SHOWN_IN_TABLE]:
            first = str(check.get("message", "")).strip().splitlines()[:1] or [""]
            if check.get("caused_by"):
                first = [f"caused by {check['caused_by']}"]
            why = first[0].replace("|", "\\|")[:200]
            lines.append(f"| {check.get('severity', '?')} | `{check.get('name', '?')}` | {why} |")
        if len(failed) > SHOWN_IN_TABLE:
            lines.append(f"\n…and {len(failed) - SHOWN_IN_TABLE} more in the report.")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="facturino-verify-summary", description=__doc__)
    parser.add_argument("summary", type=Path, help="the run's summary.json")
    parser.add_argument("--markdown", action="store_true", help="print the job summary instead")
    args = parser.parse_args(argv)
    try:
        summary = json.loads(args.summary.read_text(encoding="utf-8"))
    except (OSError, ValueError) as problem:
        # No summary: the run ended before its verdict (the gate step says so by its exit code).
        print(f"::warning::no readable summary at {args.summary}: {problem}")
        return 0
    if args.markdown:
        sys.stdout.write(markdown(summary))
    else:
        print("\n".join(annotation_lines(summary)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
