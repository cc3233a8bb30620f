"""Typed stash keys: the plugin's state lives on ``config.stash``, not on attributes."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..config import Environment
from ..redact import Redactor

ENVIRONMENT = pytest.StashKey[Environment]()
ENV_FILE = pytest.StashKey[Path]()
REDACTOR = pytest.StashKey[Redactor]()
# (node id, reason) of every test deselected because the environment lacks a capability.
DESELECTED = pytest.StashKey[list[tuple[str, str]]]()
