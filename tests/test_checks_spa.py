"""What the SPA draws in a browser: the rendered login form, money as Intl prints it in any
ICU, raw translation keys, and the partner dashboard's cards."""

from __future__ import annotations

from decimal import Decimal

import pytest

from facturino_verify.checks import CheckFailed, partner_ui, remedies, spa
from facturino_verify.clients.chromium import RenderedPage

LOGIN_URL = "https://facturino.example/login"
DATA = {"active_clients": 3, "monthly_commissions": 1234.5, "total_earnings": 98765.43,
        "pending_payout": 150, "processed_invoices": 0}  # fmt: skip


def _rendered(**changes: object) -> RenderedPage:
    seen = RenderedPage(
        requested="https://facturino.example/admin/login",
        url=LOGIN_URL,
        visible=dict.fromkeys(spa.LOGIN_FORM.values(), True),
        text="Email * Password * Login",
        seconds=0.4,
    )
    for name, value in changes.items():
        setattr(seen, name, value)
    return seen


def test_rendered_login_form_passes() -> None:
    spa.expect_login_form_rendered(_rendered())


def test_login_form_never_rendered_names_what_the_page_showed() -> None:
    seen = _rendered(
        visible=dict.fromkeys(spa.LOGIN_FORM.values(), False),
        text="",
        failed_requests=["GET https://facturino.example/build/assets/main-9a1b.js → 404"],
        console_errors=[
            "uncaught TypeError: Cannot read properties of undefined (reading 'start')"
        ],
    )
    with pytest.raises(CheckFailed, match="renders the login form") as caught:
        spa.expect_login_form_rendered(seen)
    text = str(caught.value.seen)
    assert "main-9a1b.js → 404" in text and "reading 'start'" in text
    assert "missing ['form#loginForm'" in text and caught.value.remedy == remedies.LOGIN


def test_a_missing_password_input_is_named() -> None:
    visible = {**dict.fromkeys(spa.LOGIN_FORM.values(), True)}
    visible[spa.LOGIN_FORM["input[name=password]"]] = False
    with pytest.raises(CheckFailed, match=r"missing \['input\[name=password\]'\]"):
        spa.expect_login_form_rendered(_rendered(visible=visible))


def test_login_path_rendered_on_the_installer_calls_for_the_installer_remedy() -> None:
    seen = _rendered(
        url="https://facturino.example/installation",
        visible=dict.fromkeys(spa.LOGIN_FORM.values(), False),
        text="Installation",
    )
    with pytest.raises(CheckFailed) as caught:
        spa.expect_login_form_rendered(seen)
    assert caught.value.remedy == remedies.INSTALLER


def test_unreachable_page_reports_the_navigation_error() -> None:
    seen = _rendered(
        url="about:blank",
        visible=dict.fromkeys(spa.LOGIN_FORM.values(), False),
        error="Page.goto: net::ERR_CONNECTION_REFUSED at https://facturino.example/admin/login",
        text="",
    )
    with pytest.raises(CheckFailed, match="ERR_CONNECTION_REFUSED"):
        spa.expect_login_form_rendered(seen)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("€1,234.50", "1234.50"),  # Debian's Chromium: no mk ICU data, en-US digits
        ("1.234,50 €", "1234.50"),  # full ICU mk-MK
        ("1\u00a0234,50\u00a0€", "1234.50"),  # no-break space grouping
        ("1\u202f234,50 €", "1234.50"),  # narrow no-break space
        ("€98,765.43", "98765.43"),
        ("98.765,43 €", "98765.43"),
        ("€0.00", "0.00"),
        ("€150.00", "150.00"),
        ("-€5.00", "-5.00"),
        ("\u22125,00 €", "-5.00"),
        ("(€5.00)", "-5.00"),
        ("€1,235", "1235"),  # no decimals: a lone separator before three digits groups
        ("1.235 €", "1235"),
        ("€12.5", "12.5"),
        ("1,234,567.89 MKD", "1234567.89"),
        ("ден 1.234.567", "1234567"),
    ],
)
def test_money_is_read_in_any_locale(text: str, amount: str) -> None:
    assert spa.parse_money(text) == Decimal(amount)


