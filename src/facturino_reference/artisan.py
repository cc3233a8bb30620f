"""What a shell inside the app container answers: `php artisan …` and `df -h`, printed the way
Laravel 12, Facturino's own `backup:list` and coreutils print them, computed from this
deployment's real database, queue, backups and file systems.

`facturino-reference shell --home H -- php artisan migrate:status` is the local stand-in for
`railway run …` or `docker exec facturino_app …`; `HOME/bin/app-shell` wraps it.
"""

from __future__ import annotations

import datetime as dt
import json
import stat
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psycopg
import redis

from facturino_reference import bucket, buildcache, mysqlconn, seed, worker
from facturino_reference.appenv import AppConfig
from facturino_reference.paths import HomeLayout
from facturino_reference.redisqueue import RedisQueue, queue_client

WIDTH = 150  # Termwind's line width when there is no terminal to measure


class Output:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def line(self, text: str = "") -> None:
        self.lines.append(text)

    def two_columns(self, first: str, second: str) -> None:
        """Laravel's `components->twoColumnDetail`: dots fill the line between the columns."""
        dots = max(WIDTH - 4 - len(first) - len(second) - 2, 0)
        self.line(f"  {first} {'.' * dots} {second}  ")

    def info(self, text: str) -> None:
        self.line(f"\n   INFO  {text}\n")

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        """Symfony Console's default table style."""
        widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows, strict=True)]
        rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

        def row(cells: Sequence[str]) -> str:
            return "|" + "|".join(f" {c!s:<{w}} " for c, w in zip(cells, widths, strict=True)) + "|"

        self.lines += [rule, row(headers), rule, *(row(r) for r in rows), rule]

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _connect(config: AppConfig) -> psycopg.Connection[Any] | mysqlconn.MySQLConnection:
    return config.connect()


def migrate_status(config: AppConfig, out: Output) -> int:
    """Every migration file with `[batch] Ran` or `Pending` (StatusCommand, Laravel 12)."""
    with _connect(config) as conn:
        batches = dict(conn.execute("SELECT migration, batch FROM migrations").fetchall())
    out.line()
    out.two_columns("Migration name", "Batch / Status")
    for name in seed.migration_names():
        out.two_columns(name, f"[{batches[name]}] Ran" if name in batches else "Pending")
    out.line()
    return 0


def _size(config: AppConfig, connection: str, queue: str) -> int:
    if connection == "redis":
        client = redis.Redis(
            host=config.get("REDIS_HOST"),
            port=config.int("REDIS_PORT"),
            password=config.get("REDIS_PASSWORD") or None,
            db=config.int("REDIS_QUEUE_DB"),
            socket_timeout=2.0,
        )
        key = f"{config.get('REDIS_PREFIX')}queues:{queue}"
        with client:
            return int(
                client.llen(key) + client.zcard(key + ":delayed") + client.zcard(key + ":reserved")
            )
    with _connect(config) as conn:
        row = conn.execute("SELECT count(*) FROM jobs WHERE queue = %s", (queue,)).fetchone()
    return int(row[0]) if row else 0


def queue_monitor(config: AppConfig, out: Output, targets: str, max_jobs: int) -> int:
    """`[connection] queue ..... [size] OK|ALERT` per queue (MonitorCommand, Laravel 12)."""
    out.line()
    out.two_columns("Queue name", "Size / Status")
    default = config.get("QUEUE_CONNECTION", "database")
    for target in targets.split(","):
        connection, _, queue = target.rpartition(":")
        connection = connection or default
        size = _size(config, connection, queue)
        out.two_columns(
            f"[{connection}] {queue}", f"[{size}] {'ALERT' if size >= max_jobs else 'OK'}"
        )
        out.line()
    out.line()
    return 0


def _format_bytes(size: int) -> str:
    """BackupList::formatBytes."""
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:,.2f} {unit}"
    return f"{size} bytes"


