"""What a plain-SQL ``pg_dump`` needs from the cluster it is restored into: its roles.

A database dump never contains roles (they are global objects, ``pg_dumpall --roles-only``),
but it names them: ``ALTER TABLE … OWNER TO facturino;`` (spatie/laravel-backup's dumper passes
no ``--no-owner``), ``GRANT SELECT … TO verify_ro;``, ``ALTER DEFAULT PRIVILEGES FOR ROLE …``.
PostgreSQL's manual (25.1.1, "Restoring the Dump") says those roles must exist before the
restore, or it fails (``role "facturino" does not exist``). The drill creates them in its
throwaway cluster instead of filtering the dump, so every statement still runs, ownership and
privileges included, under ``ON_ERROR_STOP`` in one transaction.

Pure: lines in, role names out. ``COPY … FROM stdin;`` data is skipped (row text is not SQL).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_ROLE = rb'"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*'
_ROLES = rb"(?:" + _ROLE + rb")(?:\s*,\s*(?:" + _ROLE + rb"))*"
_STATEMENTS = (
    re.compile(rb"\bOWNER TO (?P<roles>" + _ROLE + rb")\s*;\s*$"),
    re.compile(
        rb"^(?:ALTER DEFAULT PRIVILEGES\b.*?\s)?GRANT\b.*\bTO (?P<roles>" + _ROLES + rb")"
        rb"(?: WITH (?:GRANT|ADMIN|INHERIT|SET) (?:OPTION|TRUE|FALSE))?"
        rb"(?: GRANTED BY " + _ROLE + rb")?\s*;\s*$"
    ),
    re.compile(
        rb"^(?:ALTER DEFAULT PRIVILEGES\b.*?\s)?REVOKE\b.*\bFROM (?P<roles>" + _ROLES + rb")"
        rb"(?: GRANTED BY " + _ROLE + rb")?(?: CASCADE| RESTRICT)?\s*;\s*$"
    ),
    re.compile(rb"\bFOR ROLE (?P<roles>" + _ROLES + rb")\s+(?:IN SCHEMA|GRANT|REVOKE)\b"),
    re.compile(rb"^SET (?:ROLE|SESSION AUTHORIZATION) (?P<roles>" + _ROLE + rb"|'[^']+')\s*;"),
)
_ONE_ROLE = re.compile(_ROLE + rb"|'[^']+'")
# Not roles a restore has to create: keywords, and the predefined pg_* roles every cluster has.
_NOT_TO_CREATE = {"PUBLIC", "CURRENT_USER", "SESSION_USER", "CURRENT_ROLE"}
_COPY_START = re.compile(rb"^COPY .* FROM stdin;\s*$")
_COPY_END = b"\\."


def _name(token: bytes) -> str:
    text = token.decode("utf-8", errors="replace")
    if text[:1] in ('"', "'"):
        return text[1:-1].replace(text[0] * 2, text[0])
    return text.lower()  # unquoted identifiers fold to lower case


def roles_in_statement(line: bytes) -> set[str]:
    """The roles one statement line of a dump names (ownership, privileges, SET ROLE)."""
    found: set[str] = set()
    for statement in _STATEMENTS:
        if match := statement.search(line):
            found |= {_name(t) for t in _ONE_ROLE.findall(match["roles"])}
    return {r for r in found if r.upper() not in _NOT_TO_CREATE and not r.startswith("pg_")}


def roles_in_dump(lines: Iterable[bytes]) -> set[str]:
    """Every role the dump's statements name, skipping ``COPY`` data."""
    roles: set[str] = set()
    copying = False
    for line in lines:
        stripped = line.rstrip(b"\r\n")
        if copying:
            copying = stripped != _COPY_END
        elif _COPY_START.match(stripped):
            copying = True
        elif b"OWNER TO" in stripped or stripped[:3] in (b"GRA", b"REV", b"SET", b"ALT"):
            roles |= roles_in_statement(stripped)
    return roles


__all__ = ["roles_in_dump", "roles_in_statement"]
