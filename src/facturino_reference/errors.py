"""The one error type the deployment tooling raises for problems a user can fix."""

from __future__ import annotations


class DeploymentError(Exception):
    """A one-line, user-facing reason why `up`/`down` could not do its job."""
