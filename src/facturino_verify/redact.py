"""Remove secrets from any text before it reaches a terminal, report, log or artifact."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus, unquote_plus

MASK = "«redacted»"
PATTERNS = (
    # scheme://user:password@host  (DSNs, Redis URLs, basic-auth URLs). A scheme starts where
    # no scheme character precedes it, and its characters are never given back: tried from
    # every dot of "a.a.a…" the pattern was quadratic (13 s for 40 KB a target can serve).
    re.compile(
        r"(?P<keep>(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*+://[^\s:/@]*:)[^\s@/]+(?=@)", re.IGNORECASE
    ),
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


ELLIPSIS = "…"  # what checks.base.shorten ends a cut excerpt with
MIN_PARTIAL = 4  # a cut-off secret is masked down to this many characters
# A token is tried from its first character only (from every one, a long token was quadratic).
PERCENT_TOKEN = re.compile(r"(?<![^\s\"'<>])[^\s\"'<>]*%[0-9A-Fa-f]{2}[^\s\"'<>]*")


def encoded_forms(secret: str) -> set[str]:
    """The ways a secret shows up in text besides itself: percent-encoded (URLs, form bodies),
    JSON-escaped, and base64 (as a whole, or inside a longer base64 string at any alignment)."""
    forms = {quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}
    forms |= {re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), f) for f in set(forms)}
    raw = secret.encode()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw).decode()
        # Only the 4-character groups made of the secret's own bytes: the groups its unknown
        # neighbours share differ from text to text.
        first_group = 1 if offset else 0
        core = encoded[4 * first_group : 4 * ((offset + len(raw)) // 3)]
        if len(core) >= 8:
            forms.add(core)
            forms.add(core.replace("+", "-").replace("/", "_"))  # the URL-safe alphabet
    return {f for f in forms if f and f != secret}


class Redactor:
    """Masks the environment's known secrets (in any encoding, also when an excerpt cut one off)
    and anything shaped like a credential."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: list[str] = []
        self._forms: list[str] = []
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        if not secret or len(secret) < 4 or secret in self._secrets:
            return
        # Longest first, so a secret containing another is masked whole.
        self._secrets = sorted([*self._secrets, secret], key=len, reverse=True)
        self._forms = sorted({*self._forms, *encoded_forms(secret)}, key=len, reverse=True)

    def known(self, text: str) -> str:
        """Only the configured secrets, in every encoding: linear in the text, for a large
        document already redacted as it was written (the patterns below backtrack for seconds
        over a self-contained report's images, each one token of hundreds of kilobytes)."""
        for secret in [*self._secrets, *self._forms]:
            text = text.replace(secret, MASK)
        return text

    def __call__(self, text: str) -> str:
        text = self.known(text)
        if "%" in text:
            text = PERCENT_TOKEN.sub(self._decoded_secret, text)
        if ELLIPSIS in text:
            text = self._cut_off(text)
        for pattern in PATTERNS:
            text = pattern.sub(lambda m: m.group("keep") + MASK, text)
        return text

    def _decoded_secret(self, match: re.Match[str]) -> str:
        """A URL-ish token that holds a secret once percent-decoded (partly encoded forms the
        precomputed ones miss) is masked whole."""
        decoded = unquote_plus(match.group())
        return MASK if any(secret in decoded for secret in self._secrets) else match.group()

    def _cut_off(self, text: str) -> str:
        """A secret an excerpt cut off leaves its beginning right before the ellipsis."""
        for secret in self._secrets:
            for length in range(len(secret) - 1, MIN_PARTIAL - 1, -1):
                partial = secret[:length] + ELLIPSIS
                if partial in text:
                    text = text.replace(partial, MASK + ELLIPSIS)
        return text
