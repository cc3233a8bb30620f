"""The restore drill's throwaway PostgreSQL: a private cluster in a temporary directory,
reachable only through its own Unix socket (no TCP port), removed afterwards.

Never the production server: the drill restores into this cluster and reads it back.
As root, the server binaries run as ``postgres`` (initdb refuses root); psql and psycopg stay
with the caller and connect over the socket with the cluster's trust authentication.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any, Protocol, Self

from .dialect import POSTGRESQL, Dialect
from .pgdump import roles_in_dump

if TYPE_CHECKING:
    import psycopg

    from .mysqlrestore import ThrowawayMariaDB

SOCKET_PORT = 5432  # only names the socket file; the cluster listens on no TCP port
CHUNK = 1 << 20


class RestoreFailed(Exception):
    """The dump could not be restored (damaged archive, SQL error, timeout)."""


class DrillUnavailable(Exception):
    """This machine cannot run the drill (no PostgreSQL server binaries, initdb failed)."""


def find_pg_bin(configured: Path | None) -> Path:
    if configured is not None:
        if not (configured / "initdb").exists():
            raise DrillUnavailable(f"no initdb in {configured} ([backups] pg_bin)")
        return configured
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if not candidates:
        raise DrillUnavailable(
            "no PostgreSQL server binaries under /usr/lib/postgresql (install `postgresql` "
            "or set [backups] pg_bin)"
        )
    return candidates[-1].parent


def _as_postgres() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class Throwaway(Protocol):
    """A throwaway server the drill restores into and reads back (PostgreSQL or MariaDB)."""

    root: Path
    dialect: Dialect

    def loader(self) -> list[str]: ...
    def rows(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]: ...
    def records(self, sql: str) -> list[dict[str, Any]]: ...


def throwaway_for(entry: str, pg_bin: Path | None) -> ThrowawayPostgres | ThrowawayMariaDB:
    """The server a dump restores into: spatie names a MySQL dump ``mysql-<db>.sql``."""
    if entry.rsplit("/", 1)[-1].startswith(("mysql", "mariadb")):
        from .mysqlrestore import ThrowawayMariaDB

        return ThrowawayMariaDB()
    return ThrowawayPostgres(find_pg_bin(pg_bin))


class ThrowawayServer:
    """A database server of the drill's own in a fresh folder under /tmp: ``with`` starts it
    (a start that fails removes what it made) and ends by removing it all."""

    root: Path

    def _start(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.root = Path(tempfile.mkdtemp(prefix="facturino-restore-drill-", dir="/tmp"))
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class ThrowawayPostgres(ThrowawayServer):
    """``with ThrowawayPostgres(pg_bin) as server:`` → initdb, start, database ``restore``."""

    dialect: Dialect = POSTGRESQL

    def __init__(self, pg_bin: Path, database: str = "restore") -> None:
        self.pg_bin, self.database = pg_bin, database
        self.root = Path()
        self.started = False

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _start(self) -> None:
        self.root.chmod(0o755)
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self._run(
            [
                str(self.pg_bin / "initdb"),
                *("-D", str(self.data), "-U", "postgres", "-E", "UTF8", "--locale=C"),
                *("--auth-local=trust", "--no-sync", "--no-instructions"),
            ],
            "initdb",
        )
        options = (
            f"-p {SOCKET_PORT} -k {self.root} -c listen_addresses='' -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        log = self.root / "server.log"
        self._run(
            [
                *(str(self.pg_bin / "pg_ctl"), "-D", str(self.data), "-l", str(log)),
                *("-w", "-t", "30", "-o", options, "start"),
            ],
            "start",
        )
        self.started = True
        with self.connect("postgres") as conn:
            conn.execute(f'CREATE DATABASE "{self.database}"')

    def _run(self, argv: list[str], what: str) -> None:
        done = subprocess.run(
            _as_postgres() + argv, capture_output=True, text=True, timeout=60, check=False
        )
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            raise DrillUnavailable(f"throwaway PostgreSQL {what} failed: {detail[0]}")

    def connect(self, database: str | None = None) -> psycopg.Connection[Any]:
        import psycopg  # only a weekly drill on PostgreSQL needs it: not at plugin start-up

        return psycopg.connect(
            host=str(self.root),
            port=SOCKET_PORT,
            user="postgres",
            dbname=database or self.database,
            autocommit=True,
            connect_timeout=5,
        )

    def create_roles(self, names: set[str]) -> list[str]:
        """``CREATE ROLE … NOLOGIN`` for each name the cluster lacks; the names created.
        Roles are cluster-wide and never in a database dump, so a fresh cluster has none of
        production's (a real restore runs where they exist)."""
        from psycopg import sql

        with self.connect() as conn:
            existing = {r for (r,) in conn.execute("SELECT rolname FROM pg_roles").fetchall()}
            created = sorted(names - existing)
            for name in created:
                conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(name)))
        return created

    def rows(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        with self.connect() as conn:
            return conn.execute(sql, tuple(params)).fetchall()

    def records(self, sql: str) -> list[dict[str, Any]]:
        with self.connect() as conn:
            cursor = conn.execute(sql)
            names = [c.name for c in cursor.description or []]
            return [dict(zip(names, row, strict=True)) for row in cursor]

    def loader(self) -> list[str]:
        return self.psql()

    def psql(self) -> list[str]:
        return [
            str(self.pg_bin / "psql"),
            *("-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction"),
            *("-h", str(self.root), "-p", str(SOCKET_PORT), "-U", "postgres"),
            *("-d", self.database, "-f", "-"),
        ]

    def close(self) -> None:
        if self.started:
            with contextlib.suppress(DrillUnavailable, subprocess.TimeoutExpired):
                self._run(
                    [
                        *(str(self.pg_bin / "pg_ctl"), "-D", str(self.data)),
                        *("-m", "immediate", "-w", "-t", "20", "stop"),
                    ],
                    "stop",
                )
            self.started = False
        if self.root != Path() and self.root.exists():
            shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def _dump_stream(archive: Path, entry: str) -> Iterator[IO[bytes]]:
    with zipfile.ZipFile(archive) as zipped, zipped.open(entry) as raw:
        if entry.endswith(".gz"):
            with gzip.GzipFile(fileobj=raw) as unpacked:
                yield unpacked  # type: ignore[misc]  # GzipFile is a binary IO
        else:
            yield raw


def restore(server: Throwaway, archive: Path, entry: str, timeout: float) -> list[str]:
    """Feed the dump ``entry`` of ``archive`` (plain SQL, optionally gzipped) to the server's
    loader, which stops at the first error (psql: in one transaction, after creating the roles
    the dump names, see ``pgdump``; a MySQL dump names no roles); the roles created;
    :class:`RestoreFailed` with the reason."""
    deadline = time.monotonic() + timeout
    created: list[str] = []
    if isinstance(server, ThrowawayPostgres):
        created = server.create_roles(_roles_needed(archive, entry, deadline))
    argv = server.loader()
    loader = Path(argv[0]).name
    errors = server.root / f"{loader}.err"
    with errors.open("wb") as err:
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stderr=err)
        assert proc.stdin is not None
        damaged = _pump(archive, entry, proc.stdin, deadline)
        if damaged:
            proc.kill()
        with contextlib.suppress(BrokenPipeError):
            proc.stdin.close()
        try:
            code = proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise RestoreFailed(f"{loader} did not finish within {timeout:g} s") from None
    if damaged:
        raise RestoreFailed(damaged)
    if code != 0:
        lines = errors.read_text(errors="replace").strip().splitlines()
        raise RestoreFailed(f"{loader} exited {code}: {' | '.join(lines[-3:]) or 'no message'}")
    return created


