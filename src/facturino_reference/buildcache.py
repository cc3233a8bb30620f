"""The framework caches a release leaves behind, as files where Laravel looks for them, and
what `php artisan about --only=cache` says of them (AboutCommand, Laravel 12).

The real release (bloodyteeths/mkfakturi at d5d901d7) builds through Dockerfile.mkaccounting
(railway.json) and starts with docker-entrypoint.sh, which runs `config:clear`, `cache:clear`,
`route:clear`, then `route:cache`, `view:cache`, `event:cache` (lines 89-97): routes, views and
events cached, config not. `MK_BUILD_CONFIG_CACHE` (a reference-only knob, see profiles.py) is
the one step the runbook adds: `cached` runs `config:cache` too, `cleared` is the real entrypoint.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from facturino_reference.paths import HomeLayout


def _config_file(layout: HomeLayout) -> Path:
    return layout.root / "bootstrap" / "cache" / "config.php"


def _routes_file(layout: HomeLayout) -> Path:
    return layout.root / "bootstrap" / "cache" / "routes-v7.php"


def _events_file(layout: HomeLayout) -> Path:
    return layout.root / "bootstrap" / "cache" / "events.php"


def _views_dir(layout: HomeLayout) -> Path:
    return layout.storage / "framework" / "views"


def build(layout: HomeLayout, env: Mapping[str, str]) -> None:
    """The entrypoint's cache steps: routes, views and events always; config when the knob says
    the release runs `config:cache`."""
    cache = _config_file(layout).parent
    cache.mkdir(parents=True, exist_ok=True)
    _routes_file(layout).write_text("<?php\n\napp('router')->setCompiledRoutes([]);\n")
    _events_file(layout).write_text("<?php return [];\n")
    views = _views_dir(layout)
    views.mkdir(parents=True, exist_ok=True)
    # Blade names a compiled view by the sha1 of its path.
    name = hashlib.sha1(b"resources/views/app.blade.php").hexdigest()
    (views / f"{name}.php").write_text("<?php /* compiled app.blade.php */ ?>\n")
    config = _config_file(layout)
    if env.get("MK_BUILD_CONFIG_CACHE", "cached") == "cached":
        config.write_text(
            "<?php return " + json.dumps({"app": {"name": env.get("APP_NAME")}}) + ";\n"
        )
    else:
        config.unlink(missing_ok=True)


def about_cache(layout: HomeLayout) -> dict[str, bool]:
    """AboutCommand's Cache section: configurationIsCached(), eventsAreCached(),
    routesAreCached(), and compiled views under storage/framework/views."""
    views = _views_dir(layout)
    return {
        "config": _config_file(layout).is_file(),
        "events": _events_file(layout).is_file(),
        "routes": _routes_file(layout).is_file(),
        "views": views.is_dir() and any(views.glob("*.php")),
    }


__all__ = ["about_cache", "build"]
