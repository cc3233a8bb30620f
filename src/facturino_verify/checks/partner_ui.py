"""The partner dashboard as the SPA draws it (partner/views/dashboard/DashboardStats.vue at
d5d901d7): four ``[role=listitem]`` cards, each a title and a value; active clients as a whole
number, money through ``Intl.NumberFormat('mk-MK', {style: 'currency', currency: 'EUR'})``,
whose text depends on the browser's ICU data (``€1,234.50`` in Debian's Chromium,
``1.234,50 €`` with full ICU). Zero active clients replaces the cards with an empty state,
and so does a failed dashboard call: the store sets zeros quietly."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from . import remedies
from .base import fail, shorten
from .spa import parse_money, raw_keys

# Card title → the API's figure, per UI language (lang/{en,mk}.json partner_dashboard.*).
CARD_TITLES: dict[str, dict[str, str]] = {
    "en": {
        "Active Clients": "active_clients",
        "Monthly Commissions": "monthly_commissions",
        "Total Earned": "total_earnings",
        "Pending Payout": "pending_payout",
    },
    "mk": {
        "Активни Клиенти": "active_clients",
        "Месечни Провизии": "monthly_commissions",
        "Вкупно Заработено": "total_earnings",
        "Чека Исплата": "pending_payout",
    },
}
FIGURES = ("active_clients", "monthly_commissions", "total_earnings", "pending_payout")
# partner_dashboard.empty_welcome in en and mk.
EMPTY_STATE = ("Welcome to Facturino!", "Добредојдовте во Facturino!")
COMMISSION_FIELDS_REMEDY = (
    "the commissions API and the SPA disagree on field names: "
    "Modules/Mk/Partner/Controllers/PartnerDashboardController.php:499-507 (commissions) sends "
    "event_type and no status, while resources/scripts/partner/views/dashboard/"
    "DashboardTable.vue:38,49 reads commission.type and commission.status; send `type` and "
    "`status` (pending/approved/paid) from the controller, then redeploy"
)


def read_cards(card_texts: list[str]) -> tuple[str | None, dict[str, str]]:
    """(the UI language whose titles the cards carry, {figure: the value text})."""
    best: tuple[str | None, dict[str, str]] = (None, {})
    for locale, titles in CARD_TITLES.items():
        found: dict[str, str] = {}
        folded = {title.casefold(): figure for title, figure in titles.items()}
        for text in card_texts:
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            for index, line in enumerate(lines):
                figure = folded.get(line.casefold())
                if figure is not None:
                    found[figure] = " ".join(lines[:index] + lines[index + 1 :])
        if len(found) > len(best[1]):
            best = (locale, found)
    return best


def _expect_not_empty_state(url: str, page_text: str, data: dict[str, Any]) -> None:
    __tracebackhide__ = True
    shown = next((text for text in EMPTY_STATE if text in page_text), None)
    if shown is None:
        return
    cause = (
        "the partner has no active clients (API active_clients = 0), so there is nothing to show"
        if not data.get("active_clients")
        else f"the API answers active_clients = {data['active_clients']}, so the SPA's own "
        "/api/v1/partner/dashboard call failed (its store sets zeros quietly)"
    )
    fail(
        "the partner dashboard shows the commission figures",
        "the four statistics cards",
        f"{url}: the empty state ({shown!r}) instead of the cards: {cause}",
        remedies.PARTNER,
    )


def _equal(figure: str, text: str, api_value: Any) -> bool:
    if figure == "active_clients":
        return text.strip() == str(api_value)
    seen = parse_money(text)
    try:
        want = Decimal(str(api_value or 0)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return False
    return seen is not None and seen.quantize(Decimal("0.01"), ROUND_HALF_UP) == want


def expect_cards_show(url: str, card_texts: list[str], page_text: str, data: dict[str, Any]) -> str:
    """Every statistics card is on the page and shows the API's figure; the UI language the
    titles were recognised in is returned (en or mk)."""
    __tracebackhide__ = True
    _expect_not_empty_state(url, page_text, data)
    locale, shown = read_cards(card_texts)
    missing = [figure for figure in FIGURES if figure not in shown]
    if missing:
        fail(
            "the partner dashboard shows a card for each commission figure",
            f"cards titled as partner_dashboard.* in en or mk for {list(FIGURES)}",
            f"{url}: no card for {missing}; cards {[shorten(t, 60) for t in card_texts]}; "
            f"the page shows {shorten(page_text, 160)!r}",
            remedies.PARTNER,
        )
    for figure in FIGURES:
        if not _equal(figure, shown[figure], data[figure]):
            fail(
                f"the {figure} card shows the API's figure (UI language {locale})",
                data[figure],
                f"{shown[figure]!r} (read as {parse_money(shown[figure])})",
                remedies.PARTNER,
            )
    return str(locale)


def expect_dashboard_rendered(url: str, card_count: int, page_text: str) -> None:
    """The dashboard drew its cards or its empty state: there is something to judge."""
    __tracebackhide__ = True
    if card_count == 0 and not any(text in page_text for text in EMPTY_STATE):
        fail(
            "the partner dashboard renders",
            "its statistics cards or its empty state",
            f"{url}: {shorten(page_text, 200)!r}",
            remedies.PARTNER,
        )


def expect_no_raw_keys(url: str, page_text: str) -> None:
    """No label on the partner dashboard is an untranslated i18n key."""
    __tracebackhide__ = True
    found = raw_keys(page_text)
    if found:
        remedy = (
            COMMISSION_FIELDS_REMEDY
            if any(key.startswith("partner_dashboard.status_") for key in found)
            else "a label has no translation: add the key to lang/en.json (and mk), rebuild "
            "the front end (`npm run build`) and redeploy"
        )
        fail(
            "the partner dashboard shows no raw translation keys",
            "every label translated (no visible `group.key` of the SPA's messages)",
            f"{url}: {found}",
            remedy,
        )
