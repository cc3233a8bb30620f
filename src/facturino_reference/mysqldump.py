"""The dump production's backups hold on MySQL: what the app's PHP `mysqldump` writes.

The app's image replaces mysqldump with a PHP script (docker-mysqldump-php.sh, installed as
/usr/local/bin/mysqldump by Dockerfile.mkaccounting) because MariaDB's client cannot sign in to
MySQL 8.4. spatie/db-dumper runs it and gzips the output to `db-dumps/mysql-<database>.sql.gz`.
Its format, reproduced here from that description: a three-line comment header, `SET NAMES`
and foreign-key checks off; per table `DROP TABLE IF EXISTS`, `SHOW CREATE TABLE`'s text, and
when it has rows `LOCK TABLES`, `INSERT ... VALUES` batches of 500 rows with every value quoted
as a string (PDO::quote), `UNLOCK TABLES`; foreign-key checks back on at the end.
It ignores the options it does not know, so `--ignore-table` has no effect on production; the
reference's `backup_partial` fault leaves tables out on purpose (`skip`, `skip_data`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator

from pymysql.converters import escape_string

from facturino_reference.mysqlconn import MySQLConnection, MySQLInfo, connect

BATCH_ROWS = 500


def _quote(value: object) -> str:
    """PDO::quote: every non-NULL value as a string literal (numbers included)."""
    if value is None:
        return "NULL"
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    return "'" + escape_string(str(value)) + "'"


def _tables(conn: MySQLConnection) -> list[str]:
    rows = conn.cursor().raw_fetchall("SHOW FULL TABLES WHERE Table_type = 'BASE TABLE'")
    return [str(row[0]) for row in rows]


def _table(conn: MySQLConnection, table: str, with_data: bool) -> Iterator[str]:
    create = conn.cursor().raw_fetchall(f"SHOW CREATE TABLE `{table}`")[0][1]
    yield f"DROP TABLE IF EXISTS `{table}`;\n{create};\n\n"
    if not with_data:
        return
    columns = ", ".join(
        f"`{row[0]}`" for row in conn.cursor().raw_fetchall(f"SHOW COLUMNS FROM `{table}`")
    )
    rows = conn.cursor().raw_fetchall(f"SELECT * FROM `{table}`")
    if not rows:
        return
    yield f"LOCK TABLES `{table}` WRITE;\n"
    for start in range(0, len(rows), BATCH_ROWS):
        values = ",\n".join(
            "(" + ",".join(_quote(v) for v in row) + ")" for row in rows[start : start + BATCH_ROWS]
        )
        yield f"INSERT INTO `{table}` ({columns}) VALUES\n{values};\n"
    yield "UNLOCK TABLES;\n\n"


def dump(info: MySQLInfo, skip: Collection[str] = (), skip_data: Collection[str] = ()) -> bytes:
    """The whole database as the PHP dumper writes it (in one transaction, as
    spatie's --single-transaction asks)."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    parts = [
        "-- PHP-based mysqldump for Alpine/MySQL 8.4 compatibility\n",
        f"-- Server: {info.host}:{info.port}  Database: {info.database}\n",
        f"-- Date: {now}\n\n",
        "SET NAMES utf8mb4;\nSET FOREIGN_KEY_CHECKS = 0;\n\n",
    ]
    with connect(info) as conn, conn.transaction():
        for table in _tables(conn):
            if table not in skip:
                parts.extend(_table(conn, table, with_data=table not in skip_data))
    parts.append("SET FOREIGN_KEY_CHECKS = 1;\n")
    return "".join(parts).encode("utf-8")


def referencing(info: MySQLInfo, table: str) -> set[str]:
    """`table` and every table whose foreign keys lead to it, transitively."""
    found, frontier = {table}, [table]
    with connect(info) as conn:
        while frontier:
            rows = conn.cursor().raw_fetchall(
                "SELECT DISTINCT table_name FROM information_schema.key_column_usage "
                f"WHERE table_schema = DATABASE() AND referenced_table_name = '{frontier.pop()}'"
            )
            for (name,) in rows:
                if name not in found:
                    found.add(str(name))
                    frontier.append(str(name))
    return found
