"""One Virtuoso server for the whole test session (it takes about 4 s to start), and a second
version of the dataset to reload."""

from __future__ import annotations

import csv
import dataclasses
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import coldwar_lod
from coldwar_lod.dataset import Build

from ..conftest import DATA
from ..server import OxigraphServer, oxigraph
from ..virtuoso import VirtuosoServer


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """A running Virtuoso with a private database; its bulk loader may read the test folders."""
    base = tmp_path_factory.getbasetemp()
    with VirtuosoServer(base / "virtuoso-db", allowed=base) as running:
        yield running


@pytest.fixture
def virtuoso(virtuoso_server: VirtuosoServer) -> VirtuosoServer:
    """The session's Virtuoso, without any graph an earlier test wrote."""
    virtuoso_server.drop_test_graphs()
    return virtuoso_server


@pytest.fixture(scope="session")
def edited(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """A second version of the dataset: one person's description changed."""
    folder = tmp_path_factory.mktemp("edited") / "data"
    shutil.copytree(DATA, folder)
    path = folder / "persons.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    column = rows[0].index("description")
    rows[1][column] = "A description changed for the second version."
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return coldwar_lod.build(folder)


@pytest.fixture
def memory_server(tmp_path: Path) -> Iterator[OxigraphServer]:
    """A fresh in-memory store."""
    with oxigraph(tmp_path / "oxigraph", persistent=False) as running:
        yield running


@pytest.fixture(scope="module")
def older(built: Build) -> Build:
    """An older version of the dataset, half the size: a reload has much to write."""
    return dataclasses.replace(built, triples=built.triples[::2])