def backup_list(config: AppConfig, layout: HomeLayout, out: Output) -> int:
    """Facturino's BackupList: the first destination disk (r2backup when R2 is configured)."""
    name = config.name
    if config.get("R2_BACKUP_BUCKET"):
        disk = "r2backup"
        listed = bucket.client(config.env).list_objects_v2(
            Bucket=config.get("R2_BACKUP_BUCKET"), Prefix=f"{name}/"
        )
        files = [
            (o["Key"].rsplit("/", 1)[-1], int(o["Size"]), o["LastModified"].timestamp())
            for o in listed.get("Contents", [])
        ]
    else:
        disk = "local"
        folder = layout.backup_dir(name)
        files = [
            (p.name, p.stat().st_size, p.stat().st_mtime)
            for p in (folder.iterdir() if folder.is_dir() else [])
            if p.is_file()
        ]
    if not files:
        out.info("No backups found.")
        return 0
    out.info(f"Found {len(files)} backup(s) on disk: {disk}")
    rows = [
        (
            f,
            _format_bytes(size),
            dt.datetime.fromtimestamp(mtime, dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
        )
        for f, size, mtime in sorted(files, key=lambda f: f[2], reverse=True)
    ]
    out.table(["Filename", "Size", "Created"], rows)
    out.info(f"Total backup storage: {_format_bytes(sum(f[1] for f in files))}")
    return 0


def about_drivers(config: AppConfig, as_json: bool) -> str:
    """`about --only=drivers [--json]` (AboutCommand): the Drivers section, from the config."""
    drivers = {
        "broadcasting": "log",
        "cache": config.get("CACHE_STORE", "database"),
        "database": config.get("DB_CONNECTION", "sqlite"),
        "logs": "stack",
        "mail": "log",
        "queue": config.get("QUEUE_CONNECTION", "database"),
        "session": config.get("SESSION_DRIVER", "database"),
    }
    if as_json:
        return json.dumps({"drivers": drivers}) + "\n"
    out = Output()
    out.line()
    out.two_columns("Drivers", "")
    for name, value in drivers.items():
        out.two_columns(name.capitalize(), value)
    out.line()
    return out.text()


def about_cache(layout: HomeLayout, as_json: bool) -> str:
    """`about --only=cache [--json]` (AboutCommand): booleans in JSON, CACHED / NOT CACHED."""
    cache = buildcache.about_cache(layout)
    if as_json:
        return json.dumps({"cache": cache}) + "\n"
    out = Output()
    out.line()
    out.two_columns("Cache", "")
    for name, cached in cache.items():
        out.two_columns(name.capitalize(), "CACHED" if cached else "NOT CACHED")
    out.line()
    return out.text()


def printenv(config: AppConfig) -> str:
    """The container's environment: what the deployment injects (the app's `.env` here, as
    Railway's variables or `docker run --env-file` would) and the process's own few."""
    container = {"HOSTNAME": "facturino_app", "HOME": "/var/www", "PATH": "/usr/local/bin:/usr/bin"}
    return "".join(f"{name}={value}\n" for name, value in {**container, **config.env}.items())


def queue_work_once(config: AppConfig, out: Output, queue: str) -> int:
    """`queue:work --once --queue=Q --stop-when-empty`: one due job of Q through the worker,
    on the app's queue connection (QUEUE_CONNECTION)."""
    out.info(f"Processing jobs from the [{queue}] queue.")
    if config.get("QUEUE_CONNECTION", "database") == "redis":
        return _work_once_redis(config, out, queue)
    with _connect(config) as conn:
        row = conn.execute(
            "SELECT id, payload FROM jobs WHERE queue = %s AND reserved_at IS NULL AND "
            "available_at <= %s ORDER BY id LIMIT 1",
            (queue, int(time.time())),
        ).fetchone()
        if row is None:
            return 0
        job_id, payload = row
        name = str(json.loads(payload).get("displayName", "?"))
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        out.two_columns(f"{stamp} {name}", "RUNNING")
        started = time.perf_counter()
        worker.work_once(conn, (queue,))
        uuid = str(json.loads(payload).get("uuid", ""))
        outcome = conn.execute(
            "SELECT (SELECT count(*) FROM jobs WHERE id = %s) + "
            "(SELECT count(*) FROM failed_jobs WHERE uuid = %s)",
            (job_id, uuid),
        ).fetchone()
        took = f"{(time.perf_counter() - started) * 1000:.2f}ms"
        # Released for a retry or moved to failed_jobs: Laravel prints FAIL for both.
        status = "FAIL" if outcome and outcome[0] else "DONE"
        out.two_columns(f"{stamp} {name}", f"{took} {status}")
    return 0


def _work_once_redis(config: AppConfig, out: Output, queue: str) -> int:
    """The `redis` connection: pop the queue's next due payload and run it."""
    rq = RedisQueue(queue_client(config), config.get("REDIS_PREFIX"))
    outcome: list[tuple[str, BaseException | None]] = []
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    started = time.perf_counter()
    with _connect(config) as conn:
        worker.work_once_redis(rq, conn, (queue,), config, lambda *seen: outcome.append(seen))
    for name, error in outcome:
        took = f"{(time.perf_counter() - started) * 1000:.2f}ms"
        out.two_columns(f"{stamp} {name}", "RUNNING")
        out.two_columns(f"{stamp} {name}", f"{took} {'FAIL' if error else 'DONE'}")
    return 0


def disk_free(layout: HomeLayout) -> tuple[int, str]:
    """The container's view: its root file system and the storage volume (real `df -h`)."""
    paths = ["/", str(layout.storage)]
    done = subprocess.run(["df", "-h", *paths], capture_output=True, text=True, check=False)
    lines = done.stdout.splitlines()
    unique = [lines[0], *dict.fromkeys(lines[1:])] if lines else []
    return done.returncode, "\n".join(unique) + "\n"


def run(home: Path, argv: Sequence[str]) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of `argv` as the container's shell would give them."""
    layout = HomeLayout(home)
    config = AppConfig.load(home)
    args = list(argv)
    if args[:1] == ["df"]:
        code, text = disk_free(layout)
        return code, text, ""
    if args == ["printenv"]:
        return 0, printenv(config), ""
    if args[:2] != ["php", "artisan"]:
        return 127, "", f"sh: 1: {args[0] if args else ''}: not found\n"
    out = Output()
    command, options = (args[2] if len(args) > 2 else "list"), args[3:]
    if command == "migrate:status":
        return migrate_status(config, out), out.text(), ""
    if command == "backup:list":
        return backup_list(config, layout, out), out.text(), ""
    if command == "queue:monitor" and options:
        maximum = next((int(o.split("=", 1)[1]) for o in options if o.startswith("--max=")), 1000)
        return queue_monitor(config, out, options[0], maximum), out.text(), ""
    if command == "about" and "--only=drivers" in options:
        return 0, about_drivers(config, "--json" in options), ""
    if command == "about" and "--only=cache" in options:
        return 0, about_cache(layout, "--json" in options), ""
    if command == "queue:work" and "--once" in options:
        queue = next((o.split("=", 1)[1] for o in options if o.startswith("--queue=")), "default")
        return queue_work_once(config, out, queue), out.text(), ""
    return 1, "", f'\n   ERROR  Command "{command}" is not defined.\n\n'


def main(home: Path, argv: Sequence[str]) -> int:
    try:
        code, stdout, stderr = run(home, argv)
    except (psycopg.Error, mysqlconn.Error, redis.RedisError, OSError) as error:
        code, stdout, stderr = 1, "", f"\n   Illuminate\\Database\\QueryException\n\n  {error}\n"
    sys.stdout.write(stdout)
    sys.stderr.write(stderr)
    return code


def write_entry(layout: HomeLayout) -> Path:
    """`HOME/bin/app-shell`: the command prefix environments use (like `docker exec app`)."""
    return write_wrapper(layout, "app-shell", "shell", "`docker exec facturino_app`")


def write_wrapper(layout: HomeLayout, name: str, command: str, stands_for: str) -> Path:
    """`HOME/bin/<name>`: runs `facturino-reference <command> --home HOME -- ARGS` with this
    Python, wherever the suite runs it from."""
    entry = layout.root / "bin" / name
    entry.parent.mkdir(exist_ok=True)
    package_parent = Path(__file__).resolve().parent.parent
    entry.write_text(
        f"#!/bin/sh\n# The reference deployment's stand-in for {stands_for}.\n"
        f'PYTHONPATH="{package_parent}${{PYTHONPATH:+:$PYTHONPATH}}" exec "{sys.executable}" '
        f'-m facturino_reference {command} --home "{layout.root}" -- "$@"\n',
        encoding="utf-8",
    )
    entry.chmod(entry.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return entry


__all__ = ["main", "run", "write_entry", "write_wrapper"]
