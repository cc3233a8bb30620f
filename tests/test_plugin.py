"""The plugin in real pytest runs (pytester, in-process: the plugin is loaded through its entry
point). Environments target a closed local port, so nothing here needs a deployment."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from facturino_verify.plugin import stash
from facturino_verify.verdict import EXIT_CODES

WriteEnv = Callable[..., Path]
# pytest-playwright keeps global state that does not survive in-process pytester runs.
RUN = ("-p", "no:cacheprovider", "-p", "no:playwright")
CANARY = "canary-5e1f0c7d"
DATABASE = (
    '[database]\nhost = "127.0.0.1"\nname = "facturino"\nuser = "verify"\n'
    'password = "${FACTURINO_TEST_SECRET:-unused-secret}"\nnewest_migration = "2026_01_01_x"\n\n'
)
CAPABILITY_TESTS = """
import pytest

def test_reads() -> None:
    pass

@pytest.mark.writes
def test_creates_invoice() -> None:
    pass

@pytest.mark.db
def test_reads_migrations() -> None:
    pass

@pytest.mark.writes
@pytest.mark.db
def test_writes_rows() -> None:
    pass
"""
PROBE_UP = """
def test_up_answers(probes) -> None:
    probes.result("up")
"""
PLUGIN_FIXTURES = (
    "environment",
    "deployment",
    "probes",
    "postgres",
    "redis_client",
    "admin_session",
    "partner_session",
)


def test_plugin_is_inert_without_env(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        "import pytest\n\ndef test_plain() -> None:\n    assert True\n\n"
        "@pytest.mark.writes\ndef test_marked_writes() -> None:\n    assert True\n"
    )
    result = pytester.runpytest(*RUN)
    result.assert_outcomes(passed=2)
    assert "facturino-verify:" not in result.stdout.str()
    assert not (pytester.path / "reports").exists()


def test_markers_work_under_strict_markers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        "import pytest\n\n@pytest.mark.smoke\n@pytest.mark.db\n"
        "def test_marked() -> None:\n    pass\n"
    )
    pytester.runpytest("--strict-markers", *RUN).assert_outcomes(passed=1)


def test_markers_are_listed_with_their_meaning(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers", *RUN)
    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.smoke: post-deploy gate*",
            "@pytest.mark.writes: creates data in the deployment*",
        ]
    )


def test_every_plugin_fixture_has_a_docstring(pytester: pytest.Pytester) -> None:
    text = pytester.runpytest("--fixtures", *RUN).stdout.str()
    ours = text.split("fixtures defined from facturino_verify.plugin.fixtures")[1]
    section = ours.split("fixtures defined from")[0]
    assert all(f"\n{name} [session scope]" in section for name in PLUGIN_FIXTURES)
    assert "no docstring available" not in section


def test_environment_fixture_without_env_errors_with_hint(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_needs_env(environment) -> None:\n    pass\n")
    result = pytester.runpytest(*RUN)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*no environment: run with --env NAME or --env-file PATH*"])


def test_env_file_is_loaded_before_collection(
    pytester: pytest.Pytester, write_env: WriteEnv
) -> None:
    config = pytester.parseconfigure("--env-file", str(write_env("demo")))
    assert config.stash[stash.ENVIRONMENT].name == "demo"


def test_env_name_is_looked_up_in_rootdir_environments(
    pytester: pytest.Pytester, write_env: WriteEnv
) -> None:
    path = write_env("demo").rename(pytester.mkdir("environments") / "demo.toml")
    config = pytester.parseconfigure("--env", "demo")
    assert config.stash[stash.ENV_FILE] == path


def test_env_dir_variable_overrides_rootdir_environments(
    pytester: pytest.Pytester, write_env: WriteEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_env("demo").rename(pytester.mkdir("elsewhere") / "demo.toml")
    (pytester.mkdir("environments") / "demo.toml").write_text(path.read_text())
    monkeypatch.setenv("FACTURINO_VERIFY_ENV_DIR", str(path.parent))
    assert pytester.parseconfigure("--env", "demo").stash[stash.ENV_FILE] == path


@pytest.mark.parametrize(
    ("args", "html", "xml"),
    [
        ([], "{cwd}/reports/report.html", "{cwd}/reports/junit.xml"),
        (["--reports-dir", "out"], "{cwd}/out/report.html", "{cwd}/out/junit.xml"),
        (["--junit-xml", "mine.xml"], "{cwd}/reports/report.html", "mine.xml"),
        (["--no-reports"], None, None),
    ],
    ids=["default", "reports_dir", "explicit_junit_kept", "no_reports"],
)
def test_reports_default_to_invocation_dir_unless_told_otherwise(
    pytester: pytest.Pytester,
    write_env: WriteEnv,
    args: list[str],
    html: str | None,
    xml: str | None,
) -> None:
    config = pytester.parseconfigure("--env-file", str(write_env("demo")), *args)
    cwd = str(Path.cwd())  # the invocation directory
    expected = [None if path is None else path.format(cwd=cwd) for path in (html, xml)]
    assert [config.option.htmlpath, config.option.xmlpath] == expected


def test_capability_not_granted_deselects_with_reason(
    pytester: pytest.Pytester, write_env: WriteEnv
) -> None:
    path = write_env("readonly")  # [allow] writes defaults to false; no [database]
    pytester.makepyfile(test_caps=CAPABILITY_TESTS)
    result = pytester.runpytest("--env-file", str(path), "--no-reports", *RUN)
    result.assert_outcomes(passed=1, deselected=3)
    result.stdout.fnmatch_lines(["*= deselected: capability not granted by the environment =*"])
    assert {
        "test_caps.py::test_creates_invoice: environment 'readonly' does not allow writes",
        "test_caps.py::test_reads_migrations: environment 'readonly' has no [database] section",
    } <= set(result.outlines)
    both = [line for line in result.outlines if line.startswith("test_caps.py::test_writes_rows: ")]
    assert len(both) == 1
    assert "does not allow writes" in both[0] and "has no [database] section" in both[0]


def test_granted_capabilities_keep_their_tests(
    pytester: pytest.Pytester, write_env: WriteEnv
) -> None:
    path = write_env("staging", extra="[allow]\nwrites = true\n\n" + DATABASE)
    pytester.makepyfile(test_caps=CAPABILITY_TESTS)
    result = pytester.runpytest("--env-file", str(path), "--no-reports", *RUN)
    result.assert_outcomes(passed=4)
    assert "capability not granted" not in result.stdout.str()


def test_report_header_names_environment_file_and_target(
    pytester: pytest.Pytester, write_env: WriteEnv, closed_port: int
) -> None:
    pytester.makepyfile("def test_ok() -> None:\n    pass\n")
    result = pytester.runpytest("--env-file", write_env("demo").name, "--no-reports", *RUN)
    header = f"facturino-verify: environment 'demo' (demo.toml) → https://127.0.0.1:{closed_port}"
    assert header in result.outlines


def test_default_reports_are_written_in_invocation_dir(
    pytester: pytest.Pytester,
    write_env: WriteEnv,
    closed_port: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_env("demo")
    pytester.makepyfile("def test_ok() -> None:\n    pass\n")
    monkeypatch.chdir(pytester.mkdir("ci"))  # invocation dir differs from rootdir
    pytester.runpytest("--env-file", "../demo.toml", str(pytester.path), *RUN).assert_outcomes(
        passed=1
    )
    reports = pytester.path / "ci" / "reports"
    assert (reports / "junit.xml").is_file()
    html = (reports / "report.html").read_text()
    assert f"<b>Environment:</b> demo — <b>Target:</b> https://127.0.0.1:{closed_port}" in html
    assert "Facturino verification — demo" in html
    assert not (pytester.path / "reports").exists()


def test_no_reports_writes_no_reports(pytester: pytest.Pytester, write_env: WriteEnv) -> None:
    pytester.makepyfile("def test_ok() -> None:\n    pass\n")
    pytester.runpytest("--env-file", write_env("demo").name, "--no-reports", *RUN).assert_outcomes(
        passed=1
    )
    assert not (pytester.path / "reports").exists()


def test_planted_secret_reaches_no_output(
    pytester: pytest.Pytester, write_env: WriteEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACTURINO_TEST_SECRET", CANARY)
    path = write_env("canary", extra=DATABASE)
    pytester.makepyfile(
        test_leak="""
        import os

        def test_logs_in() -> None:
            secret = os.environ["FACTURINO_TEST_SECRET"]
            print("logging in with", secret)
            assert secret == "", f"could not log in with {secret}"
    """
    )
    result = pytester.runpytest("--env-file", path.name, *RUN)
    result.assert_outcomes(failed=1)
    outputs = {
        "terminal": result.stdout.str() + result.stderr.str(),
        "html": (pytester.path / "reports" / "report.html").read_text(),
        "junit": (pytester.path / "reports" / "junit.xml").read_text(),
    }
    assert [name for name, text in outputs.items() if CANARY in text] == []
    # The failure itself is reported, with the secret masked.
    assert all(
        "could not log in with «redacted»" in outputs[name] for name in ("terminal", "junit")
    )


def test_unreachable_target_fails_the_check_not_the_run(
    pytester: pytest.Pytester, write_env: WriteEnv
) -> None:
    pytester.makepyfile(test_up=PROBE_UP)
    result = pytester.runpytest("--env-file", write_env("down").name, "--no-reports", *RUN)
    result.assert_outcomes(failed=1)
    # /up is a critical check: an unreachable target is a ROLLBACK verdict, not a usage error.
    assert result.ret == EXIT_CODES["ROLLBACK"]
    result.stdout.fnmatch_lines(
        [
            "the deployment answers (probe 'up')",
            "  seen:     GET https://127.0.0.1:*/up: connection refused: *",
        ]
    )
    assert "ERROR:" not in result.stderr.str()


def test_short_summary_names_the_failed_claim(
    pytester: pytest.Pytester, write_env: WriteEnv
) -> None:
    pytester.makepyfile(test_up=PROBE_UP)
    result = pytester.runpytest("--env-file", write_env("down").name, "--no-reports", "-vv", *RUN)
    result.stdout.fnmatch_lines(
        ["FAILED test_up.py::test_up_answers - *the deployment answers (probe 'up')*"]
    )


def test_password_in_target_url_is_masked_in_header_and_html(
    pytester: pytest.Pytester, closed_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACTURINO_TEST_URL", f"https://verify:{CANARY}@127.0.0.1:{closed_port}")
    (pytester.path / "basic.toml").write_text('[target]\nurl = "${FACTURINO_TEST_URL}"\n')
    pytester.makepyfile("def test_ok() -> None:\n    pass\n")
    result = pytester.runpytest("--env-file", "basic.toml", *RUN)
    result.assert_outcomes(passed=1)
    html = (pytester.path / "reports" / "report.html").read_text()
    assert CANARY not in result.stdout.str() + html
