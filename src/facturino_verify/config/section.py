"""The base of every environment-file section: unknown keys are mistakes, values are frozen,
and each key documents itself."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Section(BaseModel):
    # A string right under a key is its description (docs/configuration.md is generated from it).
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)
