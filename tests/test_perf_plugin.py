"""The perf suite cannot be run wrong: where pytest-benchmark would measure nothing (xdist,
--benchmark-skip/-disable) a run that asks for perf tests is refused before collection, and a
run that only picks them up implicitly deselects them with the reason. Pytester, in-process;
the environments target a closed port (nothing here needs a deployment)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import ValidationError

from facturino_verify.clients.queueprobe import probe_payload
from facturino_verify.clients.redisjobs import Head, ReadyLists
from facturino_verify.config import Environment
from facturino_verify.config.perf import Perf
from facturino_verify.plugin.perf import selects_perf
from facturino_verify.runs.queue_watch import probe_not_possible_because

WriteEnv = Callable[..., Path]
RUN = ("-p", "no:cacheprovider", "-p", "no:playwright", "--no-reports")
PERF_TESTS = """
import pytest

pytestmark = pytest.mark.perf


def test_timed(benchmark) -> None:
    benchmark(lambda: None)
"""
OTHER_TESTS = """
import pytest


@pytest.mark.smoke
def test_quick() -> None:
    pass
"""


@pytest.fixture(autouse=True)
def not_a_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """These runs happen inside `make test`'s xdist workers; the inner runs are not workers."""
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-m", "perf"], True),
        (["-m", "perf and db"], True),
        (["-m", "smoke or perf"], True),
        (["-m", "not perf"], False),
        (["-m", "smoke"], False),
        (["-m", "not fault_matrix"], False),
        (["-m", "not smoke"], False),
        ([], False),
        (["tests_perf/test_x.py"], True),
    ],
)
def test_a_command_line_asks_for_perf_tests(
    pytester: pytest.Pytester, args: list[str], expected: bool
) -> None:
    assert selects_perf(pytester.parseconfig(*args)) is expected


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        (["-n", "2"], "pytest-xdist is active"),
        (["--benchmark-skip"], "--benchmark-skip is given"),
        (["--benchmark-disable"], "--benchmark-disable is given"),
    ],
    ids=["xdist", "benchmark_skip", "benchmark_disable"],
)
def test_perf_run_where_nothing_is_measured_is_a_usage_error(
    pytester: pytest.Pytester, write_env: WriteEnv, options: list[str], reason: str
) -> None:
    pytester.makepyfile(test_perf=PERF_TESTS)
    result = pytester.runpytest("-m", "perf", f"--env-file={write_env()}", *options, *RUN)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: the perf suite cannot measure in this run: {reason}*"])
    result.stderr.fnmatch_lines(["*Run: pytest -m perf --env NAME*"])


def test_perf_tests_picked_up_implicitly_are_deselected_with_the_reason(
    pytester: pytest.Pytester, write_env: WriteEnv
) -> None:
    pytester.makepyfile(test_perf=PERF_TESTS, test_other=OTHER_TESTS)
    result = pytester.runpytest(f"--env-file={write_env()}", "--benchmark-skip", *RUN)
    result.assert_outcomes(passed=1, deselected=1)
    result.stdout.fnmatch_lines(
        ["test_perf.py::test_timed: --benchmark-skip is given; run the perf suite on its own*"]
    )


def test_perf_run_on_its_own_measures(pytester: pytest.Pytester, write_env: WriteEnv) -> None:
    pytester.makepyfile(test_perf=PERF_TESTS)
    result = pytester.runpytest("-m", "perf", f"--env-file={write_env()}", *RUN)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*test_timed*"])  # pytest-benchmark's table


def test_perf_and_monitoring_fixtures_have_docstrings(pytester: pytest.Pytester) -> None:
    text = pytester.runpytest("--fixtures", *RUN).stdout.str()
    for module, names in {
        "perf": ("perf_run", "perf_timer"),
        "queue_watch": ("queue_watch",),
        "monitoring": ("metrics_window", "prometheus"),
    }.items():
        section = text.split(f"fixtures defined from facturino_verify.plugin.{module}")[1]
        section = section.split("fixtures defined from")[0]
        assert all(f"\n{name}" in section for name in names), module
        assert "no docstring available" not in section, module


def test_the_database_probe_says_why_it_cannot_travel_on_a_redis_queue() -> None:
    def env(perf: object = None, **redis: object) -> Environment:
        return Environment.model_validate(
            {
                "target": {"url": "https://localhost:1"},
                "redis": {"host": "r", **redis},
                "perf": perf or {},
            }
        )

    job = {"queue_probe_job": "App\\Jobs\\BackfillTaxReturnsJob"}
    assert probe_not_possible_because(env(perf=job)) is None  # the baked default: database
    reason = probe_not_possible_because(env(perf=job, queue_connection="redis"))
    assert reason is not None and "never be taken" in reason
    no_redis = Environment.model_validate({"target": {"url": "https://localhost:1"}, "perf": job})
    assert probe_not_possible_because(no_redis) is None


def test_the_probe_is_skipped_without_a_job_class_the_app_has() -> None:
    env = Environment.model_validate({"target": {"url": "https://localhost:1"}})
    reason = probe_not_possible_because(env)
    assert reason is not None
    assert "[perf] queue_probe_job names none of the app's job classes" in reason
    assert "App\\Jobs\\BackfillTaxReturnsJob" in reason and "no App\\Jobs\\ReferenceProbe" in reason


def test_only_a_job_known_to_be_harmless_can_be_the_probe() -> None:
    with pytest.raises(ValidationError, match="not a job the suite knows to be harmless"):
        Perf(queue_probe_job="App\\Jobs\\SubmitEInvoiceJob")


def test_the_probe_payload_runs_the_job_in_its_harmless_mode() -> None:
    """What Laravel's CallQueuedHandler unserializes: the job with companyId null and dryRun
    true (PHP's serialize() of protected properties: NUL * NUL prefixed names)."""
    payload = json.loads(probe_payload("App\\Jobs\\BackfillTaxReturnsJob", "u-1"))
    assert payload["uuid"] == "u-1" and payload["maxTries"] == 1
    assert payload["data"]["commandName"] == "App\\Jobs\\BackfillTaxReturnsJob"
    assert payload["data"]["command"] == (
        'O:30:"App\\Jobs\\BackfillTaxReturnsJob":2:{s:12:"\0*\0companyId";N;s:9:"\0*\0dryRun";b:1;}'
    )


def test_the_oldest_ready_payload_is_the_one_waiting_longest() -> None:
    def head(queue: str, age: int | None) -> Head:
        return Head(queue, b"{}", queue, age)

    lists = ReadyLists(4, [head("default", 5), head("banking", None), head("einvoice", 70)])
    oldest = lists.oldest()
    assert oldest is not None and oldest.queue == "einvoice"
    assert ReadyLists(0, []).oldest() is None
