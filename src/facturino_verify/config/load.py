"""Find, read and validate an environment file: everything a user can get wrong in it is
found here, before collection, and reported as one :class:`ConfigError` (one line, or one block
listing every mistake)."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import ConfigError, collected, did_you_mean, location
from .interpolate import MALFORMED, is_reference, resolve_tree
from .model import Environment

OVERRIDE_PREFIX = "FACTURINO_VERIFY__"
SECRET_KEYS = {
    ("database", "dsn"),
    ("database", "password"),
    ("redis", "url"),
    ("redis", "password"),
    ("metrics", "token"),
    ("metrics", "password"),
    ("accounts", "*", "password"),
    ("monitoring", "prometheus_token"),
    ("backups", "bucket", "secret_access_key"),
    ("shell", "env", "*"),  # credentials the shell prefix needs (RAILWAY_TOKEN, …)
    ("notify", "slack", "webhook_url"),  # whoever has the URL can post to the channel
    ("notify", "email", "password"),
}
Key = tuple[str, ...]  # ("features", "efaktura", "trust_anchor"): [features.efaktura] trust_anchor
# Files every run needs; the plugin adds FEATURE_FILES where the feature flows may run (a smoke
# gate does not need the e-Faktura trust anchor). The rest is checked by the suites needing it.
EVERY_RUN: tuple[Key, ...] = (
    ("database", "migrations_manifest"),
    ("target", "ca_file"),
    ("monitoring", "prometheus_ca_file"),
)
FEATURE_FILES: tuple[Key, ...] = (
    ("features", "efaktura", "trust_anchor"),
    ("features", "efaktura", "ubl_schema_dir"),
)
RELATIVE_PATHS = (
    ("target", "ca_file"),
    ("database", "migrations_manifest"),
    ("perf", "baseline_file"),
    ("monitoring", "prometheus_ca_file"),
    ("backups", "folder"),
    ("backups", "pg_bin"),
    ("features", "efaktura", "ubl_schema_dir"),
    ("features", "efaktura", "trust_anchor"),
    ("release", "checkout"),
    ("predeploy", "workdir"),
)


def known_environments(env_dir: Path) -> list[str]:
    return sorted(p.stem for p in env_dir.glob("*.toml"))


def environment_path(name: str, env_dir: Path) -> Path:
    """``environments/NAME.toml``, or an error listing the known names."""
    path = env_dir / f"{name}.toml"
    if path.is_file():
        return path
    known = known_environments(env_dir)
    raise ConfigError(
        f"Unknown environment '{name}'. {did_you_mean(name, known)}"
        f"Known: {', '.join(known) or '(none)'}",
        "--env",
        f"add {path} or pass --env-file PATH",
    )


@dataclass
class Reading:
    """An environment file read as far as it goes: every mistake found in it, the environment
    when its content validated, and its [severity]/[waivers] patterns as written (matched
    against the suites by the plugin, which may import the verdict layer)."""

    shown: str
    env: Environment | None
    mistakes: list[ConfigError]
    patterns: dict[str, list[str]]


def load_environment(
    path: Path, environ: Mapping[str, str] | None = None, *, check_files: bool = True
) -> Environment:
    """Read ``path``, apply ``FACTURINO_VERIFY__SECTION__KEY`` overrides, resolve ``${VAR}``
    references and validate the result; every mistake of the file is reported at once.
    ``check_files``: the files every run needs must exist on this machine (off only to
    validate a file's shape elsewhere)."""
    reading = read_environment(path, environ, files=EVERY_RUN if check_files else ())
    problem = collected(reading.shown, reading.mistakes)
    if problem is not None:
        raise problem
    assert reading.env is not None  # no mistake means it validated
    return reading.env


def read_environment(
    path: Path, environ: Mapping[str, str] | None = None, *, files: tuple[Key, ...] = EVERY_RUN
) -> Reading:
    """Every mistake of the file at once: secrets, references, overrides, values, then the
    ``files`` it names that are not there. Raises only when the file cannot be read at all."""
    environ = os.environ if environ is None else environ
    shown = _display(path)
    raw = _read_toml(path, shown)
    mistakes = _secret_mistakes(raw, shown)
    resolved = resolve_tree(raw, environ, (), lambda p: _where(shown, p), mistakes)
    # Overrides come after interpolation: an overriding value is taken literally.
    resolved = _apply_overrides(resolved, environ, shown, mistakes)
    _anchor_relative_paths(resolved, path.parent)
    resolved.setdefault("environment", {}).setdefault("name", path.stem)
    env = _validate(resolved, shown, mistakes)
    # Files are looked for even when other keys are wrong (one run lists everything), but not
    # for a key already reported: a broken reference is not also a missing file.
    reported = {mistake.where for mistake in mistakes}
    mistakes += file_mistakes(resolved, shown, files, reported)
    return Reading(shown, env, mistakes, _patterns(resolved))


def _patterns(data: dict[str, Any]) -> dict[str, list[str]]:
    """The keys of [severity] and [waivers]: each a pattern of check names."""
    sections = ("severity", "waivers")
    return {s: list(data[s]) if isinstance(data.get(s), dict) else [] for s in sections}


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _where(file: str, path: tuple[str, ...]) -> str:
    if len(path) <= 1:
        return location(file, path[0] if path else "")
    return location(file, ".".join(path[:-1]), path[-1])


def _read_toml(path: Path, shown: str) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError("file not found", shown, "check the --env-file path") from None
    except IsADirectoryError:
        raise ConfigError("is a directory, not a TOML file", shown) from None
    except PermissionError:
        raise ConfigError(
            "cannot be read (permission denied)", shown, "let the user running the suite read it"
        ) from None
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"is not UTF-8 text (byte {error.start})", shown, "save it as UTF-8"
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"not valid TOML ({error})", shown, "fix the syntax") from None


