"""Servers that misbehave or are not what the user thinks: each gets a clear answer, and a
load stopped half-way leaves the store as it was.

A ``Canned`` server answers every request with one status, media type and body (an HTML error
page, a Virtuoso root page); the other tests put the ``Proxy`` of ``tests/server.py`` in front
of a real Oxigraph server.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from click.testing import CliRunner

from coldwar_lod.cli import main
from coldwar_lod.dataset import Build
from coldwar_lod.errors import EXIT_ENDPOINT, EndpointError
from coldwar_lod.localhttp import LocalServer
from coldwar_lod.sparql.http import Endpoint
from coldwar_lod.sparql.load import dataset_graphs, load_store
from coldwar_lod.sparql.profiles import store_endpoint
from coldwar_lod.sparql.query import run_query

from ..conftest import DATA
from ..server import Delay, Fail, OxigraphServer, Proxy, Seen, oxigraph

pytestmark = pytest.mark.server

DATA_GRAPH = "https://w3id.org/coldwar-lod/graph/data"
HTML = (b"<!DOCTYPE html>\n<html><head><title>Error 500</title></head><body><h1>Internal "
        b"Server Error</h1></body></html>")


class Canned:
    """An HTTP server on 127.0.0.1 that gives every request the same answer."""

    def __init__(self, status: int, media: str, body: bytes, server: str = "") -> None:
        canned = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: object) -> None:
                pass

            def version_string(self) -> str:  # the Server header
                return server or "Canned/1"

            def handle_any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                canned.paths.append(self.path)
                self.send_response(status)
                self.send_header("Content-Type", media)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = handle_any  # noqa: N815

        self.paths: list[str] = []
        self.server = LocalServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> Canned:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--data", str(DATA), *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def targets(server: OxigraphServer) -> dict[str, int]:
    return {g: n for g, n in server.graphs().items() if ".load-" not in g}


def expected(build: Build) -> dict[str, int]:
    return {g.iri: len(g.triples) for g in dataset_graphs(build)}


def swap(seen: Seen) -> bool:
    return seen.path.startswith("/update") and "-done>" in seen.text


def gsp_post(seen: Seen) -> bool:
    return seen.method == "POST" and seen.path.startswith("/store")


# What a page says ---------------------------------------------------------------------------


def test_an_html_error_page_is_not_quoted_its_status_is() -> None:
    with Canned(500, "text/html", HTML) as canned:
        code, _, err = cli("query", "timeline", "--endpoint", canned.url + "/sparql")
    assert code == EXIT_ENDPOINT
    assert err.strip() == f"error: {canned.url}/sparql failed (HTTP 500)"


def test_a_text_message_is_quoted_first_line_only() -> None:
    body = b"Virtuoso 42000 Error SR186: No permission\n\nSPARQL query:\nASK {}"
    with Canned(500, "text/plain", body) as canned:
        code, _, err = cli("query", "timeline", "--endpoint", canned.url + "/sparql")
    assert code == EXIT_ENDPOINT
    assert err.strip().endswith("failed (HTTP 500): Virtuoso 42000 Error SR186: No permission")


def test_virtuosos_root_says_which_profile_to_use() -> None:
    page = b"<!DOCTYPE HTML PUBLIC>\n<html><head><title>Error 404</title></head></html>"
    with Canned(404, "text/html", page, server="Virtuoso/07.20.3229 (Linux)") as canned:
        code, _, err = cli("query", "timeline", "--endpoint", canned.url + "/")
    assert code == EXIT_ENDPOINT
    assert f"no SPARQL service at {canned.url}/ (HTTP 404); this server is Virtuoso: " \
           "pass --store virtuoso" in err
    assert "DOCTYPE" not in err and "without the final /" not in err


def test_wikidata_check_against_a_store_that_is_not_wikidata(built: Build,
                                                            tmp_path: Path) -> None:
    with oxigraph(tmp_path, persistent=False) as ours:
        load_store(built, ours.url)
        code, out, err = cli("wikidata", "check", "--endpoint", f"{ours.url}/query")
    assert code == EXIT_ENDPOINT
    assert "does not look like Wikidata: none of the 66 linked items is there" in err
    assert out == "" and "missing" not in err and "fix data/" not in err


# Credentials, timeouts, signals ---------------------------------------------------------------


def test_credentials_in_the_url_are_used(memory_server: OxigraphServer, built: Build) -> None:
    with Proxy(memory_server.url) as proxy:
        url = proxy.url.replace("http://", "http://ada:pa55%40word@")
        code, out, err = cli("load", "--endpoint", url, env={"COLDWAR_LOD_ENDPOINT_USER": ""})
    assert code == 0, err
    assert "unknown host" not in err and "pa55" not in out + err
    asked = [s for s in proxy.seen if (s.method, s.path) != ("GET", "/")]
    assert {s.headers.get("authorization") for s in asked} == {
        "Basic YWRhOnBhNTVAd29yZA=="}  # ada:pa55@word
    assert targets(memory_server) == expected(built)


def test_timeout_is_honoured_for_the_swap(memory_server: OxigraphServer, older: Build) -> None:
    load_store(older, memory_server.url)
    with Proxy(memory_server.url, lambda seen: Delay(6) if swap(seen) else None) as proxy:
        started = time.monotonic()
        code, _, err = cli("load", "--endpoint", proxy.url, "--replace", "--timeout", "1")
        took = time.monotonic() - started
    assert code == EXIT_ENDPOINT
    assert "/update timed out after 1 s" in err
    assert took < 6  # not the 600 s the swap used to get whatever --timeout said


def test_drop_advice_names_the_graphs(memory_server: OxigraphServer, older: Build,
                                      built: Build) -> None:
    load_store(older, memory_server.url)

    def rule(seen: Seen) -> Fail | None:
        if swap(seen):
            return Fail(500, "swap refused")
        return Fail(500, "no drops today") if "DROP SILENT GRAPH" in seen.text else None

    lines: list[str] = []
    with Proxy(memory_server.url, rule) as proxy, pytest.raises(EndpointError):
        load_store(built, Endpoint.from_url(proxy.url), replace=True, progress=lines.append)
    advice = [line for line in lines if "drop them afterwards" in line]
    assert advice and "<...>" not in advice[0]
    assert f"DROP SILENT GRAPH <{DATA_GRAPH}.load-" in advice[0]
    left = [g for g in memory_server.graphs() if ".load-" in g]
    assert left and all(f"<{g}>" in advice[0] for g in left)


def test_a_library_user_keeps_a_600_s_floor_unless_asking() -> None:
    from coldwar_lod.sparql import load as load_module

    loader = load_module._Loader(Endpoint.from_url("http://h", timeout=5, env={}), 10, None,
                                 None)
    assert loader.patient.timeout == load_module.SWAP_TIMEOUT
    loader = load_module._Loader(Endpoint.from_url("http://h", timeout=5, env={}), 10, None, 2)
    assert loader.patient.timeout == 2


def _laughs() -> bytes:
    """RDF/XML whose DTD would expand one element into 10^9 bytes (the "billion laughs")."""
    entities = ['<!ENTITY l0 "ha">'] + [
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)]
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n{chr(10).join(entities)}\n]>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/a">'
            '<ex:p>&l9;</ex:p></rdf:Description></rdf:RDF>\n').encode()


def test_xml_with_a_dtd_from_a_service_is_never_parsed() -> None:
    """A store answering a graph read, or a query, with RDF/XML or SPARQL XML carrying entity
    declarations: refused before parsing, in bounded time and memory (issue 14, item 1)."""
    from coldwar_lod.errors import EndpointError
    from coldwar_lod.sparql.graphs import UnreadableGraphError, read_graph
    from coldwar_lod.sparql.query import run_query

    with Canned(200, "application/rdf+xml", _laughs()) as canned:
        endpoint = Endpoint.from_url(canned.url, gsp_url=canned.url + "/store", env={})
        started = time.monotonic()
        with pytest.raises(UnreadableGraphError, match="application/rdf"):
            read_graph(endpoint, DATA_GRAPH)
        with pytest.raises(EndpointError, match="document type declaration"):
            run_query("CONSTRUCT WHERE { ?s ?p ?o }", endpoint=endpoint)
        assert time.monotonic() - started < 10


def test_virtuosos_transaction_limit_says_what_to_raise() -> None:
    body = (b"Virtuoso 40005 Error SR325: Transaction aborted because it's log after image size "
            b"went above the limit\n\nSPARQL query:\n...")
    with Canned(500, "text/plain", body, server="Virtuoso/07.20.3229 (Linux)") as canned:
        service = store_endpoint(canned.url, "virtuoso", env={})
        with pytest.raises(EndpointError) as caught:
            run_query("ASK {}", endpoint=service)
    assert "SR325" in str(caught.value)
    assert "raise TransactionAfterImageLimit in virtuoso.ini" in str(caught.value)
