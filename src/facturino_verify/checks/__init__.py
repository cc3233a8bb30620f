"""Pure checks: data in, :class:`CheckFailed` out. No pytest, no network."""

from __future__ import annotations

from .base import CheckFailed, fail

__all__ = ["CheckFailed", "fail"]
