"""Remove secrets from any text before it reaches a terminal, report, log or artifact."""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "«redacted»"
PATTERNS = (
    # scheme://user:password@host  (DSNs, Redis URLs, basic-auth URLs)
    re.compile(r"(?P<keep>\b[a-z][a-z0-9+.-]*://[^\s:/@]*:)[^\s@/]+(?=@)", re.IGNORECASE),
    # Authorization headers, also as a quoted key in a dict or JSON body.
    re.compile(
        r"(?P<keep>authorization['\"]?\s*[:=]\s*['\"]?(?:bearer|basic|token)?\s*)[^\s'\",}]+",
        re.IGNORECASE,
    ),
    re.compile(r"(?P<keep>\b(?:set-)?cookie['\"]?\s*[:=]\s*['\"]?)[^'\"\n]+", re.IGNORECASE),
    # password=, DB_PASSWORD=, "password": "…", token: … (no word boundary: DB_PASSWORD).
    re.compile(
        r"(?P<keep>(?:password|passwd|secret|token|app_key)['\"]?\s*[=:]\s*['\"]?)"
        r"(?!«)[^\s'\",}&]+",
        re.IGNORECASE,
    ),
    re.compile(r"(?P<keep>['\"]x-xsrf-token['\"]\s*:\s*['\"])[^'\"]+", re.IGNORECASE),
    # A Laravel key wherever it appears (APP_KEY values, key:generate output).
    re.compile(r"(?P<keep>\bbase64:)[A-Za-z0-9+/]{40,}={0,2}"),
)


class Redactor:
    """Masks the environment's known secret values and anything shaped like a credential."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Longest first, so a secret containing another is masked whole; ignore trivial values.
        self._secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def add(self, secret: str) -> None:
        if secret and len(secret) >= 4 and secret not in self._secrets:
            self._secrets = sorted([*self._secrets, secret], key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        for pattern in PATTERNS:
            text = pattern.sub(lambda m: m.group("keep") + MASK, text)
        return text
