"""The stakeholder view at the top of report.html: verdict banner, the runbook's verification
table with evidence, the health checks, and measured latency against the budget."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence

from ..verdict import TITLES, CheckResult, RollbackValues, Verdict, steps
from ..verdict.rootcause import RootCause
from ..verdict.table import FilledRow, fill
from ..verdict.waivers import WaiverReport

COLOURS = {
    "GO": "#1a7f37",
    "DEGRADED": "#9a6700",
    "BLOCKED": "#bc4c00",
    "ROLLBACK": "#cf222e",
    "INCONCLUSIVE": "#57606a",
}
RESULT_COLOURS = {
    "PASS": "#1a7f37",
    "FAIL": "#cf222e",
    "FLAKY": "#9a6700",
    "WAIVED": "#8250df",
    "NOT RUN": "#57606a",
}
# pytest-html puts its environment table first; show the verdict and the table first instead.
LAYOUT_CSS = """<style>
body{display:flex;flex-direction:column}
#title{order:0}.summary{order:1}#environment-header,#environment{order:2}#results-table{order:3}
.summary__data>h2{display:none}
.fv-banner{padding:14px 18px;border-radius:6px;color:#fff;margin:8px 0 16px}
.fv-banner *{color:#fff}
.fv-banner h2{margin:0 0 6px;font-size:26px}.fv-banner pre{background:rgba(0,0,0,.2);
padding:8px;border-radius:4px;white-space:pre-wrap;color:#fff}
table.fv{border-collapse:collapse;margin:8px 0 18px;min-width:60%}
table.fv td,table.fv th{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top;
color:#1f2328}
.fv-result{font-weight:bold;color:#fff;padding:1px 6px;border-radius:3px;white-space:nowrap}
.fv-evidence img{max-width:240px;border:1px solid #d0d7de}
</style>"""
E = html.escape


def stakeholder_view(
    verdict: Verdict,
    results: list[CheckResult],
    env_name: str,
    target: str,
    latency_ms: Mapping[str, float],
    budget_ms: float,
    rollback_steps: list[str],
    waivers: WaiverReport | None = None,
    causes: Sequence[RootCause] = (),
) -> list[str]:
    """HTML fragments, in reading order."""
    return [
        LAYOUT_CSS,
        banner(verdict, env_name, target, rollback_steps, verdict_heading(results)),
        root_causes_section(causes),
        waivers_table(waivers) if waivers is not None else "",
        verification_table(fill(results)),
        health_table(results),
        latency_chart(latency_ms, budget_ms),
    ]


def verdict_heading(results: list[CheckResult]) -> str:
    """A daily or weekly run judges the operations, not a release."""
    ran = [r for r in results if r.outcome != "deselected"]
    if ran and all(r.nodeid.startswith("tests_ops/") for r in ran):
        return "Operations verdict"
    return "Release verdict"


def root_causes_section(causes: Sequence[RootCause]) -> str:
    """Each failure that explains others, with its remedy, and the checks it explains."""
    if not causes:
        return ""
    items = "".join(
        f"<li><b>{E(c.title)}</b> (<code>{E(c.check)}</code>)"
        + (f"<br>seen: {E(c.seen)}" if c.seen else "")
        + (f"<br>remedy: {E(c.remedy)}" if c.remedy else "")
        + f"<br>explains {len(c.dependents)} more (their own remedies do not apply): "
        + ", ".join(f"<code>{E(name)}</code>" for name in c.dependents)
        + "</li>"
        for c in causes
    )
    return (
        '<div class="fv-causes" style="color:#1f2328"><h3>Root cause first</h3>'
        f"<ul>{items}</ul></div>"
    )


def banner(
    verdict: Verdict,
    env_name: str,
    target: str,
    rollback_steps: list[str],
    heading: str = "Release verdict",
) -> str:
    ran = {s: c["ran"] for s, c in verdict.counts.items()}
    failed = {s: c["failed"] for s, c in verdict.counts.items()}
    waived = sum(c.get("waived", 0) for c in verdict.counts.values())
    known = f" {waived} known defect(s) waived." if waived else ""
    scenario = ""
    if verdict.scenario is not None:
        commands = E("\n".join(rollback_steps))
        scenario = f"<p><b>Runbook {E(TITLES[verdict.scenario])}</b></p><pre>{commands}</pre>"
    return (
        f'<div class="fv-banner" style="background:{COLOURS[verdict.name]}">'
        f"<h2>{heading}: {verdict.name}</h2>"
        f"<p><b>Environment:</b> {E(env_name)} — <b>Target:</b> {E(target)}</p>"
        f"<p>{E(verdict.reason)}</p>"
        f"<p>Checks run: critical {ran['critical']} (failed {failed['critical']}), "
        f"major {ran['major']} (failed {failed['major']}), "
        f"warning {ran['warning']} (failed {failed['warning']}).{known}</p>{scenario}</div>"
    )


def verification_table(rows: list[FilledRow]) -> str:
    body = "".join(
        f"<tr><td>{E(r.row.feature)}</td><td>{E(r.row.test)}</td><td>{E(r.row.expected)}</td>"
        f'<td><span class="fv-result" style="background:{RESULT_COLOURS[r.result]}">'
        f"{r.result}</span></td><td class='fv-evidence'>{evidence(r.checks)}</td></tr>"
        for r in rows
    )
    head = "<tr><th>Feature</th><th>Test</th><th>Expected</th><th>Result</th><th>Evidence</th></tr>"
    return f"<h2>Post-deployment verification</h2><table class='fv'>{head}{body}</table>"


def evidence(checks: list[CheckResult]) -> str:
    """What each check recorded (``evidence*``, ``screenshot``, ``pdf`` properties) or its
    failure, plus how many checks ran."""
    parts = []
    for check in checks:
        for key, value in check.properties.items():
            if key == "screenshot":
                parts.append(f'<a href="{E(value)}"><img src="{E(value)}" alt="screenshot"></a>')
            elif key == "pdf":
                parts.append(f'<a href="{E(value)}">PDF</a>')
            elif key.startswith("evidence"):
                parts.append(E(value))
        if check.outcome in ("failed", "error") and check.message:
            parts.append(f"<b>{E(check.name)}</b>: {E(check.message)}")
        if check.outcome == "waived":
            waiver = check.properties.get("waiver", "")
            parts.append(f"<b>{E(check.name)}</b> WAIVED: {E(check.message)} — {E(waiver)}")
    ran = sum(c.outcome in ("passed", "failed", "error", "waived") for c in checks)
    parts.append(f"{ran} of {len(checks)} checks ran")
    return "<br>".join(parts)


def waivers_table(waivers: WaiverReport) -> str:
    """Known defects the environment accepts for now, expired waivers and stale ones."""
    rows = []
    for pattern, names in waivers.applied.items():
        rule = waivers.rules[pattern]
        rows.append(("WAIVED", ", ".join(names), rule.reason, rule.expires, rule.ticket))
    for pattern, names in waivers.expired.items():
        rule = waivers.rules[pattern]
        rows.append(
            ("EXPIRED: counts again", ", ".join(names), rule.reason, rule.expires, rule.ticket)
        )
    for pattern in waivers.stale:
        rule = waivers.rules[pattern]
        rows.append(
            ("STALE: nothing failed, remove it", pattern, rule.reason, rule.expires, rule.ticket)
        )
    if not rows:
        return ""
    body = "".join(
        f"<tr><td>{E(state)}</td><td>{E(checks)}</td><td>{E(reason)}</td>"
        f"<td>{expires.isoformat()}</td><td>{_ticket(ticket)}</td></tr>"
        for state, checks, reason, expires, ticket in rows
    )
    head = "<tr><th>Waiver</th><th>Checks</th><th>Reason</th><th>Until</th><th>Ticket</th></tr>"
    return f"<h2>Known defects (waivers)</h2><table class='fv'>{head}{body}</table>"


def _ticket(url: str | None) -> str:
    return f'<a href="{E(url)}">{E(url)}</a>' if url else ""


def health_table(results: list[CheckResult]) -> str:
    """One row per /health sub-check; a `true` the app's controller cannot make false is
    shown as not evidence, with the reason (checks/health.py), never as a pass."""
    rows = [r for r in results if r.name.startswith("test_health_check_passes[")]
    if not rows:
        return ""
    cells = "".join(
        f"<tr><td>{E(r.name.split('[', 1)[1].rstrip(']'))}</td><td>{E(_health_cell(r))}</td></tr>"
        for r in rows
    )
    return f"<h2>Health checks (/health)</h2><table class='fv'>{cells}</table>"


def _health_cell(result: CheckResult) -> str:
    if result.outcome == "skipped" and "is not evidence" in result.message:
        return "true, not evidence: " + result.message.split("is not evidence: ", 1)[1]
    return result.outcome


BAR_H = 16
NEUTRAL, WITHIN, OVER = "#8c959f", "#2f81f7", "#cf222e"


def _bars(items: list[tuple[str, float]], scale: float, colour: Callable[[float], str]) -> str:
    """One labelled horizontal bar per (name, ms), as SVG elements."""
    return "".join(
        f'<text x="195" y="{i * BAR_H + 12}" text-anchor="end" font-size="11">{E(name)}</text>'
        f'<rect x="200" y="{i * BAR_H + 2}" width="{max(v * scale, 1):.1f}" height="{BAR_H - 4}" '
        f'fill="{colour(v)}"/>'
        f'<text x="{204 + v * scale:.1f}" y="{i * BAR_H + 12}" font-size="10">{v:.1f} ms</text>'
        for i, (name, v) in enumerate(items)
    )


def latency_chart(latency_ms: Mapping[str, float], budget_ms: float) -> str:
    """Inline SVG: one bar per smoke probe. These are client-side times of probes sent all at
    once (queueing included), so no bar is judged against the page budget: the perf suite
    measures that, one request at a time, and its report charts it."""
    if not latency_ms:
        return ""
    items = sorted(latency_ms.items(), key=lambda kv: -kv[1])[:20]
    bars = _bars(items, 360 / max(*(v for _, v in items), 1.0), lambda _: NEUTRAL)
    svg = f'<svg width="620" height="{BAR_H * len(items) + 10}" role="img">{bars}</svg>'
    return (
        "<h2>Time to answer per smoke probe</h2><p>Client-side time of each probe, all sent at "
        f"once (so it includes queueing): not the {budget_ms:.0f} ms page budget, which the perf "
        "suite measures one request at a time.</p>" + svg
    )


def budget_chart(title: str, caption: str, values_ms: Mapping[str, float], budget_ms: float) -> str:
    """Inline SVG: one bar per endpoint, red over the budget, the budget as a dashed line."""
    if not values_ms:
        return ""
    items = sorted(values_ms.items(), key=lambda kv: -kv[1])
    scale = 360 / max(budget_ms * 1.25, *(v for _, v in items))
    bars = _bars(items, scale, lambda v: OVER if v > budget_ms else WITHIN)
    height = BAR_H * len(items) + 30
    budget_x = 200 + budget_ms * scale
    line = (
        f'<line x1="{budget_x:.1f}" y1="0" x2="{budget_x:.1f}" y2="{height - 14}" '
        f'stroke="{OVER}" stroke-dasharray="4"/><text x="{budget_x + 3:.1f}" '
        f'y="{height - 2}" font-size="10" fill="{OVER}">budget {budget_ms:.0f} ms</text>'
    )
    svg = f'<svg width="620" height="{height}" role="img">{bars}{line}</svg>'
    return f"<h2>{E(title)}</h2><p>{E(caption)}</p>{svg}"


def rollback_steps_for(verdict: Verdict, values: RollbackValues) -> list[str]:
    if verdict.scenario is None:
        return []
    return steps(verdict.scenario, values)
