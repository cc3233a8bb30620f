"""report.html for runs merged across locations: the verdict banner, each location's own verdict,
the checks that did not pass everywhere (one column per location), then the runbook's table."""

from __future__ import annotations

import html

from ..verdict.locations import LocationRun, Merged, MergedCheck
from ..verdict.table import fill
from .html import COLOURS, LAYOUT_CSS, banner, verification_table

E = html.escape
OUTCOME_COLOURS = {
    "passed": "#1a7f37",
    "failed": "#cf222e",
    "error": "#cf222e",
    "waived": "#8250df",
}
GREY = "#57606a"


def merged_page(merged: Merged, environment: str, target: str, rollback_steps: list[str]) -> str:
    """A self-contained HTML page (no scripts, no external files)."""
    heading = f"Release verdict from {len(merged.runs)} locations"
    parts = [
        LAYOUT_CSS,
        banner(merged.verdict, environment, target, rollback_steps, heading),
        locations_table(merged.runs),
        differing_checks(merged.checks, [run.location for run in merged.runs]),
        verification_table(fill([c.result for c in merged.checks])),
    ]
    body = "\n".join(part for part in parts if part)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{E(heading)}: {merged.verdict.name}</title></head>"
        f'<body style="font-family:sans-serif;color:#1f2328">{body}</body></html>\n'
    )


def _badge(text: str, colour: str) -> str:
    return f'<span class="fv-result" style="background:{colour}">{E(text)}</span>'


def locations_table(runs: list[LocationRun]) -> str:
    rows = "".join(
        f"<tr><td>{E(run.location)}</td>"
        f"<td>{_badge(run.verdict, COLOURS.get(run.verdict, GREY))} (exit {run.exit_code})</td>"
        f"<td>{E(run.reason)}</td></tr>"
        for run in runs
    )
    head = "<tr><th>Location</th><th>Its own verdict</th><th>Why</th></tr>"
    return f"<h2>Per location</h2><table class='fv'>{head}{rows}</table>"


def differing_checks(checks: list[MergedCheck], locations: list[str]) -> str:
    """Every check that did not pass everywhere it was asked, with what each location saw."""
    shown = [c for c in checks if any(o != "passed" for o in c.seen_at.values())]
    if not shown:
        return "<h2>Checks</h2><p>Every check passed from every location that ran it.</p>"
    head = "".join(f"<th>{E(loc)}</th>" for loc in locations)
    rows = "".join(_check_row(c, locations) for c in shown)
    return (
        "<h2>Checks that did not pass everywhere</h2><table class='fv'>"
        f"<tr><th>Check</th><th>Severity</th>{head}<th>Merged</th></tr>{rows}</table>"
    )


def _check_row(check: MergedCheck, locations: list[str]) -> str:
    cells = "".join(_outcome_cell(check.seen_at.get(loc, "absent")) for loc in locations)
    r = check.result
    return (
        f"<tr><td><code>{E(r.name)}</code></td><td>{E(r.severity)}</td>{cells}"
        f"<td>{_badge(r.outcome, OUTCOME_COLOURS.get(r.outcome, GREY))}<br>{E(r.message)}</td></tr>"
    )


def _outcome_cell(outcome: str) -> str:
    return f"<td>{_badge(outcome, OUTCOME_COLOURS.get(outcome, GREY))}</td>"
