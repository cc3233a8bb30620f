"""Which queue, Redis and /health checks the suites hold for an environment: the queue checks
read the app's queue connection (named in their id), the Redis checks exist only where the app
uses Redis, and the runner's own Redis write only where writes are allowed. Real ``pytest
--collect-only`` processes from the project root; the target is a closed port."""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_suites_require_env import run_pytest

REDIS = '[redis]\nhost = "127.0.0.1"\nport = 9\n'
DATABASE = (
    '[database]\nhost = "127.0.0.1"\nport = 9\nname = "f"\nuser = "v"\n'
    'newest_migration = "2026_01_01_x"\n'
)


def collected(tmp_path: Path, extra: str, *suites: str) -> tuple[set[str], str]:
    env = tmp_path / "target.toml"
    env.write_text(f'[target]\nurl = "https://127.0.0.1:9"\n\n{DATABASE}\n{extra}')
    run = run_pytest(*suites, f"--env-file={env}", "--no-reports", "--collect-only", "-q")
    assert run.returncode == pytest.ExitCode.OK, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    ids = {line.split("::", 1)[1] for line in lines if "::" in line and ": " not in line}
    return ids, run.stdout


def test_baked_drivers_keep_redis_checks_out_with_the_reason(tmp_path: Path) -> None:
    ids, output = collected(tmp_path, REDIS, "tests_smoke", "tests_ops")
    assert not {i for i in ids if "redis" in i} - {"test_health_check_passes[redis]"}
    assert "test_pending_jobs_below_threshold[database]" in ids
    assert "test_queue_depth_within_maximum[database]" in ids
    assert (
        "says the app uses Redis for nothing ([redis] cache_store and session_driver are not "
        "'redis', and it queues on 'database': no [queue] connection: the image's baked "
        "QUEUE_CONNECTION=database)"
    ) in output


def test_the_queue_checks_read_redis_where_the_app_queues_there(tmp_path: Path) -> None:
    extra = REDIS + '\n[queue]\nconnection = "redis"\n'
    ids, _ = collected(tmp_path, extra, "tests_smoke", "tests_ops")
    assert {
        "test_no_job_reserved_for_more_than_10_minutes[redis]",
        "test_pending_jobs_below_threshold[redis]",
        "test_queue_depth_within_maximum[redis]",
        "test_oldest_due_job_is_younger_than_maximum[redis]",
        "test_jobs_are_only_on_the_configured_queue_connection",
        "test_redis_answers_ping",
        "test_redis_holds_keys_the_app_wrote",
    } <= ids
    assert not {i for i in ids if i.endswith("[database]") and "queue" in i}


def test_the_runners_own_redis_write_needs_writes(tmp_path: Path) -> None:
    extra = REDIS + 'cache_store = "redis"\nsession_driver = "redis"\n'
    readonly, _ = collected(tmp_path, extra, "tests_smoke")
    assert "test_redis_holds_keys_the_app_wrote" in readonly
    assert "test_redis_round_trips_the_runners_own_key" not in readonly
    writes, _ = collected(tmp_path, extra + "\n[allow]\nwrites = true\n", "tests_smoke")
    assert "test_redis_round_trips_the_runners_own_key" in writes
