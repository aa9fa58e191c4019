"""Native bulk loading, end to end: ``export --bulk STORE DIR`` writes the files and the
script; running the script loads a real Oxigraph or Virtuoso; the 15 shipped queries then give
the embedded rows through ``query --endpoint`` defaults (the graph names ``load`` uses)."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from coldwar_lod.cli import main
from coldwar_lod.dataset import Build
from coldwar_lod.sparql.catalogue import shipped_queries
from coldwar_lod.sparql.load import dataset_graphs
from coldwar_lod.sparql.profiles import store_endpoint
from coldwar_lod.sparql.query import run_query

from ..conftest import DATA
from ..server import OxigraphServer, require_oxigraph
from ..virtuoso import CREDENTIALS, VirtuosoServer

pytestmark = pytest.mark.server


def export_bulk(store: str, folder: Path) -> list[str]:
    result = CliRunner().invoke(main, ["--data", str(DATA), "export", "--bulk", store,
                                       str(folder)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == f"then run: {folder / 'load.sh'}"
    return sorted(path.name for path in folder.iterdir())


def same_answers(built: Build, url: str, store: str) -> None:
    embedded = built.store()
    service = store_endpoint(url, store, env=CREDENTIALS)
    for name, query in sorted(shipped_queries().items()):
        assert run_query(query, built, endpoint=service).rows == \
            run_query(query, built, store=embedded).rows, name


def test_oxigraph_load_script(built: Build, tmp_path: Path) -> None:
    binary = require_oxigraph()
    assert export_bulk("oxigraph", tmp_path / "bulk") == ["coldwar-lod.nq", "load.sh"]
    env = {**os.environ, "PATH": f"{Path(binary).parent}{os.pathsep}{os.environ['PATH']}"}
    # the script writes the database folder; OxigraphServer(tmp_path) serves tmp_path/store
    done = subprocess.run([str(tmp_path / "bulk" / "load.sh"), str(tmp_path / "store")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr
    with OxigraphServer(tmp_path) as server:
        assert server.graphs() == {g.iri: len(g.triples) for g in dataset_graphs(built)}
        same_answers(built, server.url, "oxigraph")


def test_virtuoso_load_script_survives_a_crash(built: Build, virtuoso: VirtuosoServer,
                                              tmp_path: Path) -> None:
    folder = tmp_path / "bulk"  # under the folder the test server's DirsAllowed names
    assert export_bulk("virtuoso", folder) == ["data.nt", "load.sh", "load.sql",
                                               "ontology.nt", "shapes.nt"]
    env = {**os.environ, "VIRTUOSO_PORT": str(virtuoso.sql_port)}
    for _run in range(2):  # a second run replaces what the first loaded
        done = subprocess.run([str(folder / "load.sh")], env=env, capture_output=True,
                              text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        assert virtuoso.graphs() == {g.iri: len(g.triples) for g in dataset_graphs(built)}
    virtuoso.restart(crash=True)  # the script's checkpoint made the load durable
    assert virtuoso.graphs() == {g.iri: len(g.triples) for g in dataset_graphs(built)}
    same_answers(built, virtuoso.url, "virtuoso")


def test_virtuoso_load_script_fails_on_a_folder_the_server_may_not_read(
        virtuoso: VirtuosoServer) -> None:
    with tempfile.TemporaryDirectory(dir="/var/tmp") as outside:
        folder = Path(outside) / "bulk"
        export_bulk("virtuoso", folder)
        done = subprocess.run([str(folder / "load.sh")], capture_output=True, text=True,
                              env={**os.environ, "VIRTUOSO_PORT": str(virtuoso.sql_port)},
                              timeout=300, check=False)
    assert done.returncode == 1
    assert "*** Error" in done.stdout
    assert virtuoso.graphs() == {}


def test_unknown_store_has_no_bulk_loader(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", "--bulk", "generic", str(tmp_path)])
    assert result.exit_code == 2 and "'generic' is not one of" in result.stderr
    assert list(tmp_path.iterdir()) == []
