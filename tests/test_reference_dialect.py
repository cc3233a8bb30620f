"""dialect.to_mysql: each PostgreSQL form the reference uses, as MariaDB must receive it."""

from __future__ import annotations

import pytest

from facturino_reference.dialect import to_mysql

CASES = {
    "now() at time zone": (
        "SELECT (now() at time zone 'UTC') - interval '24 hours'",
        "SELECT UTC_TIMESTAMP() - INTERVAL 24 HOUR",
    ),
    "compound interval": (
        "SELECT now() + interval '1 month 14 days'",
        "SELECT now() + INTERVAL 1 MONTH + INTERVAL 14 DAY",
    ),
    "make_interval": (
        "SELECT now() - make_interval(secs => %s), now() - make_interval(hours => %s)",
        "SELECT now() - INTERVAL %s SECOND, now() - INTERVAL %s HOUR",
    ),
    "date minus days": (
        "VALUES (current_date - %s, current_date - %s + 15)",
        "VALUES (CURRENT_DATE - INTERVAL %s DAY, CURRENT_DATE - INTERVAL %s DAY + INTERVAL 15 DAY)",
    ),
    "casts": (
        "WHERE id::text = %s AND %s::bigint IS NULL AND (a + 1)::date > x",
        "WHERE CAST(id AS CHAR) = %s AND CAST(%s AS SIGNED) IS NULL AND CAST((a + 1) AS DATE) > x",
    ),
    "ANY": ("DELETE FROM items WHERE id = ANY(%s)", "DELETE FROM items WHERE id IN %s"),
    "ILIKE": ("WHERE name ILIKE %s", "WHERE name LIKE %s"),
    "FILTER": (
        "count(*) FILTER (WHERE s IN ('A', 'B')), sum(t) FILTER (WHERE d >= %(since)s)",
        "count(CASE WHEN s IN ('A', 'B') THEN 1 END), sum(CASE WHEN d >= %(since)s THEN t END)",
    ),
    "date_trunc": (
        "date_trunc('month', now() at time zone 'UTC')",
        "TIMESTAMP(LAST_DAY(UTC_TIMESTAMP()) + INTERVAL 1 DAY - INTERVAL 1 MONTH)",
    ),
    "to_regclass": (
        "SELECT to_regclass('certificates')::text",
        "SELECT (SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = DATABASE() AND table_name = 'certificates')",
    ),
    "json field and regex": (
        "WHERE payload::json->>'displayName' = ANY(%s) AND content::text ~* 'bank.*sync'",
        "WHERE JSON_VALUE(payload, '$.displayName') IN %s AND content REGEXP 'bank.*sync'",
    ),
    "ON CONFLICT DO UPDATE": (
        "INSERT INTO sessions (id, payload) VALUES (%s, %s) "
        "ON CONFLICT (id) DO UPDATE SET payload = excluded.payload",
        "INSERT INTO sessions (id, payload) VALUES (%s, %s) "
        "ON DUPLICATE KEY UPDATE payload = VALUES(payload)",
    ),
    "ON CONFLICT DO NOTHING": (
        "INSERT INTO t (a) VALUES (%s) ON CONFLICT (a) DO NOTHING",
        "INSERT IGNORE INTO t (a) VALUES (%s)",
    ),
    "reserved column names": (
        "SELECT value FROM settings WHERE option = 'key' AND cache.key = %s AND key IN %s",
        "SELECT value FROM settings WHERE `option` = 'key' AND cache.key = %s AND `key` IN %s",
    ),
    "pg_sleep": ("SELECT pg_sleep(%s)", "SELECT SLEEP(%s)"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_postgresql_form_becomes_its_mysql_form(name: str) -> None:
    postgresql, mysql = CASES[name]
    assert to_mysql(postgresql) == mysql


def test_portable_sql_passes_unchanged() -> None:
    query = "SELECT count(*) FROM jobs WHERE queue = %s AND reserved_at IS NULL ORDER BY id"
    assert to_mysql(query) == query


def test_string_literals_are_not_rewritten() -> None:
    query = "INSERT INTO settings (option, value) VALUES ('option', 'interval ''1 day''')"
    assert to_mysql(query) == (
        "INSERT INTO settings (`option`, value) VALUES ('option', 'interval ''1 day''')"
    )
