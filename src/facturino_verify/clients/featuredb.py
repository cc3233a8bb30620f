"""Read-only database questions of the feature flows (queue, bank, webhooks, partner, leftovers).

Every query runs on a :class:`~.database.DatabaseClient`'s read-only session (or one held
:class:`~.database.Session`), in its engine's SQL; the flows observe what the app did, they
never change a row themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .database import Row, Session


@dataclass(frozen=True)
class Watermark:
    """How many rows a table has and its highest id: rows above it are new."""

    count: int
    max_id: int


@dataclass(frozen=True)
class QueuedJob:
    id: int | str  # the jobs row id; on the redis connection the payload's ``id``
    queue: str
    display_name: str
    reserved: bool


def _watermark(rows: list[Row]) -> Watermark:
    ((count, max_id),) = rows
    return Watermark(int(count), int(max_id))


def failed_jobs_mark(pg: Session) -> Watermark:
    return _watermark(pg.rows("SELECT count(*), coalesce(max(id), 0) FROM failed_jobs"))


def failed_jobs_since(pg: Session, mark: Watermark) -> list[tuple[int, str, str]]:
    """(id, queue, first line of the exception) of every failed job newer than ``mark``."""
    rows = pg.rows(
        f"SELECT id, queue, {pg.dialect.first_line('exception')} FROM failed_jobs WHERE id > %s "
        "ORDER BY id",
        (mark.max_id,),
    )
    return [(int(i), str(q), str(e)) for i, q, e in rows]


def new_jobs(pg: Session, after_id: int) -> list[QueuedJob]:
    """Jobs rows newer than ``after_id``, any queue, with the job class Laravel recorded."""
    name = pg.dialect.json_text("payload", "displayName")
    rows = pg.rows(
        f"SELECT id, queue, coalesce({name}, ''), reserved_at IS NOT NULL "
        "FROM jobs WHERE id > %s ORDER BY id",
        (after_id,),
    )
    return [QueuedJob(int(i), str(q), str(name), bool(r)) for i, q, name, r in rows]


def jobs_sequence_value(pg: Session) -> int:
    """The last id handed out for ``jobs`` (rows inserted and already deleted included)."""
    if pg.dialect.engine == "mysql":
        rows = pg.rows(
            "SELECT AUTO_INCREMENT FROM information_schema.tables"
            " WHERE table_schema = DATABASE() AND table_name = 'jobs'"
        )
        return int(rows[0][0]) - 1 if rows and rows[0][0] is not None else 0
    ((sequence,),) = pg.rows("SELECT pg_get_serial_sequence('jobs', 'id')")
    if sequence is None:
        return 0
    ((last, called),) = pg.rows(f"SELECT last_value, is_called FROM {sequence}")
    return int(last) if called else int(last) - 1


def jobs_mark(pg: Session) -> Watermark:
    return _watermark(pg.rows("SELECT count(*), coalesce(max(id), 0) FROM jobs"))


def job_exists(pg: Session, job_id: int) -> bool:
    return bool(pg.rows("SELECT 1 FROM jobs WHERE id = %s", (job_id,)))


def psd2_transactions_mark(pg: Session, account_id: int) -> Watermark:
    return _watermark(
        pg.rows(
            "SELECT count(*), coalesce(max(id), 0) FROM bank_transactions "
            "WHERE bank_account_id = %s AND source = 'psd2'",
            (account_id,),
        )
    )


# BankToken::scopeValid($minutesBuffer = 5): a token is usable only if it lives 5 more minutes
# (expires_at is NOT NULL in the app's migration; timestamps are in the app's time zone).
def _valid_token(pg: Session) -> str:
    """SQL true when the account ``a`` has a usable token; one ``%s``: the app's zone."""
    soon = f"{pg.dialect.app_now()} + interval '5' minute"
    return (
        "EXISTS (SELECT 1 FROM bank_tokens t WHERE t.company_id = a.company_id AND "
        f"t.bank_code = a.bank_code AND t.expires_at > {soon})"
    )


def has_valid_bank_token(pg: Session, account_id: int, timezone: str = "UTC") -> bool:
    """A bank_tokens row for the account's (company, bank_code) that SyncBankTransactions would
    use (``BankToken::valid()``: expiring more than 5 minutes from now): without one the job
    imports nothing by design (contract §7)."""
    rows = pg.rows(
        f"SELECT {_valid_token(pg)} FROM bank_accounts a WHERE a.id = %s",
        (pg.dialect.zone_param(timezone), account_id),
    )
    return bool(rows and rows[0][0])


