"""Per-run objects: what one verification run asks the deployment, pytest-free.

They talk to clients, raise :class:`~facturino_verify.checks.base.CheckFailed` for a failed check
and :class:`~facturino_verify.config.ConfigError` for a misconfiguration; the plugin's fixtures
build them and its hooks turn what they raise into pytest outcomes.
"""
