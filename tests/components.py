"""The real components the suite drives, and what happens when one is missing.

On a workstation a missing component (Dovecot, Chromium, Redis, SpamAssassin, the shared corpus…) skips
the tests that need it, with the reason and how to install it. Under CI (`CI=true`, set by `.ci/run`)
the same test FAILS: a green CI run proves that every real part ran.

Two layers, both here and registered by tests/conftest.py:
- `require_component(name, present, reason)`: what every fixture or test calls before using a real part;
- the hooks below: under CI any other skip (a `skipif` marker, `pytest.importorskip`, a bare
  `pytest.skip`) becomes a failure too, so a forgotten helper cannot hide a part that did not run.

Kept free of Django so that tests/core/test_real_components.py can run it in a nested pytest.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import Any

import pytest

CI_VALUES = {"1", "true", "yes", "on"}


def under_ci() -> bool:
    """True when the environment says CI (`CI=true`, as most CI services and `.ci/run` set it)."""
    return os.environ.get("CI", "").strip().lower() in CI_VALUES


def require_component(name: str, present: bool, reason: str) -> None:
    """Go on when `present`; otherwise skip the test, or fail it under CI.

    `reason` says what is missing and how to install it, e.g.
    `require_component("Dovecot", dovecot.available(), "install Debian's dovecot-imapd (make system-deps)")`.
    """
    if present:
        return
    message = f"{name} is missing: {reason}"
    if under_ci():
        pytest.fail(
            f"CI=true and a real component is missing, so this test fails instead of skipping. {message}"
        )
    pytest.skip(message)


def _skip_reason(longrepr: Any) -> str:
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # (path, line, "Skipped: reason")
        return str(longrepr[2])
    return str(longrepr)


def _fail_instead(report: pytest.TestReport | pytest.CollectReport) -> None:
    report.outcome = "failed"
    report.longrepr = (
        "CI=true: this test skipped, and under CI a skip fails (a green CI proves every real part ran). "
        f"{_skip_reason(report.longrepr)}"
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    if under_ci() and report.skipped and not hasattr(report, "wasxfail"):  # an expected failure stays one
        _fail_instead(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, Any, Any]:
    report = yield
    if under_ci() and report.skipped:  # a whole module skipped (importorskip, allow_module_level)
        _fail_instead(report)
    return report