def _secret_mistakes(raw: dict[str, Any], shown: str) -> list[ConfigError]:
    """Secrets may only be written as ``${VAR}`` references, never as literal values. A broken
    reference (``${VAR`` unclosed) is reported as such by the interpolation, not as a literal."""
    return [
        ConfigError(
            "a secret written as a literal value",
            location(shown, section, key),
            "write it as ${SOME_VARIABLE} and export that variable",
        )
        for section, key, value in _secret_values(raw)
        if not is_reference(value) and not (isinstance(value, str) and MALFORMED.search(value))
    ]


def _secret_values(raw: dict[str, Any]) -> list[tuple[str, str, Any]]:
    found = []
    for pattern in SECRET_KEYS:
        if len(pattern) == 2:
            table = raw.get(pattern[0])
            if isinstance(table, dict) and pattern[1] in table:
                found.append((pattern[0], pattern[1], table[pattern[1]]))
            continue
        tables = raw.get(pattern[0])
        if pattern[2] == "*":  # every key of one table: [shell.env]
            table = tables.get(pattern[1]) if isinstance(tables, dict) else None
            for key, value in table.items() if isinstance(table, dict) else ():
                found.append((f"{pattern[0]}.{pattern[1]}", key, value))
            continue
        for name, table in (tables or {}).items() if isinstance(tables, dict) else ():
            if isinstance(table, dict) and pattern[2] in table:
                found.append((f"{pattern[0]}.{name}", pattern[2], table[pattern[2]]))
    return found


def _apply_overrides(
    raw: dict[str, Any], environ: Mapping[str, str], shown: str, mistakes: list[ConfigError]
) -> dict[str, Any]:
    """``FACTURINO_VERIFY__TARGET__URL=...`` overrides ``[target] url`` (any depth)."""
    merged: dict[str, Any] = dict(raw)
    for name, value in sorted(environ.items()):
        if not name.startswith(OVERRIDE_PREFIX):
            continue
        keys = [k.lower() for k in name[len(OVERRIDE_PREFIX) :].split("__") if k]
        if not keys:
            mistakes.append(ConfigError(f"environment variable {name} names no key", shown))
            continue
        table = merged
        for key in keys[:-1]:
            child = table.get(key)
            table[key] = dict(child) if isinstance(child, dict) else {}
            table = table[key]
        # A secret stays the string it is (a numeric password must not become an int).
        table[keys[-1]] = value if _is_secret_path(tuple(keys)) else _parse_scalar(value)
    return merged


