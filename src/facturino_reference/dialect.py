"""The reference's SQL is written for PostgreSQL; `to_mysql` rewrites it for MariaDB.

Why a rewrite and not two copies of every query: the ~120 statements of the web layer, worker,
seed and faults then stay one text each, and the PostgreSQL path runs them byte for byte as
before (nothing here is applied to it). The rules cover exactly the PostgreSQL forms this
package uses; each is a small, tested transformation (tests/test_reference_dialect.py), and a
query with a form no rule knows fails loudly on MariaDB with a syntax error, never silently.

String literals are left alone: rules apply only to the text between quotes.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Reserved in MySQL, plain column names in PostgreSQL (Laravel quotes every identifier).
_RESERVED_COLUMNS = ("key", "option", "precision")
_UNITS = {
    "second": "SECOND",
    "seconds": "SECOND",
    "secs": "SECOND",
    "minute": "MINUTE",
    "minutes": "MINUTE",
    "mins": "MINUTE",
    "hour": "HOUR",
    "hours": "HOUR",
    "day": "DAY",
    "days": "DAY",
    "month": "MONTH",
    "months": "MONTH",
}


def _interval_literal(match: re.Match[str]) -> str:
    """interval '1 month 14 days' -> INTERVAL 1 MONTH + INTERVAL 14 DAY."""
    parts = re.findall(r"(\d+)\s+([a-z]+)", match.group(1))
    return " + ".join(f"INTERVAL {n} {_UNITS[unit]}" for n, unit in parts)


def _date_arithmetic(match: re.Match[str]) -> str:
    """current_date - 3 + 15 (PostgreSQL: days) -> CURRENT_DATE - INTERVAL 3 DAY + ..."""
    steps = re.findall(r"([-+])\s*(%s|\d+)", match.group(1))
    return "CURRENT_DATE" + "".join(f" {sign} INTERVAL {n} DAY" for sign, n in steps)


def _make_interval(match: re.Match[str]) -> str:
    return f"INTERVAL {match.group(2)} {_UNITS[match.group(1)]}"


def _balanced(text: str, start: int) -> int:
    """Index just past the parenthesis that closes the one at `start`."""
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "(":
            depth += 1
        elif text[index] == ")":
            depth -= 1
            if depth == 0:
                return index + 1
    raise ValueError(f"unbalanced parentheses in SQL: {text[start:][:60]!r}")


def _split_args(inner: str) -> list[str]:
    args, depth, current = [], 0, ""
    for char in inner:
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            args.append(current.strip())
            current = ""
        else:
            current += char
    return [*args, current.strip()]


def _rewrite_calls(text: str, name: str, build: Callable[[list[str]], str]) -> str:
    """Replace every `name(args...)` call, innermost arguments rewritten first."""
    pattern = re.compile(rf"\b{name}\(", re.IGNORECASE)
    while (match := pattern.search(text)) is not None:
        end = _balanced(text, match.end() - 1)
        args = _split_args(_rewrite_calls(text[match.end() : end - 1], name, build))
        text = text[: match.start()] + build(args) + text[end:]
    return text


def _month_start(args: list[str]) -> str:
    """date_trunc('month', x): midnight of the month's first day, as a DATETIME."""
    return f"TIMESTAMP(LAST_DAY({args[1]}) + INTERVAL 1 DAY - INTERVAL 1 MONTH)"


def _filters(text: str) -> str:
    """agg(x) FILTER (WHERE cond) -> agg(CASE WHEN cond THEN x END); count(*) counts 1s."""
    pattern = re.compile(r"\b(count|sum)\(([^()]*)\)\s+FILTER\s+\(WHERE\s", re.IGNORECASE)
    while (match := pattern.search(text)) is not None:
        end = _balanced(text, text.index("(", match.end() - len("(WHERE ") - 1))
        cond = text[match.end() : end - 1].strip()
        value = "1" if match.group(2).strip() == "*" else match.group(2)
        case = f"{match.group(1)}(CASE WHEN {cond} THEN {value} END)"
        text = text[: match.start()] + case + text[end:]
    return text


_CAST_TYPES = {"text": "CHAR", "bigint": "SIGNED", "int": "SIGNED", "date": "DATE"}