@pytest.mark.parametrize("text", ["", "€", "n/a", "—"])
def test_text_without_digits_is_no_amount(text: str) -> None:
    assert spa.parse_money(text) is None


def test_raw_translation_keys_are_found() -> None:
    text = (
        "Recent Commissions Client Type Amount Status Facturino DOO €900.00 "
        "partner_dashboard.status_undefined Pending partner_dashboard.status_undefined "
        "general.view_all"
    )
    assert spa.raw_keys(text) == ["partner_dashboard.status_undefined", "general.view_all"]


@pytest.mark.parametrize(
    "text",
    [
        "Reference Partner partner@facturino.mk",  # an e-mail address
        "see https://app.facturino.mk/admin/partner/dashboard",  # a URL
        "€1,234.50 Total Earned",
        "Partner Portal Dashboard Clients",
        "Welcome to Facturino! Add your first company.",
        "Recurring_commission first_year_commission",  # a raw type value, not a message key
    ],
)
def test_ordinary_text_has_no_raw_keys(text: str) -> None:
    assert spa.raw_keys(text) == []


CARDS_EN = ["Active Clients\n3", "Monthly Commissions\n€1,234.50", "Total Earned\n€98,765.43",
            "Pending Payout\n€150.00"]  # fmt: skip
CARDS_MK = ["Активни Клиенти\n3", "Месечни Провизии\n1.234,50 €", "Вкупно Заработено\n98.765,43 €",
            "Чека Исплата\n150,00 €"]  # fmt: skip


@pytest.mark.parametrize(("cards", "locale"), [(CARDS_EN, "en"), (CARDS_MK, "mk")])
def test_cards_with_the_api_figures_pass_and_name_their_language(
    cards: list[str], locale: str
) -> None:
    assert partner_ui.expect_cards_show("u", cards, "\n".join(cards), DATA) == locale


def test_a_card_with_another_figure_fails() -> None:
    cards = [*CARDS_EN[:2], "Total Earned\n€98,000.00", CARDS_EN[3]]
    with pytest.raises(CheckFailed, match="total_earnings card shows the API's figure"):
        partner_ui.expect_cards_show("u", cards, "", DATA)


def test_a_missing_card_is_named() -> None:
    with pytest.raises(CheckFailed, match=r"no card for \['pending_payout'\]"):
        partner_ui.expect_cards_show("u", CARDS_EN[:3], "", DATA)


def test_the_empty_state_with_clients_in_the_api_blames_the_spa_call() -> None:
    page = "Partner Portal Welcome to Facturino! Add your first company"
    with pytest.raises(CheckFailed, match="empty state") as caught:
        partner_ui.expect_cards_show("u", [], page, DATA)
    assert "call failed" in str(caught.value.seen)


def test_the_empty_state_of_a_partner_without_clients_says_so() -> None:
    with pytest.raises(CheckFailed, match="no active clients"):
        partner_ui.expect_cards_show(
            "u", [], "Добредојдовте во Facturino!", {**DATA, "active_clients": 0}
        )


def test_a_dashboard_that_drew_nothing_fails_the_raw_key_check_first() -> None:
    partner_ui.expect_dashboard_rendered("u", 4, "")
    partner_ui.expect_dashboard_rendered("u", 0, "Welcome to Facturino!")
    with pytest.raises(CheckFailed, match="partner dashboard renders"):
        partner_ui.expect_dashboard_rendered("u", 0, "Installation")


def test_the_undefined_status_key_points_at_the_commission_fields() -> None:
    partner_ui.expect_no_raw_keys("u", "Status Pending Paid")
    with pytest.raises(CheckFailed, match="no raw translation keys") as caught:
        partner_ui.expect_no_raw_keys("u", "Pending partner_dashboard.status_undefined")
    assert caught.value.remedy == partner_ui.COMMISSION_FIELDS_REMEDY
    with pytest.raises(CheckFailed) as caught:
        partner_ui.expect_no_raw_keys("u", "general.view_all")
    assert "lang/en.json" in caught.value.remedy
