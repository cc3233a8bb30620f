"""The perf run: the timed SPA session over the dashboard endpoints, the fresh-connection
breakdown, and the timer a perf test calls (its figures go to the test's properties and report).
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from ..checks.base import answered, fail
from ..checks.perf import Measurement, median_timing
from ..clients.sanctum import SanctumSession
from ..clients.timing import Timing, timed_get
from ..config import Environment
from .deployment import Deployment

RUN_ALONE = "pytest -m perf --env NAME   (its own invocation: no -n, no --benchmark-skip/-disable)"


class PerfRun:
    """The run's measurements of the dashboard endpoints over the shared admin session."""

    def __init__(self, deployment: Deployment, env: Environment) -> None:
        self.deployment, self.env = deployment, env
        self.measurements: dict[str, Measurement] = {}
        self.breakdowns: dict[str, list[Timing]] = {}
        self.queue: dict[str, Any] = {}

    def path(self, endpoint: str) -> str:
        return self.env.perf.endpoints[endpoint]

    def session(self) -> SanctumSession:
        """The admin's SPA session (one login per run); a failed login fails the check."""
        __tracebackhide__ = True
        session = self.deployment.session("admin")
        answered(
            session.signed_in,  # a resumed session the app forgot signs in afresh here
            "the admin test account can log in",
            "check [accounts.admin]",
            "an SPA session",
        )
        return session

    def _accept(self, path: str) -> dict[str, str]:
        # The page is a browser navigation; the API calls are the SPA's JSON requests.
        return {} if path.startswith("/api/") else {"Accept": "text/html,application/xhtml+xml"}

    def time_endpoint(self, benchmark: Any, endpoint: str) -> Measurement:
        __tracebackhide__ = True
        path, perf = self.path(endpoint), self.env.perf
        session, headers = self.session(), self._accept(self.path(endpoint))
        statuses: Counter[int] = Counter()

        def request() -> None:
            statuses[session.get(path, headers=headers).status_code] += 1

        benchmark.group = "dashboard"
        benchmark.extra_info["path"] = path
        answered(
            lambda: benchmark.pedantic(
                request, rounds=perf.rounds, warmup_rounds=perf.warmup_rounds, iterations=1
            ),
            f"{path} answers every timed round",
            "see the connection error",
        )
        return self._measured(endpoint, path, benchmark, statuses)

    def _measured(
        self, endpoint: str, path: str, benchmark: Any, statuses: Counter[int]
    ) -> Measurement:
        __tracebackhide__ = True
        stats = getattr(getattr(benchmark, "stats", None), "stats", None)
        if stats is None or not stats.data:
            fail(f"{path} was timed", "pytest-benchmark round times", "none", RUN_ALONE)
        measurement = Measurement(endpoint, path, tuple(t * 1000 for t in stats.data), statuses)
        self.measurements[endpoint] = measurement
        return measurement

    def measurement(self, endpoint: str) -> Measurement:
        __tracebackhide__ = True
        if endpoint not in self.measurements:
            fail(
                f"{self.path(endpoint)} was timed in this run",
                "its budget test ran first (tests_perf/test_dashboard_budget.py)",
                "no measurement",
                "do not deselect the budget tests when comparing with the baseline",
            )
        return self.measurements[endpoint]

    def breakdown(self, endpoint: str) -> list[Timing]:
        """``breakdown_samples`` requests on fresh connections, each timed phase by phase."""
        __tracebackhide__ = True
        path, target = self.path(endpoint), self.env.target
        headers = {**self._spa_headers(self.session()), **self._accept(path)}

        def sample() -> Timing:
            return timed_get(
                self.deployment.http.url(path),
                headers,
                ca_file=target.ca_file,
                verify=target.verify_tls,
                timeout=target.connect_timeout + target.read_timeout,
            )

        timings = answered(
            lambda: [sample() for _ in range(self.env.perf.breakdown_samples)],
            f"{path} answers on a fresh connection",
            "see the error",
        )
        self.breakdowns[endpoint] = timings
        return timings

    def _spa_headers(self, session: SanctumSession) -> dict[str, str]:
        """The logged-in SPA's cookies and headers, for a request outside httpx."""
        jar = session.signed_in().cookies
        headers = {
            "Accept": "application/json",
            "Referer": self.deployment.http.base_url + "/",
            "Cookie": "; ".join(f"{c.name}={c.value}" for c in jar.jar),
        }
        if jar.get("XSRF-TOKEN"):
            headers["X-XSRF-TOKEN"] = unquote(jar.get("XSRF-TOKEN") or "")
        company = self.env.accounts["admin"].company_id if "admin" in self.env.accounts else None
        if company is not None:
            headers["company"] = str(company)
        return headers

    def baseline(self) -> tuple[dict[str, Any], str]:
        """The baseline file's endpoints and its name; a missing or unreadable file fails."""
        __tracebackhide__ = True
        path = self.env.perf.baseline_file
        try:
            data = json.loads(Path(str(path)).read_text(encoding="utf-8"))
            endpoints = data["endpoints"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            problem = f"{type(error).__name__}: {error}"
        else:
            return (endpoints if isinstance(endpoints, dict) else {}), str(path)
        fail(
            "the perf baseline can be read",
            f"a results file at {path}",
            problem,
            "record one: run the perf suite on a good release and copy reports/perf-results.json",
        )

    def baseline_mean(self, endpoint: str) -> tuple[float | None, str]:
        """The baseline's mean for ``endpoint`` (None if it has none) and the file's name."""
        __tracebackhide__ = True
        endpoints, source = self.baseline()
        entry = endpoints.get(endpoint)
        mean = entry.get("mean_ms") if isinstance(entry, dict) else None
        return (float(mean) if isinstance(mean, int | float) else None), source

    def results(self) -> dict[str, Any]:
        perf = self.env.perf
        endpoints: dict[str, Any] = {}
        for name in perf.endpoints:
            entry: dict[str, Any] = {"path": self.path(name)}
            if name in self.measurements:
                entry.update(self.measurements[name].summary())
            if name in self.breakdowns:
                entry["breakdown_ms"] = median_timing(self.breakdowns[name])
                entry["breakdown_samples"] = [t.as_dict() for t in self.breakdowns[name]]
            endpoints[name] = entry
        return {
            "environment": self.env.name,
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "budget_ms": perf.budget_ms,
            "p95_max_ms": perf.p95_max_ms,
            "endpoints": endpoints,
            "queue": self.queue,
        }


def _record(properties: list[tuple[str, object]], prefix: str, values: dict[str, Any]) -> None:
    for key, value in values.items():
        if isinstance(value, int | float | str):
            properties.append((f"{prefix}.{key}", value))


def _table(title: str, rows: dict[str, Any]) -> str:
    cells = "".join(
        f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
        for k, v in rows.items()
    )
    return f"<p><b>{html.escape(title)}</b></p><table>{cells}</table>"


class EndpointTimer:
    """What a perf test calls: time an endpoint, or break one request down into phases; both
    recorded in that test's properties (JUnit) and report fragments (HTML)."""

    def __init__(
        self, run: PerfRun, properties: list[tuple[str, object]], fragments: list[str]
    ) -> None:
        self.run, self.properties, self.fragments = run, properties, fragments

    def budget(self, benchmark: Any, endpoint: str) -> Measurement:
        __tracebackhide__ = True
        measurement = self.run.time_endpoint(benchmark, endpoint)
        summary = measurement.summary()
        _record(self.properties, "perf", summary)
        self.fragments.append(
            _table(f"{measurement.path}: {summary['rounds']} rounds (ms)", summary)
        )
        return measurement

    def breakdown(self, endpoint: str) -> list[Timing]:
        __tracebackhide__ = True
        timings = self.run.breakdown(endpoint)
        phases = median_timing(timings)
        _record(self.properties, "timing", phases)
        title = f"{self.run.path(endpoint)}: fresh connection, median of {len(timings)} (ms)"
        self.fragments.append(_table(title, phases))
        return timings