@dataclass(frozen=True)
class Psd2Imports:
    """What the sync left for one account: its newest psd2 transaction's import time (the row's
    created_at; nothing else records a sync) and whether its bank has a usable token."""

    account_id: int
    bank_code: str | None
    newest_import: str | None  # ISO, the app's time zone
    age_hours: float | None  # by the database's clock
    valid_token: bool


def psd2_imports(pg: Session, account_ids: list[int], timezone: str = "UTC") -> list[Psd2Imports]:
    if not account_ids:
        return []
    d = pg.dialect
    zone = d.zone_param(timezone)
    # A grouped derived table, not LATERAL: MariaDB has none.
    rows = pg.rows(
        f"SELECT a.id, a.bank_code, i.newest, {d.seconds_between('i.newest', d.app_now())} / 3600, "
        f"{_valid_token(pg)} FROM bank_accounts a LEFT JOIN (SELECT bank_account_id, "
        "max(created_at) AS newest FROM bank_transactions WHERE source = 'psd2' "
        "GROUP BY bank_account_id) i ON i.bank_account_id = a.id "
        f"WHERE {d.in_list('a.id')} ORDER BY a.id",
        (zone, zone, d.list_param(account_ids)),
    )
    return [
        Psd2Imports(
            int(i),
            None if code is None else str(code),
            None if newest is None else newest.isoformat(sep=" "),
            None if age is None else float(age),
            bool(valid),
        )
        for i, code, newest, age, valid in rows
    ]


def webhook_events_count(pg: Session) -> int:
    return int(pg.rows("SELECT count(*) FROM gateway_webhook_events")[0][0])


@dataclass(frozen=True)
class PartnerLedger:
    """What the database says a partner has earned (contract §9's sources)."""

    partner_id: int
    events: list[dict[str, Any]]  # all its affiliate_events, newest first
    pending_payouts: list[dict[str, Any]]  # payouts with status 'pending', earliest first
    active_clients: int
    this_month: str  # the app's current month, YYYY-MM (affiliate_events.month_ref)


def partner_ledger(pg: Session, email: str, timezone: str = "UTC") -> PartnerLedger | None:
    """``timezone``: the app's (Carbon's now() decides the current month there, not the
    database session's clock)."""
    found = pg.rows(
        "SELECT p.id FROM partners p JOIN users u ON u.id = p.user_id WHERE u.email = %s",
        (email,),
    )
    if not found:
        return None
    partner_id = int(found[0][0])
    events = pg.rows(
        "SELECT e.id, e.amount, e.paid_at, e.month_ref, e.created_at, e.event_type, "
        "e.is_clawed_back FROM affiliate_events e WHERE e.affiliate_partner_id = %s "
        "ORDER BY e.created_at DESC, e.id DESC",
        (partner_id,),
    )
    payouts = pg.rows(
        "SELECT amount, payout_date FROM payouts WHERE partner_id = %s AND status = 'pending' "
        "ORDER BY payout_date",
        (partner_id,),
    )
    # Partner::activeCompanies() joins companies: a link whose company is gone does not count.
    ((clients,),) = pg.rows(
        "SELECT count(*) FROM partner_company_links l JOIN companies c ON c.id = l.company_id "
        "WHERE l.partner_id = %s AND l.is_active",
        (partner_id,),
    )
    d = pg.dialect
    ((month,),) = pg.rows(f"SELECT {d.month_of(d.app_now())}", (d.zone_param(timezone),))
    keys = ("id", "amount", "paid_at", "month_ref", "created_at", "event_type", "is_clawed_back")
    return PartnerLedger(
        partner_id,
        [dict(zip(keys, (_plain(v) for v in row), strict=True)) for row in events],
        [{"amount": _plain(a), "date": d} for a, d in payouts],
        int(clients),
        str(month),
    )


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


# Where a run tag can end up, per table: the columns the flows write it into.
TAGGED_COLUMNS = {
    "customers": ("name", "email"),
    "items": ("name", "description"),
    "invoices": ("notes", "reference_number"),
}


def rows_tagged(pg: Session, tag: str) -> dict[str, list[int]]:
    """Ids of rows (per table) that carry ``tag``: what a run left behind."""
    left: dict[str, list[int]] = {}
    for table, columns in TAGGED_COLUMNS.items():
        where = " OR ".join(f"{c} LIKE %s" for c in columns)
        ids = pg.rows(
            f"SELECT id FROM {table} WHERE {where} ORDER BY id",
            tuple(f"%{tag}%" for _ in columns),
        )
        if ids:
            left[table] = [int(i) for (i,) in ids]
    return left
