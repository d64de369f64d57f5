"""pytest plugin (registered through the ``pytest11`` entry point): fixtures for testing generators.

def test_conformance(gamegen_conformance):
    gamegen_conformance("texture.my_stars")
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ..generator import Generator
from .conformance import ConformanceReport, check_generator

__all__ = ["gamegen_conformance"]


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--gamegen-time-factor``: scale every generator's time budget (for slow CI machines)."""
    parser.getgroup("gamegen").addoption(
        "--gamegen-time-factor",
        type=float,
        default=1.0,
        metavar="FACTOR",
        help="multiply each generator's time_budget_s by FACTOR in conformance checks (default 1)",
    )


@pytest.fixture
def gamegen_conformance(tmp_path: Path, request: pytest.FixtureRequest) -> Callable[..., ConformanceReport]:
    """``check(generator, **options)`` runs :func:`gamegen.testing.check_generator`, keeping bundles in tmp_path."""
    factor = request.config.getoption("gamegen_time_factor")

    def check(generator: str | type[Generator], **options: Any) -> ConformanceReport:
        options.setdefault("workdir", tmp_path / "conformance")
        options.setdefault("time_factor", factor)
        return check_generator(generator, **options)

    return check
