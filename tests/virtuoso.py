"""A real OpenLink Virtuoso server for the tests, beside Oxigraph's (``tests/server.py``).

``VirtuosoServer`` runs Debian's ``virtuoso-t`` (package ``virtuoso-opensource-7-bin``, which
``.ci/install-debian-packages`` installs) on 127.0.0.1 with two free ports (SQL and HTTP), its
own ``virtuoso.ini`` and a private database folder, and stops it on exit. Its settings are
Virtuoso's defaults where they matter to a load: ``ResultSetMaxRows`` 10,000 (a graph of the
dataset is bigger, so reads must page) and the authenticated endpoints ``/sparql-auth`` and
``/sparql-graph-crud-auth`` behind Digest authentication, for a user created on first start
with the ``SPARQL_UPDATE`` role. ``kill()`` stops it as a crash would (SIGKILL), so a restart
must recover the data from what was made durable.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox

from .server import ServerProcess, free_port, missing

USER = "coldwar"
PASSWORD = "dig3st-pw"
#: The environment a user sets for the authenticated endpoints.
CREDENTIALS = {"COLDWAR_LOD_ENDPOINT_USER": USER, "COLDWAR_LOD_ENDPOINT_PASSWORD": PASSWORD,
               "COLDWAR_LOD_ENDPOINT_TOKEN": ""}
ROW_CAP = 10_000

_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql}
ServerThreads = 10
CheckpointInterval = 60
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
DirsAllowed = ., {d}, {allowed}
DefaultIsolation = 4
{extra}

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
ServerThreads = 10
MaxClientConnections = 10
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = {cap}
MaxQueryExecutionTime = 60
"""

_SETUP = (f"DB.DBA.USER_CREATE('{USER}', '{PASSWORD}'); GRANT SPARQL_UPDATE TO \"{USER}\"; "
          f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET('{USER}', 7); "
          "DB.DBA.RDF_DEFAULT_USER_PERMS_SET('nobody', 1);")


def virtuoso_binaries() -> tuple[str, str] | None:
    """``virtuoso-t`` and ``isql-vt``, if installed."""
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    return (server, isql) if server and isql else None


def require_virtuoso() -> tuple[str, str]:
    """The binaries, or skip the test (fail instead in CI, where they must be installed)."""
    found = virtuoso_binaries()
    if found is None:
        missing("Virtuoso is not installed (run .ci/install-debian-packages as root)")
    return found


class VirtuosoServer(ServerProcess):
    """``virtuoso-t`` on 127.0.0.1 with its database in ``folder``; ``allowed`` is a folder
    its bulk loader may read (``DirsAllowed``); ``parameters`` go to ``[Parameters]``."""

    def __init__(self, folder: Path, allowed: Path | None = None,
                 parameters: dict[str, str] | None = None) -> None:
        self.binary, self.isql_binary = require_virtuoso()
        self.parameters = parameters or {}
        self.folder = folder
        self.allowed = allowed or folder
        self.sql_port = self.http_port = 0
        self.query_path = "/sparql"

    @property
    def url(self) -> str:
        """The server's base URL (what ``--store virtuoso`` takes)."""
        return f"http://127.0.0.1:{self.http_port}"

    def start(self) -> VirtuosoServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        fresh = not (self.folder / "virtuoso.db").exists()
        for _attempt in range(3):  # a port may be taken between choosing and binding it
            if fresh or not self.http_port:
                self.sql_port, self.http_port = free_port(), free_port()
            (self.folder / "virtuoso.ini").write_text(_INI.format(
                d=self.folder, sql=self.sql_port, http=self.http_port, cap=ROW_CAP,
                allowed=self.allowed,
                extra="\n".join(f"{k} = {v}" for k, v in self.parameters.items())))
            log = (self.folder / "server.out").open("ab")
            self.process = subprocess.Popen(
                [self.binary, "-c", "virtuoso.ini", "+foreground"], cwd=self.folder,
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            log.close()
            if self._wait_until_ready(60.0):
                if fresh:
                    self.isql(_SETUP)
                return self
            self.stop()
        raise RuntimeError("virtuoso did not start:\n" + self.log())

    def log(self) -> str:
        path = self.folder / "virtuoso.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def kill(self) -> None:
        """A crash: SIGKILL, nothing flushed."""
        self.stop(signal.SIGKILL)

    def restart(self, crash: bool = True) -> None:
        """Stop (a crash, or Virtuoso's quick shutdown on SIGTERM) and start again."""
        (self.kill if crash else self.stop)()
        self.start()

    # Direct access, independent of the code under test -------------------------------------

    def isql(self, sql: str) -> str:
        """Run SQL statements as the database administrator (``isql-vt``)."""
        done = subprocess.run([self.isql_binary, f"127.0.0.1:{self.sql_port}", "dba", "dba",
                               f"exec={sql}"], capture_output=True, text=True, timeout=600,
                              check=False)
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql failed: {done.stdout}{done.stderr}")
        return done.stdout

    def graphs(self, prefixes: tuple[str, ...] = ("https://w3id.org/coldwar-lod/",
                                                  "https://example.org/")) -> dict[str, int]:
        """The test's named graphs (not Virtuoso's own) and their numbers of triples."""
        test = " || ".join(f'STRSTARTS(STR(?g), "{p}")' for p in prefixes)
        rows = self.select(f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                           f"FILTER ({test}) }} GROUP BY ?g")
        return {row["g"]: int(row["n"]) for row in rows}

    def dump(self, graph: str) -> list[str]:
        """The triples of a graph without blank nodes as sorted N-Triples lines, read in pages
        below the row cap (``CONSTRUCT … LIMIT … OFFSET``)."""
        lines: set[str] = set()
        offset = 0
        while True:
            query = (f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} "
                     f"FILTER (!isBlank(?s) && !isBlank(?o)) }} LIMIT {ROW_CAP} OFFSET {offset}")
            body = urllib.parse.urlencode({"query": query}).encode()
            request = urllib.request.Request(f"{self.url}/sparql", data=body, headers={
                "Accept": "application/n-triples"})
            with urllib.request.urlopen(request, timeout=60) as response:
                triples = [q.triple for q in ox.parse(response.read(),
                                                      ox.RdfFormat.N_TRIPLES)]
            page = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode()
            lines.update(line for line in page.splitlines() if line)
            offset += ROW_CAP
            if len(triples) < ROW_CAP:
                return sorted(lines)

    def drop_test_graphs(self) -> None:
        """Drop every graph a test wrote (as the administrator)."""
        for graph in self.graphs(("https://w3id.org/coldwar-lod/", "https://example.org/")):
            self.isql(f"SPARQL CLEAR GRAPH <{graph}>;")
