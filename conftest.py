"""Repository-wide pytest hooks: with ``GAMEGEN_NO_IMPORT_SKIPS=1`` (set by scripts/test.sh, so by CI), a test that
``importorskip``\\s a module fails instead of skipping — a broken ``ml`` extra must not pass as skipped tests."""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import Any

import pytest

_STRICT = os.environ.get("GAMEGEN_NO_IMPORT_SKIPS") == "1"


def _import_skip(report: pytest.CollectReport | pytest.TestReport) -> bool:
    return report.skipped and "could not import" in str(report.longrepr)


def _fail(report: Any) -> None:
    report.outcome = "failed"
    report.longrepr = f"GAMEGEN_NO_IMPORT_SKIPS=1 and a required module is missing: {report.longrepr}"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    if _STRICT and _import_skip(report):
        _fail(report)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    if _STRICT and _import_skip(report):
        _fail(report)