def _is_secret_path(path: tuple[str, ...]) -> bool:
    return any(
        len(pattern) == len(path) and all(p in ("*", k) for p, k in zip(pattern, path, strict=True))
        for pattern in SECRET_KEYS
    )


def _parse_scalar(text: str) -> Any:
    """Numbers, booleans, arrays and tables as TOML; anything else stays a string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def _anchor_relative_paths(data: dict[str, Any], base: Path) -> None:
    for *sections, key in RELATIVE_PATHS:
        table: Any = data
        for section in sections:
            table = table.get(section) if isinstance(table, dict) else None
        if isinstance(table, dict) and isinstance(table.get(key), str) and table[key]:
            path = Path(table[key]).expanduser()
            table[key] = str(path if path.is_absolute() else (base / path).resolve())


def _validate(data: dict[str, Any], shown: str, mistakes: list[ConfigError]) -> Environment | None:
    try:
        return Environment.model_validate(data)
    except ValidationError as error:
        mistakes += [_problem(p, shown) for p in error.errors(include_url=False)]
        return None


def _problem(problem: Any, shown: str) -> ConfigError:
    path = tuple(str(part) for part in problem["loc"])
    kind, value = problem["type"], problem.get("input")
    if kind == "extra_forbidden":
        known = _known_keys(path[:-1])
        return ConfigError(
            f"unknown key '{path[-1]}'. {did_you_mean(path[-1], known)}Known: {', '.join(known)}",
            location(shown, ".".join(path[:-1])),
            "remove it or fix its spelling",
        )
    if kind == "missing":
        return ConfigError("is required but missing", _where(shown, path), "add it")
    message = str(problem["msg"]).removeprefix("Value error, ")
    shows_value = kind not in ("value_error", "assertion_error") and not isinstance(value, dict)
    if shows_value and not _is_secret_path(path):
        message = f"{message} (got {value!r})"
    return ConfigError(message, _where(shown, path), "fix the value")


def _known_keys(path: tuple[str, ...]) -> list[str]:
    """The keys a section accepts, for did-you-mean suggestions."""
    model: type[BaseModel] | None = Environment
    parts = list(path)
    while parts and model is not None:
        field = model.model_fields.get(parts.pop(0))
        if field is None:
            return []
        annotation = field.annotation
        if getattr(annotation, "__origin__", None) is dict:
            if parts:
                parts.pop(0)  # [accounts.NAME]: NAME is a dict key, not a field
            annotation = getattr(annotation, "__args__", (None, None))[1]
        model = _nested_model(annotation)
    return sorted(model.model_fields) if model is not None else []


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    """The model inside ``Model`` or ``Model | None``; None for anything else."""
    for candidate in getattr(annotation, "__args__", None) or (annotation,):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


FOLDERS = {("features", "efaktura", "ubl_schema_dir")}


def file_mistakes(
    data: dict[str, Any], shown: str, keys: tuple[Key, ...], reported: set[str]
) -> list[ConfigError]:
    """Files and folders the operator named that are not there: the operator's mistake, never a
    failure of the deployment (a mistyped CA file would otherwise fail every HTTPS check).
    ``data`` is the file's content, resolved and anchored: read even when it does not validate,
    so a missing file is listed with the other mistakes. Keys in ``reported`` are skipped."""
    mistakes = []
    for *sections, key in keys:
        where = location(shown, ".".join(sections), key)
        value = _lookup(data, (*sections, key))
        if not isinstance(value, str) or where in reported:
            continue  # absent, or wrong and already reported by the model
        path, folder = Path(value), (*sections, key) in FOLDERS
        if path.is_dir() if folder else path.is_file():
            continue
        if key == "migrations_manifest":
            what, hint = (
                f"migrations manifest {path}",
                "point it at a file with one migration name per line",
            )
        else:
            what = f"{'folder' if folder else 'file'} {path}"
            hint = "fix the path (relative paths start at the environment file's folder)"
        mistakes.append(ConfigError(f"{what} does not exist", where, hint))
    return mistakes


def _lookup(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = data
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    return value
