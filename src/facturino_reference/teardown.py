"""Stopping a deployment and reporting on it, from nothing but its home directory."""

from __future__ import annotations

import shutil
from pathlib import Path

from facturino_reference import bucket, mariadb, postgres, redisproc
from facturino_reference.errors import DeploymentError
from facturino_reference.faults import ops as ops_faults
from facturino_reference.paths import MARKER_NAME, HomeLayout
from facturino_reference.procs import Target, is_ours, stop_many
from facturino_reference.state import State


def child_fingerprint(module: str, home: Path) -> str:
    """What `/proc/PID/cmdline` of our server/worker holds (the trailing space matters)."""
    return f"facturino_reference.{module} --home {home} "


def targets(layout: HomeLayout, state: State) -> list[Target]:
    """Every process the state names, with what identifies it as ours."""
    found: list[Target] = []
    for module in ("server", "worker", "users", "sandbox", "dnsserver"):
        if module in state.pids:
            found.append(Target(state.pids[module], child_fingerprint(module, layout.root)))
    if "redis" in state.pids:
        found.append(redisproc.stop_target(state.ports["redis"], state.pids["redis"]))
    if "bucket" in state.pids:
        found.append(bucket.stop_target(bucket.port_for(state.port_base), state.pids["bucket"]))
    # postmaster.pid also covers a crash between `pg_ctl start` and saving the state.
    return found + database_targets(layout, state)


def database_targets(layout: HomeLayout, state: State | None) -> list[Target]:
    """The database server; its pid file also covers a crash before the state was saved."""
    pids = state.pids if state is not None else {}
    found: list[Target] = []
    pg_pid = pids.get("postgres") or postgres.postmaster_pid(layout)
    if pg_pid:
        found.append(postgres.stop_target(layout, pg_pid))
    my_pid = pids.get("mysql") or mariadb.server_pid(layout.mysql_data)
    if my_pid:
        found.append(mariadb.stop_target(layout.mysql_data, my_pid))
    return found


def stop_processes(layout: HomeLayout, state: State) -> None:
    stop_many(targets(layout, state), timeout=10.0)


def down_home(home: Path) -> bool:
    """Stop what `home` started and delete it. False when there was nothing to stop.

    Refuses (DeploymentError) to delete a directory without our marker file.
    """
    layout = HomeLayout(home)
    if not home.exists():
        return False
    if not layout.marker.exists():
        if any(home.iterdir()):
            raise DeploymentError(
                f"{home} has no {MARKER_NAME} marker: not a facturino-reference home, "
                "left untouched"
            )
        home.rmdir()
        return False
    state = State.load(layout.state_file)
    running = False
    if state is not None:
        found = targets(layout, state)
        running = any(is_ours(t.pid, t.fingerprint) for t in found)
        stop_many(found, timeout=10.0)
    else:
        stop_many(database_targets(layout, None), timeout=10.0)
    ops_faults.unmount_all(home)  # the disk_full fault's storage volume
    shutil.rmtree(home)
    return running


def status_of(home: Path) -> dict[str, object]:
    """What runs for `home`: url, ports, faults and each process with alive/stopped."""
    layout = HomeLayout(home)
    state = State.load(layout.state_file)
    if state is None:
        return {"home": str(home), "running": False}
    processes: dict[str, object] = {}
    for target in targets(layout, state):
        name = next((n for n, p in state.pids.items() if p == target.pid), "?")
        alive = is_ours(target.pid, target.fingerprint)
        processes[name] = {"pid": target.pid, "alive": alive}
    for name in state.stopped:
        processes.setdefault(name, {})
        info = processes[name]
        if isinstance(info, dict):
            info["stopped_by_fault"] = True
    return {
        "home": str(home),
        "running": True,
        "ready": state.ready,
        "url": state.url,
        "ports": state.ports,
        "profile": state.profile,
        "faults": state.faults,
        "web_mode": state.web_mode,
        "processes": processes,
        "environment_file": str(layout.environment_toml),
    }
