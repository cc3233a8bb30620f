"""Every configuration mistake is one exact line: from ``load_environment`` as ``ConfigError``,
and from a pytest run as one ``ERROR:`` line with exit code 4 and no traceback.

The mistakes live in ``config_cases/`` (one file each, expected message on its first line).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from facturino_verify.config import ConfigError, Environment, environment_path, load_environment

CASES = Path(__file__).resolve().parent / "config_cases"
HEADER = "# error: "
# Cases whose expected message states the intended behaviour; src does not do it yet.


def case_params() -> list[object]:
    return [pytest.param(path, id=path.stem) for path in sorted(CASES.glob("*.toml"))]


def expected_message(case: Path, directory: Path) -> str:
    first = case.read_bytes().split(b"\n", 1)[0].decode()  # a case may be invalid UTF-8 below
    assert first.startswith(HEADER), f"{case.name} must start with '{HEADER}<message>'"
    # {sections}: the top-level sections, which grow as suites add their own.
    sections = ", ".join(sorted(Environment.model_fields))
    return (
        first.removeprefix(HEADER).replace("{dir}", str(directory)).replace("{sections}", sections)
    )


def assert_one_usage_error(result: pytest.RunResult, message: str) -> None:
    __tracebackhide__ = True
    lines = result.outlines + result.errlines
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert [line for line in lines if line.startswith("ERROR:")] == [f"ERROR: {message}"]
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
        load_environment(Path(case.name), environ={})
    assert str(caught.value) == expected_message(case, CASES)


@pytest.mark.parametrize("case", case_params())
def test_config_mistake_is_one_usage_error_line(case: Path, pytester: pytest.Pytester) -> None:
    shutil.copy(case, pytester.path / case.name)
    pytester.makepyfile("def test_never_runs() -> None: pass")
    result = pytester.runpytest(
        "--env-file", case.name, "-p", "no:cacheprovider", "-p", "no:playwright", "--no-reports"
    )
    assert_one_usage_error(result, expected_message(case, pytester.path.resolve()))
    assert "test_never_runs" not in result.stdout.str()


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
