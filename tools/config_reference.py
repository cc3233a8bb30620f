"""Writes docs/configuration.md from the environment file's models, so the key reference cannot
drift from what the loader accepts (tests/test_docs.py regenerates it and compares).

    .venv/bin/python tools/config_reference.py          # rewrite docs/configuration.md
    .venv/bin/python tools/config_reference.py --check  # exit 1 if it is out of date
"""

from __future__ import annotations

import ast
import inspect
import io
import sys
import textwrap
import tokenize
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from annotated_types import Ge, Gt, Le, Lt
from pydantic import SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from facturino_verify.config.model import Environment
from facturino_verify.config.section import Section

DOC = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"
MAX_DEFAULT = 70  # characters of a default shown in the table; the model has the rest

INTRO = """\
# Configuration keys

An environment file (`environments/NAME.toml`, or any file with `--env-file=PATH`) describes one
deployment. Every section below is optional except `[target]`; unknown keys are errors (a typo is
never silently ignored). Secrets (`secret`) are only ever `${VAR}` references, never literals;
any value can be overridden from the process environment as
`FACTURINO_VERIFY__<SECTION>__<KEY>`. A section or key that names something the deployment does
not have (no `[database]`, no `[accounts.partner]`) deselects the checks that need it, with the
reason in the terminal and the report.

Generated from `src/facturino_verify/config/` by `tools/config_reference.py` (do not edit by
hand: `make docs` rewrites it, `make test` fails when it is out of date). "Meaning" is the
key's description in the model; the type column gives the allowed values and bounds.
"""


@dataclass(frozen=True)
class Key:
    name: str
    kind: str
    default: str
    meaning: str


def section_classes(model: type[Section], prefix: str = "") -> Iterator[tuple[str, type[Section]]]:
    """`("target", Target)`, `("expect.cookies", Cookies)`, `("accounts.NAME", Account)`, ..."""
    for name, info in model.model_fields.items():
        nested = _section_of(info.annotation)
        if nested is None:
            continue
        table, cls = nested
        path = f"{prefix}{name}" + (".NAME" if table else "")
        yield path, cls
        yield from section_classes(cls, path + ".")


def _section_of(annotation: Any) -> tuple[bool, type[Section]] | None:
    """(is a table of sections, the section class) when the field holds sections."""
    for arg in (annotation, *typing.get_args(annotation)):
        if inspect.isclass(arg) and issubclass(arg, Section):
            return typing.get_origin(annotation) is dict, arg
    return None


def keys(cls: type[Section]) -> list[Key]:
    comments = _comments_above_fields(cls)
    return [
        Key(name, _kind(info), _default(info), comments.get(name, ""))
        for name, info in cls.model_fields.items()
        if _section_of(info.annotation) is None
    ]


def _comments_above_fields(cls: type[Section]) -> dict[str, str]:
    """Each field's description (an attribute docstring), else the comments above its line and
    at the end of its line."""
    source = textwrap.dedent(inspect.getsource(cls))
    comments = _comments_by_line(source)
    found: dict[str, str] = {}
    for node in ast.parse(source).body[0].body:  # type: ignore[attr-defined]
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            above: list[str] = []
            row = node.lineno - 1
            while (row, True) in comments:
                above.insert(0, comments[(row, True)])
                row -= 1
            trailing = comments.get((node.end_lineno or node.lineno, False))
            found[node.target.id] = " ".join([*above, *([trailing] if trailing else [])])
    # A docstring may wrap: one line in the table's cell.
    descriptions = {
        n: " ".join(i.description.split()) for n, i in cls.model_fields.items() if i.description
    }
    return found | descriptions


def _comments_by_line(source: str) -> dict[tuple[int, bool], str]:
    """`{(line, standalone): text}` for every comment in the source."""
    found: dict[tuple[int, bool], str] = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            standalone = not token.line[: token.start[1]].strip()
            found[(token.start[0], standalone)] = token.string.lstrip("#").strip()
    return found


def _kind(info: FieldInfo) -> str:
    kind = _type_name(info.annotation)
    bounds = [_bound(m) for m in info.metadata if isinstance(m, Ge | Gt | Le | Lt)]
    return kind + (f" ({', '.join(bounds)})" if bounds else "")


def _bound(meta: Ge | Gt | Le | Lt) -> str:
    symbol, value = {
        Ge: ("≥", getattr(meta, "ge", None)),
        Gt: (">", getattr(meta, "gt", None)),
        Le: ("≤", getattr(meta, "le", None)),
        Lt: ("<", getattr(meta, "lt", None)),
    }[type(meta)]
    return f"{symbol} {value}"


def _type_name(annotation: Any) -> str:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is Literal:
        return " \\| ".join(f'`"{a}"`' for a in args)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in args if a is not type(None))
    if origin is tuple:
        return f"list of {_type_name(args[0])}"
    if origin is dict:
        return f"table of {_type_name(args[1])}"
    names = {str: "string", int: "integer", float: "number", bool: "boolean", SecretStr: "secret"}
    if annotation in names:
        return names[annotation]
    return {"Path": "path", "date": "date"}.get(
        getattr(annotation, "__name__", ""), str(annotation)
    )


def _default(info: FieldInfo) -> str:
    if info.default is PydanticUndefined and info.default_factory is None:
        return "required"
    value = info.get_default(call_default_factory=True)
    if value is None:
        return "unset"
    text = _toml(value)
    if len(text) > MAX_DEFAULT:
        text = text[: MAX_DEFAULT - 1] + "…"
    return f"`{text}`".replace("|", "\\|")


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    return str(value)


def render() -> str:
    parts = [INTRO]
    for path, cls in section_classes(Environment):
        parts.append(f"\n## `[{path}]`\n")
        doc = inspect.getdoc(cls)
        if doc and doc != inspect.getdoc(Section):
            parts.append(f"\n{doc}\n")
        parts.append("\n| key | type | default | meaning |\n|---|---|---|---|\n")
        parts += [f"| `{k.name}` | {k.kind} | {k.default} | {k.meaning} |\n" for k in keys(cls)]
    return "".join(parts)


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if DOC.read_text(encoding="utf-8") != text:
            print(f"{DOC} is out of date: run .venv/bin/python tools/config_reference.py")
            return 1
        return 0
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
