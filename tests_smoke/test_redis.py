"""Runbook 'Redis Connectivity': `Cache::put('deployment_test', now())` then `Cache::get`."""

from __future__ import annotations

import pytest

from facturino_verify.checks import data
from facturino_verify.plugin.probes import Probes

pytestmark = [pytest.mark.smoke, pytest.mark.redis]


def test_redis_answers_ping(probes: Probes) -> None:
    assert probes.result("redis.ping") is True, "Redis did not answer PONG"


def test_redis_cache_round_trip_under_app_prefix(probes: Probes) -> None:
    key, written, read, remaining = probes.result("redis.round_trip")
    data.expect_cache_round_trip(written, read, remaining, key)
