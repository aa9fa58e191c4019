"""Files and the script for a store's own bulk loader, for data too large for HTTP.

``coldwar-lod export --bulk STORE -o DIR`` writes the dataset's three graphs (data, ontology,
shapes) under the graph names that ``load`` uses and ``query --endpoint`` expects, and
``load.sh``, the exact commands of the store's loader:

==========  ==================================================================================
oxigraph    ``oxigraph load --location DB --file coldwar-lod.nq`` (server stopped)
virtuoso    ``isql-vt`` running ``load.sql``: ``ld_dir`` per graph file, ``rdf_loader_run()``,
            ``checkpoint`` (the loader writes without the transaction log: without the
            checkpoint a crash loses the load)
fuseki      ``tdb2.tdbloader --loc DB coldwar-lod.nq`` (server stopped)
graphdb     ``importrdf preload -i REPO coldwar-lod.nq`` (server stopped)
qlever      ``qlever index`` with the ``Qleverfile`` written beside the data
==========  ==================================================================================

A bulk load is not the all-or-nothing ``load``: it is for a first load, or for a store taken
out of service while it is rebuilt. Graphs that exist already are cleared first (Virtuoso) or
must not exist (the others load into a fresh database folder).
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from ..errors import InputError
from .plan import GraphUpload, dataset_graphs

if TYPE_CHECKING:  # pragma: no cover
    from ..dataset import Build

#: The stores whose bulk loader this module writes a script for.
BULK_STORES = ("oxigraph", "virtuoso", "fuseki", "graphdb", "qlever")

_NQ = "coldwar-lod.nq"


def nquads(graphs: list[GraphUpload]) -> bytes:
    """The graphs as one N-Quads document (each triple with its graph).

    >>> g = GraphUpload("g", "https://e.org/g", [ox.Triple(ox.NamedNode("https://e.org/s"),
    ...     ox.NamedNode("https://e.org/p"), ox.Literal("o"))])
    >>> nquads([g])
    b'<https://e.org/s> <https://e.org/p> "o" <https://e.org/g> .\\n'
    """
    parts = []
    for graph in graphs:
        lines = ox.serialize(graph.triples, format=ox.RdfFormat.N_TRIPLES) or b""
        # N-Triples escapes line breaks in literals: " .\n" only ends a line
        parts.append(lines.replace(b" .\n", f" <{graph.iri}> .\n".encode()))
    return b"".join(parts)


def _script(lines: list[str]) -> bytes:
    head = ["#!/bin/sh", "# Written by coldwar-lod export --bulk; run it from any folder.",
            "set -eu", 'here="$(cd "$(dirname "$0")" && pwd)"']
    return ("\n".join(head + lines) + "\n").encode()


def bulk_files(build: Build, store: str, folder: Path | str,
               graph: str | None = None) -> dict[Path, bytes]:
    """The files of a bulk load for ``store``, by path under ``folder``: the data and
    ``load.sh`` (and ``load.sql`` or ``Qleverfile`` where the loader reads one).

    :param graph: the named graph for the data (default ``BASE/graph/data``).
    :raises InputError: for a store without a bulk loader here.

    >>> import coldwar_lod
    >>> files = bulk_files(coldwar_lod.build(), "oxigraph", "/tmp/bulk")
    >>> sorted(path.name for path in files)
    ['coldwar-lod.nq', 'load.sh']
    >>> b"oxigraph load --location" in files[Path("/tmp/bulk/load.sh")]
    True
    """
    if store not in BULK_STORES:
        raise InputError(f"no bulk loader for {store!r}; one of: {', '.join(BULK_STORES)}")
    out = Path(folder).absolute()
    graphs = dataset_graphs(build, graph)
    if store == "virtuoso":
        return _virtuoso(graphs, out)
    files = {out / _NQ: nquads(graphs)}
    if store == "oxigraph":
        files[out / "load.sh"] = _script([
            '# usage: load.sh [DATABASE-FOLDER]   (default ./coldwar-db; the server stopped)',
            f'oxigraph load --location "${{1:-coldwar-db}}" --file "$here/{_NQ}"'])
    elif store == "fuseki":
        files[out / "load.sh"] = _script([
            '# usage: load.sh [TDB2-FOLDER]   (default ./coldwar-db; Fuseki stopped)',
            f'tdb2.tdbloader --loc "${{1:-coldwar-db}}" "$here/{_NQ}"'])
    elif store == "graphdb":
        files[out / "load.sh"] = _script([
            '# usage: load.sh [REPOSITORY]   (default coldwar; GraphDB stopped; the repository',
            '# created beforehand with the ruleset "No inference")',
            f'importrdf preload --force -i "${{1:-coldwar}}" "$here/{_NQ}"'])
    else:  # qlever
        files[out / "Qleverfile"] = (
            "# Written by coldwar-lod export --bulk qlever; `qlever index`, then `qlever start`\n"
            "[data]\nNAME = coldwar-lod\n\n[index]\n"
            f"INPUT_FILES = {_NQ}\nCAT_INPUT_FILES = cat ${{INPUT_FILES}}\nFORMAT = nq\n"
            'SETTINGS_JSON = { "num-triples-per-batch": 1000000 }\n\n'
            "[server]\nPORT = 7001\nACCESS_TOKEN = coldwar-lod\n").encode()
        files[out / "load.sh"] = _script(['cd "$here"', "qlever index"])
    return files


def _virtuoso(graphs: list[GraphUpload], out: Path) -> dict[Path, bytes]:
    files: dict[Path, bytes] = {}
    sql = ["-- Written by coldwar-lod export --bulk virtuoso. The folder must be one the",
           "-- server may read (DirsAllowed in virtuoso.ini).",
           f"DELETE FROM DB.DBA.load_list WHERE ll_file LIKE '{out}/%';"]
    for graph in graphs:
        name = f"{graph.name}.nt"
        files[out / name] = ox.serialize(graph.triples, format=ox.RdfFormat.N_TRIPLES) or b""
        sql.append(f"SPARQL CLEAR GRAPH <{graph.iri}>;")
        sql.append(f"ld_dir('{out}', '{name}', '{graph.iri}');")
    sql += ["rdf_loader_run();",
            "-- the loader writes without the transaction log: make the load durable",
            "checkpoint;",
            "SELECT ll_file, ll_state, ll_error FROM DB.DBA.load_list "
            f"WHERE ll_file LIKE '{out}/%' AND (ll_state <> 2 OR ll_error IS NOT NULL);"]
    files[out / "load.sql"] = ("\n".join(sql) + "\n").encode()
    isql = 'isql-vt "${VIRTUOSO_HOST:-localhost}:${VIRTUOSO_PORT:-1111}" ' \
           '"${VIRTUOSO_USER:-dba}" "${VIRTUOSO_PASSWORD:-dba}"'
    files[out / "load.sh"] = _script([
        "# usage: VIRTUOSO_PORT=1111 VIRTUOSO_PASSWORD=... load.sh   (the server running)",
        f'out="$({isql} "$here/load.sql" 2>&1)"',
        'printf "%s\\n" "$out"',
        "# an SQL error, or a file load.sql lists at its end as not loaded: fail",
        'if printf "%s" "$out" | grep -q -e "[*][*][*] Error" '
        f'-e {shlex.quote(str(out) + "/")}; then exit 1; fi'])
    return files
