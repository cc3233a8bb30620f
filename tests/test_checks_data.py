"""Checks over database rows, Redis answers and the partner API (/metrics: test_checks_metrics)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from facturino_verify.checks import CheckFailed, data, observability, remedies
from facturino_verify.clients.database import QueueSnapshot
from facturino_verify.config.model import RUNBOOK_FEATURE_FLAGS

Respond = Callable[..., httpx.Response]
MOCKED_DASHBOARD = {
    "active_clients": 12,
    "monthly_commissions": 85000,
    "processed_invoices": 234,
    "pending_payout": 127500,
    "total_earned": 458300,
}
REAL_DASHBOARD = {
    "data": {
        "active_clients": 7,
        "monthly_commissions": 12000,
        "processed_invoices": 51,
        "pending_payout": 3000,
        "total_earned": 98000,
    }
}


def snapshot(**changes: Any) -> QueueSnapshot:
    values: dict[str, Any] = dict(
        pending=3,
        oldest_reserved_age_seconds=None,
        reserved_too_long=0,
        failed_last_hour=0,
        pending_by_queue={"default": 3},
    )
    return QueueSnapshot(**{**values, **changes})


def test_manifest_ignores_blank_lines_and_comments() -> None:
    text = "# header\n\n2014_10_11_create_companies  # first\n  2026_01_01_x \n"
    assert data.parse_manifest(text) == ["2014_10_11_create_companies", "2026_01_01_x"]


def test_newest_migration_applied_passes() -> None:
    data.expect_newest_migration(["2025_a", "2026_b"], "2026_b")


@pytest.mark.parametrize(
    ("applied", "seen"),
    [
        (["2025_a", "2025_b"], "newest applied: 2025_b"),
        ([], "newest applied: (no migrations at all)"),
    ],
)
def test_newest_migration_missing_fails(applied: list[str], seen: str) -> None:
    with pytest.raises(CheckFailed) as caught:
        data.expect_newest_migration(applied, "2026_b")
    assert (caught.value.seen, caught.value.remedy) == (seen, remedies.MIGRATIONS)


def test_no_pending_migration_passes_with_extra_applied_ones() -> None:
    data.expect_no_pending_migrations(["a", "b", "c"], ["a", "b"])


def test_pending_migrations_are_counted_and_first_five_named() -> None:
    with pytest.raises(CheckFailed) as caught:
        data.expect_no_pending_migrations(["m0"], [f"m{i}" for i in range(8)])
    assert caught.value.seen == "7 pending: m1, m2, m3, m4, m5 and 2 more"


def test_cache_round_trip_passes_when_read_back_and_removed() -> None:
    data.expect_cache_round_trip(b"v", b"v", 0, "facturino_cache:k")


@pytest.mark.parametrize(
    ("read", "remaining", "claim"),
    [
        (None, 0, "Redis returns what the runner wrote to its own key"),
        (b"v", 1, "the runner's test key .* is removed afterwards"),
    ],
)
def test_cache_round_trip_fails_on_wrong_read_or_leftover_key(
    read: bytes | None, remaining: int, claim: str
) -> None:
    with pytest.raises(CheckFailed, match=claim) as caught:
        data.expect_cache_round_trip(b"v", read, remaining, "facturino_cache:k")
    assert caught.value.remedy == remedies.REDIS


def test_app_keys_in_redis_pass_when_every_store_the_app_uses_holds_some() -> None:
    data.expect_app_keys_in_redis({"cache": (1, 3), "sessions": (0, 100)}, "facturino_x")


def test_app_keys_missing_from_a_store_fail_naming_its_db() -> None:
    with pytest.raises(CheckFailed) as caught:
        data.expect_app_keys_in_redis({"cache": (1, 0), "sessions": (0, 2)}, "facturino_x")
    assert caught.value.claim == (
        "Redis holds keys the app wrote under its prefix where the environment says the app "
        "keeps cache and sessions"
    )
    assert caught.value.expected == "keys facturino_x* in DB 1 (cache), DB 0 (sessions)"
    assert caught.value.seen == (
        "none in DB 1 (cache) after this run's requests: the app keeps them elsewhere"
    )
    assert caught.value.remedy == remedies.REDIS_UNUSED


def test_queue_without_stuck_jobs_passes() -> None:
    data.expect_no_stuck_jobs(0, None, 600, "the jobs table")


def test_job_reserved_too_long_fails_naming_where() -> None:
    with pytest.raises(CheckFailed) as caught:
        data.expect_no_stuck_jobs(2, 900, 600, "queue connection 'redis' (x): Redis queues:*")
    assert caught.value.claim == (
        "no job is reserved for more than 10 minutes (queue connection 'redis' (x): Redis queues:*)"
    )
    assert (caught.value.seen, caught.value.remedy) == (
        "2 (oldest reserved 900 s ago)",
        remedies.QUEUE,
    )


def test_pending_jobs_below_threshold_passes() -> None:
    data.expect_pending_below({"default": 60, "high": 39}, 100, "jobs table")


def test_pending_jobs_at_threshold_fails_naming_busy_queues() -> None:
    with pytest.raises(CheckFailed) as caught:
        data.expect_pending_below({"high": 40, "default": 60, "banking": 0}, 100, "Redis lists")
    assert caught.value.claim == "fewer than 100 jobs are pending (Redis lists)"
    assert caught.value.seen == "100 pending {'default': 60, 'high': 40}"


def test_failed_jobs_must_stay_below_threshold() -> None:
    data.expect_failed_jobs_below(snapshot(failed_last_hour=99), 100)
    with pytest.raises(CheckFailed) as caught:
        data.expect_failed_jobs_below(snapshot(failed_last_hour=100), 100)
    assert (caught.value.seen, caught.value.remedy) == (100, remedies.FAILED_JOBS)
    assert "failed_at in UTC" in caught.value.claim


def test_feature_flags_matching_matrix_pass() -> None:
    observability.expect_feature_flags(
        {**RUNBOOK_FEATURE_FLAGS, "extra": True}, RUNBOOK_FEATURE_FLAGS
    )


def test_feature_flag_drift_shows_expected_and_seen() -> None:
    actual = {**RUNBOOK_FEATURE_FLAGS, "mcp_ai_tools": True}
    del actual["monitoring"]
    with pytest.raises(CheckFailed) as caught:
        observability.expect_feature_flags(actual, RUNBOOK_FEATURE_FLAGS)
    assert caught.value.seen == {
        "mcp_ai_tools": {"expected": False, "seen": True},
        "monitoring": {"expected": True, "seen": "(missing)"},
    }
    assert caught.value.remedy == remedies.FEATURE_FLAGS


@pytest.mark.parametrize(
    ("body", "sign"),
    [
        (
            {"data": MOCKED_DASHBOARD},
            "the mocked fingerprint (active_clients, monthly_commissions, "
            "processed_invoices, pending_payout, total_earned)",
        ),
        (
            {"active_clients": 12, "total_earned": 458300},
            "the mocked fingerprint (active_clients, total_earned)",
        ),
        ({**REAL_DASHBOARD, "mocked": True}, "'mocked': True"),
        (
            {**REAL_DASHBOARD, "warning": "Demo values: FEATURE_PARTNER_MOCKED_DATA is on"},
            "warning 'Demo values: FEATURE_PARTNER_MOCKED_DATA is on'",
        ),
    ],
    ids=["fingerprint_in_data", "fingerprint_at_top_level", "mocked_key", "warning"],
)
def test_mocked_partner_data_is_recognised(body: dict[str, Any], sign: str) -> None:
    assert observability.mocked_signs(body) == [sign]
    with pytest.raises(CheckFailed) as caught:
        observability.expect_not_mocked(body, "/api/v1/partner/dashboard")
    assert caught.value.remedy == remedies.PARTNER_MOCKED


@pytest.mark.parametrize(
    "body",
    [REAL_DASHBOARD, {"data": {"active_clients": 12, "total_earned": 1}}, ["not", "a", "dict"]],
    ids=["real", "one_coincidence", "list"],
)
def test_real_partner_data_passes(body: Any) -> None:
    assert observability.mocked_signs(body) == []
    observability.expect_not_mocked(body, "/api/v1/partner/dashboard")
