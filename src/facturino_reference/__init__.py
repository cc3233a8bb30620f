"""The reference deployment: a small, honest Facturino with faults switchable by name.

from facturino_reference import Deployment
with Deployment("/tmp/fr-test", port_base=19000, faults=["redis_down"]) as dep:
    ...  # dep.url, dep.ca_file, dep.env_file
"""

from __future__ import annotations

from facturino_reference.deployment import DEFAULT_PORT_BASE, Deployment, free_port_base
from facturino_reference.errors import DeploymentError
from facturino_reference.faults import FAULTS, FAULTS_BY_NAME, Fault
from facturino_reference.state import State

__all__ = [
    "DEFAULT_PORT_BASE",
    "FAULTS",
    "FAULTS_BY_NAME",
    "Deployment",
    "DeploymentError",
    "Fault",
    "State",
    "free_port_base",
]
