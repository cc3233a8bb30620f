"""A private Prometheus server (Debian's `prometheus`) scraping reference deployments
(anonymously: the app has no auth on /metrics), with monitoring/alerts.yml loaded: the
Prometheus-backed checks and the alert rules end to end.

The rules are loaded with every `for:` shortened to 0s, so an alert fires within seconds of
its condition instead of minutes; the durations themselves are covered by promtool's unit
tests (monitoring/alerts.test.yml). Scrapes and rule evaluations run every second. The first
samples still take 5-6 s (Prometheus batches target discovery): wait with `until()`.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ALERT_RULES = ROOT / "monitoring" / "alerts.yml"


@dataclass(frozen=True)
class Target:
    name: str  # becomes the job label: facturino_<name>
    home: Path
    https_port: int

    @property
    def instance(self) -> str:
        return f"localhost:{self.https_port}"

    @property
    def selector(self) -> str:
        return f'instance="{self.instance}"'


def fast_rules(text: str) -> str:
    """The rules with `for:` set to 0s (alerts fire at the first true evaluation)."""
    return re.sub(r"(?m)^(\s*)for:\s*\S+\s*$", r"\1for: 0s", text)


def _config(targets: list[Target], rules: Path) -> str:
    jobs = [
        {
            "job_name": f"facturino_{t.name}",
            "scheme": "https",
            "metrics_path": "/metrics",
            "tls_config": {"ca_file": str(t.home / "tls" / "ca.pem")},
            "static_configs": [{"targets": [t.instance]}],
        }
        for t in targets
    ]
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s", "scrape_timeout": "1s"},
        "rule_files": [str(rules)],
        "scrape_configs": jobs,
    }
    return json.dumps(config, indent=2)  # JSON is YAML


class Prometheus:
    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"

    def query(self, promql: str) -> list[dict[str, Any]]:
        url = f"{self.url}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
        with urllib.request.urlopen(url, timeout=5) as answer:
            body = json.load(answer)
        result: list[dict[str, Any]] = body["data"]["result"]
        return result

    def firing(self, target: Target) -> set[str]:
        found = self.query(f'ALERTS{{alertstate="firing", {target.selector}}}')
        return {str(item["metric"]["alertname"]) for item in found}

    def until(self, condition: Callable[[], bool], deadline: float) -> bool:
        """Poll every 0.5 s until ``condition`` holds or ``deadline`` seconds pass."""
        end = time.monotonic() + deadline
        while True:
            try:
                if condition():
                    return True
            except OSError:
                pass  # not listening yet
            if time.monotonic() > end:
                return False
            time.sleep(0.5)


@contextmanager
def prometheus(port: int, targets: list[Target]) -> Iterator[Prometheus]:
    """Prometheus on 127.0.0.1:``port`` scraping ``targets``; stopped and deleted after."""
    work = Path(tempfile.mkdtemp(prefix="facturino-prom-"))
    rules = work / "alerts.yml"
    rules.write_text(fast_rules(ALERT_RULES.read_text()))
    (work / "prometheus.yml").write_text(_config(targets, rules))
    log = (work / "prometheus.log").open("wb")
    process = subprocess.Popen(
        [
            "prometheus",
            f"--config.file={work / 'prometheus.yml'}",
            f"--storage.tsdb.path={work / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Prometheus(port)
    try:
        if not server.until(lambda: bool(server.query("vector(1)")), 10.0):
            raise RuntimeError(f"prometheus did not start: {(work / 'prometheus.log').read_text()}")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(work, ignore_errors=True)
