"""Validating RDF against the project's SHACL shapes; a failed validation is a result.

Three engines give the same results (a differential test checks focus nodes, paths, source
shapes, components and severities on every fixture and on the real data):

* ``oxigraph`` (default): the shapes compiled to SPARQL (:mod:`.compiler`, :mod:`.oxigraph`),
  one query per constraint for all focus nodes at once, evaluated by Oxigraph. If the shapes
  use a SHACL feature it does not translate, or the data has literals Oxigraph would store in
  another form, it hands over to ``turbo`` and the report says why.
* ``turbo``: pyshacl-turbo, a Rust engine with pySHACL's API, fed the data as N-Triples text.
* ``pyshacl``: the reference implementation, for users who want it.

benchmarks/README.md has their speeds.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from ..namespaces import IriSpace
from ..rdfio import to_bytes
from ..resources import merged_shapes_bytes
from .ontology import ontology_ntriples, ontology_triples
from .oxigraph import oxigraph_outcome
from .report import COMPLEX_PATH, RawResult, ValidationReport, english_labels, report_from_outcome

if TYPE_CHECKING:  # rdflib is imported only by the engines that need it (start-up time)
    import rdflib

VALIDATORS = ("oxigraph", "turbo", "pyshacl")


@functools.lru_cache(maxsize=4)
def shapes_graph(base: str) -> rdflib.Graph:
    """All shapes, moved to ``base``, as one rdflib graph (cached: do not modify it)."""
    import rdflib

    return rdflib.Graph().parse(data=merged_shapes_bytes(base), format="turtle")


@functools.lru_cache(maxsize=4)
def compiled_shapes(base: str) -> Any:
    """The shapes compiled once by pyshacl-turbo (reused by every validation in a process)."""
    import pyshacl_turbo

    return pyshacl_turbo.compile_shapes(shapes_graph(base))  # type: ignore[no-untyped-call]




def turbo_report(ntriples: bytes, base: str) -> rdflib.Graph:
    """Validate N-Triples data (the ontology is added) with pyshacl-turbo; the report graph.

    The engine parses the text itself, which is its fastest input.
    """
    from pyshacl_turbo.rdf import Input

    text = (ntriples + ontology_ntriples(base)).decode("utf-8")
    _, report, _ = compiled_shapes(base).validate(Input(text, "nt", None, {}),
                                                  allow_warnings=True)
    return report  # type: ignore[no-any-return]



def validate_triples(
    triples: Iterable[ox.Triple],
    space: IriSpace,
    *,
    validator: str = "oxigraph",
    lineage: Mapping[str, str] | None = None,
    ntriples: bytes | None = None,
    canonical: bool = False,
) -> ValidationReport:
    """Validate triples (with the ontology, for class hierarchy) against the shapes.

    :param triples: the data.
    :param space: the IRI space the data and shapes live in.
    :param validator: ``"oxigraph"``, ``"turbo"`` or ``"pyshacl"``.
    :param lineage: node IRI -> ``file:line`` of the record that produced it.
    :param ntriples: the triples as N-Triples, if the caller has them already.
    :param canonical: the caller guarantees every literal is in its canonical form (as
        :func:`coldwar_lod.pipeline.build` writes them), so the ``oxigraph`` engine need not
        look for literals it would store in another form.
    :raises ValueError: for an unknown validator name.
    """
    if validator not in VALIDATORS:
        raise ValueError(f"unknown validator {validator!r}; one of: {', '.join(VALIDATORS)}")
    data = triples if isinstance(triples, list) else list(triples)
    note = ""
    if validator == "oxigraph":
        outcome = oxigraph_outcome(data, space.base, ntriples, canonical)
        if not isinstance(outcome, str):
            return report_from_outcome(outcome, "oxigraph", lineage)
        validator, note = "turbo", f"oxigraph engine not used: {outcome}"
    import rdflib

    report_graph: rdflib.Graph
    if validator == "turbo":
        if ntriples is None:
            ntriples = to_bytes(data, ox.RdfFormat.N_TRIPLES)
        report_graph = turbo_report(ntriples, space.base)
    else:
        import pyshacl

        graph = to_rdflib([*data, *ontology_triples(space.base)])
        # pySHACL adds OWL/RDFS axioms to the shapes graph it is given: hand it a copy, so the
        # cached graph (shared by every validation of the process) stays as written.
        shapes = rdflib.Graph()
        for triple in shapes_graph(space.base):
            shapes.add(triple)
        _, report_graph, _ = pyshacl.validate(graph, shacl_graph=shapes,
                                              allow_warnings=True, inference="none")
    raw = _raw_results(report_graph)
    report = report_from_outcome((raw, english_labels(data) if raw else {}), validator, lineage)
    report.note = note
    return report




def to_rdflib(triples: Iterable[ox.Triple], graph: rdflib.Graph | None = None) -> rdflib.Graph:
    """Copy pyoxigraph triples into an rdflib graph (through N-Triples, so terms are exact)."""
    import rdflib

    graph = graph if graph is not None else rdflib.Graph()
    graph.parse(data=to_bytes(triples, ox.RdfFormat.N_TRIPLES).decode("utf-8"), format="nt")
    return graph



def _raw_results(report: rdflib.Graph) -> list[RawResult]:
    import rdflib
    from rdflib.namespace import SH

    out = []
    for node in report.objects(None, SH.result):
        def one(predicate: rdflib.URIRef, node: Any = node) -> str:
            values = sorted(v.n3() if isinstance(v, rdflib.Literal) else str(v)
                            for v in report.objects(node, predicate))
            return values[0] if values else ""

        path_node = report.value(node, SH.resultPath)
        path = str(path_node) if isinstance(path_node, rdflib.URIRef) else (
            COMPLEX_PATH if path_node is not None else "")
        value_node = report.value(node, SH.value)
        value = value_node.n3() if isinstance(value_node, rdflib.Literal) else (
            str(value_node) if value_node is not None else "")
        out.append(RawResult(
            severity=one(SH.resultSeverity).rsplit("#", 1)[-1], focus=one(SH.focusNode),
            path=path, shape=one(SH.sourceShape), component=one(SH.sourceConstraintComponent),
            message=min((str(m) for m in report.objects(node, SH.resultMessage)), default=""),
            value=value))
    return out

