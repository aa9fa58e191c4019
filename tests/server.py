"""A real Oxigraph SPARQL server for the tests, and a proxy in front of it that fails on cue.

``OxigraphServer`` runs the ``oxigraph`` binary that the ``oxigraph`` package from PyPI installs
(``pip install -e '.[test]'``), found next to the Python interpreter or on ``PATH``, on
127.0.0.1 with a free port and a store in a temporary folder, and stops it on exit.

``Proxy`` is a small HTTP server on 127.0.0.1 that forwards every request to the real server,
except those its rule picks out: it can answer them with an error status, delay them, cut the
answer off half-way, or drop the connection. It stands in for a faulty network or server; the
store behind it is always the real one.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import NoReturn, Self

import pytest

from coldwar_lod.localhttp import LocalServer


def oxigraph_binary() -> str | None:
    """The ``oxigraph`` server binary: beside the interpreter (a venv), else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("oxigraph")


def missing(message: str) -> NoReturn:
    """Skip a test whose server is not installed; fail it in CI, where it must be."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def require_oxigraph() -> str:
    """The binary, or skip the test (fail instead in CI, where it must be installed)."""
    binary = oxigraph_binary()
    if binary is None:
        missing("the oxigraph server is not installed (pip install -e '.[test]')")
    return binary


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """A server process a test starts: ready when it answers a query, stopped by a signal
    (SIGTERM unless told), usable as a context manager. ``select`` asks it directly,
    independent of the code under test."""

    process: subprocess.Popen[bytes] | None = None
    query_path = "/query"

    @property
    def url(self) -> str:
        raise NotImplementedError

    def start(self) -> Self:
        raise NotImplementedError

    def _wait_until_ready(self, seconds: float = 20.0) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                return False
            try:
                self.select("ASK {}")
                return True
            except OSError:
                time.sleep(0.05)
        return False

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is None:
            return
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def select(self, query: str) -> list[dict[str, str]]:
        """Run a query against the server's own default graph; rows of plain values."""
        body = urllib.parse.urlencode({"query": query}).encode()
        request = urllib.request.Request(f"{self.url}{self.query_path}", data=body, headers={
            "Accept": "application/sparql-results+json",
            "Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(request, timeout=60) as response:
            doc = json.load(response)
        if "boolean" in doc:
            return [{"boolean": str(doc["boolean"]).lower()}]
        return [{k: v["value"] for k, v in row.items()} for row in doc["results"]["bindings"]]


class OxigraphServer(ServerProcess):
    """``oxigraph serve`` on 127.0.0.1:PORT with its store (RocksDB) in ``folder``.

    ``persistent=False`` keeps the store in memory: the same server and transactions, faster
    writes, for tests of the load's mechanics rather than of the storage.
    """

    def __init__(self, folder: Path, timeout_s: float | None = None,
                 persistent: bool = True) -> None:
        self.binary = require_oxigraph()
        self.folder = folder
        self.timeout_s = timeout_s
        self.persistent = persistent
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> OxigraphServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        for _attempt in range(3):  # the port may be taken between choosing and binding it
            self.port = free_port()
            log = (self.folder / "server.log").open("wb")
            args = [self.binary, "serve", "--bind", f"127.0.0.1:{self.port}"]
            if self.persistent:
                args += ["--location", str(self.folder / "store")]
            if self.timeout_s is not None:
                args += ["--timeout-s", f"{self.timeout_s:g}"]
            self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
            log.close()
            if self._wait_until_ready():
                return self
            self.stop()
        raise RuntimeError("oxigraph did not start:\n"
                           + (self.folder / "server.log").read_text(errors="replace"))

    # Direct access, independent of the code under test -------------------------------------

    def graphs(self) -> dict[str, int]:
        """Every named graph and its number of triples."""
        rows = self.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {row["g"]: int(row["n"]) for row in rows}

    def dump(self, graph: str) -> list[str]:
        """The triples of a graph as sorted N-Triples lines (GSP GET)."""
        url = f"{self.url}/store?" + urllib.parse.urlencode({"graph": graph})
        request = urllib.request.Request(url, headers={"Accept": "application/n-triples"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return sorted(line for line in response.read().decode().splitlines() if line)

    def update(self, update: str) -> None:
        body = urllib.parse.urlencode({"update": update}).encode()
        urllib.request.urlopen(urllib.request.Request(f"{self.url}/update", data=body),
                               timeout=10).close()


@contextmanager
def oxigraph(folder: Path, timeout_s: float | None = None,
             persistent: bool = True) -> Iterator[OxigraphServer]:
    """A running server, stopped afterwards."""
    server = OxigraphServer(folder, timeout_s, persistent)
    with server:
        yield server


# ----------------------------------------------------------------------------------------------
# The proxy


@dataclass(frozen=True)
class Seen:
    """A request the proxy received."""

    number: int  # 1-based
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        """The body, URL-decoded if it is a form (queries and updates)."""
        decoded = self.body.decode("utf-8", "replace")
        if self.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return urllib.parse.unquote_plus(decoded)
        return decoded


@dataclass(frozen=True)
class Fail:
    """Answer with this status and message (and headers) instead of forwarding."""

    status: int
    message: str = "simulated failure"
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Delay:
    """Wait, then forward."""

    seconds: float


@dataclass(frozen=True)
class Truncate:
    """Forward, but send only the first half of the answer's body, then close."""


@dataclass(frozen=True)
class Drop:
    """Close the connection without answering."""


@dataclass(frozen=True)
class LoseAnswer:
    """Forward (the store does the work), then close the connection without answering."""


Action = Fail | Delay | Truncate | Drop | LoseAnswer | None  # None: forward
Rule = Callable[[Seen], Action]


@dataclass
class Proxy:
    """An HTTP proxy to ``target`` on 127.0.0.1 that misbehaves where ``rule`` says."""

    target: str
    rule: Rule = lambda _seen: None
    seen: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        proxy = self
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: object) -> None:
                pass

            def handle_any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with lock:
                    seen = Seen(len(proxy.seen) + 1, self.command, self.path,
                                {k.lower(): v for k, v in self.headers.items()}, body)
                    proxy.seen.append(seen)
                action = proxy.rule(seen)
                if isinstance(action, LoseAnswer):
                    proxy.forward(self.command, self.path, self.headers, body)
                if isinstance(action, Drop | LoseAnswer):
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if isinstance(action, Fail):
                    payload = action.message.encode()
                    self.send_response(action.status)
                    self.send_header("Content-Type", "text/plain; charset=utf-8")
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in action.headers:
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                if isinstance(action, Delay):
                    time.sleep(action.seconds)
                status, headers, answer = proxy.forward(self.command, self.path, self.headers,
                                                        body)
                self.send_response(status)
                for name, value in headers:
                    if name.lower() not in ("transfer-encoding", "content-length", "connection",
                                            "server", "date"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer)))
                if isinstance(action, Truncate):
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(answer[: len(answer) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.end_headers()
                self.wfile.write(answer)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_any  # noqa: N815

        self.server = LocalServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def forward(self, method: str, path: str, headers: object,
                body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        parts = urllib.parse.urlsplit(self.target)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        try:
            sent = {k: v for k, v in headers.items()  # type: ignore[attr-defined]
                    if k.lower() not in ("host", "connection", "content-length")}
            connection.request(method, path, body=body or None, headers=sent)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    def count(self, predicate: Callable[[Seen], bool] = lambda _s: True) -> int:
        return sum(1 for s in self.seen if predicate(s))

    def __enter__(self) -> Proxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
