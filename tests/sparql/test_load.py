"""Loading a real Oxigraph server: three named graphs, verified counts, all-or-nothing replace,
reloads that write only the differences, fallbacks for stores without GSP, retries,
credentials, and clear failures.

Tests of what a user sees after a load (contents, failures, interruption) run against a
persistent (RocksDB) store; tests of the load's mechanics use an in-memory one, which is faster.
"""

from __future__ import annotations

import base64
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic

import coldwar_lod
import coldwar_lod.sparql.load
from coldwar_lod.cli import main
from coldwar_lod.dataset import Build
from coldwar_lod.errors import EXIT_ENDPOINT, EXIT_INPUT, EndpointError, InputError
from coldwar_lod.sparql.graphs import count_graphs
from coldwar_lod.sparql.http import ENV_PASSWORD, ENV_TOKEN, ENV_USER, Endpoint, derive_urls
from coldwar_lod.sparql.load import chunks, dataset_graphs, load_store

from ..conftest import DATA, ROOT
from ..server import Delay, Drop, Fail, LoseAnswer, OxigraphServer, Proxy, Seen, free_port, oxigraph

pytestmark = pytest.mark.server

BASE = "https://w3id.org/coldwar-lod/"
DATA_GRAPH = BASE + "graph/data"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[OxigraphServer]:
    """A fresh persistent store."""
    with oxigraph(tmp_path / "oxigraph") as running:
        yield running


def expected(build: Build) -> dict[str, int]:
    return {g.iri: len(g.triples) for g in dataset_graphs(build)}


def targets(server: OxigraphServer) -> dict[str, int]:
    """The graphs of the store without the temporary ones."""
    return {g: n for g, n in server.graphs().items() if ".load-" not in g}


def shapes_intact(server: OxigraphServer, build: Build) -> bool:
    """Whether the store's shapes graph, blank nodes and lists included, is the build's."""
    held = rdflib.Graph().parse(data="\n".join(server.dump(BASE + "graph/shapes")), format="nt")
    local = dataset_graphs(build)[2]
    mine = rdflib.Graph().parse(data=ox.serialize(local.triples, format=ox.RdfFormat.N_TRIPLES)
                                .decode(), format="nt")
    return bool(isomorphic(held, mine))


def nt_lines(build: Build) -> list[str]:
    return sorted(ox.serialize(build.triples, format=ox.RdfFormat.N_TRIPLES)
                  .decode().splitlines())


def cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--data", str(DATA), *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def gsp_post(seen: Seen) -> bool:
    return seen.method == "POST" and seen.path.startswith("/store")


def swap(seen: Seen) -> bool:
    """The one update request that writes the targets (it also writes the load's receipt)."""
    return seen.path.startswith("/update") and "INSERT DATA" in seen.text and "-done>" in seen.text


# Loading ----------------------------------------------------------------------------------------


def test_load_puts_data_ontology_and_shapes_in_named_graphs(built: Build,
                                                            server: OxigraphServer) -> None:
    report = load_store(built, server.url)
    assert server.graphs() == expected(built)  # exactly three graphs: no temporary ones left
    assert set(report.after) == {DATA_GRAPH, BASE + "graph/ontology", BASE + "graph/shapes"}
    assert report.before == dict.fromkeys(report.after, 0)
    assert (report.method, report.swap) == ("gsp", "whole")
    assert server.dump(DATA_GRAPH) == nt_lines(built)
    # the shapes, blank nodes and lists included, arrive intact
    assert shapes_intact(server, built)


def test_load_command_reports_and_refuses_to_overwrite(server: OxigraphServer,
                                                      built: Build) -> None:
    code, out, err = cli("load", "--endpoint", server.url)
    assert code == 0, err
    assert f"store: oxigraph; endpoint: query {server.url}/query, update {server.url}/update, " \
           f"graph store {server.url}/store" in out
    assert f"<{DATA_GRAPH}>" in out and "counts verified" in out
    # a first load into an Oxigraph (detected) goes in one request, one transaction
    assert "loading 3 graphs in one request (one transaction)" in err
    assert "with Graph Store Protocol, all graphs in one request" in out
    before = server.graphs()
    code, _, err = cli("load", "--endpoint", server.url)
    assert code == EXIT_INPUT
    assert "pass --replace" in err and "nothing was changed" in err
    assert server.graphs() == before == expected(built)


