"""Monitoring fixtures: ``metrics_window`` and ``prometheus`` (the objects: runs/monitoring.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ..clients.prometheus import PrometheusClient
from ..config import Environment
from ..runs.deployment import Deployment
from ..runs.monitoring import MetricsWindow, PrometheusView


@pytest.fixture(scope="session")
def metrics_window(deployment: Deployment) -> MetricsWindow:
    """/metrics read with the environment's credentials at the start and the end of a short
    window (``[monitoring] window_seconds``): ``.window()`` gives both parsed scrapes."""
    return MetricsWindow(deployment)


@pytest.fixture(scope="session")
def prometheus(environment: Environment) -> Iterator[PrometheusView]:
    """The Prometheus server named by ``[monitoring] prometheus_url`` (tests marked
    ``prometheus``): error rate, latency, queue depth and firing alerts of the target."""
    c = environment.monitoring
    if c.prometheus_url is None:
        pytest.fail("no [monitoring] prometheus_url; mark the test 'prometheus'", pytrace=False)
    client = PrometheusClient(
        c.prometheus_url,
        token=c.prometheus_token.get_secret_value() if c.prometheus_token else None,
        ca_file=c.prometheus_ca_file,
        timeout=c.prometheus_timeout,
    )
    yield PrometheusView(client, environment)
    client.close()
