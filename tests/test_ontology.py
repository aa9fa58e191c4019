"""The ontology parses, documents every term, and covers every term the data uses."""

from __future__ import annotations

import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from coldwar_lod import model
from coldwar_lod.dataset import Build
from coldwar_lod.resources import ontology_file

CWO = "https://w3id.org/coldwar-lod/ontology#"
ONTOLOGY_IRI = rdflib.URIRef("https://w3id.org/coldwar-lod/ontology")


def load() -> rdflib.Graph:
    return rdflib.Graph().parse(ontology_file(), format="turtle")


def defined_terms(graph: rdflib.Graph) -> set[str]:
    return {str(s) for s in graph.subjects(RDF.type, None) if str(s).startswith(CWO)}


def test_header_has_version_and_licence() -> None:
    g = load()
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in g
    assert g.value(ONTOLOGY_IRI, OWL.versionInfo) is not None
    assert g.value(ONTOLOGY_IRI, OWL.versionIRI) is not None
    assert g.value(ONTOLOGY_IRI, rdflib.URIRef("http://purl.org/dc/terms/license")) is not None


def test_every_term_has_label_definition_and_defined_by() -> None:
    g = load()
    terms = defined_terms(g)
    assert len(terms) > 100
    for term in sorted(terms):
        node = rdflib.URIRef(term)
        langs = {lit.language for lit in g.objects(node, RDFS.label)}
        assert "en" in langs, f"{term} has no English label"
        assert any(d.language == "en" for d in g.objects(node, SKOS.definition)), \
            f"{term} has no English definition"
        assert (node, RDFS.isDefinedBy, ONTOLOGY_IRI) in g, f"{term} lacks rdfs:isDefinedBy"


def test_terms_of_the_record_model_are_defined() -> None:
    terms = {t.removeprefix(CWO) for t in defined_terms(load())}
    names = {*(c for types in model.TYPES.values() for c in types.values()),
             *(p.term for p in model.CLAIM_PROPERTIES.values()), *model.ROLES.values(),
             *model.RANKS.values(), *model.BOUNDS.values(), *model.PRECISION_TERMS.values()}
    assert names - terms == set()


def test_data_uses_only_defined_terms(built: Build) -> None:
    terms = defined_terms(load())
    used = set()
    for t in built.triples:
        for term in (t.predicate, t.object):
            if term.value.startswith(CWO):
                used.add(term.value)
        if t.predicate.value == str(RDF.type):
            used.add(t.object.value)
    assert {u for u in used if u.startswith(CWO)} - terms == set()
    # Terms from other vocabularies are used only where the ontology aligns or the mapping
    # documents them; every class an instance has is either ours or a W3C one.
    foreign_types = {u for u in used if not u.startswith(CWO)}
    assert foreign_types <= {"http://www.w3.org/ns/oa#TextPositionSelector"}


def test_alignments_point_outside() -> None:
    g = load()
    aligned = {str(o) for p in (RDFS.subClassOf, RDFS.subPropertyOf)
               for o in g.objects(None, p) if not str(o).startswith(CWO)}
    for vocabulary in ("http://www.cidoc-crm.org/cidoc-crm/", "https://schema.org/",
                       "http://www.w3.org/ns/prov#", "http://semanticweb.cs.vu.nl/2009/11/sem/",
                       "http://www.w3.org/2006/time#"):
        assert any(a.startswith(vocabulary) for a in aligned), vocabulary
    wikidata = {str(o) for o in g.objects(None, SKOS.closeMatch)} | {
        str(o) for o in g.objects(None, SKOS.exactMatch)}
    assert "http://www.wikidata.org/prop/direct/P710" in wikidata
