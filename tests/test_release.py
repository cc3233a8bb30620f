"""Release identity (issue 15): the check over the app's version answer, and where the expected
release comes from (option, [release] version, git describe --tags of [release] checkout), with
each way a checkout cannot say its release refused before collection."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest

from facturino_verify.checks import CheckFailed, release, remedies
from facturino_verify.config import ConfigError, Environment
from facturino_verify.config.release import ExpectedRelease, expected_release
from facturino_verify.plugin.capabilities import missing_capabilities

URL = "https://facturino.example/api/v1/app/version"
SHOWN = "env.toml"


def answer(status: int = 200, **kwargs: object) -> httpx.Response:
    return httpx.Response(status, request=httpx.Request("GET", URL), **kwargs)  # type: ignore[arg-type]


def env(**release: object) -> Environment:
    return Environment.model_validate({"target": {"url": "https://x.example"}, "release": release})


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True)


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A git checkout with one commit and no tag."""
    folder = tmp_path / "app"
    folder.mkdir()
    git(folder, "init", "-q")
    (folder / "version.md").write_text("2.1.1\n")
    git(folder, "add", "version.md")
    git(folder, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "release")
    return folder


# The check


def test_the_release_the_app_reports_passes() -> None:
    release.expect_release(answer(json={"version": "2.1.1", "channel": "stable"}), "2.1.1", "x")


def test_an_old_release_answering_fails_naming_both_versions_and_the_redeploy() -> None:
    with pytest.raises(CheckFailed) as failed:
        release.expect_release(
            answer(json={"version": "2.1.0", "channel": "stable"}), "2.1.1", "[release] version"
        )
    assert failed.value.expected == "2.1.1 ([release] version)"
    assert failed.value.seen == "2.1.0 (channel stable)"
    assert failed.value.remedy == release.OLD_RELEASE


def test_a_leading_v_is_not_normalized_but_named_as_the_only_difference() -> None:
    with pytest.raises(CheckFailed) as failed:
        release.expect_release(
            answer(json={"version": "1.0.5", "channel": "stable"}), "v1.0.5", "t"
        )
    assert failed.value.remedy == release.V_ONLY


@pytest.mark.parametrize(
    ("response", "seen"),
    [
        (answer(500, text="<html>Server Error</html>"), "→ 500"),
        (answer(200, text="<html>login</html>"), "a JSON body"),
        (answer(json={"channel": "stable"}), '"version"'),
        (answer(json=["2.1.1"]), '"version"'),
        (answer(json={"version": "", "channel": "stable"}), '"version"'),
    ],
    ids=["server-error", "not-json", "no-version", "not-an-object", "empty-version"],
)
def test_an_answer_without_a_version_fails(response: httpx.Response, seen: str) -> None:
    with pytest.raises(CheckFailed) as failed:
        release.expect_release(response, "2.1.1", "t")
    assert seen in str(failed.value)
    server_error = response.status_code >= 500  # the app failing: logs, not version.md
    assert failed.value.remedy == (remedies.SERVER_ERROR if server_error else release.VERSION_FILE)


# Where the expected release comes from


def test_nothing_configured_means_no_expected_release_and_the_check_is_deselected() -> None:
    assert expected_release(env(), None, SHOWN) is None
    assert "release identity not judged" in missing_capabilities(env())["release"]
    assert "release" not in missing_capabilities(env(), release_known=True)


def test_the_option_wins_over_the_file() -> None:
    found = expected_release(env(version="2.1.0"), "2.1.1", SHOWN)
    assert found == ExpectedRelease("2.1.1", "--expect-release")


def test_the_file_version_is_taken_as_written() -> None:
    assert expected_release(env(version="v2.1.1"), None, SHOWN) == ExpectedRelease(
        "v2.1.1", "[release] version"
    )


def test_an_option_with_spaces_is_refused() -> None:
    with pytest.raises(ConfigError, match="--expect-release"):
        expected_release(env(), " 2.1.1", SHOWN)


def test_a_tagged_checkout_gives_its_tag_and_commits_past_it(checkout: Path) -> None:
    git(checkout, "tag", "2.1.1")
    found = expected_release(env(checkout=str(checkout)), None, SHOWN)
    assert found == ExpectedRelease("2.1.1", f"git describe --tags of {checkout}")
    git(
        checkout, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x", "--allow-empty"
    )
    found = expected_release(env(checkout=str(checkout)), None, SHOWN)
    assert found is not None and found.version.startswith("2.1.1-1-g")


def test_a_checkout_without_tags_is_a_config_error(checkout: Path) -> None:
    with pytest.raises(ConfigError) as error:
        expected_release(env(checkout=str(checkout)), None, SHOWN)
    assert str(error.value) == (
        f"env.toml [release] checkout: {checkout} has no tag; tag the release (git tag 1.0.5) "
        "or fetch the tags"
    )


def test_a_folder_inside_another_checkout_is_refused(checkout: Path) -> None:
    git(checkout, "tag", "2.1.1")
    inner = checkout / "docs"
    inner.mkdir()
    with pytest.raises(ConfigError) as error:
        expected_release(env(checkout=str(inner)), None, SHOWN)
    assert str(error.value) == (
        f"env.toml [release] checkout: {inner} is not the top folder of a git checkout (it lies "
        f"inside {checkout}); point it at the app's checkout itself"
    )


def test_version_and_checkout_together_are_refused(checkout: Path) -> None:
    with pytest.raises(ValueError, match="not both"):
        env(version="2.1.1", checkout=str(checkout))