def _roles_needed(archive: Path, entry: str, deadline: float) -> set[str]:
    """The roles the dump names, read in a first pass (a damaged archive fails here)."""
    try:
        with _dump_stream(archive, entry) as source:
            roles = roles_in_dump(_lines(source, deadline))
    except (zipfile.BadZipFile, gzip.BadGzipFile, zlib.error, EOFError, OSError) as error:
        raise RestoreFailed(f"the dump is damaged: {type(error).__name__}: {error}") from None
    except RuntimeError as error:
        raise RestoreFailed(_unreadable(error)) from None
    return roles


def _lines(source: IO[bytes], deadline: float) -> Iterator[bytes]:
    rest = b""
    while chunk := source.read(CHUNK):
        if time.monotonic() > deadline:
            raise RestoreFailed("the restore ran out of time")
        *complete, rest = (rest + chunk).split(b"\n")
        yield from complete
    if rest:
        yield rest


def _unreadable(error: RuntimeError) -> str:
    return (
        f"the archive cannot be read: {error} (spatie encrypts with AES-256 when "
        "BACKUP_ARCHIVE_PASSWORD is set; the drill reads unencrypted archives only)"
    )


def _pump(archive: Path, entry: str, sink: IO[bytes], deadline: float) -> str:
    """Copy the dump into the loader; the reason when the archive itself is damaged, else ""."""
    try:
        with _dump_stream(archive, entry) as source:
            while chunk := source.read(CHUNK):
                if time.monotonic() > deadline:
                    return "the restore ran out of time"
                sink.write(chunk)
    except BrokenPipeError:
        return ""  # the loader stopped at an error; its exit code and stderr tell which
    except (zipfile.BadZipFile, gzip.BadGzipFile, zlib.error, EOFError, OSError) as error:
        return f"the dump is damaged: {type(error).__name__}: {error}"
    except RuntimeError as error:  # zipfile: "File ... is encrypted, password required"
        return _unreadable(error)
    return ""