def test_replace_swaps_in_the_new_version(built: Build, edited: Build,
                                         server: OxigraphServer) -> None:
    load_store(built, server.url)
    report = load_store(edited, server.url, replace=True)
    assert report.before == expected(built) and report.after == expected(edited)
    assert server.dump(DATA_GRAPH) == nt_lines(edited) != nt_lines(built)
    assert server.graphs() == expected(edited)
    assert shapes_intact(server, edited)


def test_reload_writes_only_the_changes(built: Build, edited: Build,
                                        server: OxigraphServer) -> None:
    load_store(built, server.url)
    lines: list[str] = []
    with Proxy(server.url) as proxy:
        report = load_store(edited, proxy.url, replace=True, progress=lines.append)
    assert report.swap == "diff"
    # one description changed: one triple out, one in; the ontology did not change at all
    assert (report.added[DATA_GRAPH], report.removed[DATA_GRAPH]) == (1, 1)
    assert (report.added[BASE + "graph/ontology"], report.removed[BASE + "graph/ontology"]) == \
        (0, 0)
    assert "  data: 1 triples to add, 1 to remove" in lines
    # the data went over the wire once, read back; what was sent is the two changed triples
    # (and the shapes' blank-node triples, which no request can name: those are replaced)
    staged = [s for s in proxy.seen if gsp_post(s) and "graph%2Fdata.load-" in s.path]
    assert [len(s.body.splitlines()) for s in staged] == [1, 1]
    assert "A description changed for the second version." in staged[0].text
    assert sum(1 for s in proxy.seen if swap(s)) == 1
    assert server.dump(DATA_GRAPH) == nt_lines(edited)
    assert server.graphs() == expected(edited)  # temporary graphs and receipt dropped
    assert shapes_intact(server, edited)
    # reloading the same version again changes nothing
    again = load_store(edited, server.url, replace=True)
    assert again.added[DATA_GRAPH] == again.removed[DATA_GRAPH] == 0
    assert server.dump(DATA_GRAPH) == nt_lines(edited) and shapes_intact(server, edited)


def test_reload_after_a_big_change_replaces_the_graph_whole(
        built: Build, memory_server: OxigraphServer) -> None:
    other = coldwar_lod.build(DATA, "https://example.org/cw/")  # every IRI differs
    load_store(other, memory_server.url, graph=DATA_GRAPH)
    lines: list[str] = []
    report = load_store(built, memory_server.url, replace=True, progress=lines.append)
    assert any(line.startswith("  data: ") and "replacing it whole" in line for line in lines)
    assert report.added[DATA_GRAPH] == len(built.triples)
    assert memory_server.dump(DATA_GRAPH) == nt_lines(built)
    # (the other version's ontology and shapes live under its own base, and stay)
    theirs = {g: n for g, n in expected(other).items() if not g.endswith("/graph/data")}
    assert memory_server.graphs() == {**theirs, **expected(built)}


def test_data_graph_can_be_moved(built: Build, memory_server: OxigraphServer) -> None:
    load_store(built, memory_server.url, graph="https://example.org/g/coldwar")
    graphs = memory_server.graphs()
    assert graphs["https://example.org/g/coldwar"] == len(built.triples)
    assert DATA_GRAPH not in graphs
    with pytest.raises(InputError, match="bad graph IRI"):
        load_store(built, memory_server.url, graph="not an iri")


# All or nothing ----------------------------------------------------------------------------------


def test_failed_swap_leaves_previous_graphs_intact(built: Build, edited: Build,
                                                  server: OxigraphServer) -> None:
    load_store(built, server.url)
    rule = lambda seen: Fail(500, "storage exploded") if swap(seen) else None  # noqa: E731
    with Proxy(server.url, rule) as proxy, pytest.raises(EndpointError) as caught:
        load_store(edited, proxy.url, replace=True)
    assert "HTTP 500): storage exploded" in str(caught.value)
    assert "the previous graphs are unchanged" in str(caught.value)
    assert server.dump(DATA_GRAPH) == nt_lines(built)
    assert server.graphs() == expected(built)  # temporary graphs dropped again


