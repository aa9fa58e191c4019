"""Every RDF document of the site is exactly its slice of the dump, plus its own description,
in all four formats; the JSON-LD reads in a JSON-LD 1.0 processor; the site is
deterministic and written all or nothing.

The slice is computed here from its definition (``coldwar_lod.site.documents``), from the
N-Triples dump the site publishes, independently of the code that writes the documents.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import to_isomorphic

from coldwar_lod.errors import InputError
from coldwar_lod.site import build_site
from coldwar_lod.site.tree import MARKER

from .test_site_support import ROOT, built_site

BASE = "https://w3id.org/coldwar-lod/"
RDF_SUBJECT = "http://www.w3.org/1999/02/22-rdf-syntax-ns#subject"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES,
           ".rdf": ox.RdfFormat.RDF_XML}
DESCRIPTION = {"http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
               "http://purl.org/dc/terms/format", "http://purl.org/dc/terms/license",
               "http://xmlns.com/foaf/0.1/primaryTopic", "http://rdfs.org/ns/void#inDataset"}


def doc(iri: str) -> str:
    return iri.partition("#")[0]


def expected_slices(dump: list[ox.Triple]) -> dict[str, set[ox.Triple]]:
    """Each document's slice, from the definition, for every document under BASE/id/."""
    by_doc: dict[str, set[ox.Triple]] = defaultdict(set)
    to_doc: dict[str, set[ox.Triple]] = defaultdict(set)  # by the document of the object
    for t in dump:
        by_doc[doc(t.subject.value)].add(t)
        if isinstance(t.object, ox.NamedNode):
            to_doc[doc(t.object.value)].add(t)
    labels: dict[str, set[ox.Triple]] = defaultdict(set)
    for t in dump:
        if t.predicate.value == LABEL:
            labels[t.subject.value].add(t)
    out = {}
    for d, own in by_doc.items():
        if not d.startswith(BASE + "id/"):
            continue
        chosen = set(own)
        for t in to_doc.get(d, ()):
            source_doc = doc(t.subject.value)
            if source_doc == d:
                continue
            if source_doc.startswith(BASE + "id/claim/"):
                if t.predicate.value == RDF_SUBJECT:
                    chosen |= by_doc[source_doc]
            elif source_doc.startswith(BASE + "id/"):
                chosen.add(t)
        names = {x.value for t in chosen for x in (t.subject, t.object)
                 if isinstance(x, ox.NamedNode) and doc(x.value) != d}
        for name in names:
            chosen |= labels.get(name, set())
        out[d] = chosen
    return out


def split(triples: list[ox.Triple], url: str) -> tuple[set[ox.Triple], set[ox.Triple]]:
    """(the document's description of itself, the rest)."""
    own = {t for t in triples if isinstance(t.subject, ox.NamedNode) and t.subject.value == url}
    return own, set(triples) - own


def jsonld_triples(path: Path, context: dict[str, Any]) -> list[ox.Triple]:
    """A JSON-LD document read by pyld in JSON-LD 1.0 mode (the context served locally)."""
    from pyld import jsonld

    def loader(url: str, options: Any = None) -> dict[str, Any]:
        assert url == BASE + "context.jsonld", url
        return {"contextUrl": None, "documentUrl": url, "document": context}

    nquads = jsonld.to_rdf(json.loads(path.read_bytes()),
                           {"format": "application/n-quads", "documentLoader": loader,
                            "processingMode": "json-ld-1.0"})
    return [ox.Triple(q.subject, q.predicate, q.object)
            for q in ox.parse(nquads.encode(), ox.RdfFormat.N_QUADS)]


@pytest.mark.site
def test_every_document_is_its_slice() -> None:
    site = built_site().folder
    dump = [ox.Triple(q.subject, q.predicate, q.object) for q in
            ox.parse(path=site / "dist/coldwar-lod.nt", format=ox.RdfFormat.N_TRIPLES)]
    context = json.loads((site / "context.jsonld").read_bytes())
    slices = expected_slices(dump)
    assert len(slices) > 700
    # The dataset's documents are its VoID description (test_whole_file_documents), which
    # holds the dump's statements about it too.
    dataset = slices.pop(BASE + "id/dataset/coldwar-lod")
    void = {ox.Triple(q.subject, q.predicate, q.object)
            for q in ox.parse(path=site / "dist/void.ttl", format=ox.RdfFormat.TURTLE)}
    assert dataset and dataset <= void
    for d, expected in slices.items():
        path = d[len(BASE):]
        for suffix in (".ttl", ".nt", ".rdf", ".jsonld"):
            file = site / (path + suffix)
            triples = (jsonld_triples(file, context) if suffix == ".jsonld" else
                       [ox.Triple(q.subject, q.predicate, q.object)
                        for q in ox.parse(path=file, format=FORMATS[suffix])])
            description, rest = split(triples, d + suffix)
            assert rest == expected, (file, sorted(map(str, rest ^ expected))[:5])
            assert {t.predicate.value for t in description} == DESCRIPTION, file
            assert ox.Triple(ox.NamedNode(d + suffix),
                             ox.NamedNode("http://xmlns.com/foaf/0.1/primaryTopic"),
                             ox.NamedNode(d)) in description


@pytest.mark.site
@pytest.mark.parametrize(("thing", "dump"), [("ontology", "ontology.ttl"),
                                             ("shapes", "shapes.ttl"),
                                             ("id/dataset/coldwar-lod", "void.ttl")])
