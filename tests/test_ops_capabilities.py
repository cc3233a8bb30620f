"""The ops capabilities: a shell needs both the permission and a prefix, `queue:work --once`
needs its own permission, backup locations are granted by naming them; each refusal is listed
with its reason."""

from __future__ import annotations

import pytest

from .conftest import WriteEnv

OPS_TESTS = """
import pytest

@pytest.mark.shell
def test_runs_migrate_status():
    pass

@pytest.mark.shell
@pytest.mark.queue_work
def test_works_one_job():
    pass

@pytest.mark.backup_folder
def test_reads_the_folder():
    pass

@pytest.mark.backup_bucket
def test_reads_the_bucket():
    pass
"""
RUN = ("-p", "no:cacheprovider", "-p", "no:playwright")


def outlines(pytester: pytest.Pytester, path: object) -> tuple[pytest.RunResult, set[str]]:
    pytester.makepyfile(test_ops=OPS_TESTS)
    result = pytester.runpytest(f"--env-file={path}", "--no-reports", *RUN)
    return result, set(result.outlines)


def test_nothing_named_deselects_every_ops_test_with_its_reason(
    pytester: pytest.Pytester, write_env: WriteEnv
) -> None:
    result, lines = outlines(pytester, write_env("bare"))
    result.assert_outcomes(deselected=4)
    assert {
        "test_ops.py::test_runs_migrate_status: environment 'bare' grants no shell ([allow] shell)",
        "test_ops.py::test_reads_the_folder: environment 'bare' names no backup folder "
        "([backups] folder)",
        "test_ops.py::test_reads_the_bucket: environment 'bare' names no backup bucket "
        "([backups.bucket])",
    } <= lines


def test_shell_without_prefix_and_queue_work_without_permission_are_refused(
    pytester: pytest.Pytester, write_env: WriteEnv
) -> None:
    no_prefix = write_env("noprefix", extra="[allow]\nshell = true\n")
    _, lines = outlines(pytester, no_prefix)
    assert (
        "test_ops.py::test_runs_migrate_status: environment 'noprefix' names no command prefix "
        "([shell] prefix)"
    ) in lines
    shell = write_env("shell", extra='[shell]\nprefix = ["true"]\n\n[allow]\nshell = true\n')
    result, lines = outlines(pytester, shell)
    result.assert_outcomes(passed=1, deselected=3)
    assert (
        "test_ops.py::test_works_one_job: environment 'shell' does not allow `queue:work --once` "
        "([allow] queue_work)"
    ) in lines


def test_everything_named_keeps_every_ops_test(
    pytester: pytest.Pytester, write_env: WriteEnv
) -> None:
    extra = (
        '[shell]\nprefix = ["true"]\n\n[backups]\nfolder = "/srv/backups"\n\n'
        '[backups.bucket]\nbucket = "b"\n\n[allow]\nshell = true\nqueue_work = true\n'
    )
    result, _ = outlines(pytester, write_env("all", extra=extra))
    result.assert_outcomes(passed=4)