def test_dropped_swap_request_is_not_resent(built: Build, edited: Build,
                                            server: OxigraphServer) -> None:
    load_store(built, server.url)
    rule = lambda seen: Drop() if swap(seen) else None  # noqa: E731
    with Proxy(server.url, rule) as proxy, pytest.raises(EndpointError) as caught:
        load_store(edited, proxy.url, replace=True)
    assert "closed the connection without answering" in str(caught.value)
    assert "the previous graphs are unchanged" in str(caught.value)
    assert sum(1 for s in proxy.seen if swap(s)) == 1  # an update is never re-sent blindly
    assert server.dump(DATA_GRAPH) == nt_lines(built)
    assert server.graphs() == expected(built)


def test_swap_applied_but_its_answer_lost(built: Build, edited: Build,
                                          server: OxigraphServer) -> None:
    load_store(built, server.url)

    # the store applies the update, but its answer never arrives
    def rule(seen: Seen) -> LoseAnswer | None:
        return LoseAnswer() if swap(seen) else None

    with Proxy(server.url, rule) as proxy:
        report = load_store(edited, proxy.url, replace=True)
    # the load's receipt in the store shows that the update was applied
    assert report.after == expected(edited)
    assert server.dump(DATA_GRAPH) == nt_lines(edited)
    assert server.graphs() == expected(edited)


def test_swap_timing_out_leaves_the_store_all_old_or_all_new(
        built: Build, edited: Build, server: OxigraphServer) -> None:
    load_store(built, server.url)
    rule = lambda seen: Delay(2) if swap(seen) else None  # noqa: E731
    lines: list[str] = []
    with Proxy(server.url, rule) as proxy, pytest.raises(EndpointError) as caught:
        load_store(edited, Endpoint.from_url(proxy.url, timeout=30), replace=True,
                   progress=lines.append, swap_timeout=0.5)
    assert "/update timed out after 0.5 s" in str(caught.value)
    assert "the store may still be replacing the graphs" in str(caught.value)
    # its sources are left to the update, which arrives late and replaces every graph
    assert any("left the temporary graph(s)" in line for line in lines)
    deadline = time.monotonic() + 20
    while not any(g.endswith("-done") for g in server.graphs()) and time.monotonic() < deadline:
        time.sleep(0.1)  # the receipt: the update was applied
    assert server.dump(DATA_GRAPH) == nt_lines(edited)
    assert targets(server) == expected(edited) and shapes_intact(server, edited)


def test_failure_half_way_through_the_upload(older: Build, server: OxigraphServer) -> None:
    load_store(older, server.url)
    before = server.dump(DATA_GRAPH)

    def rule(seen: Seen) -> Fail | None:
        posts = sum(1 for s in proxy.seen if gsp_post(s))
        return Fail(500, "out of disk space") if gsp_post(seen) and posts >= 3 else None

    with Proxy(server.url, rule) as proxy:
        code, _, err = cli("load", "--endpoint", proxy.url, "--replace", "--chunk-size", "2000")
    assert code == EXIT_ENDPOINT
    assert "failed (HTTP 500): out of disk space" in err and "Traceback" not in err
    assert sum(1 for s in proxy.seen if gsp_post(s)) == 3  # 500 is not retried
    assert server.dump(DATA_GRAPH) == before
    assert server.graphs() == expected(older)


def _default_signals() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


