"""The suite keeps its promise: under CI a missing real part fails the run instead of skipping quietly.

The mechanism (tests/components.py) is checked in a nested pytest run, with and without `CI=true`.
"""

from __future__ import annotations

import os

import pytest
from django.db import connection

from tests.components import require_component, under_ci

NESTED_CONFTEST = """
from tests.components import pytest_make_collect_report, pytest_runtest_makereport  # noqa: F401
"""

NESTED_TESTS = """
import pytest

from tests.components import require_component


def test_a_part_that_is_there():
    require_component("Frobnicator", True, "apt-get install frobnicator")


def test_a_part_that_is_missing():
    require_component("Frobnicator", False, "apt-get install frobnicator")


@pytest.fixture
def frobnicator():
    require_component("Frobnicator", False, "apt-get install frobnicator")


def test_a_fixture_whose_part_is_missing(frobnicator):
    pass


@pytest.mark.skip(reason="a skip that forgot the helper")
def test_a_bare_skip():
    pass


@pytest.mark.xfail(reason="a known bug", strict=True)
def test_an_expected_failure():
    raise AssertionError
"""

NESTED_MODULE_SKIP = """
import pytest

pytest.importorskip("a_module_that_does_not_exist")


def test_never_collected():
    pass
"""


@pytest.fixture
def nested(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(NESTED_CONFTEST)
    pytester.makepyfile(test_parts=NESTED_TESTS, test_module_skip=NESTED_MODULE_SKIP)
    return pytester


def _run(nested: pytest.Pytester) -> pytest.RunResult:
    # The nested run is a plain pytest: no Django, no xdist, no cache written into the project.
    options = ["-p", "no:django", "-p", "no:xdist", "-p", "no:cacheprovider", "-ra"]
    return nested.runpytest(*options, "--continue-on-collection-errors")


@pytest.mark.parametrize("value", ["", "false"])
def test_on_a_workstation_a_missing_part_skips_with_its_reason(nested, monkeypatch, value):
    monkeypatch.setenv("CI", value)
    result = _run(nested)
    result.assert_outcomes(passed=1, skipped=4, xfailed=1)
    result.stdout.fnmatch_lines(["*Frobnicator is missing: apt-get install frobnicator*"])


@pytest.mark.parametrize("value", ["true", "1"])
def test_under_ci_a_missing_part_fails_and_so_does_any_other_skip(nested, monkeypatch, value):
    monkeypatch.setenv("CI", value)
    result = _run(nested)
    # The helper fails the test (and the fixture: an error at set-up), the bare skip is an error at
    # set-up, the skipped module a collection error; the expected failure stays expected.
    result.assert_outcomes(passed=1, failed=1, errors=3, xfailed=1)
    assert result.ret != 0
    for line in (
        "FAILED test_parts.py::test_a_part_that_is_missing - Failed: CI=true and a real component is missing*",
        "ERROR test_parts.py::test_a_fixture_whose_part_is_missing - *Frobnicator is missing: apt-get*",
        "ERROR test_parts.py::test_a_bare_skip - CI=true: this test skipped*a skip that forgot the helper",
        "ERROR test_module_skip.py - CI=true: this test skipped*a_module_that_does_not_exist*",
    ):
        result.stdout.fnmatch_lines([line])


def test_the_helper_lets_a_present_part_through_and_stops_on_a_missing_one(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    require_component("Frobnicator", True, "never shown")
    with pytest.raises(pytest.skip.Exception, match="Frobnicator is missing"):
        require_component("Frobnicator", False, "apt-get install frobnicator")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="Frobnicator is missing"):
        require_component("Frobnicator", False, "apt-get install frobnicator")


def test_the_suite_runs_on_the_database_that_database_url_names(db):
    """`DATABASE_URL=postgres://…` (the second CI run) really runs on PostgreSQL, not on SQLite."""
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://", "pgsql://")) else "sqlite"
    assert connection.vendor == expected, f"DATABASE_URL={url!r} but the tests run on {connection.vendor}"
    if under_ci() and expected == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            assert cursor.fetchone()[0].startswith("PostgreSQL")
