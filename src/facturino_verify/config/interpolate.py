"""``${VAR}`` and ``${VAR:-default}`` references, resolved from the process environment."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .errors import ConfigError

REFERENCE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}")
MALFORMED = re.compile(r"\$\{(?![A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\})")


def is_reference(value: object) -> bool:
    """True when the whole value is one ``${VAR}`` reference (how secrets must be written)."""
    return isinstance(value, str) and REFERENCE.fullmatch(value.strip()) is not None


def resolve(value: str, environ: Mapping[str, str], where: str) -> str:
    """Substitute every reference in ``value``; a missing variable without default is an error."""
    if MALFORMED.search(value):
        # The value is not quoted: it may be a secret.
        raise ConfigError(
            "malformed variable reference",
            where,
            "write it as ${NAME} or ${NAME:-default}",
        )

    def substitute(match: re.Match[str]) -> str:
        name, default = match.group("name"), match.group("default")
        if name in environ:
            return environ[name]
        if default is not None:
            return default
        raise ConfigError(
            f"environment variable {name} is not set",
            where,
            f"export {name}=... before running (secrets are never written in the file)",
        )

    return REFERENCE.sub(substitute, value)


def resolve_tree(
    data: Any,
    environ: Mapping[str, str],
    path: tuple[str, ...],
    name_of: Any,
    mistakes: list[ConfigError] | None = None,
) -> Any:
    """Resolve references in every string of a TOML tree; ``name_of(path)`` names a key on error.
    With ``mistakes``, every problem is appended there (and the value left as written) instead
    of raising the first."""
    if isinstance(data, dict):
        return {k: resolve_tree(v, environ, (*path, k), name_of, mistakes) for k, v in data.items()}
    if isinstance(data, list):
        return [resolve_tree(v, environ, path, name_of, mistakes) for v in data]
    if isinstance(data, str):
        try:
            return resolve(data, environ, name_of(path))
        except ConfigError as error:
            if mistakes is None:
                raise
            mistakes.append(error)
            return data
    return data
