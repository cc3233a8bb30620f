"""The next release, as a checkout the pre-deployment rehearsal runs: `HOME/release-next/`
with its migrations (the deployed ones plus this release's new ones) and an `artisan` that
does what `php artisan migrate --pretend | migrate --force | migrate:status` do, against the
database the DB_* variables name (Laravel's config/database.php keys; nothing else is read,
so without them it connects nowhere).

The new migrations are real DDL on real tables, in each engine's grammar as Laravel's schema
builder writes it. The `failing_migration` fault adds one that fails in a real database: an
index on `invoices.approved_at`, a column no migration created (the migration that adds it
was left out of the release), so PostgreSQL and MariaDB both refuse it.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import psycopg
import pymysql

from facturino_reference import seed
from facturino_reference.paths import HomeLayout

FOLDER = "release-next"
# The release the reference rolls back to when this one fails: the deployment before it.
PREVIOUS_RELEASE = "2.1.0"
PREVIOUS_FILE = "previous-release"
# name -> (PostgreSQL statements, MySQL/MariaDB statements)
NEW_MIGRATIONS: dict[str, tuple[list[str], list[str]]] = {
    "2026_12_01_000001_add_internal_note_to_invoices_table": (
        ['alter table "invoices" add column "internal_note" text null'],
        ["alter table `invoices` add `internal_note` text null"],
    ),
    "2026_12_01_000002_create_release_notes_table": (
        [
            'create table "release_notes" ("id" bigserial not null primary key, "version" '
            'varchar(255) not null, "created_at" timestamp(0) without time zone null)',
            'create index "release_notes_version_index" on "release_notes" ("version")',
        ],
        [
            "create table `release_notes` (`id` bigint unsigned not null auto_increment primary "
            "key, `version` varchar(255) not null, `created_at` timestamp null) default "
            "character set utf8mb4 collate 'utf8mb4_unicode_ci'",
            "alter table `release_notes` add index `release_notes_version_index`(`version`)",
        ],
    ),
}
FAILING_MIGRATION: dict[str, tuple[list[str], list[str]]] = {
    "2026_12_02_000001_add_approved_at_index_to_invoices_table": (
        ['create index "invoices_approved_at_index" on "invoices" ("approved_at")'],
        ["alter table `invoices` add index `invoices_approved_at_index`(`approved_at`)"],
    ),
}
WIDTH = 150
MIGRATIONS = "database/migrations"
# The migration `migration_parse_error` leaves a merge conflict in.
UNPARSABLE = "2026_12_01_000002_create_release_notes_table"


class ParseError(Exception):
    """A migration file that cannot be loaded (PHP's ParseError when the migrator requires it)."""


def write_next_release(layout: HomeLayout, faults: Mapping[str, str | None]) -> Path:
    """`HOME/release-next/`: its new migrations (database/migrations/NAME.json, one statement
    list per engine), its `artisan`, and the release it replaces (none under
    `no_last_good_deployment`: a first deployment has nothing to roll back to)."""
    folder = layout.root / FOLDER
    migrations = folder / MIGRATIONS
    migrations.mkdir(parents=True, exist_ok=True)
    new = {**NEW_MIGRATIONS, **(FAILING_MIGRATION if "failing_migration" in faults else {})}
    for name, (pgsql, mysql) in new.items():
        text = json.dumps({"pgsql": pgsql, "mysql": mysql}, indent=1)
        if "migration_parse_error" in faults and name == UNPARSABLE:
            text = f"<<<<<<< HEAD\n{text}\n=======\n>>>>>>> release\n"  # a conflict left in
        (migrations / f"{name}.json").write_text(text, encoding="utf-8")
    previous = folder / PREVIOUS_FILE
    if "no_last_good_deployment" in faults:
        previous.unlink(missing_ok=True)
    else:
        previous.write_text(PREVIOUS_RELEASE + "\n", encoding="utf-8")
    _write_artisan(folder)
    return folder


def _write_artisan(folder: Path) -> None:
    entry = folder / "artisan"
    package_parent = Path(__file__).resolve().parent.parent
    entry.write_text(
        "#!/bin/sh\n# The next release's `php artisan` (migrate, migrate:status) for the "
        "rehearsal.\n"
        f'PYTHONPATH="{package_parent}${{PYTHONPATH:+:$PYTHONPATH}}" '
        f'exec "{sys.executable}" -m facturino_reference.nextartisan "{folder}" "$@"\n',
        encoding="utf-8",
    )
    entry.chmod(entry.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def previous_release(layout: HomeLayout) -> str | None:
    path = layout.root / FOLDER / PREVIOUS_FILE
    return path.read_text(encoding="utf-8").strip() if path.exists() else None


class Database:
    """The connection DB_* name, in the engine DB_CONNECTION names (pgsql or mysql)."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.engine = env.get("DB_CONNECTION", "")
        if self.engine not in ("pgsql", "mysql", "mariadb"):
            raise ValueError(f"Database connection [{self.engine}] not configured.")
        self.conn: Any = self._connect(env)

    def _connect(self, env: Mapping[str, str]) -> Any:
        if self.engine == "pgsql":
            return psycopg.connect(
                host=env.get("DB_HOST", "127.0.0.1"),
                port=int(env.get("DB_PORT") or 5432),
                dbname=env.get("DB_DATABASE", "forge"),
                user=env.get("DB_USERNAME", "forge"),
                password=env.get("DB_PASSWORD") or None,
                autocommit=True,
                connect_timeout=5,
            )
        return pymysql.connect(
            unix_socket=env.get("DB_SOCKET") or None,
            host=env.get("DB_HOST", "127.0.0.1"),
            port=int(env.get("DB_PORT") or 3306),
            database=env.get("DB_DATABASE", "forge"),
            user=env.get("DB_USERNAME", "forge"),
            password=env.get("DB_PASSWORD", ""),
            autocommit=True,
            connect_timeout=5,
        )

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.conn.cursor() as cur:
            cur.execute(sql, tuple(params))
            return list(cur.fetchall())

    def statements(self, sqls: Sequence[str], name: str, batch: int) -> None:
        """One migration: PostgreSQL runs it in a transaction (Laravel's default where DDL is
        transactional); MySQL commits each DDL statement anyway."""
        record = "insert into migrations (migration, batch) values (%s, %s)"
        if self.engine == "pgsql":
            with self.conn.transaction(), self.conn.cursor() as cur:
                for sql in sqls:
                    cur.execute(sql)
                cur.execute(record, (name, batch))
            return
        with self.conn.cursor() as cur:
            for sql in sqls:
                cur.execute(sql)
            cur.execute(record, (name, batch))


def _dots(first: str, second: str = "") -> str:
    dots = max(WIDTH - 4 - len(first) - len(second) - 2, 0)
    return f"  {first} {'.' * dots} {second}  ".rstrip() + "  "


def release_migrations(folder: Path) -> list[str]:
    """Every migration of the release, oldest first: the deployed ones and its new files (the
    migrator globs the names; migrate:status reads no file)."""
    new = sorted(p.name.removesuffix(".json") for p in (folder / MIGRATIONS).glob("*.json"))
    return [*seed.migration_names(), *new]


def statements(folder: Path, name: str, engine: str) -> list[str]:
    """The statements of a new migration (a deployed one has run already: none to load)."""
    path = folder / MIGRATIONS / f"{name}.json"
    if not path.exists():
        return []
    try:
        loaded: dict[str, list[str]] = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise ParseError(f"syntax error in {path} ({error})") from None
    return loaded["pgsql" if engine == "pgsql" else "mysql"]


def run(folder: Path, args: Sequence[str], env: Mapping[str, str]) -> tuple[int, str]:
    command = args[0] if args else "list"
    if command not in ("migrate", "migrate:status"):
        return 1, f'\n   ERROR  Command "{command}" is not defined.\n\n'
    migrations = release_migrations(folder)
    db = Database(env)
    ran = {str(r[0]): int(r[1]) for r in db.rows("select migration, batch from migrations")}
    if command == "migrate:status":
        lines = ["", _dots("Migration name", "Batch / Status")]
        for name in migrations:
            lines.append(_dots(name, f"[{ran[name]}] Ran" if name in ran else "Pending"))
        return 0, "\n".join(lines) + "\n\n"
    pending = [name for name in migrations if name not in ran]
    if not pending:
        return 0, "\n   INFO  Nothing to migrate.\n\n"
    try:  # the migrator requires every pending file before it runs any
        loaded = {name: statements(folder, name, db.engine) for name in pending}
    except ParseError as error:
        return 255, f"\n   ParseError\n\n  {error}\n\n"
    if "--pretend" in args:
        lines = ["", "   INFO  Running migrations.", ""]
        for name, sqls in loaded.items():
            lines += [_dots(name), *(f"  ⇂ {sql}" for sql in sqls)]
        return 0, "\n".join(lines) + "\n\n"
    return _migrate(db, loaded, max(ran.values(), default=0) + 1)


def _migrate(db: Database, loaded: dict[str, list[str]], batch: int) -> tuple[int, str]:
    lines = ["", "   INFO  Running migrations.", ""]
    for name, sqls in loaded.items():
        started = time.perf_counter()
        try:
            db.statements(sqls, name, batch)
        except (psycopg.Error, pymysql.MySQLError) as error:
            took = f"{(time.perf_counter() - started) * 1000:.2f}ms"
            lines += [_dots(name, f"{took} FAIL"), "", "   Illuminate\\Database\\QueryException"]
            lines.append(f"\n  {_query_exception(error)} (Connection: {db.engine})")
            return 1, "\n".join(lines) + "\n\n"
        lines.append(_dots(name, f"{(time.perf_counter() - started) * 1000:.2f}ms DONE"))
    return 0, "\n".join(lines) + "\n\n"


def _query_exception(error: psycopg.Error | pymysql.MySQLError) -> str:
    """As PDO words it: PostgreSQL's SQLSTATE and message, MySQL's error number and message."""
    if isinstance(error, psycopg.Error):
        return f"SQLSTATE[{error.sqlstate or 'HY000'}]: {str(error).strip()}"
    number, message = (*error.args, "", "")[:2]
    return f"SQLSTATE[HY000]: General error: {number} {message}"


def main(argv: Sequence[str]) -> int:
    folder, args = Path(argv[0]), list(argv[1:])
    try:
        code, text = run(folder, args, os.environ)
    except (psycopg.Error, pymysql.MySQLError, ValueError) as error:
        code, text = 1, f"\n   Illuminate\\Database\\QueryException\n\n  {error}\n\n"
    sys.stdout.write(text)
    return code
