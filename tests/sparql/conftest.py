"""One Virtuoso server for the whole test session (it takes about 4 s to start)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

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
