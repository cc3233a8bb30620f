"""Every configuration mistake is one exact line: from the check the plugin runs before
collection (``checked_environment``) as ``ConfigError``, and from a pytest run as one ``ERROR:``
line (one block when a file has several) with exit code 4 and no traceback.

The mistakes live in ``config_cases/`` (one file each, expected message in its first lines).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from facturino_verify.config import ConfigError, Environment, environment_path, load_environment
from facturino_verify.config.load import EVERY_RUN, FEATURE_FILES
from facturino_verify.plugin.preflight import RunSetup, checked_environment, reports_mistakes

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "config_cases"
HEADER = "# error: "
ARGS = "# args: "
# The run of a case selects no marker, so the feature flows' files are required too.
RUN_FILES = (*EVERY_RUN, *FEATURE_FILES)


def case_params() -> list[object]:
    return [pytest.param(path, id=path.stem) for path in sorted(CASES.glob("*.toml"))]


def header(case: Path, prefix: str) -> list[str]:
    """The case's leading comment lines that start with ``prefix``, without it."""
    lines = []
    for raw in case.read_bytes().split(b"\n"):  # a case may be invalid UTF-8 below its header
        if not raw.startswith(b"# "):
            break
        line = raw.decode()
        if line.startswith(prefix):
            lines.append(line.removeprefix(prefix))
    return lines


def expected_message(case: Path, directory: Path) -> str:
    lines = header(case, HEADER)
    assert lines, f"{case.name} must start with '{HEADER}<message>'"
    # {sections}: the top-level sections, which grow as suites add their own.
    sections = ", ".join(sorted(Environment.model_fields))
    message = "\n".join(lines)
    return message.replace("{dir}", str(directory)).replace("{sections}", sections)


def run_args(case: Path) -> list[str]:
    """The case's run options (``# args: --reports-dir=...``); by default no reports."""
    return [arg for line in header(case, ARGS) for arg in line.split()] or ["--no-reports"]


def run_setup(case: Path) -> RunSetup:
    """What the plugin would check for a run of the case from ``CASES`` with its options."""
    dirs = [a.split("=", 1)[1] for a in run_args(case) if a.startswith("--reports-dir=")]
    return RunSetup(RUN_FILES, CASES / dirs[0] if dirs else None, ROOT)


def assert_one_usage_error(result: pytest.RunResult, message: str) -> None:
    """One ``ERROR:`` line; a message of several lines (every mistake of a file) follows it."""
    __tracebackhide__ = True
    lines = result.outlines + result.errlines
    first, *rest = message.split("\n")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert [line for line in lines if line.startswith("ERROR:")] == [f"ERROR: {first}"]
    at = lines.index(f"ERROR: {first}") + 1
    assert lines[at : at + len(rest)] == rest
    assert "Traceback" not in "\n".join(lines)
    assert "INTERNALERROR" not in "\n".join(lines)


def test_there_are_at_least_ten_config_cases() -> None:
    assert len(list(CASES.glob("*.toml"))) >= 10


