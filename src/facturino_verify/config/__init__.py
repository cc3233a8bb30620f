"""Environment files: load, validate and resolve ``${VAR}`` secrets. Knows nothing of pytest."""

from __future__ import annotations

from .errors import ConfigError
from .load import environment_path, known_environments, load_environment
from .model import APP_KEY_EXAMPLE, Environment

__all__ = [
    "APP_KEY_EXAMPLE",
    "ConfigError",
    "Environment",
    "environment_path",
    "known_environments",
    "load_environment",
]