def _operand_start(text: str, end: int) -> int:
    """Where the operand ending at `end` starts: a parenthesised group or a name/%s."""
    if text[end - 1] == ")":
        depth = 0
        for index in range(end - 1, -1, -1):
            depth += {")": 1, "(": -1}.get(text[index], 0)
            if depth == 0:
                match = re.search(r"\w*$", text[:index])  # a call: count(*)::text
                return index - len(match.group(0)) if match else index
    match = re.search(r"[\w.%]+$", text[:end])
    return end - len(match.group(0)) if match else end


def _casts(text: str) -> str:
    """x::text -> CAST(x AS CHAR), (expr)::date -> CAST((expr) AS DATE), and so on."""
    pattern = re.compile(r"::(text|bigint|int|date)\b")
    while (match := pattern.search(text)) is not None:
        start = _operand_start(text, match.start())
        operand = text[start : match.start()]
        cast = f"CAST({operand} AS {_CAST_TYPES[match.group(1)]})"
        text = text[:start] + cast + text[match.end() :]
    return text


def _to_regclass(match: re.Match[str]) -> str:
    return (
        "(SELECT table_name FROM information_schema.tables "
        f"WHERE table_schema = DATABASE() AND table_name = '{match.group(1)}')"
    )


def _on_conflict(text: str) -> str:
    text = re.sub(
        r"^\s*INSERT INTO (.*) ON CONFLICT \([^)]*\) DO NOTHING",
        r"INSERT IGNORE INTO \1",
        text,
        flags=re.IGNORECASE | re.DOTALL,
    )
    text = re.sub(
        r"ON CONFLICT \([^)]*\) DO UPDATE SET", "ON DUPLICATE KEY UPDATE", text, flags=re.I
    )
    return re.sub(r"\bexcluded\.(\w+)", r"VALUES(\1)", text, flags=re.IGNORECASE)


# (pattern, replacement) applied in order to the text outside string literals.
_RULES: list[tuple[str, str | Callable[[re.Match[str]], str]]] = [
    (r"\(now\(\) at time zone 'UTC'\)|now\(\) at time zone 'UTC'", "UTC_TIMESTAMP()"),
    (r"\binterval '([^']+)'", _interval_literal),
    (r"\bcurrent_date((?:\s*[-+]\s*(?:%s|\d+)\b)+)", _date_arithmetic),
    (r"\bmake_interval\((\w+) => (%s|\d+)\)", _make_interval),
    (r"\bto_regclass\('(\w+)'\)::text", _to_regclass),
    (r"\bpg_sleep\(", "SLEEP("),
    (r"(\w+)::json->>'(\w+)'", r"JSON_VALUE(\1, '$.\2')"),
    (r"([\w.]+)::text\s+~\*\s+", r"\1 REGEXP "),
    (r"\bILIKE\b", "LIKE"),  # utf8mb4_unicode_ci compares case-insensitively
    (r"=\s*ANY\((%s|%\(\w+\)s)\)", r"IN \1"),  # PyMySQL writes a list as (a, b, ...)
    (r"\bFOR UPDATE SKIP LOCKED\b", "FOR UPDATE SKIP LOCKED"),  # MariaDB 10.6+ has it
]


def _outside_strings(text: str, rewrite: Callable[[str], str]) -> str:
    parts = re.split(r"('(?:[^']|'')*')", text)
    return "".join(part if i % 2 else rewrite(part) for i, part in enumerate(parts))


def _quote_reserved(text: str) -> str:
    names = "|".join(_RESERVED_COLUMNS)
    return re.sub(rf"(?<![`\w.])\b({names})\b(?!\s*\()", r"`\1`", text)


def _date_trunc(text: str) -> str:
    return _rewrite_calls(text, "date_trunc", _month_start)


def to_mysql(query: str) -> str:
    """The MariaDB form of one PostgreSQL statement of this package."""
    text = query
    for pattern, replacement in _RULES:
        text = re.sub(pattern, replacement, text, flags=re.IGNORECASE)
    text = _casts(_date_trunc(_filters(text)))
    text = _on_conflict(text)
    return _outside_strings(text, _quote_reserved)
