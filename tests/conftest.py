"""Shared fixtures: the real build, a CLI runner, and scratch copies of the data folder."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import coldwar_lod
from coldwar_lod.dataset import Build

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOLDEN_ROOT = Path(__file__).resolve().parent / "golden"


@pytest.fixture(scope="session")
def built() -> Build:
    """The dataset built from the repository's data/ (read-only: do not mutate)."""
    return coldwar_lod.build(DATA)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def data_copy(tmp_path: Path) -> Iterator[Path]:
    """A scratch copy of data/ that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    yield target
