"""``CheckFailed``: what was expected, what was seen, what to do."""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn, TypeVar

from ..clients.errors import NotJudged, TargetError
from ..redact import Redactor

T = TypeVar("T")

# Patterns only (no known secrets here): DSN passwords, Authorization/Cookie values, key=value.
CREDENTIAL_SHAPES = Redactor()


class CheckFailed(AssertionError):
    """A deployment property that does not hold. An ``AssertionError``, so pytest reports it as a
    test failure (not an error), with this message as the whole explanation."""

    def __init__(self, claim: str, expected: object, seen: object, remedy: str) -> None:
        self.claim, self.expected, self.seen, self.remedy = claim, expected, seen, remedy
        super().__init__(str(self))

    def __str__(self) -> str:
        return (
            f"{self.claim}\n"
            f"  expected: {self.expected}\n"
            f"  seen:     {self.seen}\n"
            f"  remedy:   {self.remedy}"
        )


def fail(claim: str, expected: object, seen: object, remedy: str) -> NoReturn:
    __tracebackhide__ = True
    raise CheckFailed(claim, expected, seen, remedy)


def answered(question: Callable[[], T], claim: str, remedy: str, expected: str = "an answer") -> T:
    """``question()``'s answer; when the target cannot be asked (a ``TargetError``), the check
    ``claim`` fails with what went wrong. ``NotJudged`` (the suite's own sign-in throttled)
    passes through: the check is not judged."""
    __tracebackhide__ = True
    try:
        return question()
    except NotJudged:
        raise  # the suite could not ask (its sign-in throttled): nothing to fail
    except TargetError as error:
        problem = str(error)
    fail(claim, expected, problem, remedy)


def shorten(text: str, limit: int = 160) -> str:
    """One line of at most ``limit`` characters, for quoting a body in a message. Anything
    shaped like a credential is masked *before* the cut: cut first, a password split by the
    cut would no longer look like one to the report's masking."""
    flat = CREDENTIAL_SHAPES(" ".join(text.split()))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
