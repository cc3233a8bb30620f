"""``facturino-verify``: commands over finished runs (the checks themselves run under pytest).

    facturino-verify merge SUMMARY.json... [--reports-dir DIR] [--env NAME | --env-file PATH]

``merge`` combines the summary.json of runners at several locations into one verdict
(verdict/locations.py has the rule), one report.html and one summary.json in DIR. With an
environment, the merged verdict is sent to its ``[notify]`` channels (the locations ran with
``--no-notify``: one message per verification, not one per location). Its exit code is the
merged verdict's (0, 10, 11, 12, 13); bad input is one ``ERROR:`` line and exit 4.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

from .config import Environment
from .config.errors import ConfigError
from .config.load import environment_path, load_environment
from .config.secrets import secret_values
from .redact import Redactor
from .report.merged import merged_page
from .report.message import build
from .report.notify import Sent, notification_lines, notify
from .verdict import TITLES
from .verdict.locations import (
    KNOWN_SEVERITIES,
    SUMMARY_SCHEMA,
    LocationRun,
    Merged,
    merge,
)

USAGE_ERROR = 4  # as pytest's: the run could not start for the user's own mistake


class InputError(Exception):
    """A mistake in what merge was given: reported as one ERROR: line, exit 4."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise InputError(f"{message} (see facturino-verify merge --help)")


def parser() -> argparse.ArgumentParser:
    top = _Parser(prog="facturino-verify", description=__doc__.split("\n\n")[0])
    commands = top.add_subparsers(dest="command", required=True, parser_class=_Parser)
    merging = commands.add_parser(
        "merge", help="one verdict and report from several locations' summary.json"
    )
    merging.add_argument("summaries", nargs="*", type=Path, metavar="SUMMARY.json")
    merging.add_argument(
        "--reports-dir",
        type=Path,
        default=Path("reports"),
        metavar="DIR",
        help="where the merged report.html and summary.json go (default: reports)",
    )
    chosen = merging.add_mutually_exclusive_group()
    chosen.add_argument(
        "--env",
        metavar="NAME",
        help="send the merged verdict to the [notify] channels of environments/NAME.toml",
    )
    chosen.add_argument(
        "--env-file", type=Path, metavar="PATH", help="the same, from this environment file"
    )
    return top


def notifying_environment(name: str | None, file: Path | None) -> Environment | None:
    """The environment whose [notify] the merged verdict goes to, read as pytest's --env reads
    it (secrets from the process environment); None when neither option was given. Only its
    settings are needed here, so the files a check run reads need not exist on this machine."""
    if name is None and file is None:
        return None
    try:
        if file is None:
            assert name is not None
            folder = os.environ.get("FACTURINO_VERIFY_ENV_DIR") or "environments"
            file = environment_path(name, Path(folder))
        return load_environment(file, check_files=False)
    except ConfigError as problem:
        raise InputError(str(problem)) from None
    except OSError as problem:
        raise InputError(f"{file}: cannot be read ({problem})") from None


