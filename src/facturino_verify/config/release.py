"""The release a deployment must report: ``--expect-release``, ``[release] version``, or
``git describe --tags`` of ``[release] checkout``. Resolved before collection, so a checkout
that cannot say its release is a usage error, never a failed (or passed) check."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError, location
from .model import Environment

GIT_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class ExpectedRelease:
    """The version the deployment must report, and where that expectation came from."""

    version: str
    source: str  # "--expect-release", "[release] version", "git describe --tags of /srv/app"


def expected_release(env: Environment, option: str | None, shown: str) -> ExpectedRelease | None:
    """The run's expected release (the option first, then the file), or None when nothing
    names one; ``shown`` is the environment file as messages name it."""
    if option is not None:
        if not option.strip() or option != option.strip():
            raise ConfigError(
                f"{option!r} is not a version", "--expect-release", "pass it as the app reports it"
            )
        return ExpectedRelease(option, "--expect-release")
    release = env.release
    if release.version is not None:
        return ExpectedRelease(release.version, "[release] version")
    if release.checkout is not None:
        version = described(release.checkout, location(shown, "release", "checkout"))
        return ExpectedRelease(version, f"git describe --tags of {release.checkout}")
    return None


def described(checkout: Path, where: str) -> str:
    """``git describe --tags`` of ``checkout``, which must be the top folder of a git work tree:
    a folder inside another repository (the verifier's own checkout, say) would describe that
    repository's release, and the check would compare the deployment with the wrong thing."""
    if not checkout.is_dir():
        raise ConfigError(
            f"folder {checkout} does not exist",
            where,
            "point it at a checkout of the app (relative paths start at the environment file's "
            "folder)",
        )
    top = _git(checkout, where, "rev-parse", "--show-toplevel")
    if Path(top).resolve() != checkout.resolve():
        raise ConfigError(
            f"{checkout} is not the top folder of a git checkout (it lies inside {top})",
            where,
            "point it at the app's checkout itself",
        )
    return _git(checkout, where, "describe", "--tags")


def _git(checkout: Path, where: str, *args: str) -> str:
    """Git's answer, or a ConfigError quoting git's own first line (no tags, not a repository,
    dubious ownership…)."""
    try:
        done = subprocess.run(
            ["git", "-C", str(checkout), *args],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except FileNotFoundError:
        raise ConfigError(
            "git is not installed", where, "install git or set [release] version"
        ) from None
    except subprocess.TimeoutExpired:
        raise ConfigError(
            f"git {args[0]} in {checkout} did not answer within {GIT_TIMEOUT_SECONDS:.0f} s",
            where,
            "set [release] version instead",
        ) from None
    if done.returncode != 0:
        said = next((line for line in done.stderr.splitlines() if line.strip()), "no output")
        what, hint = _refusal(said, args[0])
        raise ConfigError(f"{checkout} {what}", where, hint)
    return done.stdout.strip()


# What git's refusals mean for the release, and what to do about each.
REFUSALS = (
    ("No names found", "has no tag", "tag the release (git tag 1.0.5) or fetch the tags"),
    ("No tags can describe", "has no tag", "tag the release (git tag 1.0.5) or fetch the tags"),
    ("not a git repository", "is not a git checkout", "point it at a git checkout of the app"),
    (
        "dubious ownership",
        "belongs to another user and git refuses to read it",
        "let git trust it (git config --global --add safe.directory PATH)",
    ),
)


def _refusal(said: str, command: str) -> tuple[str, str]:
    """(what is wrong, what to do); git's own words where its refusal is not a known one."""
    for marker, what, hint in REFUSALS:
        if marker in said:
            return what, hint
    quoted = said.removeprefix("fatal: ").rstrip(".")
    return f"cannot say its release (git {command}: {quoted})", "fix it or set [release] version"
