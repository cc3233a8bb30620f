"""Checks of /metrics, fed the answers the real app gives (d5d901d7 and fixed): FeatureMiddleware's
403, Laravel's 500 page for the controller's PHP Error, the caught '# Error collecting metrics',
and the fixed exposition in the exporter's `fakturino` namespace."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from facturino_verify.checks import CheckFailed, metrics, remedies

Respond = Callable[..., httpx.Response]
URL = "https://facturino.example/metrics"
EXPOSITION = """# HELP fakturino_invoiceshelf_database_healthy 1 if database is healthy, 0 otherwise
# TYPE fakturino_invoiceshelf_database_healthy gauge
fakturino_invoiceshelf_database_healthy 1
# HELP fakturino_invoiceshelf_queue_jobs_pending Number of pending queue jobs
# TYPE fakturino_invoiceshelf_queue_jobs_pending gauge
fakturino_invoiceshelf_queue_jobs_pending 3
# HELP fakturino_http_requests_total Total number of HTTP requests
# TYPE fakturino_http_requests_total counter
fakturino_http_requests_total{method="GET",route="ping",status_class="2xx"} 42
"""
UNPREFIXED = EXPOSITION.replace("fakturino_invoiceshelf_", "invoiceshelf_")
FEATURE_OFF = {
    "error": "Feature not available",
    "message": "The 'monitoring' feature is currently disabled.",
}
SERVER_ERROR_PAGE = (
    "<!DOCTYPE html><html><head><title>Server Error - Facturino</title></head>"
    "<body><h1>500</h1></body></html>"
)
COLLECTION_ERROR = (
    "# Error collecting metrics\n"
    '# Message: SQLSTATE[42P01]: relation "telescope_entries" does not exist\n'
    "# File: /var/www/html/app/Http/Controllers/PrometheusController.php\n"
    "# Class: Illuminate\\Database\\QueryException\n"
)


@pytest.fixture
def real(respond: Respond) -> dict[str, httpx.Response]:
    """What the real app answers an anonymous GET /metrics, by state."""
    return {
        "feature_off": respond(403, json=FEATURE_OFF, url=URL),
        "upstream_500": respond(
            500, text=SERVER_ERROR_PAGE, headers={"content-type": "text/html"}, url=URL
        ),
        "collection_error": respond(500, text=COLLECTION_ERROR, url=URL),
        "fixed": respond(200, text=EXPOSITION, url=URL),
        "proxy_401": respond(401, text="Unauthorized", url=URL),
        "proxy_403": respond(403, text="<html>Forbidden</html>", url=URL),
    }


def test_auth_required_passes_only_for_an_auth_check(real: dict[str, httpx.Response]) -> None:
    metrics.expect_metrics_refused(real["proxy_401"])
    metrics.expect_metrics_refused(real["proxy_403"])
    for state in ("feature_off", "upstream_500", "fixed"):
        with pytest.raises(CheckFailed) as caught:
            metrics.expect_metrics_refused(real[state])
        assert "routes/web.php:170" in str(caught.value.seen), state
        assert caught.value.remedy == remedies.METRICS_AUTH
    with pytest.raises(CheckFailed, match="the feature switch, not auth"):
        metrics.expect_metrics_refused(real["feature_off"])


def test_open_needs_200_and_names_the_real_reason(real: dict[str, httpx.Response]) -> None:
    metrics.expect_metrics_open(real["fixed"])
    with pytest.raises(CheckFailed) as caught:
        metrics.expect_metrics_open(real["upstream_500"])
    seen = str(caught.value.seen)
    assert "HTML page titled 'Server Error - Facturino'" in seen
    assert "PrometheusController.php:42" in seen and "clear()" in seen
    assert caught.value.remedy == remedies.METRICS_BROKEN
    with pytest.raises(CheckFailed) as caught:
        metrics.expect_metrics_open(real["collection_error"])
    assert 'relation "telescope_entries" does not exist' in str(caught.value.seen)
    with pytest.raises(CheckFailed) as caught:
        metrics.expect_metrics_open(real["feature_off"])
    assert "monitoring feature is off" in str(caught.value.seen)
    assert caught.value.remedy == remedies.METRICS_FEATURE


def test_disabled_needs_feature_middlewares_403(real: dict[str, httpx.Response]) -> None:
    metrics.expect_metrics_disabled(real["feature_off"])
    for state in ("proxy_403", "upstream_500", "fixed"):
        with pytest.raises(CheckFailed, match="/metrics is disabled"):
            metrics.expect_metrics_disabled(real[state])


def test_exposition_parses_and_counters_keep_total_suffix(real: dict[str, httpx.Response]) -> None:
    families = metrics.metric_families(real["fixed"])
    assert {"fakturino_http_requests", "fakturino_http_requests_total"} <= families.keys()
    metrics.expect_metric_families(
        families,
        [
            "fakturino_invoiceshelf_database_healthy",
            "fakturino_invoiceshelf_queue_jobs_pending",
            "fakturino_http_requests_total",
        ],
    )


def test_exposition_failures(respond: Respond, real: dict[str, httpx.Response]) -> None:
    with pytest.raises(CheckFailed, match="/metrics answers 200") as caught:
        metrics.metric_families(real["upstream_500"])
    assert caught.value.remedy == remedies.METRICS_BROKEN
    with pytest.raises(CheckFailed) as caught:
        metrics.metric_families(respond(text='fakturino_up{queue="x" 1\n', url=URL))
    assert caught.value.claim == "/metrics is a valid Prometheus exposition"
    assert str(caught.value.seen).startswith("parse error: ")
    decimal_comma = EXPOSITION.replace("healthy 1", "healthy 1,0")
    with pytest.raises(CheckFailed, match="valid Prometheus exposition"):
        metrics.metric_families(respond(text=decimal_comma, url=URL))


def test_unprefixed_families_are_not_the_real_exporters(respond: Respond) -> None:
    families = metrics.metric_families(respond(text=UNPREFIXED, url=URL))
    with pytest.raises(CheckFailed) as caught:
        metrics.expect_metric_families(families, ["fakturino_invoiceshelf_database_healthy"])
    assert "without the exporter's `fakturino_` namespace" in str(caught.value.seen)


def test_route_must_follow_the_flag_the_admin_sees(real: dict[str, httpx.Response]) -> None:
    metrics.expect_route_matches_flag(True, real["upstream_500"])
    metrics.expect_route_matches_flag(True, real["fixed"])
    metrics.expect_route_matches_flag(False, real["feature_off"])
    with pytest.raises(CheckFailed, match="reads only config") as caught:
        metrics.expect_route_matches_flag(True, real["feature_off"])
    assert caught.value.remedy == remedies.METRICS_FEATURE
    with pytest.raises(CheckFailed, match="follows FEATURE_MONITORING=true"):
        metrics.expect_route_matches_flag(False, real["fixed"])
    with pytest.raises(CheckFailed, match=r"a boolean feature_flags\.monitoring"):
        metrics.expect_route_matches_flag(None, real["fixed"])
