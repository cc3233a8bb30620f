"""What the SPA draws in the browser: the login form, money as Intl prints it, and no raw
translation keys. Pure functions over what a browser saw (clients/chromium.py, Playwright)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from . import remedies
from .base import fail, shorten

if TYPE_CHECKING:  # the shape only: checks take what was seen, they never drive a browser
    from ..clients.chromium import RenderedPage

# resources/scripts/admin/views/auth/Login.vue at d5d901d7, as rendered.
LOGIN_FORM = {
    "form#loginForm": "form#loginForm",
    "input[name=email][type=email]": "form#loginForm input[name=email][type=email]",
    "input[name=password]": "form#loginForm input[name=password]",
    "button[type=submit]": "form#loginForm button[type=submit]",
}


def _evidence(seen: RenderedPage) -> str:
    parts = [seen.url or seen.requested]
    if seen.error:
        parts.append(f"navigation: {seen.error}")
    if seen.failed_requests:
        parts.append(f"failed requests: {seen.failed_requests[:5]}")
    if seen.console_errors:
        parts.append(f"console errors: {seen.console_errors[:3]}")
    if seen.text.strip() or not (seen.error or seen.failed_requests):
        parts.append(f"the page shows: {shorten(seen.text, 160)!r}")
    return "; ".join(parts) + f" (after {seen.seconds:.1f} s)"


def _login_remedy(seen: RenderedPage) -> str:
    if urlsplit(seen.url).path.startswith("/installation"):
        return remedies.INSTALLER
    return remedies.LOGIN


def expect_login_form_rendered(seen: RenderedPage) -> None:
    """Chromium shows form#loginForm with its e-mail and password inputs and submit button."""
    __tracebackhide__ = True
    missing = [name for name, selector in LOGIN_FORM.items() if not seen.visible.get(selector)]
    if missing:
        fail(
            "the login page renders the login form in the browser",
            ", ".join(LOGIN_FORM) + " visible",
            f"missing {missing} at " + _evidence(seen),
            _login_remedy(seen),
        )


# --- money as the SPA prints it ------------------------------------------------------------------
_NOT_NUMBER = re.compile(r"[^\d.,]")
_MINUS = ("-", "\u2212")


def parse_money(text: str) -> Decimal | None:
    """The amount in a currency text, whatever the locale printed it as: ``€1,234.50``,
    ``1.234,50 €``, ``1 234,50 €`` (any space), ``-€5.00``, ``(€5.00)``, ``€1,235``.

    The decimal separator is the last of ``.``/``,`` when both occur; a lone separator
    followed by exactly three digits groups thousands (currency amounts print two decimals),
    otherwise it is the decimal separator."""
    stripped = text.strip()
    negative = stripped.startswith(_MINUS) or any(m in stripped for m in _MINUS)
    negative = negative or (stripped.startswith("(") and stripped.endswith(")"))
    digits = _NOT_NUMBER.sub("", stripped)
    if not any(ch.isdigit() for ch in digits):
        return None
    separators = [ch for ch in digits if ch in ".,"]
    if separators:
        last = max(digits.rfind("."), digits.rfind(","))
        decimal = digits[last]
        single_kind = len(set(separators)) == 1
        if single_kind and (len(separators) > 1 or len(digits) - last - 1 == 3):
            decimal = ""  # only thousands separators
        whole, _, fraction = digits.rpartition(decimal) if decimal else (digits, "", "")
        digits = re.sub(r"[.,]", "", whole) + ("." + fraction if decimal else "")
    try:
        value = Decimal(digits)
    except InvalidOperation:
        return None
    return -value if negative else value


# --- raw translation keys ----------------------------------------------------------------
# The top-level message groups of the SPA's lang/*.json at d5d901d7 (objects and the dotted
# flat groups payouts.* and onboarding.*). A visible "group.key" is a key vue-i18n could not
# translate and printed as is.
I18N_NAMESPACES: tuple[str, ...] = (
    "accounting",
    "activity_log",
    "ai",
    "auth",
    "banking",
    "billing",
    "bills",
    "certificates",
    "company_switcher",
    "credit_notes",
    "customers",
    "dashboard",
    "data_export",
    "dateRange",
    "deadlines",
    "e_invoice",
    "errors",
    "estimates",
    "expenses",
    "general",
    "global_search",
    "ifrs",
    "import",
    "imports",
    "invoices",
    "items",
    "landing",
    "login",
    "mail",
    "matching_rules",
    "modules",
    "months",
    "navigation",
    "navigation_hints",
    "onboarding",
    "partner",
    "partner_billing",
    "partner_dashboard",
    "partners",
    "payments",
    "payouts",
    "payroll",
    "pricing_public",
    "profit",
    "proforma_invoices",
    "projects",
    "receipts",
    "recurring_invoices",
    "reports",
    "settings",
    "stock",
    "subscriptions",
    "suppliers",
    "tax",
    "tax_types",
    "tickets",
    "tour",
    "users",
    "validation",
    "vat",
    "warehouses",
    "widgets",
    "wizard",
)


def raw_keys(text: str, namespaces: tuple[str, ...] = I18N_NAMESPACES) -> list[str]:
    """Translation keys shown as text: ``namespace.key[.key…]`` of snake_case parts, not part
    of an e-mail address, a host name or a path (``partner@facturino.mk`` is not a key)."""
    groups = "|".join(sorted((re.escape(n) for n in namespaces), key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w@./-])(?:{groups})(?:\.[A-Za-z0-9_]+)+(?![\w@/-]|\.[A-Za-z0-9])")
    return list(dict.fromkeys(match.group(0) for match in pattern.finditer(text)))
