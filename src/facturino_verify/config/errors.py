"""The one error type a user's configuration mistake becomes."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

# A message that ends a sentence takes its hint as the next sentence: "check.; fix it" reads badly.
SENTENCE_ENDS = (".", "?", "!")


@dataclass
class ConfigError(Exception):
    """A mistake in an environment file or its variables.

    Rendered as one line: where (file, section, key), what is wrong, what to do.
    """

    what: str
    where: str = ""
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.where}: {self.what}" if self.where else self.what
        if not self.hint:
            return text
        if text.endswith(SENTENCE_ENDS):  # "names no check. Did you mean 'x'?" + hint
            return f"{text} {self.hint[:1].upper()}{self.hint[1:]}"
        return f"{text}; {self.hint}"


class ConfigErrors(ConfigError):
    """Every mistake found in one file, reported together: fixing them one run at a time is a
    slow way to learn a configuration format."""

    def __init__(self, file: str, mistakes: list[ConfigError]) -> None:
        super().__init__(f"{len(mistakes)} mistakes", file, "")
        self.mistakes = mistakes

    def __str__(self) -> str:
        lines = [f"{self.where}: {len(self.mistakes)} mistakes, each to fix:"]
        return "\n".join([*lines, *(f"  - {mistake}" for mistake in self.mistakes)])


def collected(file: str, mistakes: list[ConfigError]) -> ConfigError | None:
    """None, the one mistake, or all of them as one error."""
    if not mistakes:
        return None
    return mistakes[0] if len(mistakes) == 1 else ConfigErrors(file, mistakes)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ``Did you mean 'x'?`` suffix for the closest choice, or an empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"Did you mean '{close[0]}'? " if close else ""


def location(file: str, section: str = "", key: str = "") -> str:
    """``file [section] key`` with the empty parts left out."""
    parts = [file]
    if section:
        parts.append(f"[{section}]")
    if key:
        parts.append(key)
    return " ".join(parts)
