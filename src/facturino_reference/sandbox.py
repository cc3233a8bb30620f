"""Third-party services the app talks to, simulated on 127.0.0.1:<base+300>.

`python -m facturino_reference.sandbox --home DIR [--bank-failing]`

* A PSD2 bank API (NLB and Stopanska flavours, Berlin Group style):
  `GET /{bank}/v1/accounts/{iban}/transactions?dateFrom=YYYY-MM-DD` with a Bearer token
  answers `{"transactions": {"booked": [...]}}`. Every call books one new incoming payment
  (the bank keeps receiving money), so each sync imports something new; the history is
  stable, so re-importing it is idempotent per transactionId. `--bank-failing` makes the
  bank answer 500 (its API is down).
* Paddle's Billing API (`/paddle`, what `PADDLE_API_URL` points the app at):
  `GET /paddle/products` answers 200 `{"data": [...]}` for the sandbox's one valid API key
  (`PADDLE_VALID_API_KEY`) and 403 `forbidden` for any other (a revoked or mistyped key).
* Anything else answers 200 with the sandbox's HTML index page, as a web server with a
  catch-all front page does (what a wrongly configured service URL ends up talking to).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import secrets
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from facturino_reference.paths import HomeLayout
from facturino_reference.state import State

_TRANSACTIONS = re.compile(r"^/(nlb|stopanska)/v1/accounts/([A-Z0-9]+)/transactions$")
PADDLE_PRODUCTS = "/paddle/products"
PADDLE_VALID_API_KEY = "pdl_sdbx_apikey_reference_valid"
INDEX = (
    "<!DOCTYPE html><html><head><title>Sandbox services</title></head><body>"
    "<h1>Facturino sandbox services</h1><p>PSD2 bank simulator: /nlb/v1, /stopanska/v1</p>"
    "</body></html>"
)
# The account's stable history: (days ago, amount, debtor, remittance information).
HISTORY = (
    (6, "18000.00", "Алфа Трејд ДООЕЛ", "Плаќање по фактура INV-000002"),
    (4, "-3200.00", "Телеком АД", "Сметка за телефон"),
    (2, "45000.00", "Бета Консалтинг ДОО", "Аванс"),
)


class Bank:
    """In-memory state of the simulated bank (one per sandbox process)."""

    def __init__(self, failing: bool) -> None:
        self.failing = failing
        self.run = secrets.token_hex(3).upper()  # keeps ids unique across sandbox restarts
        self.booked = 0
        self.lock = threading.Lock()

    def transactions(self, bank: str, iban: str, date_from: dt.date) -> list[dict[str, Any]]:
        today = dt.date.today()
        entries = [
            self._entry(bank, iban, f"H{index}", today - dt.timedelta(days=ago), *rest)
            for index, (ago, *rest) in enumerate(HISTORY, start=1)
        ]
        with self.lock:
            self.booked += 1
            number = self.booked
        entries.append(
            self._entry(
                bank,
                iban,
                f"{self.run}-{number:05d}",
                today,
                f"{1000 + 250 * number}.00",
                "Гама Експорт ДОО",
                f"Уплата {number}",
            )
        )
        return [entry for entry in entries if entry["bookingDate"] >= date_from.isoformat()]

    @staticmethod
    def _entry(
        bank: str, iban: str, suffix: str, day: dt.date, amount: str, party: str, info: str
    ) -> dict[str, Any]:
        return {
            "transactionId": f"{bank.upper()}-{iban[-6:]}-{suffix}",
            "endToEndId": f"E2E-{suffix}",
            "bookingDate": day.isoformat(),
            "valueDate": day.isoformat(),
            "transactionAmount": {"amount": amount, "currency": "MKD"},
            "debtorName" if not amount.startswith("-") else "creditorName": party,
            "remittanceInformationUnstructured": info,
        }


class Handler(BaseHTTPRequestHandler):
    bank: Bank
    server_version = "sandbox"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        print(f"{self.address_string()} {format % args}", flush=True)

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data: object) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode(), "application/json")

    def _paddle_products(self) -> None:
        if self.headers.get("Authorization", "") != f"Bearer {PADDLE_VALID_API_KEY}":
            error = {"type": "request_error", "code": "forbidden", "detail": "Invalid API key"}
            self._json(403, {"error": error, "meta": {"request_id": secrets.token_hex(8)}})
            return
        product = {"id": "pro_reference", "name": "Facturino Business", "status": "active"}
        self._json(200, {"data": [product], "meta": {"request_id": secrets.token_hex(8)}})

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == PADDLE_PRODUCTS:
            self._paddle_products()
            return
        match = _TRANSACTIONS.match(url.path)
        if match is None:
            self._send(200, INDEX.encode(), "text/html; charset=utf-8")
            return
        if self.bank.failing:
            self._json(500, {"tppMessages": [{"category": "ERROR", "code": "INTERNAL_ERROR"}]})
            return
        if not self.headers.get("Authorization", "").startswith("Bearer "):
            self._json(401, {"tppMessages": [{"category": "ERROR", "code": "TOKEN_INVALID"}]})
            return
        query = parse_qs(url.query)
        try:
            since = dt.date.fromisoformat(query.get("dateFrom", [""])[0])
        except ValueError:
            since = dt.date.today() - dt.timedelta(days=90)
        booked = self.bank.transactions(match.group(1), match.group(2), since)
        self._json(200, {"account": {"iban": match.group(2)}, "transactions": {"booked": booked}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self._send(200, INDEX.encode(), "text/html; charset=utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="facturino_reference.sandbox")
    parser.add_argument("--home", required=True, type=Path)
    parser.add_argument("--bank-failing", action="store_true")
    args = parser.parse_args(argv)
    state = State.load(HomeLayout(args.home).state_file)
    if state is None:
        raise SystemExit(f"no state.json in {args.home}")
    port = state.ports["psd2"]
    Handler.bank = Bank(args.bank_failing)
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True

    def stop(_sig: int, _frame: FrameType | None) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    mode = "failing (500)" if args.bank_failing else "ok"
    print(f"sandbox services on 127.0.0.1:{port}; bank {mode}", flush=True)
    server.serve_forever(poll_interval=0.2)


if __name__ == "__main__":
    main()