@pytest.mark.parametrize("case", case_params())
def test_config_mistake_raises_exact_config_error(
    case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(CASES)  # the file is shown relative to the working directory
    with pytest.raises(ConfigError) as caught:
        checked_environment(Path(case.name), run_setup(case), environ={})
    assert str(caught.value) == expected_message(case, CASES)


@pytest.mark.parametrize("case", case_params())
def test_config_mistake_is_one_usage_error_line(case: Path, pytester: pytest.Pytester) -> None:
    shutil.copy(case, pytester.path / case.name)
    for suite in ROOT.glob("tests_*"):  # the checks [severity] and [waivers] patterns must name
        (pytester.path / suite.name).symlink_to(suite, target_is_directory=True)
    pytester.makepyfile("def test_never_runs() -> None: pass")
    result = pytester.runpytest(
        "--env-file", case.name, "-p", "no:cacheprovider", "-p", "no:playwright", *run_args(case)
    )
    assert_one_usage_error(result, expected_message(case, pytester.path.resolve()))
    assert "test_never_runs" not in result.stdout.str()


@pytest.mark.parametrize("case", case_params())
def test_config_mistake_reads_cleanly(case: Path) -> None:
    """A message and its hint are joined once: no "check.; fix it", "..", " ;" or ";;"."""
    for line in expected_message(case, CASES).split("\n"):
        assert not re.search(r"[.?!:;,];|(?<!\.)\.\.(?!\.)|\s[;,.]", line), line


@pytest.mark.parametrize("end", [".", "?", "!"])
def test_a_message_ending_a_sentence_takes_its_hint_as_the_next(end: str) -> None:
    error = ConfigError(f"pattern 'x' names no check{end}", "env.toml [severity]", "fix it")
    assert str(error) == f"env.toml [severity]: pattern 'x' names no check{end} Fix it"


def test_secret_written_literally_is_not_echoed() -> None:
    with pytest.raises(ConfigError) as caught:
        load_environment(CASES / "secret_literal.toml", environ={})
    assert "hunter2" not in str(caught.value)


# Mistakes made on the command line rather than in a file. ``{dir}``: the environments directory
# (FACTURINO_VERIFY_ENV_DIR), which holds local, prod and staging.
CLI_CASES = {
    "unknown_env_with_close_match": (
        ["--env", "stagin"],
        "--env: Unknown environment 'stagin'. Did you mean 'staging'? Known: local, prod, "
        "staging; add {dir}/stagin.toml or pass --env-file PATH",
    ),
    "unknown_env_without_close_match": (
        ["--env", "qa"],
        "--env: Unknown environment 'qa'. Known: local, prod, staging; "
        "add {dir}/qa.toml or pass --env-file PATH",
    ),
    "env_and_env_file_together": (
        ["--env", "local", "--env-file", "environments/local.toml"],
        "command line: --env and --env-file were both given; pass one",
    ),
    "env_file_missing": (
        ["--env-file", "does-not-exist.toml"],
        "does-not-exist.toml: file not found; check the --env-file path",
    ),
    "env_file_is_a_directory": (
        ["--env-file", "environments"],
        "environments: is a directory, not a TOML file",
    ),
}


@pytest.fixture
def env_dir(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An environments directory with local, prod and staging (contents never read)."""
    directory = pytester.mkdir("environments")
    for name in ("local", "prod", "staging"):
        (directory / f"{name}.toml").write_text('[target]\nurl = "https://x.example"\n')
    monkeypatch.setenv("FACTURINO_VERIFY_ENV_DIR", str(directory))
    return directory


@pytest.mark.parametrize(("args", "message"), CLI_CASES.values(), ids=CLI_CASES.keys())
def test_command_line_mistake_is_one_usage_error_line(
    pytester: pytest.Pytester, env_dir: Path, args: list[str], message: str
) -> None:
    result = pytester.runpytest(
        *args, "-p", "no:cacheprovider", "-p", "no:playwright", "--no-reports"
    )
    assert_one_usage_error(result, message.replace("{dir}", str(env_dir)))


def test_unknown_environment_suggests_close_name(tmp_path: Path) -> None:
    for name in ("local", "prod", "staging"):
        (tmp_path / f"{name}.toml").touch()
    with pytest.raises(ConfigError) as caught:
        environment_path("stagin", tmp_path)
    assert str(caught.value) == (
        "--env: Unknown environment 'stagin'. Did you mean 'staging'? Known: local, prod, "
        f"staging; add {tmp_path}/stagin.toml or pass --env-file PATH"
    )


def test_unknown_environment_in_empty_directory_says_none(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"Known: \(none\)"):
        environment_path("prod", tmp_path)


def test_known_environment_name_resolves_to_its_file(tmp_path: Path) -> None:
    (tmp_path / "staging.toml").touch()
    assert environment_path("staging", tmp_path) == tmp_path / "staging.toml"


def test_missing_env_file_is_config_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as caught:
        load_environment(Path("nope.toml"), environ={})
    assert str(caught.value) == "nope.toml: file not found; check the --env-file path"


def test_every_mistake_of_a_file_is_listed_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("many.toml").write_text(
        '[target]\nurl = "facturino.example"\nconect_timeout = 2\n'
        '[database]\nhost = "db"\nname = "f"\nuser = "u"\npassword = "hunter2"\n'
        'newest_migration = "x"\n[thresholds]\npending_jobs_max = -1\n'
    )
    with pytest.raises(ConfigError) as caught:
        load_environment(Path("many.toml"), environ={})
    lines = str(caught.value).splitlines()
    assert lines[0] == "many.toml: 4 mistakes, each to fix:"
    assert [line.split(":")[0] for line in lines[1:]] == [
        "  - many.toml [database] password",
        "  - many.toml [target] url",
        "  - many.toml [target]",
        "  - many.toml [thresholds] pending_jobs_max",
    ]
    assert "hunter2" not in str(caught.value)


def test_an_unreadable_file_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As root every file is readable: the refusal is simulated where the file is opened.
    path = tmp_path / "locked.toml"
    path.write_text('[target]\nurl = "https://x.example"\n')

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(ConfigError, match=r"cannot be read \(permission denied\)"):
        load_environment(path, environ={})


def test_a_reports_dir_that_is_a_file_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makefile(".toml", env='[target]\nurl = "https://x.example"\n')
    pytester.makefile(".txt", occupied="not a directory")
    pytester.makepyfile("def test_never_runs() -> None: pass")
    result = pytester.runpytest(
        "--env-file=env.toml", "--reports-dir=occupied.txt/reports", "-p", "no:playwright"
    )
    message = (
        f"--reports-dir: {pytester.path / 'occupied.txt'} is a file: the reports cannot be "
        f"written to {pytester.path / 'occupied.txt' / 'reports'}; choose a directory this "
        "user can write (or --no-reports)"
    )
    assert_one_usage_error(result, message)


def test_feature_files_are_required_only_where_features_may_run(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".toml",
        env='[target]\nurl = "https://x.example"\n[features.efaktura]\n'
        'trust_anchor = "missing-anchor.pem"\n',
    )
    pytester.makepyfile("def test_never_runs() -> None: pass")
    common = (
        "--env-file=env.toml",
        "--no-reports",
        "-p",
        "no:playwright",
        "-p",
        "no:cacheprovider",
    )
    assert pytester.runpytest(*common, "-m", "smoke").ret != pytest.ExitCode.USAGE_ERROR
    result = pytester.runpytest(*common, "-m", "features")
    message = (
        f"env.toml [features.efaktura] trust_anchor: file {pytester.path / 'missing-anchor.pem'}"
        " does not exist; fix the path (relative paths start at the environment file's folder)"
    )
    assert_one_usage_error(result, message)


def test_severity_and_waiver_patterns_must_name_a_check(pytester: pytest.Pytester) -> None:
    pytester.mkdir("tests_demo")
    (pytester.path / "tests_demo" / "test_demo.py").write_text(
        "def test_up_answers():\n    pass\n\ndef test_metrics_answer():\n    pass\n"
    )
    pytester.makefile(
        ".toml",
        env='[target]\nurl = "https://x.example"\n[severity]\n"test_up_*" = "warning"\n'
        '"test_hsts_*" = "warning"\n[waivers."test_metrics_answr"]\nreason = "r"\n'
        "expires = 2099-01-01\n",
    )
    result = pytester.runpytest(
        "--env-file=env.toml", "--no-reports", "-p", "no:playwright", "tests_demo"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    lines = result.outlines + result.errlines
    errors = [line for line in lines if line.startswith("ERROR:")]
    assert errors == ["ERROR: env.toml: 2 mistakes, each to fix:"]
    text = "\n".join(lines)
    assert "env.toml [severity]: pattern 'test_hsts_*' names no check" in text
    assert (
        "env.toml [waivers]: pattern 'test_metrics_answr' names no check. "
        "Did you mean 'test_metrics_answer'?" in text
    )


def test_a_path_whose_reference_is_broken_is_not_also_a_missing_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("env.toml").write_text(
        '[target]\nurl = "https://x.example"\nca_file = "${FACTURINO_TEST_TLS}/ca.pem"\n'
    )
    with pytest.raises(ConfigError) as caught:
        checked_environment(Path("env.toml"), RunSetup(RUN_FILES, None, ROOT), environ={})
    assert str(caught.value).startswith(
        "env.toml [target] ca_file: environment variable FACTURINO_TEST_TLS is not set;"
    )


def test_the_reports_probe_leaves_nothing_behind(tmp_path: Path) -> None:
    assert reports_mistakes(tmp_path / "new" / "reports") == []  # tried in tmp_path itself
    assert reports_mistakes(tmp_path) == []  # tried in the existing reports directory
    assert list(tmp_path.iterdir()) == []


def test_a_folder_refusing_new_entries_cannot_take_the_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What a user other than root meets in a folder without write permission (root writes there).
    def refuse(*args: object, **kwargs: object) -> str:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("tempfile.mkdtemp", refuse)
    [mistake] = reports_mistakes(tmp_path / "reports")
    assert str(mistake) == (
        f"--reports-dir: {tmp_path} cannot be written: the reports cannot be written to "
        f"{tmp_path / 'reports'}; choose a directory this user can write (or --no-reports)"
    )
