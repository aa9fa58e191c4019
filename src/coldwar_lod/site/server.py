"""``coldwar-lod serve``: the site on 127.0.0.1, with content negotiation, for preview.

A thing's IRI answers ``303 See Other`` to the document that :func:`negotiation.choose`
picks from the ``Accept`` header, with ``Vary: Accept``; a type the site cannot give gets
``406 Not Acceptable`` with the list of variants; a path the site does not hold gets its
404 page; ``HEAD`` answers as ``GET`` without the body. Documents are served with the
media types of :data:`routes.MEDIA_TYPES`. The routes are those of the Apache
configuration (:mod:`coldwar_lod.site.apache`), and a test runs the same requests against
both.
"""

from __future__ import annotations

import errno
import html
import posixpath
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from ..errors import InputError
from ..localhttp import LocalServer
from .negotiation import choose
from .routes import MEDIA_TYPES, VARIANTS, Route, match
from .tree import MARKER


def check_site(directory: Path) -> Path:
    """The site folder, checked.

    :raises InputError: if it is missing or not a site written by ``coldwar-lod site``.
    """
    if not directory.is_dir():
        raise InputError(f"no site at {directory}: the folder does not exist "
                         "(write one with `coldwar-lod site -o DIR`)")
    if not (directory / MARKER).is_file() or not (directory / "index.html").is_file():
        raise InputError(f"{directory} is not a site written by `coldwar-lod site` "
                         "(write one with `coldwar-lod site -o DIR`)")
    return directory.resolve()


class Handler(BaseHTTPRequestHandler):
    """Answers GET and HEAD from the site folder (``server.site``)."""

    server_version = "coldwar-lod"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.answer(body=True)

    def do_HEAD(self) -> None:
        self.answer(body=False)

    def log_message(self, format: str, *args: object) -> None:
        if getattr(self.server, "verbose", False):
            super().log_message(format, *args)

    @property
    def site(self) -> Path:
        return self.server.site  # type: ignore[attr-defined, no-any-return]

    def answer(self, body: bool) -> None:
        raw = urllib.parse.urlsplit(self.path).path
        path = urllib.parse.unquote(raw).lstrip("/")
        normal = posixpath.normpath(path) if path else ""
        if normal.startswith("..") or "\0" in path:
            return self.not_found(body)
        route = match(path)
        if route is not None and (self.site / (route.document(path) + ".html")).is_file():
            return self.negotiate(route, path, body)
        target = self.site / path
        if target.is_dir():
            if path and not path.endswith("/"):
                return self.send(HTTPStatus.MOVED_PERMANENTLY, b"", "text/plain", body,
                                 {"Location": "/" + path + "/"})
            target = target / "index.html"
        if not target.is_file() or target.name == MARKER:
            return self.not_found(body)
        self.send(HTTPStatus.OK, target.read_bytes(),
                  MEDIA_TYPES.get(target.suffix, "application/octet-stream"), body)

    def negotiate(self, route: Route, path: str, body: bool) -> None:
        variant = choose(self.headers.get("Accept"))
        headers = {"Vary": "Accept"}
        if variant is None:
            items = "".join(
                f'<li><a href="/{html.escape(route.target(path, v.media_type))}">'
                f"{html.escape(v.media_type)}</a></li>\n" for v in VARIANTS)
            page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                    "<title>Not acceptable</title></head><body><h1>Not acceptable</h1>"
                    f"<p>/{html.escape(path)} is available as:</p>\n<ul>\n{items}</ul>"
                    "</body></html>\n")
            return self.send(HTTPStatus.NOT_ACCEPTABLE, page.encode(),
                             MEDIA_TYPES[".html"], body, headers)
        location = "/" + route.target(path, variant.media_type)
        headers["Location"] = location
        text = f"See {location}\n".encode()
        self.send(HTTPStatus.SEE_OTHER, text, "text/plain; charset=utf-8", body, headers)

    def not_found(self, body: bool) -> None:
        page = self.site / "404.html"
        content = page.read_bytes() if page.is_file() else b"Not found\n"
        self.send(HTTPStatus.NOT_FOUND, content, MEDIA_TYPES[".html"], body)

    def send(self, status: HTTPStatus, content: bytes, media_type: str, body: bool,
             headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(content)))
        self.send_header("Access-Control-Allow-Origin", "*")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if body:
            self.wfile.write(content)


def make_server(directory: Path | str, port: int = 8000, host: str = "127.0.0.1",
                verbose: bool = False) -> LocalServer:
    """A server for the site in ``directory`` (call ``serve_forever()``; port 0: any free).

    :raises InputError: if the folder is not a site, or the port cannot be had.

    >>> import tempfile, threading, urllib.request
    >>> from coldwar_lod.site import build_site
    >>> out = Path(tempfile.mkdtemp()) / "site"
    >>> _ = build_site(out, Path(__file__).parents[3] / "tests/fixtures/mini-data")
    >>> server = make_server(out, port=0)
    >>> threading.Thread(target=server.serve_forever, daemon=True).start()
    >>> thing = f"http://127.0.0.1:{server.server_address[1]}/id/event/prague-spring"
    >>> ask = urllib.request.Request(thing, headers={"Accept": "text/turtle"})
    >>> with urllib.request.urlopen(ask) as answer:  # a 303 to the Turtle document
    ...     answer.url.rsplit("/", 1)[1], answer.headers.get_content_type()
    ('prague-spring.ttl', 'text/turtle')
    >>> server.shutdown(); server.server_close()
    """
    site = check_site(Path(directory))
    try:
        server = LocalServer((host, port), Handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise InputError(f"port {port} on {host} is in use; choose another with "
                             "--port") from None
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    server.site = site  # type: ignore[attr-defined]
    server.verbose = verbose  # type: ignore[attr-defined]
    server.daemon_threads = True
    return server
