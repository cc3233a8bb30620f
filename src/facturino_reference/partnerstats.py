"""The partner dashboard's headline figures (PartnerDashboardController) and their cache.

One query over `partner_company_links`, `affiliate_events` and `payouts` computes them; the
controller keeps the result in the cache store for CACHE_TTL seconds under
`partner_dashboard:<partner id>`. A cache entry written before the data changed (a
clawback, a payout) is served until it expires: the API then disagrees with the database.
"""

from __future__ import annotations

from typing import Any

CACHE_TTL = 300
FIGURES = (
    "active_clients",
    "monthly_commissions",
    "processed_invoices",
    "total_earnings",
    "pending_payout",
)

# %(partner)s: the partner id; %(clawed)s: also count clawed-back events (false in the app).
FIGURES_SQL = """
SELECT
  (SELECT count(*) FROM partner_company_links
    WHERE partner_id = %(partner)s AND is_active) AS active_clients,
  (SELECT coalesce(sum(amount), 0) FROM affiliate_events
    WHERE affiliate_partner_id = %(partner)s AND (%(clawed)s OR NOT is_clawed_back)
      AND month_ref = to_char(now() at time zone 'UTC', 'YYYY-MM')) AS monthly_commissions,
  0 AS processed_invoices,
  (SELECT coalesce(sum(amount), 0) FROM affiliate_events
    WHERE affiliate_partner_id = %(partner)s AND (%(clawed)s OR NOT is_clawed_back))
    AS total_earnings,
  (SELECT coalesce(sum(amount), 0) FROM affiliate_events
    WHERE affiliate_partner_id = %(partner)s AND (%(clawed)s OR NOT is_clawed_back)
      AND paid_at IS NULL) AS pending_payout
"""


def cache_key(cache_prefix: str, partner_id: int) -> str:
    return f"{cache_prefix}partner_dashboard:{partner_id}"


def as_figures(row: dict[str, Any]) -> dict[str, Any]:
    """Counts as integers, money as floats (the JSON the controller returns)."""
    return {
        "active_clients": int(row["active_clients"]),
        "monthly_commissions": float(row["monthly_commissions"]),
        "processed_invoices": int(row["processed_invoices"]),
        "total_earnings": float(row["total_earnings"]),
        "pending_payout": float(row["pending_payout"]),
    }
