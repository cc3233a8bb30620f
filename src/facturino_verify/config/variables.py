"""Environment keys of the daily runtime-configuration checks: ``[variables]`` (the app's
critical environment variables, read with ``printenv`` through the shell prefix or with
``railway variables --kv``) and
``[caches]`` (Laravel's config/route/view/event caches, read with ``php artisan about``).

Defaults are the runbook's ("Railway Environment Variables", "Post-Build Commands") where the
real app (bloodyteeths/mkfakturi at d5d901d7) reads what the runbook names; where it does not,
the default follows the app and the comment says why.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from .errors import ConfigError, location
from .programs import find_program
from .section import Section

# The runbook's critical list, as the real app reads it. Left out on purpose:
# - SESSION_SECURE (runbook): config/session.php:172 reads SESSION_SECURE_COOKIE; SESSION_SECURE
#   is read nowhere, so the runbook's name is checked under the name the app uses.
# - PROMETHEUS_ENABLED (runbook): no config file reads it (config/prometheus*.php have no such
#   key); /metrics is gated on FEATURE_MONITORING (routes/web.php:170), which is checked.
# - FEATURE_PARTNER_MOCKED_DATA (runbook): config/features.php has no partner_mocked_data entry
#   and no code reads the variable (only tests set the config key); the partner data itself is
#   checked by the smoke gate.
# - CACHE_STORE / QUEUE_CONNECTION / SESSION_DRIVER (runbook: all redis): the image bakes
#   `database` for all three (.env.example:86-99) and production may run either; they are
#   expected as the environment file says them ([queue] connection, [redis] cache_store and
#   session_driver), the same values the drivers check holds the app to.
RUNBOOK_VARIABLES: dict[str, str] = {
    "APP_ENV": "production",
    "APP_DEBUG": "false",
    "SESSION_LIFETIME": "120",
    "SESSION_SECURE_COOKIE": "true",
    "SESSION_HTTP_ONLY": "true",
    "SESSION_SAME_SITE": "lax",
    "FEATURE_ACCOUNTING_BACKBONE": "true",
    "FEATURE_MIGRATION_WIZARD": "true",
    "FEATURE_PSD2_BANKING": "true",
    "FEATURE_PARTNER_PORTAL": "true",
    "FEATURE_ADVANCED_PAYMENTS": "true",
    "FEATURE_MCP_AI_TOOLS": "false",
    "FEATURE_MONITORING": "true",
    "TELESCOPE_ENABLED": "false",
}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PLAIN = re.compile(r"[A-Za-z0-9_.-]+")  # a Railway service or environment name
CacheName = Literal["config", "events", "routes", "views"]


class Variables(Section):
    """The app's critical environment variables, compared with ``printenv`` in the deployment
    (``docker exec facturino_app printenv``) or with the service's variables on Railway
    (``railway variables --kv``, ``source = "railway"``). Values of variables whose name looks
    secret are never shown: only "set" or "not set".

    Checked unless ignored (the runbook's list, under the names the real app reads):
    APP_ENV=production, APP_DEBUG=false, SESSION_LIFETIME=120, SESSION_SECURE_COOKIE=true,
    SESSION_HTTP_ONLY=true, SESSION_SAME_SITE=lax, FEATURE_ACCOUNTING_BACKBONE,
    FEATURE_MIGRATION_WIZARD, FEATURE_PSD2_BANKING, FEATURE_PARTNER_PORTAL,
    FEATURE_ADVANCED_PAYMENTS, FEATURE_MONITORING=true, FEATURE_MCP_AI_TOOLS=false,
    TELESCOPE_ENABLED=false; and QUEUE_CONNECTION, CACHE_STORE, SESSION_DRIVER as ``[queue]
    connection`` and ``[redis]`` say them. Not checked, because the app reads none of them:
    SESSION_SECURE, PROMETHEUS_ENABLED, FEATURE_PARTNER_MOCKED_DATA. An unset variable is
    judged by the app's own fallback (TELESCOPE_ENABLED unset means true)."""

    expected: dict[str, str] = Field(default_factory=dict)
    """Variables and the values they must have, added to (or replacing) the runbook's list."""
    ignore: tuple[str, ...] = ()
    """Names of the runbook's list not to check in this environment."""
    # `railway run printenv` runs printenv on the runner with the service's variables injected
    # over the runner's own: a variable the service lacks shows the runner's value, if any.
    # `railway variables --kv` lists the service's variables alone.
    source: Literal["printenv", "railway"] = "printenv"
    """Where the variables are read: `printenv` through `[shell] prefix` (the running container's
    environment), or `railway` (`railway variables --kv`: the service's variables only)."""
    railway: tuple[str, ...] = ("railway",)
    """The Railway CLI (source = "railway"), run on this machine with `[shell] env`."""
    railway_service: str | None = None
    """`--service` for `railway variables` (default: the linked service)."""
    railway_environment: str | None = None
    """`--environment` for `railway variables` (default: the linked environment)."""

    @field_validator("expected")
    @classmethod
    def _names(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not _NAME.fullmatch(name):
                raise ValueError(f"{name!r} is not an environment variable name")
        return value

    @field_validator("railway")
    @classmethod
    def _cli(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value or not value[0].strip():
            raise ValueError('name the Railway CLI, e.g. ["railway"]')
        return value

    @field_validator("railway_service", "railway_environment")
    @classmethod
    def _plain(cls, value: str | None) -> str | None:
        if value is not None and not _PLAIN.fullmatch(value):
            raise ValueError(f"{value!r} is not a plain name (letters, digits, _ . -)")
        return value

    @property
    def critical(self) -> dict[str, str]:
        """The runbook's list with this environment's additions, minus what it ignores."""
        merged = {**RUNBOOK_VARIABLES, **self.expected}
        return {name: value for name, value in merged.items() if name not in self.ignore}


class Caches(Section):
    """Laravel's framework caches the release must have built, as ``php artisan about
    --only=cache --json`` reports them."""

    # The runbook's post-build commands: config:cache, route:cache, view:cache. The real
    # entrypoint also runs event:cache (docker-entrypoint.sh:97); add "events" to hold it to that.
    required: tuple[CacheName, ...] = ("config", "routes", "views")
    """Caches that must be built: any of config, events, routes, views."""


def variables_mistakes(variables: Variables, shown: str) -> list[ConfigError]:
    """A Railway CLI that is not there is the operator's mistake (exit 4), found before any
    check runs, never a deployment whose variables could not be read."""
    if variables.source != "railway":
        return []
    cli = variables.railway[0]
    if find_program(cli, Path.cwd()) is not None:  # where the run starts it
        return []
    return [
        ConfigError(
            f'{cli!r} is not an executable program (source = "railway" runs '
            "`railway variables --kv` on this machine)",
            location(shown, "variables", "railway"),
            "install the Railway CLI (npm i -g @railway/cli) or name it by its full path, "
            'or read the variables with source = "printenv"',
        )
    ]
