"""The SQL that differs between PostgreSQL and MySQL/MariaDB, as fragments the questions put
together: each question is written once, and the differences between engines are here.

The app stores naive UTC (Laravel's ``now()`` under ``APP_TIMEZONE=UTC``), so "now" in a
comparison with a stored timestamp is always the server's clock read *in UTC*, never in the
session's zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Dialect:
    engine: str
    epoch_now: str  # seconds since the epoch, an integer (Laravel's queue timestamps)
    utc_now: str  # the server's clock as naive UTC (how the app writes timestamps)
    version_query: str
    schema: str  # the schema whose tables the app owns
    table_exists_query: str  # one %s: the table's name; answers one row, true or false

    def hours_ago(self, hours: str) -> str:
        """``hours`` (an SQL integer: a literal or ``%s``) before now, naive UTC."""
        if self.engine == "mysql":
            return f"{self.utc_now} - INTERVAL {hours} HOUR"
        return f"{self.utc_now} - make_interval(hours => {hours})"

    def days_ahead(self, days: str) -> str:
        if self.engine == "mysql":
            return f"{self.utc_now} + INTERVAL {days} DAY"
        return f"{self.utc_now} + make_interval(days => {days})"

    def seconds_between(self, start: str, end: str) -> str:
        """``end - start`` in seconds (both naive timestamps)."""
        if self.engine == "mysql":
            return f"TIMESTAMPDIFF(SECOND, {start}, {end})"
        return f"extract(epoch from ({end}) - ({start}))"

    def json_text(self, column: str, key: str) -> str:
        """A top-level key of a JSON document kept as text (Laravel's ``payload``)."""
        if self.engine == "mysql":
            return f"JSON_UNQUOTE(JSON_EXTRACT({column}, '$.{key}'))"
        return f"{column}::json->>'{key}'"

    def in_list(self, column: str) -> str:
        """``column`` is one of a list passed as one parameter (never empty: MySQL has no
        ``IN ()``)."""
        return f"{column} IN %s" if self.engine == "mysql" else f"{column} = ANY(%s)"

    def list_param(self, values: list[str] | list[int]) -> object:
        # PyMySQL writes a tuple as (a, b); psycopg adapts a list to an array.
        return tuple(values) if self.engine == "mysql" else list(values)

    def first_line(self, column: str) -> str:
        if self.engine == "mysql":
            return f"SUBSTRING_INDEX({column}, CHAR(10 USING utf8mb4), 1)"
        return f"split_part({column}, E'\\n', 1)"

    def app_now(self) -> str:
        """The clock in the app's time zone, naive; one ``%s``: :meth:`zone_param`."""
        if self.engine == "mysql":
            return f"({self.utc_now} + INTERVAL %s MINUTE)"
        return "(now() AT TIME ZONE %s)"

    def zone_param(self, timezone: str) -> str | int:
        """PostgreSQL knows zone names. MySQL knows them only where its zone tables were
        loaded (often not) and CONVERT_TZ refuses offsets past +13:00, so it gets the zone's
        offset now in minutes, added to UTC."""
        if self.engine != "mysql":
            return timezone
        offset = datetime.now(UTC).astimezone(ZoneInfo(timezone)).utcoffset()
        return int(offset.total_seconds() // 60) if offset else 0

    def month_of(self, timestamp: str) -> str:
        """YYYY-MM of a timestamp."""
        if self.engine == "mysql":
            return f"DATE_FORMAT({timestamp}, '%%Y-%%m')"
        return f"to_char({timestamp}, 'YYYY-MM')"

    def quoted(self, name: str) -> str:
        return f"`{name}`" if self.engine == "mysql" else f'"{name}"'


POSTGRESQL = Dialect(
    engine="postgresql",
    epoch_now="extract(epoch from now())::bigint",
    utc_now="(now() at time zone 'UTC')",
    version_query="SHOW server_version",
    schema="'public'",
    table_exists_query="SELECT to_regclass(%s) IS NOT NULL",
)
MYSQL = Dialect(
    engine="mysql",
    epoch_now="UNIX_TIMESTAMP()",
    utc_now="UTC_TIMESTAMP()",
    version_query="SELECT VERSION()",
    schema="DATABASE()",
    table_exists_query="SELECT count(*) > 0 FROM information_schema.tables"
    " WHERE table_schema = DATABASE() AND table_name = %s",
)
