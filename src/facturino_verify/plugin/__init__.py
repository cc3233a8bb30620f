"""The pytest plugin (entry point ``pytest11``): options, markers, config, fixtures, reports.

Inert unless ``--env``/``--env-file`` is given, because it is loaded into every pytest run.
Each module below is registered as a plugin of its own, in this order (several define the same
hook, such as ``pytest_configure``; pytest calls a later-registered one first unless a hook says
``tryfirst``/``trylast``).
"""

from __future__ import annotations

pytest_plugins = [
    # first: the package is imported without assertion rewriting (see the module)
    "facturino_verify.plugin.rewrite",
    # the third-party plugins only the features and perf suites use, loaded where a run can
    "facturino_verify.plugin.optional",
    # options, configuration before collection, capability deselection
    "facturino_verify.plugin.options",
    "facturino_verify.plugin.configure",
    "facturino_verify.plugin.capabilities",
    # the session's fixtures: the environment, the deployment's probes, clients, sessions
    "facturino_verify.plugin.fixtures",
    "facturino_verify.plugin.history",
    "facturino_verify.plugin.ops",
    # the terminal, HTML and JUnit reports
    "facturino_verify.plugin.report",
    "facturino_verify.plugin.notify",
    # the feature flows, perf and monitoring
    "facturino_verify.plugin.features",
    "facturino_verify.plugin.flows",
    "facturino_verify.plugin.perf",
    "facturino_verify.plugin.queue_watch",
    "facturino_verify.plugin.monitoring",
]
