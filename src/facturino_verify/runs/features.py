"""The feature run: its tag, the tagged data it made (and what was left behind), the notes
it reports about itself.
"""

from __future__ import annotations

import datetime as dt
import uuid
import warnings
from dataclasses import dataclass, field

from ..clients.budget import AuthBudget


class FeatureNote(UserWarning):
    """Something a flow found worth saying that the environment does not count as a failure
    (for example the non-standard placement of the e-Faktura signature)."""


@dataclass
class Leftover:
    kind: str
    id: int
    label: str
    reason: str


@dataclass
class FeatureRun:
    """What this run created, what it could not remove, what it noticed, what it spent."""

    tag: str
    budget: AuthBudget | None = None
    leftovers: list[Leftover] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (test id, text)

    def note(self, nodeid: str, text: str) -> None:
        self.notes.append((nodeid, text))
        warnings.warn(FeatureNote(text), stacklevel=2)


def new_run_tag(prefix: str, now: dt.datetime | None = None) -> str:
    """``verify-<yymmddHHMM>-<6 hex>``: unique per run, sortable, recognisable in any table."""
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%y%m%d%H%M")
    return f"{prefix}-{stamp}-{uuid.uuid4().hex[:6]}"
