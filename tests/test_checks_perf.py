"""Checks of the budget, the baseline, the timing breakdown and the queue: each passes on good
figures and fails on bad ones, saying what was expected, what was seen and what to do."""

from __future__ import annotations

import pytest

from facturino_verify.checks import CheckFailed, perf, remedies
from facturino_verify.clients.queueprobe import JobState, Pending
from facturino_verify.clients.timing import Timing


def measured(*rounds_ms: float, statuses: dict[int, int] | None = None) -> perf.Measurement:
    return perf.Measurement("dashboard_api", "/api/v1/dashboard", rounds_ms, statuses or {200: 1})


def timing(dns: float = 1, connect: float = 1, tls: float = 2, server: float = 8) -> Timing:
    return Timing(dns, connect, tls, server, transfer=1, status=200)


def test_percentile_interpolates_between_ranks() -> None:
    values = [float(v) for v in range(1, 21)]
    assert perf.percentile(values, 0.95) == pytest.approx(19.05)
    assert perf.percentile(values, 0.5) == pytest.approx(10.5)
    assert perf.percentile([7.0], 0.95) == 7.0


def test_mean_within_budget_passes() -> None:
    perf.expect_within_budget(measured(150, 190, 210, 199), 200, 1000)


def test_mean_over_budget_fails_with_the_figures() -> None:
    with pytest.raises(CheckFailed) as failure:
        perf.expect_within_budget(measured(260, 255, 250, 262), 200, 1000)
    assert failure.value.expected == "mean <= 200 ms"
    assert "mean 256.8 ms" in str(failure.value.seen)
    assert failure.value.remedy == remedies.PERFORMANCE


def test_p95_over_the_alert_line_fails_even_with_a_good_mean() -> None:
    rounds = [10.0] * 18 + [1500.0, 1600.0]
    with pytest.raises(CheckFailed, match="SlowResponseTime"):
        perf.expect_within_budget(measured(*rounds), 200, 1000)


def test_a_fast_error_does_not_pass_a_budget() -> None:
    with pytest.raises(CheckFailed, match="answers 200 in every timed round") as failure:
        perf.expect_within_budget(measured(5, 5, statuses={200: 1, 500: 1}), 200, 1000)
    assert failure.value.remedy == remedies.SERVER_ERROR


@pytest.mark.parametrize(
    ("baseline", "mean", "flagged"),
    [
        (100.0, 120.0, False),  # +20 %: within 25 %
        (100.0, 130.0, True),  # +30 %, +30 ms
        (8.0, 20.0, False),  # +150 % but only +12 ms: noise on a fast endpoint
        (8.0, 110.0, True),  # slow_dashboard=100 on a fast endpoint
    ],
)
def test_regression_needs_both_the_percentage_and_the_floor(
    baseline: float, mean: float, flagged: bool
) -> None:
    def check() -> None:
        perf.expect_no_regression(measured(mean), baseline, 25, 20, "base.json")

    if flagged:
        with pytest.raises(CheckFailed, match="not slower than the baseline"):
            check()
    else:
        check()


def test_a_baseline_without_the_endpoint_fails_with_how_to_record_one() -> None:
    with pytest.raises(CheckFailed) as failure:
        perf.expect_no_regression(measured(5), None, 25, 20, "base.json")
    assert "dashboard_api" in str(failure.value.expected)
    assert "baseline_file" in failure.value.remedy


def test_timing_adds_up_like_curl() -> None:
    t = timing(dns=1, connect=2, tls=3, server=10)
    assert (t.setup, t.ttfb, t.total) == (6, 16, 17)
    assert perf.median_timing([t, timing(), timing(tls=100)])["tls"] == 3


def test_slow_handshake_is_named_as_tls_not_the_app() -> None:
    slow = [timing(tls=800), timing(tls=810), timing(tls=790)]
    with pytest.raises(CheckFailed) as failure:
        perf.expect_connection_setup_within("/admin/dashboard", slow, 500)
    assert "mostly tls, not the app" in str(failure.value.seen)
    assert failure.value.remedy == remedies.NETWORK
    perf.expect_connection_setup_within("/admin/dashboard", [timing()], 500)


def test_old_pending_job_fails_and_an_empty_queue_passes() -> None:
    perf.expect_oldest_pending_recent(Pending(0, None, None, None), 300)
    perf.expect_oldest_pending_recent(Pending(3, 7, "default", 12), 300)
    with pytest.raises(CheckFailed, match="job 7 on 'default' waiting 900 s"):
        perf.expect_oldest_pending_recent(Pending(1500, 7, "default", 900), 300)


def test_queue_drains_when_the_oldest_job_is_picked_up() -> None:
    before = Pending(5, 11, "default", 2)
    perf.expect_picked_up(before, JobState(False, False, False), before, 4)  # done
    perf.expect_picked_up(before, JobState(True, True, False), before, 4)  # running
    with pytest.raises(CheckFailed, match="pending count 5 -> 6"):
        perf.expect_picked_up(before, JobState(True, False, False), Pending(6, 11, "x", 6), 4)


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (JobState(False, False, True), "landed in failed_jobs"),
        (JobState(True, False, False), "never picked up"),
        (JobState(True, True, False), "reserved, still running"),
    ],
)
def test_probe_job_must_be_processed(state: JobState, message: str) -> None:
    with pytest.raises(CheckFailed, match=message):
        perf.expect_probe_processed(42, state, 30, "default")
    perf.expect_probe_processed(42, JobState(False, False, False), 30, "default")
