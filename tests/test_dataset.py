"""Every format of a build holds the same graph, independent parsers accept it, and two
builds are byte-identical."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

import coldwar_lod
from coldwar_lod.dataset import DUMPS, Build, dataset_files
from coldwar_lod.rdfio import data_graph

from .conftest import DATA

FORMATS = {"turtle": "turtle", "json-ld": "json-ld", "nt": "nt", "trig": "trig"}
OX_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "json-ld": ox.RdfFormat.JSON_LD,
              "nt": ox.RdfFormat.N_TRIPLES, "trig": ox.RdfFormat.TRIG}


def rdflib_graph(content: bytes, fmt: str) -> rdflib.Graph:
    if fmt == "trig":
        ds = rdflib.Dataset()
        ds.parse(data=content, format="trig")
        graph = rdflib.Graph()
        for s, p, o, _ in ds.quads((None, None, None, None)):
            graph.add((s, p, o))
        return graph
    return rdflib.Graph().parse(data=content, format=FORMATS[fmt])


def assert_isomorphic(a: rdflib.Graph, b: rdflib.Graph) -> None:
    if not isomorphic(a, b):
        _, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))
        pytest.fail("graphs differ:\nonly in first:\n" + only_a.serialize(format="nt")[:2000]
                    + "\nonly in second:\n" + only_b.serialize(format="nt")[:2000])


@pytest.fixture(scope="module")
def files(built: Build) -> dict[str, bytes]:
    return dataset_files(built)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_formats_are_isomorphic(files: dict[str, bytes], fmt: str) -> None:
    turtle = rdflib_graph(files[DUMPS["turtle"]], "turtle")
    assert_isomorphic(turtle, rdflib_graph(files[DUMPS[fmt]], fmt))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_pyoxigraph_parses_every_format(built: Build, files: dict[str, bytes], fmt: str) -> None:
    parsed = {ox.Triple(q.subject, q.predicate, q.object) if isinstance(q, ox.Quad) else q
              for q in ox.parse(files[DUMPS[fmt]], OX_FORMATS[fmt])}
    assert parsed == set(built.triples)


def test_trig_puts_data_in_the_data_graph(files: dict[str, bytes], built: Build) -> None:
    graphs = {q.graph_name for q in ox.parse(files[DUMPS["trig"]], ox.RdfFormat.TRIG)}
    assert graphs == {ox.NamedNode(built.space.base + "graph/data")}


def test_jsonld_uses_the_shipped_context(files: dict[str, bytes]) -> None:
    doc = json.loads(files[DUMPS["json-ld"]])
    shipped = json.loads(files["context.jsonld"])
    assert doc["@context"] == shipped["@context"]
    invasion = next(n for n in doc["@graph"] if n["@id"] == "event:warsaw-pact-invasion")
    assert invasion["@type"] == "cwo:Invasion"


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    # Separate processes, so nothing random per process (hash seeds, blank node labels) can
    # hide behind a cache.
    for name in ("a", "b"):
        subprocess.run([sys.executable, "-m", "coldwar_lod", "--data", str(DATA), "build", "-o",
                        str(tmp_path / name)], check=True, capture_output=True)
    first = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert first == sorted(p.name for p in (tmp_path / "b").iterdir())
    for name in first:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_merged_shapes_are_the_shapes(files: dict[str, bytes]) -> None:
    from coldwar_lod.validation.engines import shapes_graph

    merged = rdflib.Graph().parse(data=files["shapes.ttl"], format="turtle")
    assert isomorphic(merged, shapes_graph("https://w3id.org/coldwar-lod/"))


def test_ontology_and_shapes_files_parse(files: dict[str, bytes]) -> None:
    for name in ("ontology.ttl", "shapes.ttl", "void.ttl"):
        assert len(list(ox.parse(files[name], ox.RdfFormat.TURTLE))) > 10, name


def test_void_describes_the_build(files: dict[str, bytes], built: Build) -> None:
    g = rdflib.Graph().parse(data=files["void.ttl"], format="turtle")
    ds = rdflib.URIRef(built.space.base + "id/dataset/coldwar-lod")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    assert int(g.value(ds, void.triples)) == len(built.triples)  # type: ignore[arg-type]
    assert g.value(ds, rdflib.URIRef("http://purl.org/dc/terms/license")) is not None
    dumps = {str(o).rsplit("/", 1)[-1] for o in g.objects(ds, void.dataDump)}
    assert set(DUMPS.values()) <= dumps
    linkset = rdflib.URIRef(str(ds) + "#wikidata-links")
    links = sum(1 for t in built.triples
                if t.object.value.startswith("http://www.wikidata.org/entity/"))
    assert int(g.value(linkset, void.triples)) == links  # type: ignore[arg-type]


def test_custom_base_moves_every_iri(tmp_path: Path) -> None:
    base = "https://example.org/cw/"
    result = coldwar_lod.build(DATA, base=base)
    assert coldwar_lod.validate(result).conforms
    iris = {term.value for t in result.triples for term in (t.subject, t.predicate, t.object)
            if isinstance(term, ox.NamedNode)}
    assert not any(i.startswith("https://w3id.org/coldwar-lod/") for i in iris)
    assert base + "id/event/warsaw-pact-invasion" in iris
    assert base + "ontology#Invasion" in iris
    shapes = dataset_files(result)["shapes.ttl"].decode()
    assert "w3id.org/coldwar-lod" not in shapes and base + "shapes#" in shapes


def test_graph_api_is_rdflib_on_oxigraph(built: Build) -> None:
    graph = built.graph()
    assert len(graph) == len(built.triples)
    rows = list(graph.query(
        "PREFIX cwo: <https://w3id.org/coldwar-lod/ontology#> "
        "SELECT ?s WHERE { ?s cwo:refusedToJoin ?e } ORDER BY ?s"))
    assert rdflib.URIRef(built.space.base + "id/state/socialist-republic-of-romania") in {
        r[0] for r in rows}  # type: ignore[index]


def test_a_build_is_in_the_documented_order(built: Build) -> None:
    """The mapper's own grouping (``Mapped.sorted``) gives the order of ``sort_key``."""
    from coldwar_lod.mapping import sort_key, sorted_triples

    assert built.triples == sorted(built.triples, key=sort_key)
    assert sorted_triples(reversed(built.triples)) == built.triples


