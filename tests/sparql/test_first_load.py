"""A first load into a store that runs one request as one transaction (Oxigraph): every graph
and the receipt in one N-Quads POST, no temporary graph; all or nothing all the same."""

from __future__ import annotations

import dataclasses
import urllib.error
import urllib.request

import pytest

from coldwar_lod.dataset import Build
from coldwar_lod.errors import EndpointError
from coldwar_lod.sparql.load import load_store
from coldwar_lod.sparql.profiles import store_endpoint

from ..server import Fail, LoseAnswer, OxigraphServer, Proxy, Seen
from .test_load import DATA_GRAPH, expected, gsp_post, nt_lines, shapes_intact, swap

pytestmark = pytest.mark.server


def dataset_post(seen: Seen) -> bool:
    """The one N-Quads request of a first load (a POST to /store naming no graph)."""
    return gsp_post(seen) and "graph=" not in seen.path


def test_oxigraph_runs_one_request_as_one_transaction(memory_server: OxigraphServer) -> None:
    """What the first load relies on: a POST of N-Quads that fails on its last line leaves
    nothing of its earlier lines."""
    quads = "".join(f'<https://e.org/s{i}> <https://e.org/p> "{i}" <https://e.org/g{i % 3}> .\n'
                    for i in range(5000)) + "<https://e.org/s> broken .\n"
    request = urllib.request.Request(f"{memory_server.url}/store", data=quads.encode(),
                                     method="POST",
                                     headers={"Content-Type": "application/n-quads"})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=30)
    assert caught.value.code == 400
    assert memory_server.graphs() == {}


def test_first_load_goes_in_one_request(built: Build, memory_server: OxigraphServer) -> None:
    with Proxy(memory_server.url) as proxy:
        report = load_store(built, store_endpoint(proxy.url, "oxigraph", env={}))
    assert (report.method, report.swap) == ("dataset", "direct")
    assert proxy.count(dataset_post) == 1 and proxy.count(gsp_post) == 1
    assert not any(swap(s) for s in proxy.seen)  # no temporary graph, no swap
    assert memory_server.graphs() == expected(built)  # the receipt dropped again
    assert memory_server.dump(DATA_GRAPH) == nt_lines(built)
    assert shapes_intact(memory_server, built)


def test_first_load_whose_answer_is_lost(built: Build, memory_server: OxigraphServer) -> None:
    # the store loads it, but its answer never arrives
    def rule(seen: Seen) -> LoseAnswer | None:
        return LoseAnswer() if dataset_post(seen) else None

    with Proxy(memory_server.url, rule) as proxy:
        report = load_store(built, store_endpoint(proxy.url, "oxigraph", env={}))
    assert proxy.count(dataset_post) == 1  # the receipt said it was applied: not re-sent
    assert report.after == expected(built) == memory_server.graphs()


def test_first_load_refused_or_lost_leaves_the_store_empty(
        built: Build, memory_server: OxigraphServer) -> None:
    rule = lambda seen: Fail(500, "disk full") if dataset_post(seen) else None  # noqa: E731
    with Proxy(memory_server.url, rule) as proxy, pytest.raises(EndpointError) as caught:
        load_store(built, store_endpoint(proxy.url, "oxigraph", env={}))
    assert "failed (HTTP 500): disk full; the previous graphs are unchanged" in str(caught.value)
    assert memory_server.graphs() == {}
    # a store that acknowledges the request but keeps nothing: the targets are emptied again
    rule = lambda seen: Fail(204, "") if dataset_post(seen) else None  # noqa: E731
    with Proxy(memory_server.url, rule) as proxy, pytest.raises(EndpointError) as caught:
        load_store(built, store_endpoint(proxy.url, "oxigraph", env={}))
    assert "the graphs were dropped again (the store is as it was)" in str(caught.value)
    assert memory_server.graphs() == {}


def test_updates_stay_below_the_profiles_largest(built: Build,
                                                 memory_server: OxigraphServer) -> None:
    service = dataclasses.replace(
        store_endpoint(memory_server.url, "oxigraph", gsp_url="", env={}), max_update=3000,
        dataset_url=None)
    with Proxy(memory_server.url) as proxy:
        load_store(built, dataclasses.replace(service, update_url=proxy.url + "/update"))
    inserts = [s.text for s in proxy.seen if "INSERT DATA" in s.text and ".load-" in s.text
               and "-done>" not in s.text]
    assert len(inserts) == -(-len(built.triples) // 3000) + 2  # data in pieces; the rest
    assert max(text.count(" .\n") for text in inserts) <= 3000
    assert memory_server.graphs() == expected(built)


def test_a_graph_too_big_to_page_is_replaced_whole(built: Build, edited: Build,
                                                   memory_server: OxigraphServer) -> None:
    """Below a row cap, reading a big graph back costs more than writing it again."""
    load_store(built, memory_server.url)
    capped = dataclasses.replace(store_endpoint(memory_server.url, "oxigraph", env={}),
                                 row_cap=500)  # the data graph: 27 pages, the others fewer
    lines: list[str] = []
    with Proxy(memory_server.url) as proxy:
        load_store(edited, dataclasses.replace(capped, query_url=proxy.url + "/query"),
                   replace=True, progress=lines.append)
    assert (f"  data: {len(built.triples):,} triples would take more than 20 reads of 500; "
            "replacing it whole") in lines
    assert any(line.startswith("reading ontology") for line in lines)  # 3 pages: read
    assert not any("LIMIT 500" in s.text and DATA_GRAPH + ">" in s.text for s in proxy.seen)
    assert memory_server.dump(DATA_GRAPH) == nt_lines(edited)
