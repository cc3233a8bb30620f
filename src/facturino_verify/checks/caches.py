"""Laravel's framework caches, as ``php artisan about --only=cache --json`` reports them.

AboutCommand (Laravel 12) prints ``{"cache": {"config": bool, "events": bool, "routes": bool,
"views": bool}}``: config = bootstrap/cache/config.php exists, events = bootstrap/cache/
events.php, routes = bootstrap/cache/routes-v7.php, views = compiled .php files under
storage/framework/views. The JSON keys are the snake-cased labels; the values are booleans
(the console form prints CACHED / NOT CACHED).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from .artisan import plain
from .base import fail

# What the real release does (bloodyteeths/mkfakturi at d5d901d7), quoted in every failure.
REAL_BUILD = (
    "the real release does not run the runbook's post-build commands: nixpacks.toml's build "
    "runs `php artisan config:clear` and `php artisan cache:clear`, and the image's entrypoint "
    "(docker-entrypoint.sh:89-97, Dockerfile build via railway.json) runs `config:clear`, "
    "`cache:clear`, `route:clear`, then `route:cache`, `view:cache` and `event:cache`; "
    "config:cache is omitted on purpose ('Railway injects env vars at runtime')"
)
COMMANDS = {
    "config": "php artisan config:cache",
    "events": "php artisan event:cache",
    "routes": "php artisan route:cache",
    "views": "php artisan view:cache",
}


def parse_about_cache(stdout: str) -> dict[str, bool] | None:
    """The ``cache`` section of ``about --json`` (a warning line before the JSON is skipped);
    None when there is none."""
    for line in plain(stdout).splitlines():
        if not line.lstrip().startswith("{"):
            continue
        try:
            section = json.loads(line).get("cache")
        except (ValueError, AttributeError):
            continue
        if isinstance(section, dict):
            return {str(k): v for k, v in section.items() if isinstance(v, bool)}
    return None


def expect_caches_built(
    cache: dict[str, bool] | None, required: Sequence[str], shown: str, remedy: str
) -> None:
    """Every required cache is built."""
    __tracebackhide__ = True
    claim = f"the release's framework caches are built ({', '.join(required)})"
    if cache is None:
        fail(claim, '`about --only=cache --json` prints {"cache": {...}}', shown, remedy)
    missing = [name for name in required if cache.get(name) is not True]
    if not missing:
        return
    states = ", ".join(f"{name}: {'cached' if cache.get(name) else 'NOT cached'}" for name in cache)
    fail(
        claim,
        ", ".join(f"{name} cached" for name in required),
        f"{states}; {REAL_BUILD}",
        f"run {' and '.join(f'`{COMMANDS[n]}`' for n in missing)} after the variables are in "
        f"place (in the start command, not the image build); {remedy}",
    )
