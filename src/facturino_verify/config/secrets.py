"""The secrets an environment resolved: what every artifact of a run must mask."""

from __future__ import annotations

from pydantic import SecretStr

from .model import Environment


def secret_values(env: Environment) -> list[str]:
    """Every secret the environment resolved, so reports can mask them wherever they appear."""
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, SecretStr):
            found.append(value.get_secret_value())
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif hasattr(value, "__pydantic_fields__"):
            for name in type(value).model_fields:  # type: ignore[attr-defined]
                walk(getattr(value, name))

    walk(env)
    return found