def read_summary(path: Path) -> tuple[dict[str, Any], LocationRun]:
    """The summary's content and what merge needs of it; InputError naming the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as problem:
        raise InputError(f"{path}: cannot be read ({problem})") from None
    except json.JSONDecodeError as problem:
        raise InputError(f"{path}: not JSON ({problem}); give the summary.json of a run") from None
    _check_shape(path, data)
    location = data.get("location") or str(path)
    run = LocationRun(
        location=str(location),
        verdict=str(data["verdict"]),
        exit_code=int(data["exit_code"]),
        reason=str(data.get("reason", "")),
        checks=tuple(data["checks"]),
        scenario=data.get("scenario"),
    )
    return data, run


def _check_shape(path: Path, data: Any) -> None:
    if not isinstance(data, dict) or ("checks" not in data and "schema" not in data):
        raise InputError(f"{path}: not a facturino-verify summary.json (no verdict, no checks)")
    schema = data.get("schema")
    if schema != SUMMARY_SCHEMA:
        written = "an older facturino-verify (no schema)" if schema is None else f"schema {schema}"
        raise InputError(
            f"{path}: written by {written}; this merge reads schema {SUMMARY_SCHEMA}: re-run "
            "that location with this version"
        )
    if "locations" in data:
        raise InputError(f"{path}: already a merged summary; merge the runners' own summaries")
    checks = data.get("checks")
    well_formed = isinstance(checks, list) and all(
        isinstance(c, dict) and "id" in c and c.get("severity") in KNOWN_SEVERITIES for c in checks
    )
    if not well_formed or not isinstance(data.get("exit_code"), int) or "verdict" not in data:
        raise InputError(f"{path}: not a facturino-verify summary.json (its checks are malformed)")


def read_all(paths: list[Path]) -> tuple[list[dict[str, Any]], list[LocationRun]]:
    if not paths:
        raise InputError("no summary given: facturino-verify merge SUMMARY.json...")
    read = [read_summary(path) for path in paths]
    datas, runs = [d for d, _ in read], [r for _, r in read]
    targets = sorted({str(d.get("target")) for d in datas})
    if len(targets) > 1:
        raise InputError(f"the summaries verify different targets ({', '.join(targets)})")
    locations = [run.location for run in runs]
    twice = sorted({loc for loc in locations if locations.count(loc) > 1})
    if twice:
        raise InputError(
            f"location {', '.join(twice)} given twice: set [run] location per runner "
            "(or FACTURINO_VERIFY__RUN__LOCATION)"
        )
    return datas, runs


def merged_summary(merged: Merged, datas: list[dict[str, Any]]) -> dict[str, Any]:
    """The merged summary.json: a run summary's shape (facturino-verify-summary reads it), plus
    each location's own verdict and, per check, what each location saw."""
    verdict = merged.verdict
    return {
        "schema": SUMMARY_SCHEMA,
        "verdict": verdict.name,
        "exit_code": verdict.exit_code,
        "reason": verdict.reason,
        "environment": datas[0].get("environment"),
        "target": datas[0].get("target"),
        "location": None,
        "locations": [
            {
                "location": r.location,
                "verdict": r.verdict,
                "exit_code": r.exit_code,
                "reason": r.reason,
            }
            for r in merged.runs
        ],
        "scenario": _scenario(merged),
        "counts": verdict.counts,
        "duration_s": max(float(d.get("duration_s", 0.0)) for d in datas),
        "root_causes": [],  # each location's are in its own summary
        "checks": [
            {
                "id": c.result.nodeid,
                "name": c.result.name,
                "severity": c.result.severity,
                "scenario": c.result.scenario,
                "outcome": c.result.outcome,
                "message": c.result.message,
                "locations": c.seen_at,
                "down_from": c.down_at if c.regional else [],
                "caused_by": None,
            }
            for c in merged.checks
        ],
    }


def _scenario(merged: Merged) -> dict[str, Any] | None:
    """The runbook scenario of the merged verdict, with the steps a location printed for it."""
    name = merged.verdict.scenario
    if name is None:
        return None
    printed = [r.scenario for r in merged.runs if r.scenario and r.scenario.get("name") == name]
    steps: list[str] = list(printed[0].get("steps", [])) if printed else []
    return {"name": name, "title": TITLES[name], "steps": steps}


def write_reports(merged: Merged, datas: list[dict[str, Any]], folder: Path) -> Path:
    summary = merged_summary(merged, datas)
    steps = (summary["scenario"] or {}).get("steps", [])
    page = merged_page(merged, str(summary["environment"]), str(summary["target"]), steps)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        (folder / "report.html").write_text(page, encoding="utf-8")
    except OSError as problem:
        raise InputError(f"--reports-dir {folder}: cannot be written ({problem})") from None
    return folder / "report.html"


def run_merge(paths: list[Path], folder: Path, env: Environment | None = None) -> int:
    target = (folder / "summary.json").resolve()
    if any(path.resolve() == target for path in paths):
        raise InputError(
            f"--reports-dir {folder} would overwrite the input {target}: choose another"
        )
    datas, runs = read_all(paths)
    merged = merge(runs)
    report = write_reports(merged, datas, folder)
    for run in runs:
        print(f"  {run.location}: {run.verdict} (exit {run.exit_code}) - {run.reason}")
    verdict = merged.verdict
    print(f"VERDICT: {verdict.name} (exit {verdict.exit_code}) - {verdict.reason}")
    print(f"report: {report}  summary: {folder / 'summary.json'}")
    if env is not None:
        sent = notify_merged(merged, env, report)
        for line in notification_lines(sent):
            print(line)
        _add_notifications(folder / "summary.json", sent)
    return merged.verdict.exit_code


def notify_merged(merged: Merged, env: Environment, report: Path) -> list[Sent]:
    """The merged verdict to the environment's channels, as a run sends its own; a failure to
    send is reported and never changes the verdict or the exit code."""
    settings = env.notify
    if merged.verdict.name not in settings.on or not settings.channels:
        return []
    redact = Redactor(secret_values(env))
    message = build(merged.verdict, [check.result for check in merged.checks], env, redact)
    attach = settings.email is not None and settings.email.attach_report
    attached = report.read_text(encoding="utf-8") if attach else None
    return notify(
        message, settings.slack, settings.email, settings.timeout_seconds, redact, attached
    )


def _add_notifications(path: Path, sent: list[Sent]) -> None:
    summary = json.loads(path.read_text())
    summary["notifications"] = [s.as_dict() for s in sent]
    path.write_text(json.dumps(summary, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
        env = notifying_environment(args.env, args.env_file)
        return run_merge(list(args.summaries), args.reports_dir, env)
    except InputError as problem:
        print(f"ERROR: {problem}", file=sys.stderr)
        return USAGE_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
