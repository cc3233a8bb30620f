"""monitoring/alertmanager.yml, the routing users load into their Alertmanager: valid for
`amtool check-config`, and every alert of monitoring/alerts.yml routed to the runbook's two
channels (e-mail ops@facturino.mk, Slack #facturino-alerts) by the route of its severity, as
`amtool config routes test` resolves it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from .test_alert_rules import MONITORING, rules

CONFIG = MONITORING / "alertmanager.yml"
BOTH = "facturino-slack,facturino-email"
# The inbox's reminder per severity (the channel hears of each alert at once).
REPEAT = {"critical": "1h", "warning": "24h"}


def amtool(*args: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("amtool")
    if binary is None:
        pytest.fail("amtool not found: install Debian's `prometheus-alertmanager` (make setup)")
    return subprocess.run([binary, *args], capture_output=True, text=True, check=False, timeout=60)


def routes_test(*labels: str, extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    return amtool("config", "routes", "test", f"--config.file={CONFIG}", *extra, *labels)


def config() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(CONFIG.read_text())
    return loaded


def test_amtool_check_config_accepts_the_routing() -> None:
    done = amtool("check-config", str(CONFIG))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout and " - 2 receivers" in done.stdout


@pytest.mark.parametrize("rule", rules(), ids=lambda rule: rule["alert"])
def test_every_alert_reaches_slack_and_email_by_the_route_of_its_severity(
    rule: dict[str, Any],
) -> None:
    severity = rule["labels"]["severity"]
    labels = (f"alertname={rule['alert']}", f"severity={severity}", "instance=app:443")
    done = routes_test(*labels, extra=(f"--verify.receivers={BOTH}", "--tree"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1] == BOTH
    # The inbox's route is the one of this severity (its reminder interval), not the fallback.
    assert f'{{severity="{severity}"}}  receiver: facturino-email' in done.stdout
    route = next(
        r for r in config()["route"]["routes"] if r.get("matchers") == [f'severity="{severity}"']
    )
    assert route["repeat_interval"] == REPEAT[severity]


def test_a_wrong_receiver_is_caught_by_the_routing_test() -> None:
    """The check above can fail: amtool refuses a receiver list the alert does not resolve to."""
    done = routes_test("severity=critical", extra=("--verify.receivers=facturino-slack",))
    assert done.returncode != 0


def test_an_alert_of_another_severity_still_reaches_both_channels() -> None:
    done = routes_test("alertname=SomethingNew", "severity=info")
    assert done.stdout.strip().splitlines()[-1] == BOTH


def test_the_receivers_are_the_runbooks_channels_and_hold_no_secret() -> None:
    loaded = config()
    receivers = {r["name"]: r for r in loaded["receivers"]}
    assert [c["to"] for c in receivers["facturino-email"]["email_configs"]] == ["ops@facturino.mk"]
    slack = receivers["facturino-slack"]["slack_configs"]
    assert [c["channel"] for c in slack] == ["#facturino-alerts"]
    # Secrets come from files mounted at run time, never from this file.
    text = CONFIG.read_text()
    for key in ("smtp_auth_password:", "slack_api_url:", "api_url:", "auth_password:"):
        assert key not in text
    assert loaded["global"]["smtp_auth_password_file"].startswith("/")
    assert loaded["global"]["slack_api_url_file"].startswith("/")


def test_a_down_target_is_one_alert_not_many() -> None:
    (inhibit,) = config()["inhibit_rules"]
    assert inhibit["source_matchers"] == ['alertname="TargetDown"']
    assert inhibit["equal"] == ["instance"]


def test_the_file_is_documented_where_users_look() -> None:
    doc = (Path(__file__).resolve().parent.parent / "docs" / "notifications.md").read_text()
    assert "monitoring/alertmanager.yml" in doc and "amtool check-config" in doc
