"""Ports of the perf and monitoring tests (tests/README.md: 15000-17999).

Bases 130 apart: a deployment's ports are base + 63/80/90/200/300/379/432/443, and no two of
those offsets differ by 130, 260 or 390, so neighbouring deployments never share a port.
"""

from __future__ import annotations

from .reference_runs import port_bases

BASES = port_bases(15000, 17600, 130)
MATRIX = BASES[:13]  # test_fault_matrix_perf.py
PROMETHEUS_TARGETS = BASES[13:19]  # test_prometheus_alerts.py
REDIS_QUEUE = BASES[19]  # test_fault_matrix_perf.py: the queue checks on the redis connection
PROMETHEUS_PORT = 17990  # no base + offset lands here
