"""`state.json`: what a deployment started (pids, ports, faults, app key)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

PORT_OFFSETS: dict[str, int] = {
    "https": 443,
    "http": 80,
    "postgres": 432,
    "redis": 379,
    "psd2": 300,  # the sandbox of third-party services (PSD2 bank simulator), sandbox.py
    # The DNS provider's authoritative server (UDP and TCP), dnsserver.py. Not 53: 443 - 53 is
    # 3 x 130, the perf bases' spacing (tests/perf_ports.py), so two deployments would clash.
    "dns": 63,
}
PORT_LABELS: dict[str, str] = {
    "https": "HTTPS",
    "http": "HTTP",
    "postgres": "PostgreSQL",
    "redis": "Redis",
    "psd2": "PSD2 bank simulator",
    "dns": "DNS server",
    "mysql": "MariaDB",
}
DB_ENGINES = ("postgresql", "mysql")  # `up --db`
# `up --db mysql` runs MariaDB at base+306 in place of PostgreSQL at base+432.
MYSQL_OFFSET = 306


def ports_for(base: int, db: str = "postgresql") -> dict[str, int]:
    ports = {name: base + offset for name, offset in PORT_OFFSETS.items()}
    if db == "mysql":
        del ports["postgres"]
        ports["mysql"] = base + MYSQL_OFFSET
    return ports


def db_port(ports: dict[str, int]) -> int:
    """The database's port, whichever engine the deployment runs."""
    return ports["mysql"] if "mysql" in ports else ports["postgres"]


@dataclass
class State:
    """Everything `down` and `status` need, persisted after every process start."""

    home: str
    port_base: int
    ports: dict[str, int]
    faults: dict[str, str | None]
    app_key: str
    web_mode: str  # "serve", "hung" or "off"
    pids: dict[str, int] = field(default_factory=dict)
    stopped: list[str] = field(default_factory=list)  # services a fault stopped on purpose
    started_at: float = 0.0
    profile: str = "default"  # profiles.py: "upstream" (the real app as it is) or "default"
    ready: bool = False
    db: str = "postgresql"  # `up --db`: "postgresql" or "mysql" (MariaDB)

    @property
    def url(self) -> str:
        return f"https://localhost:{self.ports['https']}"

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")
        tmp.chmod(0o600)  # holds the APP_KEY
        os.replace(tmp, path)  # atomic: `down` never reads half a file

    @classmethod
    def load(cls, path: Path) -> State | None:
        try:
            raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return cls(**raw)