def test_sort_order_puts_rdf_type_first_then_compares_ntriples_text() -> None:
    from coldwar_lod.mapping import sort_key, sorted_triples
    from coldwar_lod.namespaces import RDF_TYPE

    ex = "http://example.org/"
    s, t = ox.NamedNode(ex + "s"), ox.NamedNode(ex + "s/t")
    triples = [ox.Triple(s, ox.NamedNode(ex + p), o)
               for p in ("a", "a/b", "a2", "z")
               for o in (ox.Literal("x"), ox.Literal("x", language="en"), ox.NamedNode(ex + "o"))]
    triples += [ox.Triple(s, RDF_TYPE, ox.NamedNode(ex + c)) for c in ("Z", "A")]
    triples += [ox.Triple(t, RDF_TYPE, ox.NamedNode(ex + "A")),
                ox.Triple(t, ox.NamedNode(ex + "a"), ox.Literal("1"))]
    ordered = sorted_triples(triples[::-1])
    assert ordered == sorted(triples, key=sort_key)
    assert ordered[:2] == triples[-2:]  # "<...s/t>" comes before "<...s>": "/" < ">"
    assert [str(x.object) for x in ordered[2:4]] == [f"<{ex}A>", f"<{ex}Z>"]
    # then the predicates in the order of their N-Triples text, each with its three objects
    assert [str(x.predicate) for x in ordered[4::3]] == [f"<{ex}{p}>"
                                                          for p in ("a/b", "a2", "a", "z")]
    assert [str(x.object) for x in ordered[4:7]] == ['"x"', '"x"@en', f"<{ex}o>"]


def test_trig_file_is_what_the_trig_serializer_writes(built: Build,
                                                      files: dict[str, bytes]) -> None:
    """``dataset_files`` makes the TriG from the Turtle it has just made."""
    assert files[DUMPS["trig"]] == built.serialize("trig")
    quads = ox.serialize((ox.Quad(t.subject, t.predicate, t.object, data_graph(built.space))
                          for t in built.triples), format=ox.RdfFormat.TRIG,
                         prefixes=built.space.prefixes())
    assert files[DUMPS["trig"]] == quads


def test_files_are_handed_on_as_they_are_rendered(built: Build) -> None:
    """``coldwar-lod build`` stages each file while the next one is rendered."""
    handed: list[tuple[str, bytes]] = []
    files = dataset_files(built, on_file=lambda name, content: handed.append((name, content)))
    assert handed == list(files.items())
    assert [name for name, _ in handed[:4]] == list(DUMPS.values())
