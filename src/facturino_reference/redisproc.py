"""A private Redis 7 instance (password auth, no persistence)."""

from __future__ import annotations

import shutil
import time

import redis

from facturino_reference.errors import DeploymentError
from facturino_reference.paths import HomeLayout
from facturino_reference.procs import Target, pid_alive, spawn_detached, stop_many


def _conf(layout: HomeLayout, port: int, password: str) -> str:
    # A config file, not argv, so the password is not visible in `ps`.
    return "\n".join(
        [
            f"port {port}",
            "bind 127.0.0.1",
            'save ""',
            "appendonly no",
            "daemonize no",
            f"dir {layout.redis_dir}",
            f'requirepass "{password}"',
            "databases 16",
            "",
        ]
    )


def start(layout: HomeLayout, port: int, password: str) -> int:
    exe = shutil.which("redis-server")
    if exe is None:
        raise DeploymentError("redis-server not found on PATH (apt-get install redis-server)")
    layout.redis_dir.mkdir(exist_ok=True)
    conf = layout.redis_dir / "redis.conf"
    conf.write_text(_conf(layout, port, password), encoding="utf-8")
    conf.chmod(0o600)
    pid = spawn_detached([exe, str(conf)], layout.logs / "redis.log")
    _wait_ready(port, password, pid)
    return pid


def _wait_ready(port: int, password: str, pid: int) -> None:
    client = redis.Redis(host="127.0.0.1", port=port, password=password, socket_connect_timeout=0.2)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            if client.ping():
                return
        except redis.RedisError:
            if not pid_alive(pid):
                break
            time.sleep(0.01)
    raise DeploymentError(f"Redis did not start on port {port} (see logs/redis.log)")


def stop_target(port: int, pid: int) -> Target:
    # redis-server rewrites its title to "redis-server 127.0.0.1:PORT".
    return Target(pid, f"127.0.0.1:{port}")


def stop(port: int, pid: int) -> None:
    stop_many([stop_target(port, pid)])
