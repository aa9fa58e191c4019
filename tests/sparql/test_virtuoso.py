"""Loading and querying a real Virtuoso server (Debian's virtuoso-opensource 7): the store
profile, Digest authentication, reads paged below ResultSetMaxRows, all or nothing, durability
across a crash, and the same answers as the embedded store."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

import coldwar_lod
from coldwar_lod.cli import main
from coldwar_lod.dataset import Build
from coldwar_lod.errors import EXIT_ENDPOINT, EndpointError
from coldwar_lod.sparql.catalogue import shipped_queries
from coldwar_lod.sparql.http import Endpoint
from coldwar_lod.sparql.load import dataset_graphs, load_store
from coldwar_lod.sparql.profiles import store_endpoint
from coldwar_lod.sparql.query import run_query

from ..conftest import DATA
from ..server import Drop, Fail, LoseAnswer, Proxy, Seen
from ..virtuoso import CREDENTIALS, ROW_CAP, VirtuosoServer

pytestmark = pytest.mark.server

BASE = "https://w3id.org/coldwar-lod/"
DATA_GRAPH = BASE + "graph/data"
NAMES = sorted(shipped_queries())


def expected(build: Build) -> dict[str, int]:
    return {g.iri: len(g.triples) for g in dataset_graphs(build)}


def ground_lines(triples: list[ox.Triple]) -> list[str]:
    """N-Triples lines of the triples without blank nodes (what ``dump`` can compare)."""
    plain = [t for t in triples if not isinstance(t.subject, ox.BlankNode)
             and not isinstance(t.object, ox.BlankNode)]
    return sorted((ox.serialize(plain, format=ox.RdfFormat.N_TRIPLES) or b"").decode()
                  .splitlines())


def holds(server: VirtuosoServer, build: Build) -> bool:
    """Whether the store holds exactly the build's three graphs, triple for triple (the shapes'
    blank-node triples by count)."""
    graphs = dataset_graphs(build)
    return (server.graphs() == expected(build)
            and all(server.dump(g.iri) == ground_lines(list(g.triples)) for g in graphs))


def endpoint(server: VirtuosoServer | Proxy, **options: float) -> Endpoint:
    return store_endpoint(server.url, "virtuoso", env=CREDENTIALS, **options)


def cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--data", str(DATA), *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def swap(seen: Seen) -> bool:
    """The one update that writes the targets (and the load's receipt, with INSERT DATA)."""
    return (seen.path.startswith("/sparql-auth") and "INSERT DATA" in seen.text
            and "-done>" in seen.text)


# Loading, reloading, replacing; each survives a crash -------------------------------------------


def test_first_load_reload_and_replace_each_survive_a_crash(
        built: Build, edited: Build, virtuoso: VirtuosoServer) -> None:
    # the server's root URL: the profile is detected from its Server header
    code, out, err = cli("load", "--endpoint", virtuoso.url + "/", env=CREDENTIALS)
    assert code == 0, err
    assert "store: virtuoso" in out
    assert f"update {virtuoso.url}/sparql-auth" in out
    assert "made the load durable (virtuoso: checkpoint)" in err
    assert holds(virtuoso, built)
    virtuoso.restart(crash=True)
    assert holds(virtuoso, built)

    # a reload with one change reads every graph back, in pages below ResultSetMaxRows
    assert len(built.triples) > ROW_CAP
    lines: list[str] = []
    report = load_store(edited, endpoint(virtuoso), replace=True, progress=lines.append)
    assert report.swap == "diff" and report.durable == "checkpoint"
    assert (report.added[DATA_GRAPH], report.removed[DATA_GRAPH]) == (1, 1)
    assert "  data: 1 triples to add, 1 to remove" in lines
    virtuoso.restart(crash=True)
    assert holds(virtuoso, edited)

    # --replace of a graph that changed entirely: replaced whole
    other = coldwar_lod.build(DATA, "https://example.org/cw/")
    load_store(other, endpoint(virtuoso), graph=DATA_GRAPH, replace=True)
    code, _, err = cli("load", "--endpoint", virtuoso.url, "--store", "virtuoso", "--replace",
                       env=CREDENTIALS)
    assert code == 0, err
    assert "  data: " in err and "replacing it whole" in err
    virtuoso.restart(crash=True)
    assert virtuoso.dump(DATA_GRAPH) == ground_lines(list(built.triples))
    assert {g: n for g, n in virtuoso.graphs().items() if g.startswith(BASE)} == \
        expected(built)


def test_the_same_answers_as_embedded(built: Build, virtuoso: VirtuosoServer) -> None:
    load_store(built, endpoint(virtuoso))
    store = built.store()
    service = endpoint(virtuoso)
    for name in NAMES:
        query = shipped_queries()[name]
        embedded = run_query(query, built, store=store)
        remote = run_query(query, built, endpoint=service)
        assert remote.variables == embedded.variables, name
        assert remote.rows == embedded.rows, name
    code, out, err = cli("query", "timeline", "--endpoint", virtuoso.url, "--store",
                         "virtuoso", "-f", "tsv")
    assert code == 0, err
    timeline = run_query(shipped_queries()["timeline"], built, store=store)
    assert len(out.splitlines()) == len(timeline.rows) + 1
    assert f"{virtuoso.url}/sparql" in err


# All or nothing, and failures --------------------------------------------------------------------


def test_failed_or_dropped_swap_leaves_the_previous_graphs(
        built: Build, edited: Build, virtuoso: VirtuosoServer) -> None:
    load_store(built, endpoint(virtuoso))
    failures: list[tuple[Fail | Drop, str]] = [
        (Fail(500, "Virtuoso 40001 Error SR172: Transaction deadlocked"),
         "failed (HTTP 500): Virtuoso 40001 Error SR172: Transaction deadlocked"),
        (Drop(), "closed the connection without answering")]
    for action, message in failures:
        def rule(seen: Seen, action: Fail | Drop = action) -> Fail | Drop | None:
            return action if swap(seen) else None

        with Proxy(virtuoso.url, rule) as proxy, pytest.raises(EndpointError) as caught:
            load_store(edited, endpoint(proxy), replace=True)
        assert message in str(caught.value)
        assert "the previous graphs are unchanged" in str(caught.value)
        assert sum(1 for s in proxy.seen if swap(s)) == 1  # never re-sent
        assert holds(virtuoso, built)  # and the temporary graphs are gone


def test_digest_is_answered_and_bad_credentials_are_named(virtuoso: VirtuosoServer,
                                                          built: Build) -> None:
    with Proxy(virtuoso.url) as proxy:
        load_store(built, endpoint(proxy))
    signed = [s for s in proxy.seen if s.path.startswith(("/sparql-auth",
                                                          "/sparql-graph-crud-auth"))]
    assert signed and all(s.headers.get("authorization", "").startswith("Digest")
                          for s in signed[2:])  # after the first challenge, Digest at once
    assert "dig3st-pw" not in "".join(s.headers.get("authorization", "") for s in proxy.seen)
    wrong = {**CREDENTIALS, "COLDWAR_LOD_ENDPOINT_PASSWORD": "not-it"}
    code, _, err = cli("load", "--endpoint", virtuoso.url, "--store", "virtuoso", "--replace",
                       env=wrong)
    assert code == EXIT_ENDPOINT
    assert "refused the credentials from COLDWAR_LOD_ENDPOINT_USER and " \
           "COLDWAR_LOD_ENDPOINT_PASSWORD (HTTP 401)" in err
    assert "not-it" not in err
    # credentials in the URL are used, not looked up as a host name
    url = virtuoso.url.replace("http://", "http://coldwar:dig3st-pw@")
    code, out, err = cli("load", "--endpoint", url, "--store", "virtuoso", "--replace",
                         env={"COLDWAR_LOD_ENDPOINT_USER": "", "COLDWAR_LOD_ENDPOINT_PASSWORD": ""})
    assert code == 0, err
    assert "dig3st-pw" not in out + err


def test_root_url_without_a_profile_says_what_the_server_is(virtuoso: VirtuosoServer) -> None:
    code, _, err = cli("query", "timeline", "--endpoint", virtuoso.url + "/")
    assert code == EXIT_ENDPOINT
    assert "(HTTP 404)" in err and "this server is Virtuoso: pass --store virtuoso" in err
    assert "<" not in err.split("error:")[1].split("this server")[0]  # no HTML quoted


def test_load_without_credentials_explains(virtuoso: VirtuosoServer) -> None:
    code, _, err = cli("load", "--endpoint", virtuoso.url, "--store", "virtuoso",
                       env={"COLDWAR_LOD_ENDPOINT_USER": "", "COLDWAR_LOD_ENDPOINT_PASSWORD": "",
                            "COLDWAR_LOD_ENDPOINT_TOKEN": ""})
    assert code == EXIT_ENDPOINT
    assert "Traceback" not in err and "HTTP" in err
    assert virtuoso.graphs() == {}


def test_the_profile(tmp_path: Path) -> None:
    service = store_endpoint("http://u:p@127.0.0.1:8890/sparql", "virtuoso", env={})
    assert (service.query_url, service.update_url, service.gsp_url) == (
        "http://127.0.0.1:8890/sparql", "http://127.0.0.1:8890/sparql-auth",
        "http://127.0.0.1:8890/sparql-graph-crud-auth")
    assert service.row_cap == ROW_CAP and service.durable and "checkpoint" in service.durable
    anonymous = store_endpoint("http://127.0.0.1:8890", "virtuoso", env={})
    assert (anonymous.update_url, anonymous.gsp_url) == ("http://127.0.0.1:8890/sparql",
                                                         "http://127.0.0.1:8890/sparql-graph-crud")
    assert dataclasses.replace(service, timeout=1).credentials.user == "u"


def test_swap_applied_but_its_answer_lost(built: Build, edited: Build,
                                          virtuoso: VirtuosoServer) -> None:
    load_store(built, endpoint(virtuoso))

    # Virtuoso applies the update, but its answer never arrives
    def rule(seen: Seen) -> LoseAnswer | None:
        return LoseAnswer() if swap(seen) else None

    with Proxy(virtuoso.url, rule) as proxy:
        report = load_store(edited, endpoint(proxy), replace=True)
    assert sum(1 for s in proxy.seen if swap(s)) == 1
    assert report.after == expected(edited)
    assert holds(virtuoso, edited)


def test_failure_half_way_through_the_upload(built: Build, edited: Build,
                                             virtuoso: VirtuosoServer) -> None:
    other = coldwar_lod.build(DATA, "https://example.org/cw/")
    load_store(other, endpoint(virtuoso), graph=DATA_GRAPH)
    before = virtuoso.dump(DATA_GRAPH)

    def upload(seen: Seen) -> bool:  # an upload signed with Digest (not a handshake)
        return (seen.method == "POST" and "crud" in seen.path
                and seen.headers.get("authorization", "").startswith("Digest"))

    def rule(seen: Seen) -> Fail | None:  # the third chunk fails; two have landed
        if upload(seen) and proxy.count(upload) >= 3:
            return Fail(500, "Virtuoso 42000 Error SR008: disk full")
        return None

    with Proxy(virtuoso.url, rule) as proxy, pytest.raises(EndpointError) as caught:
        load_store(built, endpoint(proxy), graph=DATA_GRAPH, replace=True, chunk_size=2000)
    assert "failed (HTTP 500): Virtuoso 42000 Error SR008: disk full" in str(caught.value)
    assert virtuoso.dump(DATA_GRAPH) == before
    assert not [g for g in virtuoso.graphs() if ".load-" in g]  # temporary graphs dropped