@pytest.mark.parametrize(("sig", "code", "said"), [
    (signal.SIGINT, 130, b"interrupted"),  # Ctrl-C
    (signal.SIGTERM, 143, b"terminated"),  # kill, a service manager, a CI runner
], ids=["Ctrl-C", "SIGTERM"])
def test_interrupted_load_leaves_previous_graphs_intact(sig: int, code: int, said: bytes,
                                                        older: Build,
                                                        server: OxigraphServer) -> None:
    load_store(older, server.url)
    before = server.dump(DATA_GRAPH)
    rule = lambda seen: Delay(0.3) if gsp_post(seen) else None  # noqa: E731
    with Proxy(server.url, rule) as proxy:
        process = subprocess.Popen(
            [sys.executable, "-m", "coldwar_lod", "--data", str(DATA), "load", "--endpoint",
             proxy.url, "--replace", "--chunk-size", "1000"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            # Ctrl-C as in a terminal: a test run started in the background (`cmd &`) has
            # SIGINT ignored, and a child would inherit that and never see the signal.
            preexec_fn=_default_signals)
        try:
            deadline = time.monotonic() + 60
            while proxy.count(gsp_post) < 3 and time.monotonic() < deadline:
                assert process.poll() is None, process.communicate()
                time.sleep(0.05)
            process.send_signal(sig)
            _, err = process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        time.sleep(0.5)  # an upload still in flight lands now, if at all
    assert process.returncode == code, err
    assert said in err
    assert server.dump(DATA_GRAPH) == before
    # the temporary graphs were dropped (one upload in flight may land after the drop)
    assert len([g for g in server.graphs() if ".load-" in g]) <= 1
    # the upload in flight may still land in its temporary graph afterwards, never in a target
    assert targets(server) == expected(older)


def test_store_losing_triples_is_caught_before_the_swap(older: Build, built: Build,
                                                       memory_server: OxigraphServer) -> None:
    load_store(older, memory_server.url)
    before = memory_server.dump(DATA_GRAPH)

    # a store that acknowledges the second upload request but drops its triples
    def rule(seen: Seen) -> Fail | None:
        return Fail(204, "") if gsp_post(seen) and proxy.count(gsp_post) == 2 else None

    with Proxy(memory_server.url, rule) as proxy, pytest.raises(EndpointError) as caught:
        load_store(built, proxy.url, replace=True, chunk_size=3000)
    assert "in the temporary graph" in str(caught.value)
    assert "nothing was replaced" in str(caught.value)
    assert not any(swap(s) for s in proxy.seen)
    assert memory_server.dump(DATA_GRAPH) == before
    assert memory_server.graphs() == expected(older)


@pytest.mark.parametrize("first", [True, False], ids=["first load", "reload"])
def test_store_changed_during_the_load_is_caught_before_the_swap(
        first: bool, built: Build, edited: Build, memory_server: OxigraphServer) -> None:
    if not first:
        load_store(built, memory_server.url)
    intruder = "<https://example.org/s> <https://example.org/p> \"written meanwhile\""

    # someone else writes to the data graph while the load uploads its changes
    def rule(seen: Seen) -> None:
        if gsp_post(seen) and proxy.count(gsp_post) == 1:
            memory_server.update(f"INSERT DATA {{ GRAPH <{DATA_GRAPH}> {{ {intruder} }} }}")

    with Proxy(memory_server.url, rule) as proxy, pytest.raises(EndpointError) as caught:
        load_store(edited, proxy.url, replace=True)
    assert f"<{DATA_GRAPH}> changed during the load" in str(caught.value)
    assert "nothing was replaced" in str(caught.value)
    assert not any(swap(s) for s in proxy.seen)
    previous = [] if first else nt_lines(built)
    assert memory_server.dump(DATA_GRAPH) == sorted([*previous, intruder + " ."])
    assert not set(memory_server.graphs()) - set(expected(built))


# Fallbacks, chunks, retries ---------------------------------------------------------------------


def test_swap_needs_no_move_add_or_copy(built: Build, older: Build,
                                        memory_server: OxigraphServer) -> None:
    # stores such as QLever implement DELETE/INSERT ... WHERE and DROP, not MOVE, ADD or COPY
    def rule(seen: Seen) -> Fail | None:
        words = ("MOVE <", "ADD <", "COPY <")
        return Fail(400, "not supported") if any(w in seen.text for w in words) else None

    for version in (older, built):  # a first load, then a reload
        with Proxy(memory_server.url, rule) as proxy:
            load_store(version, proxy.url, replace=True)
        assert not any(s.path.startswith("/update") and "not supported" in s.text
                       for s in proxy.seen)
        assert memory_server.graphs() == expected(version)
        assert memory_server.dump(DATA_GRAPH) == nt_lines(version)


def test_store_that_cannot_give_a_graph_back_gets_it_replaced_whole(
        built: Build, edited: Build, memory_server: OxigraphServer) -> None:
    load_store(built, memory_server.url)
    rule = lambda seen: Fail(406, "not acceptable") if seen.method == "GET" else None  # noqa: E731
    lines: list[str] = []
    with Proxy(memory_server.url, rule) as proxy:
        report = load_store(edited, proxy.url, replace=True, progress=lines.append)
    assert report.swap == "whole"
    assert any("cannot read the graph" in line and "HTTP 406" in line for line in lines)
    assert memory_server.graphs() == expected(edited)
    assert memory_server.dump(DATA_GRAPH) == nt_lines(edited)


def test_store_without_graph_store_protocol_gets_sparql_update(
        built: Build, memory_server: OxigraphServer) -> None:
    lines: list[str] = []
    endpoint = Endpoint.from_url(memory_server.url, gsp_url=f"{memory_server.url}/no-gsp-here")
    report = load_store(built, endpoint, progress=lines.append, chunk_size=5000)
    assert report.method == "update"
    assert any("no Graph Store Protocol at" in line and "(HTTP 404)" in line for line in lines)
    assert memory_server.graphs() == expected(built)
    assert memory_server.dump(DATA_GRAPH) == nt_lines(built)
    # --gsp-endpoint none: straight to SPARQL Update; the graphs are read back with CONSTRUCT
    memory_server.update(f"DELETE WHERE {{ GRAPH <{DATA_GRAPH}> {{ ?s ?p \"1968\" }} }}")
    code, out, err = cli("load", "--endpoint", memory_server.url, "--gsp-endpoint", "none",
                         "--replace")
    assert code == 0 and "graph store none (SPARQL Update)" in out and "SPARQL Update" in out
    assert "  ontology: 0 triples to add, 0 to remove" in err
    assert memory_server.graphs() == expected(built)
    assert memory_server.dump(DATA_GRAPH) == nt_lines(built)


def test_large_upload_goes_in_chunks_with_progress(built: Build,
                                                   memory_server: OxigraphServer) -> None:
    lines: list[str] = []
    with Proxy(memory_server.url) as proxy:
        load_store(built, proxy.url, chunk_size=2500, progress=lines.append)
    total = len(built.triples)
    progress = [line for line in lines if line.startswith("  data: ")]
    assert progress[-1] == f"  data: {total:,}/{total:,} triples (100%)"
    assert len(progress) == -(-total // 2500)
    bodies = [s.body for s in proxy.seen if gsp_post(s)]
    assert max(len(b.splitlines()) for b in bodies) <= 2500
    assert memory_server.graphs() == expected(built)


def test_graphs_are_counted_in_one_query(built: Build,
                                         memory_server: OxigraphServer) -> None:
    load_store(built, memory_server.url)
    graphs = [DATA_GRAPH, BASE + "graph/shapes", "https://example.org/none"]
    with Proxy(memory_server.url) as proxy:
        counts = count_graphs(Endpoint.from_url(proxy.url), graphs)
    assert counts == {DATA_GRAPH: len(built.triples),
                      BASE + "graph/shapes": expected(built)[BASE + "graph/shapes"],
                      "https://example.org/none": 0}
    assert len(proxy.seen) == 1


def test_blank_nodes_stay_in_one_chunk() -> None:
    node, blank = ox.NamedNode("https://e.org/x"), ox.BlankNode("b1")
    triples = [ox.Triple(node, node, ox.Literal(str(i))) for i in range(7)]
    triples += [ox.Triple(node, node, blank), ox.Triple(blank, node, ox.Literal("in"))]
    pieces = chunks(triples, 3)
    assert pieces[0] == triples[7:]
    assert [len(p) for p in pieces] == [2, 3, 3, 1]
    assert sorted((t for p in pieces for t in p), key=str) == sorted(triples, key=str)


def test_transient_failures_are_retried(built: Build, memory_server: OxigraphServer) -> None:
    rule = lambda seen: Fail(503, "warming up") if seen.number in (4, 5) else None  # noqa: E731
    with Proxy(memory_server.url, rule) as proxy:
        endpoint = Endpoint.from_url(proxy.url, backoff=0.01)
        load_store(built, endpoint)
    assert [s.number for s in proxy.seen if s.number in (4, 5, 6)] == [4, 5, 6]
    assert proxy.seen[3].body == proxy.seen[5].body  # the same request, sent again
    assert memory_server.graphs() == expected(built)


def test_client_errors_are_not_retried(built: Build, memory_server: OxigraphServer) -> None:
    rule = lambda seen: Fail(413, "payload too large") if gsp_post(seen) else None  # noqa: E731
    with Proxy(memory_server.url, rule) as proxy, pytest.raises(EndpointError, match="HTTP 413"):
        load_store(built, Endpoint.from_url(proxy.url, backoff=0.01))
    assert proxy.count(gsp_post) == 1
    assert memory_server.graphs() == {}


def test_credentials_go_on_every_request_and_never_in_output(
        memory_server: OxigraphServer) -> None:
    env = {ENV_USER: "historian", ENV_PASSWORD: "pa55-w0rd", ENV_TOKEN: ""}
    pair = base64.b64encode(b"historian:pa55-w0rd").decode()
    with Proxy(memory_server.url) as proxy:
        code, out, err = cli("load", "--endpoint", proxy.url, env=env)
    assert code == 0, err
    # every request but the one that asks the server's name (GET /, no credentials needed)
    asked = [s for s in proxy.seen if (s.method, s.path) != ("GET", "/")]
    assert {s.headers.get("authorization") for s in asked} == {f"Basic {pair}"}
    assert len(asked) == len(proxy.seen) - 1
    assert "pa55-w0rd" not in out + err and pair not in out + err


# Failures ----------------------------------------------------------------------------------------


def test_load_endpoint_down_exit_4() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    code, _, err = cli("load", "--endpoint", url)
    assert code == EXIT_ENDPOINT
    assert f"cannot connect to {url}/query: connection refused" in err


def test_load_wrong_path_exit_4(memory_server: OxigraphServer) -> None:
    url = f"{memory_server.url}/coldwar/sparql"  # a Fuseki-style URL on an Oxigraph server
    code, _, err = cli("load", "--endpoint", url)
    assert code == EXIT_ENDPOINT
    assert f"no SPARQL service at {url} (HTTP 404)" in err
    assert memory_server.graphs() == {}


def test_load_timeout_exit_4(memory_server: OxigraphServer) -> None:
    rule = lambda seen: Delay(2) if gsp_post(seen) else None  # noqa: E731
    with Proxy(memory_server.url, rule) as proxy:
        code, _, err = cli("load", "--endpoint", proxy.url, "--timeout", "0.5")
    assert code == EXIT_ENDPOINT
    assert "/store timed out after 0.5 s" in err
    # (the delayed upload may still reach a temporary graph later, never a target)
    assert not set(memory_server.graphs()) & set(expected(coldwar_lod.build(DATA)))


# Endpoints ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "urls"), [
    ("http://localhost:7878", ("http://localhost:7878/query", "http://localhost:7878/update",
                               "http://localhost:7878/store")),
    ("http://localhost:7878/query", ("http://localhost:7878/query",
                                     "http://localhost:7878/update",
                                     "http://localhost:7878/store")),
    ("http://localhost:3030/cw/sparql", ("http://localhost:3030/cw/sparql",
                                         "http://localhost:3030/cw/update",
                                         "http://localhost:3030/cw/data")),
    ("http://localhost:7200/repositories/cw", (
        "http://localhost:7200/repositories/cw", "http://localhost:7200/repositories/cw/statements",
        "http://localhost:7200/repositories/cw/rdf-graphs/service")),
    ("https://qlever.example.org/api/cw", ("https://qlever.example.org/api/cw",
                                           "https://qlever.example.org/api/cw", None)),
    ("http://localhost:7001/", ("http://localhost:7001/", "http://localhost:7001/", None)),
])
def test_endpoint_urls_are_derived(url: str, urls: tuple[str, str, str | None]) -> None:
    assert derive_urls(url) == urls


def test_endpoint_overrides_validation_and_secrets() -> None:
    endpoint = Endpoint.from_url("http://h:7001/sparql", update_url="http://h:7001/u",
                                 gsp_url="", env={ENV_TOKEN: "tok-123"})
    assert (endpoint.update_url, endpoint.gsp_url) == ("http://h:7001/u", None)
    assert endpoint.headers()["Authorization"] == "Bearer tok-123"
    assert "tok-123" not in repr(endpoint)
    assert endpoint.redact("failed: token tok-123 at http://u:p@h/?access-token=tok-123") == \
        "failed: token *** at http://***@h/?access-token=***"
    # with an update URL given, the query URL is taken as written (QLever: all at the root)
    qlever = Endpoint.from_url("http://h:7001", update_url="http://h:7001",
                               gsp_url="http://h:7001", env={})
    assert (qlever.query_url, qlever.update_url, qlever.gsp_url) == ("http://h:7001",) * 3
    for bad in ("localhost:7878", "ftp://h/x"):
        with pytest.raises(InputError, match="not an http"):
            Endpoint.from_url(bad)
    with pytest.raises(InputError, match="timeout"):
        Endpoint.from_url("http://h", timeout=0)