def test_whole_file_documents(thing: str, dump: str) -> None:
    """The ontology's, the shapes' and the dataset's documents are their files, whole."""
    site = built_site().folder
    expected = rdflib.Graph().parse(site / "dist" / dump, format="turtle")
    context = json.loads((site / "context.jsonld").read_bytes())
    for suffix, fmt in ((".ttl", "turtle"), (".nt", "nt"), (".rdf", "xml"), (".jsonld", None)):
        url = BASE + thing + suffix
        graph = rdflib.Graph()
        if fmt is None:
            nt = "".join(f"{t} .\n" for t in jsonld_triples(site / (thing + suffix), context))
            graph.parse(data=nt, format="nt")
        else:
            graph.parse(site / (thing + suffix), format=fmt)
        graph.remove((rdflib.URIRef(url), None, None))
        assert to_isomorphic(graph) == to_isomorphic(expected), (thing, suffix)


@pytest.mark.site
def test_context_is_readable_json_ld_1_0() -> None:
    site = built_site().folder
    context = json.loads((site / "context.jsonld").read_bytes())["@context"]
    assert "@version" not in context
    assert context["id"] == "@id" and context["type"] == "@type"
    assert context["label"] == {"@id": "rdfs:label", "@container": "@language"}
    assert context["partOf"] == {"@id": "cwo:partOf", "@type": "@id"}
    assert context["when"] == {"@id": "cwo:when", "@type": "@id"}
    assert context["earliestBegin"]["@type"] == "xsd:dateTime"
    event = json.loads((site / "id/event/prague-spring.jsonld").read_bytes())
    node = next(n for n in event["@graph"] if n["id"] == "event:prague-spring")
    assert node["label"]["en"] == "Prague Spring"
    assert node["label"]["cs"] == "Pražské jaro"
    assert node["exactMatch"] == "wd:Q162401"
    assert isinstance(node["type"], str) and node["type"].startswith("cwo:")


@pytest.mark.site
def test_site_is_deterministic(tmp_path: Path) -> None:
    first = built_site().folder
    second = tmp_path / "again"
    build_site(second, ROOT / "data", redirect_to="http://127.0.0.1:{port}/")
    names = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


@pytest.mark.site
def test_failed_run_leaves_the_site_intact(tmp_path: Path, data_copy: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / MARKER).write_text("")
    (out / "index.html").write_text("previous")
    claims = data_copy / "claims.csv"
    claims.write_text(claims.read_text().replace(",czechoslovakia,", ",czechoslovkia,", 1))
    with pytest.raises(InputError.__mro__[1]):  # ColdwarError: the bad record
        build_site(out, data_copy)
    assert (out / "index.html").read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "site"]  # no leftovers


def test_refuses_to_replace_a_folder_it_did_not_write(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("keep")
    with pytest.raises(InputError, match="not written by"):
        build_site(tmp_path)
    assert (tmp_path / "precious.txt").read_text() == "keep"


def test_a_failing_writer_fails_the_run_and_leaves_the_site(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The forked writer's error reaches the command; the previous site stays, no leftovers."""
    from coldwar_lod.site.publish import Renderer

    out = tmp_path / "site"
    build_site(out)
    before = (out / "index.html").read_bytes()
    command = os.getpid()
    documents = Renderer.documents

    def failing(self: Renderer, path: str, triples: Any) -> Any:
        if os.getpid() != command:
            raise RuntimeError(f"the writer failed on {path}")
        return documents(self, path, triples)

    monkeypatch.setattr(Renderer, "documents", failing)
    with pytest.raises(RuntimeError, match="the writer failed on id/"):
        build_site(out)
    assert (out / "index.html").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_failure_in_the_command_stops_the_writer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command fails while the writer works: the writer finishes the batch it is on and
    takes no other, the run fails with the command's error and removes what it wrote."""
    import time

    from coldwar_lod.site import publish

    log = tmp_path / "taken.txt"
    take = publish._take
    documents = publish.Renderer.documents
    command = os.getpid()

    def logging(counter: Any) -> Any:  # what each process takes, in a file both can write
        inner = take(counter)

        def spy() -> int:
            index = inner()
            with log.open("a") as fh:
                fh.write(f"{os.getpid()} {index}\n")
            return index
        return spy

    def slow(self: publish.Renderer, path: str, triples: Any) -> Any:
        if os.getpid() != command and not hasattr(slow, "done"):
            slow.done = True  # type: ignore[attr-defined]
            time.sleep(0.5)  # the writer is on its first batch when the command fails
        return documents(self, path, triples)

    def failing(self: publish.Renderer, ntriples: Path) -> Any:
        deadline = time.monotonic() + 30
        while not log.exists() and time.monotonic() < deadline:  # the writer has begun
            time.sleep(0.01)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publish, "_take", logging)
    monkeypatch.setattr(publish.Renderer, "documents", slow)
    monkeypatch.setattr(publish.Renderer, "query_files", failing)
    out = tmp_path / "work" / "site"
    with pytest.raises(InputError, match="No space left on device"):
        build_site(out)
    assert not out.parent.exists() or sorted(out.parent.iterdir()) == []
    taken = [tuple(map(int, line.split())) for line in log.read_text().splitlines()]
    batches = len(publish.Renderer(*_build_for_batches()).resource_batches())
    assert all(pid != command for pid, _ in taken)  # the command failed before its share
    assert [index for _, index in taken if index < batches] == [0]
    assert len(taken) == 2  # the first batch, then a refusal


def _build_for_batches() -> tuple[Any, dict[str, bytes]]:
    import coldwar_lod

    result, _, files = coldwar_lod.build_and_render()
    return result, files
