"""Routes of the runbook's feature flows (contract 5-8): invoices and PDFs, e-Faktura,
banking, subscription and checkout, and the gateway webhooks of routes/webhooks.php."""

from __future__ import annotations

from starlette.routing import Route

from facturino_reference.appenv import AppConfig
from facturino_reference.web import banking, catalog, efaktura, invoices, payments, pdf
from facturino_reference.web.company import throttle_strict
from facturino_reference.web.session import Handler, stateful_api, web

WEBHOOKS = (
    ("paddle", payments.paddle_webhook),
    ("stripe", payments.stripe_webhook),
    ("cpay", payments.cpay_webhook),
)


def _api(path: str, handler: Handler, method: str = "GET") -> Route:
    return Route(f"/api/v1{path}", stateful_api(handler), methods=[method])


def feature_routes(config: AppConfig) -> list[Route]:
    routes = [
        Route("/invoices/pdf/{unique_hash}", web(pdf.invoice_pdf)),
        Route("/checkout/sandbox/{session_id}", web(payments.checkout_page)),
        _api("/next-number", invoices.next_number),
        _api("/customers", catalog.list_customers),
        _api("/customers", catalog.create_customer, "POST"),
        _api("/customers/delete", throttle_strict(catalog.delete_customers), "POST"),
        _api("/items", catalog.create_item, "POST"),
        _api("/items/delete", throttle_strict(catalog.delete_items), "POST"),
        _api("/invoices", invoices.list_invoices),
        _api("/invoices", invoices.create_invoice, "POST"),
        _api("/invoices/delete", throttle_strict(invoices.delete_invoices), "POST"),
        _api("/invoices/{invoice}", invoices.show_invoice),
        _api("/invoices/{invoice}/export-xml", efaktura.export_xml, "POST"),
        _api("/banking/status", banking.status),
        _api("/banking/accounts", banking.accounts),
        _api("/banking/sync/{account}", banking.sync, "POST"),
        _api("/companies/{company}/subscription", payments.subscription),
        _api(
            "/companies/{company}/subscription/checkout",
            throttle_strict(payments.checkout),
            "POST",
        ),
    ]
    # routes/api.php: the API twins of the gateway webhooks (no session, no CSRF).
    routes += [
        Route(f"/api/webhooks/{name}", handler, methods=["POST"]) for name, handler in WEBHOOKS
    ]
    # routes/webhooks.php is loaded at boot only if the build ships it.
    if config.layout.webhook_routes.exists():
        routes += [
            Route(f"/webhooks/{name}", web(handler), methods=["POST"]) for name, handler in WEBHOOKS
        ]
    return routes
