"""Redis, where the app uses it (``[redis]`` cache_store / session_driver, ``[queue]`` connection;
with the image's baked database drivers these checks are deselected with that reason).

The runbook's 'Redis Connectivity' runs `Cache::put('deployment_test', now())` inside the app.
From outside, the suite proves two separate things: Redis answers and round-trips the runner's
own key (only where writes are allowed), and Redis holds keys the app itself wrote under its
prefixes (read-only, so it runs in production too)."""

from __future__ import annotations

import pytest

from facturino_verify.checks import data
from facturino_verify.config import Environment
from facturino_verify.runs.probes import Probes

pytestmark = [pytest.mark.smoke, pytest.mark.redis]
# The requests whose sessions and cache entries the app writes during this run.
APP_REQUESTS = ("health", "login_page", "up", "admin.bootstrap", "partner.dashboard")


def test_redis_answers_ping(probes: Probes) -> None:
    assert probes.result("redis.ping") is True, "Redis did not answer PONG"


@pytest.mark.writes
def test_redis_round_trips_the_runners_own_key(probes: Probes) -> None:
    key, written, read, remaining = probes.result("redis.round_trip")
    data.expect_cache_round_trip(written, read, remaining, key)


def test_redis_holds_keys_the_app_wrote(probes: Probes, environment: Environment) -> None:
    found = {}
    if {"cache", "sessions"} & environment.redis_uses:
        probes.settle(*APP_REQUESTS)
        found = probes.result("redis.app_keys")
    if not found:
        pytest.skip("the app keeps only its queue in Redis, and an idle queue has no keys")
    redis = environment.redis
    assert redis is not None
    data.expect_app_keys_in_redis(found, redis.prefix + redis.cache_prefix)
