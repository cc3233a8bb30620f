"""The faults a reference deployment can be started with, and what each one breaks.

A fault is honest: it changes configuration (`env`, written to the app's `.env`), stored
state (database rows, files, certificates) or which processes run. The web app never asks
"is fault X on?"; it reads its configuration and state like the real Laravel app does.

One module per area holds its faults and the stored state they change: `smoke` (the web
server, front end, cookies, TLS, /health, /metrics, migrations, flags, the queue), `perf`,
`health`, `features`, `ops`. This module is the registry: every fault, by name, in one order,
and what `--fault` accepts. `Deployment` applies the rest by name (see `deployment.py`).
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import psycopg

from facturino_reference.errors import DeploymentError
from facturino_reference.faults import features, health, ops, perf, smoke
from facturino_reference.faults.model import Fault, trips_match
from facturino_reference.mysqlconn import MySQLConnection
from facturino_reference.paths import HomeLayout

__all__ = [
    "FAULTS",
    "FAULTS_BY_NAME",
    "Fault",
    "apply_rows",
    "env_overrides",
    "fault_value",
    "parse_fault_args",
    "trips_match",
    "unknown_fault_message",
]

# The registry order: `env_overrides` applies `.env` changes in it, `--list-faults` prints it.
AREAS = (smoke, perf, health, features, ops)
FAULTS: tuple[Fault, ...] = tuple(fault for area in AREAS for fault in area.FAULTS)
FAULTS_BY_NAME: dict[str, Fault] = {fault.name: fault for fault in FAULTS}
_SHARED_NAMES = [name for name, n in Counter(f.name for f in FAULTS).items() if n > 1]
if _SHARED_NAMES:  # a name in two areas would silently shadow one of them
    raise RuntimeError(f"fault names used twice: {', '.join(_SHARED_NAMES)}")


def parse_fault_args(raw: Iterable[str]) -> dict[str, str | None]:
    """`["hung", "slow_dashboard=250"]` -> `{"hung": None, "slow_dashboard": "250"}`.

    Unknown names are rejected with a close-match suggestion, before anything starts.
    """
    parsed: dict[str, str | None] = {}
    for item in raw:
        name, sep, value = item.partition("=")
        name = name.strip()
        if name not in FAULTS_BY_NAME:
            raise DeploymentError(unknown_fault_message(name))
        if sep:
            _check_value(FAULTS_BY_NAME[name], value)
        parsed[name] = value if sep else None
    return parsed


def _check_value(fault: Fault, value: str) -> None:
    if fault.default is None:
        raise DeploymentError(f"fault '{fault.name}' takes no value (got '{fault.name}={value}')")
    if not value.isdigit():
        raise DeploymentError(
            f"fault '{fault.name}' takes a whole number (e.g. {fault.name}={fault.default}), "
            f"got '{value}'"
        )


# Names that no longer describe anything the real app can do, and what to use instead.
RETIRED_FAULTS = {
    "metrics_public": "the real app has no auth on /metrics to lose (routes/web.php:170 gates "
    "it only on the monitoring feature), so 'served without the bearer token' describes "
    "every deployment with monitoring on. For /metrics gone wrong use 'monitoring_disabled' "
    "(403 Feature not available), 'metrics_broken' (500) or 'metrics_malformed'.",
}


def unknown_fault_message(name: str) -> str:
    if name in RETIRED_FAULTS:
        return f"Fault '{name}' was retired: {RETIRED_FAULTS[name]}"
    known = sorted(FAULTS_BY_NAME)
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return f"Unknown fault '{name}'.{hint} Known: {', '.join(known)}"


def env_overrides(active: Mapping[str, str | None]) -> dict[str, str]:
    """The `.env` changes of all active faults, in registry order."""
    merged: dict[str, str] = {}
    for fault in FAULTS:
        if fault.name in active:
            value = fault.value_in(active)
            merged.update({k: v.replace("{value}", value) for k, v in fault.env.items()})
    return merged


def fault_value(name: str, active: Mapping[str, str | None]) -> str:
    """The value an active fault was given, or its default ("" for faults without one)."""
    return FAULTS_BY_NAME[name].value_in(active)


def apply_rows(
    conn: psycopg.Connection[Any] | MySQLConnection,
    layout: HomeLayout,
    env: Mapping[str, str],
    active: Mapping[str, str | None],
    queue_connection: str = "database",
) -> None:
    """Every area's changes to stored state for the active faults, after seeding."""
    smoke.apply_db(conn, active, queue_connection)
    health.apply_db(conn, active)
    ops.apply_db(conn, active)
    perf.apply_db(conn, active, queue_connection)
    features.apply_db(conn, layout, env, active)
