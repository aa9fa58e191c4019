"""The reconciliation service over HTTP, on 127.0.0.1: the routes OpenRefine calls, CORS, JSONP.

Routes (W3C Entity Reconciliation API 0.2): ``GET /`` the manifest; ``GET /?queries=...`` or
``POST /`` with the form field ``queries`` a batch of queries; ``GET /preview?id=...`` an HTML
preview; ``GET /suggest/entity|type|property?prefix=...`` autocompletion. Every answer carries
``Access-Control-Allow-Origin: *``; ``OPTIONS`` answers a CORS preflight; a ``callback``
parameter wraps JSON as JSONP (OpenRefine's older clients ask for it).
"""

from __future__ import annotations

import errno
import json
import re
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any

from ...errors import ColdwarError, InputError
from ...localhttp import LocalServer
from .index import Reconciler

if TYPE_CHECKING:  # pragma: no cover
    from ...dataset import Build

_CALLBACK = re.compile(r"^[A-Za-z_$][\w$.]*$")
_MAX_BODY = 1 << 20


class PortInUseError(ColdwarError):
    """The port asked for is taken (exit code 2).

    >>> str(PortInUseError("127.0.0.1:8000 is in use"))
    '127.0.0.1:8000 is in use'
    """


class ReconcileServer:
    """The service on ``127.0.0.1:port`` (0: a free port), served from a thread or the caller.

    >>> import coldwar_lod, json, urllib.request
    >>> with ReconcileServer(coldwar_lod.build(), port=0) as server:
    ...     with urllib.request.urlopen(server.url) as answer:
    ...         json.load(answer)["versions"]
    ['0.1', '0.2']

    :raises PortInUseError: if the port is taken.
    """

    def __init__(self, build: Build, port: int = 8000, host: str = "127.0.0.1") -> None:
        try:
            self.httpd = LocalServer((host, port), _Handler)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUseError(f"{host}:{port} is in use; choose another port with "
                                     "--port N (0 picks a free one)") from None
            raise InputError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
        self.httpd.daemon_threads = True
        self.host, self.port = host, int(self.httpd.server_address[1])
        self.reconciler = Reconciler(build, self.url)
        self.httpd.reconciler = self.reconciler  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def serve_forever(self) -> None:
        """Answer requests until interrupted."""
        try:
            self.httpd.serve_forever()
        finally:
            self.httpd.server_close()

    def __enter__(self) -> ReconcileServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "coldwar-lod-reconcile"

    def log_message(self, *_args: object) -> None:
        pass

    @property
    def reconciler(self) -> Reconciler:
        return self.server.reconciler  # type: ignore[attr-defined, no-any-return]

    def do_OPTIONS(self) -> None:
        self._send(204, b"", "text/plain")

    def do_GET(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        self._route(parts.path, urllib.parse.parse_qs(parts.query))

    def do_POST(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY:
            self._json({"error": "request body too large"}, 413, {})
            return
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        params = urllib.parse.parse_qs(parts.query)
        params.update(urllib.parse.parse_qs(body))
        self._route(parts.path, params)

    def _route(self, path: str, params: dict[str, list[str]]) -> None:
        def one(name: str, default: str = "") -> str:
            return params.get(name, [default])[0]

        rec = self.reconciler
        try:
            if path in ("/", "/reconcile", ""):
                if "queries" in params:
                    self._json(rec.reconcile_batch(_decode(one("queries"), "queries")), 200,
                               params)
                elif "query" in params:  # a single query, the oldest form of the API
                    text = one("query")
                    query = _decode(text, "query") if text.startswith("{") else text
                    self._json(rec.reconcile(query), 200, params)
                else:
                    self._json(rec.manifest(), 200, params)
            elif path == "/preview":
                page = rec.preview(one("id"))
                if page is None:
                    self._send(404, f"unknown id {one('id')!r}\n".encode(), "text/plain")
                else:
                    self._send(200, page.encode(), "text/html; charset=utf-8")
            elif path.startswith("/suggest/") and path[9:] in ("entity", "type", "property"):
                cursor = int(one("cursor", "0") or 0)
                suggest = getattr(rec, f"suggest_{path[9:]}")
                self._json(suggest(one("prefix"), cursor), 200, params)
            else:
                self._json({"error": f"no such route {path!r}"}, 404, params)
        except (InputError, ValueError) as exc:
            self._json({"error": str(exc)}, 400, params)

    def _json(self, doc: Any, status: int, params: dict[str, list[str]]) -> None:
        body = json.dumps(doc, ensure_ascii=False).encode("utf-8")
        callback = params.get("callback", [""])[0]
        if callback and _CALLBACK.match(callback):
            self._send(status, callback.encode() + b"(" + body + b");",
                       "application/javascript; charset=utf-8")
        else:
            self._send(status, body, "application/json; charset=utf-8")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type")
        self.end_headers()
        self.wfile.write(body)


def _decode(text: str, name: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"'{name}' is not valid JSON: {exc}") from None


def reconcile_service(build: Build, port: int = 8000) -> ReconcileServer:
    """A reconciliation service over the dataset on ``127.0.0.1:port``, not yet answering:
    call :meth:`ReconcileServer.serve_forever`, or use it as a context manager (a thread).

    >>> import coldwar_lod
    >>> with coldwar_lod.reconcile_service(coldwar_lod.build(), port=0) as server:
    ...     server.url.startswith("http://127.0.0.1:")
    True

    :raises PortInUseError: if the port is taken (exit code 2).
    """
    return ReconcileServer(build, port)
