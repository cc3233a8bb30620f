"""The trend chart of the scheduled runs the HTML report shows ("review the dashboards" without
Grafana), drawn from the history file (runs/history.py)."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

# What the chart calls each figure, in display order (unknown figures follow, by name).
LABELS = {
    "http_5xx_ratio_percent": "5xx responses (% of requests)",
    "http_p95_ms": "server p95 latency (ms)",
    "failed_jobs_24h": "failed jobs (last 24 h)",
    "queue_depth_max": "deepest queue (jobs)",
    "queue_oldest_job_seconds": "oldest due job (s)",
    "backup_age_hours": "newest backup age (h)",
    "disk_usage_percent": "disk usage (%)",
    "restore_drill_seconds": "restore drill wall time (s)",
}


def trend_chart(runs: Sequence[Mapping[str, Any]], last: int = 30) -> str:
    """One small line chart per figure over the last ``last`` runs, as inline SVG."""
    shown = list(runs)[-last:]
    names = sorted(
        {k for r in shown for k in (r.get("figures") or {})},
        key=lambda n: (list(LABELS).index(n) if n in LABELS else len(LABELS), n),
    )
    panels = "".join(_panel(name, shown) for name in names)
    first, final = shown[0]["at"][:16], shown[-1]["at"][:16]
    return (
        f"<h2>Trend of the scheduled runs ({len(shown)} runs, {html.escape(first)} to "
        f"{html.escape(final)} UTC)</h2><div style='display:flex;flex-wrap:wrap;gap:12px'>"
        f"{panels}</div>"
    )


def _panel(name: str, runs: Sequence[Mapping[str, Any]]) -> str:
    width, height, pad = 260, 90, 6
    points = [
        (i, float(r["figures"][name]))
        for i, r in enumerate(runs)
        if isinstance(r.get("figures"), dict) and name in r["figures"]
    ]
    low, high = min(v for _, v in points), max(v for _, v in points)
    span, steps = (high - low) or 1.0, max(len(runs) - 1, 1)

    def xy(i: int, v: float) -> str:
        x = pad + (width - 2 * pad) * i / steps
        y = height - pad - (height - 2 * pad) * (v - low) / span
        return f"{x:.1f},{y:.1f}"

    line = " ".join(xy(i, v) for i, v in points)
    dots = "".join(
        f'<circle cx="{xy(i, v).split(",")[0]}" cy="{xy(i, v).split(",")[1]}" r="2.5">'
        f"<title>{html.escape(str(runs[i]['at'])[:16])}: {v:g}</title></circle>"
        for i, v in points
    )
    label = html.escape(LABELS.get(name, name))
    latest = points[-1][1]
    return (
        f"<figure style='margin:0'><figcaption><b>{label}</b>: latest {latest:g} "
        f"(min {low:g}, max {high:g})</figcaption>"
        f'<svg width="{width}" height="{height}" role="img" aria-label="{label}" '
        f'style="background:#f7f7f7"><polyline points="{line}" fill="none" '
        f'stroke="#1f6feb" stroke-width="1.5"/>{dots}</svg></figure>'
    )
