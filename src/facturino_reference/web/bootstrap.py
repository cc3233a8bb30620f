"""GET /api/v1/bootstrap: what the SPA loads after login (BootstrapController)."""

from __future__ import annotations

from typing import Any

from psycopg.rows import DictRow
from starlette.requests import Request
from starlette.responses import Response

from facturino_reference.web.auth import is_partner
from facturino_reference.web.context import AppContext, ctx
from facturino_reference.web.errors import HttpError
from facturino_reference.web.guards import as_json_user, require_user
from facturino_reference.web.jsonutil import json_response

MAIN_MENU = [
    ("Dashboard", "/admin/dashboard", "HomeIcon"),
    ("Customers", "/admin/customers", "UserIcon"),
    ("Items", "/admin/items", "StarIcon"),
    ("Invoices", "/admin/invoices", "DocumentTextIcon"),
    ("Payments", "/admin/payments", "CreditCardIcon"),
    ("Expenses", "/admin/expenses", "CalculatorIcon"),
    ("Banking", "/admin/banking", "BuildingLibraryIcon"),
    ("E-Faktura", "/admin/e-invoices", "DocumentCheckIcon"),
    ("Reports", "/admin/reports", "ChartBarIcon"),
]
SETTING_MENU = [
    ("Account Settings", "/admin/settings/account-settings", "UserIcon"),
    ("Company Information", "/admin/settings/company-info", "BuildingOfficeIcon"),
    ("Feature Flags", "/admin/settings/feature-flags", "FlagIcon"),
]


def _menu(items: list[tuple[str, str, str]]) -> list[dict[str, str]]:
    return [
        {"title": title, "link": link, "icon": icon, "group": "1"} for title, link, icon in items
    ]


async def feature_flags(c: AppContext) -> dict[str, bool]:
    """Setting::getFeatureFlags(): DB `feature_flag.<key>` first, then config."""
    flags = c.config.feature_config()
    rows = await c.db.fetchall(
        "SELECT option, value FROM settings WHERE option LIKE 'feature\\_flag.%%'"
    )
    for row in rows:
        key = row["option"].removeprefix("feature_flag.")
        if key in flags:
            flags[key] = str(row["value"]).strip().lower() in {"1", "true", "yes", "on"}
    return flags


def _company(row: DictRow) -> dict[str, Any]:
    tier = row["subscription_tier"]
    on_trial = row["trial_ends_at"] is not None
    return {
        **{k: v for k, v in row.items() if k not in {"paddle_id", "stripe_id"}},
        "subscription": {"tier": tier, "status": "active", "provider": "stripe"},
        "plan": tier,
        "status": "trialing" if on_trial else "active",
        "on_trial": on_trial,
    }


async def _company_payload(c: AppContext, company: DictRow) -> dict[str, Any]:
    rows = await c.db.fetchall(
        "SELECT option, value FROM company_settings WHERE company_id = %s", (company["id"],)
    )
    settings = {row["option"]: row["value"] for row in rows}
    currency = await c.db.fetchone(
        "SELECT * FROM currencies WHERE id = %s", (int(settings.get("currency", "1")),)
    )
    return {
        "current_company": _company(company),
        "current_company_settings": settings,
        "current_company_currency": currency,
    }


async def bootstrap(request: Request) -> Response:
    user = await require_user(request)
    c = ctx(request)
    partner = await is_partner(request, user["id"])
    companies = await c.db.fetchall(
        "SELECT c.* FROM companies c JOIN user_company uc ON uc.company_id = c.id "
        "WHERE uc.user_id = %s ORDER BY c.id",
        (user["id"],),
    )
    base: dict[str, Any] = {
        "current_user": as_json_user(user, partner),
        "current_user_settings": {"language": c.config.get("APP_LOCALE", "en")},
        "feature_flags": await feature_flags(c),
    }
    if not companies:
        if partner:  # partners without a selected company get the minimal payload
            return json_response(
                {
                    **base,
                    "is_partner": True,
                    "companies": [],
                    "main_menu": [],
                    "setting_menu": [],
                    "modules": [],
                }
            )
        raise HttpError(403, "No company access. Ask an administrator to add you to one.")
    wanted = request.headers.get("company")
    company = next((row for row in companies if str(row["id"]) == wanted), companies[0])
    settings_rows = await c.db.fetchall(
        "SELECT option, value FROM settings WHERE option NOT LIKE 'feature\\_flag.%%'"
    )
    return json_response(
        {
            **base,
            "current_user_abilities": [{"name": "*", "title": "All abilities"}],
            "companies": [_company(row) for row in companies],
            **await _company_payload(c, company),
            "config": {"app_name": c.config.name, "min_php_version": "8.2.0"},
            "global_settings": {row["option"]: row["value"] for row in settings_rows},
            "main_menu": _menu(MAIN_MENU),
            "setting_menu": _menu(SETTING_MENU),
            "modules": [],
        }
    )
