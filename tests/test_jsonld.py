"""The one-pass JSON-LD writer and the census VoID takes from it give what plain code gives.

The plain versions below are the earlier code (a dict per node, ``json.dumps`` per node, one
pass over the triples per statistic); the fast code must match them byte for byte, for sorted
triples, for triples in any order, and for the corner cases the data does not have.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Iterable, Sequence

import pyoxigraph as ox
import pytest

from coldwar_lod import void
from coldwar_lod.dataset import Build
from coldwar_lod.jsonld import Census, context, jsonld, jsonld_and_census
from coldwar_lod.namespaces import RDF, RDF_TYPE, SKOS, WD, XSD, IriSpace, iri, shortener


def plain_jsonld(triples: Iterable[ox.Triple], space: IriSpace) -> bytes:
    shorten = shortener(space.prefixes())  # unchanged by the one-pass writer
    used: set[str] = set()

    def compact(value: str) -> str:
        short = shorten(value)
        if short != value:
            used.add(short.split(":", 1)[0])
        return short

    def append(node: dict[str, object], key: str, value: object) -> None:
        if key not in node:
            node[key] = value
        elif isinstance(node[key], list):
            node[key].append(value)  # type: ignore[attr-defined]
        else:
            node[key] = [node[key], value]

    nodes: dict[str, dict[str, object]] = {}
    for t in triples:
        subject = iri(t.subject)
        node = nodes.setdefault(subject, {"@id": compact(subject)})
        obj = t.object
        if t.predicate == RDF_TYPE and isinstance(obj, ox.NamedNode):
            append(node, "@type", compact(obj.value))
            continue
        value: object
        if isinstance(obj, ox.NamedNode):
            value = {"@id": compact(obj.value)}
        elif isinstance(obj, ox.Literal):
            if obj.language:
                value = {"@value": obj.value, "@language": obj.language}
            elif obj.datatype == XSD.string:
                value = obj.value
            else:
                value = {"@value": obj.value, "@type": compact(obj.datatype.value)}
        else:
            raise TypeError(obj)
        append(node, compact(t.predicate.value), value)
    head = json.dumps(context(space, used), ensure_ascii=False, indent=1)[:-2]
    body = ",\n".join(json.dumps(n, ensure_ascii=False) for n in nodes.values())
    return f'{head},\n "@graph": [\n{body}\n]}}\n'.encode()


def plain_statistics(triples: Sequence[ox.Triple], space: IriSpace) -> dict[str, object]:
    subjects = {iri(t.subject) for t in triples}
    return {
        "subjects": subjects,
        "properties": len({t.predicate.value for t in triples}),
        "entities": len({iri(t.subject) for t in triples
                         if t.predicate == RDF_TYPE and "#" not in iri(t.subject)}),
        "classes": dict(Counter(t.object.value for t in triples
                                if t.predicate == RDF_TYPE
                                and isinstance(t.object, ox.NamedNode))),
        "sources": sorted(iri(t.subject) for t in triples
                          if t.predicate == RDF_TYPE and t.object == space.term("Source")),
        "links": sum(1 for t in triples if t.predicate == SKOS.exactMatch
                     and isinstance(t.object, ox.NamedNode)
                     and t.object.value.startswith(WD)),
    }


def fast_statistics(census: Census, space: IriSpace) -> dict[str, object]:
    """The statistics VoID takes from the JSON-LD writer's census. The sources are sorted:
    the writer sees them grouped by subject, and VoID sorts its triples anyway."""
    stats = void._Statistics.of(census, space.term("Source"))
    return {"subjects": stats.subjects, "properties": stats.properties,
            "entities": stats.entities, "classes": stats.classes,
            "sources": sorted(stats.sources), "links": stats.links}


def writers_statistics(triples: Sequence[ox.Triple], space: IriSpace) -> dict[str, object]:
    """The statistics from the census the JSON-LD writer takes, checking its JSON-LD too."""
    written, census = jsonld_and_census(triples, space)
    assert written == jsonld(triples, space)
    return fast_statistics(census, space)


def orders(triples: list[ox.Triple]) -> dict[str, list[ox.Triple]]:
    shuffled = list(triples)
    random.Random(1968).shuffle(shuffled)
    return {"sorted": triples, "reversed": triples[::-1], "shuffled": shuffled}


@pytest.mark.parametrize("order", ["sorted", "reversed", "shuffled"])
def test_jsonld_is_the_plain_writers(built: Build, order: str) -> None:
    triples = orders(built.triples)[order]
    assert jsonld(triples, built.space) == plain_jsonld(triples, built.space)


@pytest.mark.parametrize("order", ["sorted", "reversed", "shuffled"])
def test_void_statistics_are_the_plain_ones(built: Build, order: str) -> None:
    triples = orders(built.triples)[order]
    plain = plain_statistics(triples, built.space)
    assert writers_statistics(triples, built.space) == plain


def test_void_describe_is_unchanged_by_order(built: Build) -> None:
    dumps = {"coldwar-lod.ttl": ("text/turtle", b"x")}
    shuffled = orders(built.triples)["shuffled"]
    described = [set(void.describe(triples, built.space, dumps,
                                   jsonld_and_census(triples, built.space)[1]))
                 for triples in (shuffled, built.triples)]
    assert described[0] == described[1]


def corner_cases(space: IriSpace) -> list[ox.Triple]:
    n = ox.NamedNode
    a = space.instance("event", "a")
    b = space.instance("claim", "b", "timespan")
    p, q = space.term("p"), SKOS.exactMatch
    return [
        ox.Triple(a, RDF_TYPE, space.term("Event")),
        ox.Triple(a, RDF_TYPE, ox.Literal("not a class")),  # stays under "rdf:type"
        ox.Triple(a, p, ox.Literal('quote " backslash \\ tab \t nl \n \x01 é 𝄞 \u2028')),
        ox.Triple(a, p, ox.Literal("en", language="en")),
        ox.Triple(a, p, ox.Literal("rtl", language="ar", direction=ox.BaseDirection.RTL)),
        ox.Triple(a, p, ox.Literal("1968", datatype=XSD.gYear)),
        ox.Triple(a, p, ox.Literal("x", datatype=n("http://example.org/unprefixed#dt"))),
        ox.Triple(a, p, ox.Literal("y", datatype=RDF.HTML)),
        ox.Triple(a, q, n(WD + "Q1")),
        ox.Triple(a, q, n("http://example.org/other")),
        ox.Triple(a, p, n(space.ids + "event//slash")),  # local name would start with "/"
        ox.Triple(b, RDF_TYPE, space.term("Source")),
        ox.Triple(b, p, a),
        ox.Triple(a, space.term("r"), b),  # a's triples are not together
        ox.Triple(a, p, a),  # p again, after r
        ox.Triple(n("http://example.org/plain"), n("http://example.org/p"), a),
        ox.Triple(a, RDF_TYPE, space.term("Source")),
    ]


def test_corner_cases() -> None:
    space = IriSpace.from_base("https://example.org/cw/")
    triples = corner_cases(space)
    for order in orders(triples).values():
        assert jsonld(order, space) == plain_jsonld(order, space)
        assert jsonld(iter(order), space) == plain_jsonld(order, space)
        assert writers_statistics(order, space) == plain_statistics(order, space)


def test_empty() -> None:
    space = IriSpace.from_base()
    assert jsonld([], space) == plain_jsonld([], space)
    assert writers_statistics([], space) == plain_statistics([], space)


def test_blank_nodes_are_refused() -> None:
    space = IriSpace.from_base()
    a = space.instance("event", "a")
    with pytest.raises(TypeError):
        jsonld([ox.Triple(ox.BlankNode(), RDF_TYPE, a)], space)
    with pytest.raises(TypeError):
        jsonld([ox.Triple(a, RDF_TYPE, ox.BlankNode())], space)
    with pytest.raises(TypeError):
        jsonld_and_census([ox.Triple(ox.BlankNode(), RDF_TYPE, a)], space)


def test_the_context_is_plain_json_ld_1_0_and_declares_only_what_is_used(built: Build) -> None:
    """No ``@version: 1.1`` (JSON-LD 1.0 processors such as Jena refuse it), every term a plain
    prefix, and every declared prefix used by the document (issue 14, item 12)."""
    written, census = jsonld_and_census(built.triples, built.space)
    document = json.loads(written)
    declared = document["@context"]
    assert "@version" not in declared
    assert all(isinstance(ns, str) and ns.endswith(("/", "#")) for ns in declared.values())
    body = json.dumps(document["@graph"])
    assert {name for name in declared if f'"{name}:' in body} == set(declared) == census.prefixes
    assert context(built.space, census.prefixes) == {"@context": declared}


def test_a_json_ld_1_0_processor_reads_the_dump(built: Build) -> None:
    """pyld in JSON-LD 1.0 mode turns the dump back into exactly the build's triples (the
    site's documents are checked the same way in tests/test_site_documents.py)."""
    from pyld import jsonld as pyld

    written = jsonld(built.triples, built.space)
    with pytest.raises(pyld.JsonLdError):  # the mode is enforced: a 1.1 context is refused
        pyld.to_rdf({"@context": {"@version": 1.1}, "@id": "http://example.org/a"},
                    {"processingMode": "json-ld-1.0"})
    nquads = pyld.to_rdf(json.loads(written), {"format": "application/n-quads",
                                               "processingMode": "json-ld-1.0"})
    read = {ox.Triple(q.subject, q.predicate, q.object)
            for q in ox.parse(nquads.encode(), ox.RdfFormat.N_QUADS)}
    assert read == set(built.triples)
