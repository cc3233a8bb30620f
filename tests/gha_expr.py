"""GitHub Actions expressions, as far as verify.yml uses them: property access on contexts,
string/number/boolean/null literals, `!`, `==`, `!=`, `&&`, `||` and parentheses.

The semantics are GitHub's (docs: "Evaluate expressions in workflows and actions"): a missing
property is null; `&&`/`||` return an operand, not a boolean; strings compare ignoring case; when
types differ both sides become numbers (null and '' are 0, true is 1), so a missing input equals
''. That coercion is exactly what the workflow's guard relies on, so it is modelled, not assumed.
"""

from __future__ import annotations

import math
import re
from typing import Any

TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<op>&&|\|\||==|!=|!|\(|\))"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*))"
)


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, at = [], 0
    text = text.strip()
    while at < len(text):
        match = TOKEN.match(text, at)
        if not match or match.end() == at:
            raise ValueError(f"cannot read the expression at {text[at:]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        at = match.end()
    return tokens


def _number(value: Any) -> float:
    if value is None or value == "":
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return math.nan
    return math.nan


def equal(left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return left.lower() == right.lower()
    if type(left) is type(right) and not isinstance(left, str):
        return bool(left == right)
    return _number(left) == _number(right)


def truthy(value: Any) -> bool:
    return value not in (None, False, 0, "") and not (
        isinstance(value, float) and math.isnan(value)
    )


class _Parser:
    def __init__(self, text: str, contexts: dict[str, Any]) -> None:
        self.tokens = _tokens(text)
        self.at = 0
        self.contexts = contexts

    def parse(self) -> Any:
        value = self._or()
        if self.at != len(self.tokens):
            raise ValueError(f"unexpected {self.tokens[self.at][1]!r}")
        return value

    def _peek(self) -> str | None:
        return self.tokens[self.at][1] if self.at < len(self.tokens) else None

    def _take(self) -> tuple[str, str]:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def _or(self) -> Any:
        value = self._and()
        while self._peek() == "||":
            self._take()
            right = self._and()
            value = value if truthy(value) else right
        return value

    def _and(self) -> Any:
        value = self._compare()
        while self._peek() == "&&":
            self._take()
            right = self._compare()
            value = right if truthy(value) else value
        return value

    def _compare(self) -> Any:
        value = self._unary()
        while self._peek() in ("==", "!="):
            op = self._take()[1]
            same = equal(value, self._unary())
            value = same if op == "==" else not same
        return value

    def _unary(self) -> Any:
        if self._peek() == "!":
            self._take()
            return not truthy(self._unary())
        if self._peek() == "(":
            self._take()
            value = self._or()
            if self._take()[1] != ")":
                raise ValueError("missing ')'")
            return value
        return self._atom()

    def _atom(self) -> Any:
        kind, text = self._take()
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if kind == "num":
            return float(text)
        if kind != "name":
            raise ValueError(f"unexpected {text!r}")
        if text in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[text]
        return self._lookup(text.split("."))

    def _lookup(self, path: list[str]) -> Any:
        value: Any = self.contexts
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        return value


def evaluate(expression: str, contexts: dict[str, Any]) -> Any:
    """The value of ``expression`` (with or without `${{ }}`) in ``contexts``."""
    inner = expression.strip()
    if inner.startswith("${{") and inner.endswith("}}"):
        inner = inner[3:-2]
    return _Parser(inner, contexts).parse()


def render(text: str, contexts: dict[str, Any]) -> str:
    """A string with its `${{ … }}` parts replaced as GitHub does (null becomes '')."""

    def value(match: re.Match[str]) -> str:
        result = evaluate(match.group(1), contexts)
        if result is None:
            return ""
        if isinstance(result, bool):
            return "true" if result else "false"
        if isinstance(result, float) and result.is_integer():
            return str(int(result))
        return str(result)

    return re.sub(r"\$\{\{(.*?)\}\}", value, text)
