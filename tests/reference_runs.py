"""Run a suite against a private reference deployment with faults injected (fault matrix)."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from facturino_reference import Deployment

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
REFERENCE = str(BIN / "facturino-reference")


# Ports of one deployment relative to its base, and ports this kind of machine's own services
# use (PostgreSQL, Redis, MariaDB, RabbitMQ, Mosquitto, NATS): a base must avoid them.
OFFSETS = (63, 80, 90, 200, 300, 379, 432, 443)
TAKEN = {1883, 3306, 4222, 5432, 5672, 6379, 8080, 15672, 25672}


def port_bases(start: int, stop: int, step: int = 450) -> list[int]:
    """Port bases in [start, stop) whose ports miss the machine's well-known service ports."""
    return [b for b in range(start, stop, step) if not TAKEN & {b + o for o in OFFSETS}]


@contextmanager
def claimed_ports(name: str = "free-port-base") -> Iterator[None]:
    """Held while a port base is chosen and bound: ``free_port_base()`` only sees ports that are
    already taken, so two test processes choosing at once would pick the same base."""
    path = Path(tempfile.gettempdir()) / f"facturino-verify-{name}.lock"
    with path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@contextmanager
def started(
    choose_base: Callable[[], int],
    faults: Sequence[str] = (),
    lock: str = "free-port-base",
    prefix: str = "fr-test-",
    profile: str = "default",
    db: str | None = None,
) -> Iterator[Deployment]:
    """An in-process reference deployment on a base chosen and bound under ``claimed_ports``;
    always torn down."""
    with claimed_ports(lock):
        # /tmp, not pytest's 0700 tmp_path: the postgres user must reach the home.
        home = tempfile.mkdtemp(prefix=prefix, dir="/tmp")
        dep = Deployment(Path(home), choose_base(), list(faults), profile=profile, db=db)
        try:
            dep.up()
        except BaseException:
            dep.down()
            raise
    try:
        yield dep
    finally:
        dep.down()


@dataclass(frozen=True)
class SuiteRun:
    outcomes: dict[str, str]  # test name (with parameters) → passed/failed/skipped/error
    seconds: float  # the whole process, interpreter start included
    exit_code: int
    output: str
    session_seconds: float = 0.0  # pytest's own session time (JUnit), without process start-up
    # test name → the properties it recorded (JUnit <property>: record_property, figures)
    properties: dict[str, dict[str, str]] = field(default_factory=dict)

    def named(self, outcome: str) -> set[str]:
        return {name for name, seen in self.outcomes.items() if seen == outcome}


@contextmanager
def reference(
    port_base: int, faults: Sequence[str] = (), extra: Sequence[str] = ()
) -> Iterator[Path]:
    """A reference deployment on ``port_base`` with ``faults`` (and more ``up`` options);
    always torn down."""
    home = Path(tempfile.mkdtemp(prefix="facturino-ref-"))
    command = [REFERENCE, "up", "--home", str(home), "--port-base", str(port_base), *extra]
    for fault in faults:
        command += ["--fault", fault]
    started = subprocess.run(command, capture_output=True, text=True, check=False)
    try:
        if started.returncode != 0:
            raise RuntimeError(f"reference up failed: {started.stdout}{started.stderr}")
        yield home
    finally:
        subprocess.run([REFERENCE, "down", "--home", str(home)], capture_output=True, check=False)


CI_VARIABLES = ("CI", "BUILD_NUMBER")


def run_suite(
    home: Path,
    marker: str = "smoke",
    *extra: str,
    overrides: dict[str, str] | None = None,
    reports_dir: Path | None = None,
) -> SuiteRun:
    """``pytest -m MARKER --env-file=HOME/environment.toml`` as one process; JUnit outcomes."""
    junit = home / "suite-junit.xml"
    command = [
        str(BIN / "pytest"),
        "-m",
        marker,
        f"--env-file={home / 'environment.toml'}",
        f"--reports-dir={reports_dir}" if reports_dir else "--no-reports",
        f"--junitxml={junit}",
        "-q",
        "-p",
        "no:cacheprovider",
        *extra,
    ]
    # Not the xdist worker's variables either: pytest-benchmark would think it runs under xdist.
    # Nor CI's: under CI or BUILD_NUMBER pytest prints the short summary untruncated, and the
    # output these tests read must not depend on where they run.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("FACTURINO_VERIFY__", "PYTEST_XDIST_")) and k not in CI_VARIABLES
    }
    # The deployment's own ledger and sessions: a new deployment's limiter starts empty too.
    env["FACTURINO_VERIFY_CACHE_DIR"] = str(home / "verify-cache")
    env.update(overrides or {})
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - start
    return SuiteRun(
        parse_junit(junit),
        seconds,
        done.returncode,
        done.stdout + done.stderr,
        session_time(junit),
        junit_properties(junit),
    )


def session_time(path: Path) -> float:
    if not path.exists():
        return 0.0
    root = ET.parse(path).getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    return float(suite.get("time", 0.0)) if suite is not None else 0.0


def parse_junit(path: Path) -> dict[str, str]:
    outcomes = {}
    if not path.exists():
        return outcomes
    for case in ET.parse(path).getroot().iter("testcase"):
        kinds = {child.tag for child in case}
        outcome = next((k for k in ("failure", "error", "skipped") if k in kinds), "passed")
        outcomes[case.get("name", "")] = {"failure": "failed"}.get(outcome, outcome)
    return outcomes


def junit_properties(path: Path) -> dict[str, dict[str, str]]:
    if not path.exists():
        return {}
    return {
        case.get("name", ""): {p.get("name", ""): p.get("value", "") for p in case.iter("property")}
        for case in ET.parse(path).getroot().iter("testcase")
    }
