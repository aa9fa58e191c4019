"""Validating RDF against the project's SHACL shapes; a failed validation is a result.

Three engines give the same results (a differential test checks focus nodes, paths, source
shapes, components and severities on every fixture and on the real data):

* ``oxigraph`` (default): the shapes compiled to SPARQL (:mod:`coldwar_lod.shacl`), one query
  per constraint for all focus nodes at once, evaluated by Oxigraph. If the
  shapes use a SHACL feature it does not translate, or the data has literals Oxigraph would
  store in another form, it hands over to ``turbo`` and the report says why.
* ``turbo``: pyshacl-turbo, a Rust engine with pySHACL's API, fed the data as N-Triples text.
* ``pyshacl``: the reference implementation, for users who want it.

benchmarks/README.md has their speeds.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO, cast

import pyoxigraph as ox

from . import shacl
from .namespaces import RDFS, IriSpace, iri
from .resources import ontology_file, shape_files

if TYPE_CHECKING:  # rdflib is imported only by the engines that need it (start-up time)
    import rdflib

VALIDATORS = ("oxigraph", "turbo", "pyshacl")
_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True, slots=True, order=True)
class ValidationResult:
    """One SHACL validation result, with what a reader needs to find and fix it."""

    severity: str
    focus: str
    path: str
    source_shape: str
    component: str
    message: str
    value: str = ""
    focus_label: str = ""
    where: str = ""

    def key(self) -> tuple[str, str, str, str, str]:
        """What two engines must agree on: severity, focus, path, shape, component."""
        return (self.severity, self.focus, self.path, self.source_shape, self.component)


@dataclass(slots=True)
class ValidationReport:
    """The outcome of validating a graph: conformance and the results, sorted.

    ``conforms`` is false only if there are violations; warnings are reported but allowed.
    """

    conforms: bool
    results: list[ValidationResult] = field(default_factory=list)
    validator: str = "oxigraph"
    #: Why the engine asked for was not used (empty if it was).
    note: str = ""

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity != "Violation"]

    def text(self, prefixes: Mapping[str, str] | None = None) -> str:
        """A readable report: one block per result."""
        short = functools.partial(_shorten, prefixes=prefixes or {})
        lines = [f"{'Conforms' if self.conforms else 'Does not conform'}: "
                 f"{len(self.violations)} violation(s), {len(self.warnings)} warning(s) "
                 f"[{self.validator}]"]
        if self.note:
            lines.append(f"({self.note})")
        for r in self.results:
            node = short(r.focus) + (f' "{r.focus_label}"' if r.focus_label else "")
            lines.append(f"\n{r.severity}: {r.message}")
            lines.append(f"  node:  {node}")
            if r.path:
                lines.append(f"  path:  {short(r.path)}")
            if r.value:
                lines.append(f"  value: {short(r.value)}")
            lines.append(f"  shape: {short(r.source_shape)} ({short(r.component)})")
            if r.where:
                lines.append(f"  from:  {r.where}")
        return "\n".join(lines)


@functools.lru_cache(maxsize=4)
def ontology_bytes(base: str) -> bytes:
    """The ontology (Turtle, as written) moved to ``base``."""
    return IriSpace(base).rebase_text(ontology_file().read_text(encoding="utf-8")).encode()


@functools.lru_cache(maxsize=4)
def merged_shapes_bytes(base: str) -> bytes:
    """All shapes in one Turtle document, moved to ``base``.

    The shape files are concatenated as written (Turtle allows repeated ``@prefix``
    directives, and the files use no labelled blank nodes), which keeps their comments and
    their order, and is byte-identical from build to build: re-serializing would relabel the
    blank nodes of ``sh:or`` lists and paths at random.
    """
    space = IriSpace(base)
    parts = [b"# coldwar-lod SHACL shapes: the files of shapes/, merged.\n"]
    for path in shape_files():
        parts.append(f"\n# ---- {path.name} ----\n".encode())
        parts.append(space.rebase_text(path.read_text(encoding="utf-8")).encode())
    return b"".join(parts)


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


@functools.lru_cache(maxsize=4)
def ontology_ntriples(base: str) -> bytes:
    """The ontology, moved to ``base``, as N-Triples."""
    from .export import to_bytes

    return to_bytes(ontology_triples(base), ox.RdfFormat.N_TRIPLES)


def turbo_report(ntriples: bytes, base: str) -> rdflib.Graph:
    """Validate N-Triples data (the ontology is added) with pyshacl-turbo; the report graph.

    The engine parses the text itself, which is its fastest input.
    """
    from pyshacl_turbo.rdf import Input

    text = (ntriples + ontology_ntriples(base)).decode("utf-8")
    _, report, _ = compiled_shapes(base).validate(Input(text, "nt", None, {}),
                                                  allow_warnings=True)
    return report  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=4)
def ontology_triples(base: str) -> tuple[ox.Triple, ...]:
    """The ontology, moved to ``base``, as pyoxigraph triples."""
    from .rdfio import parse_triples

    return tuple(parse_triples(ontology_bytes(base), ox.RdfFormat.TURTLE))


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
            return report_from_outcome(outcome, lineage)
        validator, note = "turbo", f"oxigraph engine not used: {outcome}"
    import rdflib

    report_graph: rdflib.Graph
    if validator == "turbo":
        from .export import to_bytes

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
    report = _report(raw, _english_labels(data) if raw else {}, validator, lineage)
    report.note = note
    return report


#: What the oxigraph engine found: the results and the English labels of their focus nodes.
Outcome = tuple[list[shacl.RawResult], dict[str, str]]


def oxigraph_outcome(data: list[ox.Triple], base: str,
                     ntriples: bytes | BinaryIO | Iterable[bytes] | None,
                     canonical: bool, trusted: bool = False) -> Outcome | str:
    """The oxigraph engine's results and the English labels of their focus nodes, or why it
    cannot validate this data with these shapes (then the caller uses turbo).

    :param data: the triples (looked at only if not ``canonical`` or without ``ntriples``).
    :param ntriples: the data as N-Triples, if the caller has them: bytes, a stream that is
        read as the store loads (no copy of the whole document in memory), or chunks of
        whole statements, each loaded as it comes (the validating child's input).
    :param trusted: ``ntriples`` were written by pyoxigraph's serializer from its own terms,
        whose IRIs and language tags it checked when they were made: load them without
        checking again (Oxigraph's lenient mode; a third faster). Made here, they are.
    """
    try:
        checks = shacl.compile_shapes(merged_shapes_bytes(base))
    except shacl.UnsupportedShapesError as exc:
        return f"the shapes use {exc}"
    if not canonical:
        odd = shacl.non_canonical_literals(data)
        if odd:
            return (f"{len(odd)} literal(s) not in canonical form, such as {odd[0]}, which "
                    "Oxigraph would store as another literal")
    if ntriples is None:
        from .export import to_bytes

        ntriples, trusted = to_bytes(data, ox.RdfFormat.N_TRIPLES), True
    documents: Iterable[bytes | BinaryIO] = (
        (cast("bytes | BinaryIO", ntriples),)
        if isinstance(ntriples, bytes) or hasattr(ntriples, "read")
        else ntriples)
    store = shacl.load(itertools.chain(documents, (ontology_ntriples(base),)), lenient=trusted)
    raw = shacl.run(checks, store)
    nodes = {n for r in raw if not r.focus.startswith(('"', "_:"))
             for n in (r.focus, r.focus.split("#", 1)[0])}
    labels: dict[str, str] = {}
    if nodes:
        rows = store.query(f"SELECT ?s ?label WHERE {{ VALUES ?s {{ "
                           f"{' '.join(f'<{n}>' for n in sorted(nodes))} }} "
                           f"?s <{RDFS}label> ?label FILTER(lang(?label) = \"en\") }}")
        assert isinstance(rows, ox.QuerySolutions)
        for row in rows:
            subject, label = row["s"], row["label"]
            if isinstance(subject, ox.NamedNode) and isinstance(label, ox.Literal):
                _keep_first(labels, subject.value, label.value)
    return raw, labels


def report_from_outcome(outcome: Outcome, lineage: Mapping[str, str] | None = None
                        ) -> ValidationReport:
    """The report of an :data:`Outcome` of the oxigraph engine."""
    return _report(*outcome, "oxigraph", lineage)


def _report(raw: list[shacl.RawResult], labels: Mapping[str, str], validator: str,
            lineage: Mapping[str, str] | None) -> ValidationReport:
    """The report: results with the labels of their nodes and the lines of their records."""
    lineage = lineage or {}
    results = []
    for r in raw:
        parent = r.focus.split("#", 1)[0]
        results.append(ValidationResult(
            severity=r.severity, focus=r.focus, path=r.path, source_shape=r.shape,
            component=r.component, message=r.message or "(no message)", value=r.value,
            focus_label=labels.get(r.focus) or labels.get(parent, ""),
            where=lineage.get(r.focus) or lineage.get(parent, "")))
    results.sort(key=lambda r: (_SEVERITY_ORDER.get(r.severity, 9), r.where, r.focus, r.path,
                                r.source_shape, r.component, r.value, r.message))
    conforms = not any(r.severity == "Violation" for r in results)
    return ValidationReport(conforms, results, validator)


def to_rdflib(triples: Iterable[ox.Triple], graph: rdflib.Graph | None = None) -> rdflib.Graph:
    """Copy pyoxigraph triples into an rdflib graph (through N-Triples, so terms are exact)."""
    import rdflib

    graph = graph if graph is not None else rdflib.Graph()
    from .export import to_bytes

    graph.parse(data=to_bytes(triples, ox.RdfFormat.N_TRIPLES).decode("utf-8"), format="nt")
    return graph


def _keep_first(labels: dict[str, str], node: str, label: str) -> None:
    """Of several English labels (a violation in itself), show the first in code-point order."""
    if node not in labels or label < labels[node]:
        labels[node] = label


def _english_labels(triples: Iterable[ox.Triple]) -> dict[str, str]:
    label = ox.NamedNode(RDFS + "label")
    out: dict[str, str] = {}
    for t in triples:
        if t.predicate == label and isinstance(t.object, ox.Literal) and t.object.language == "en":
            _keep_first(out, iri(t.subject), t.object.value)
    return out


def _raw_results(report: rdflib.Graph) -> list[shacl.RawResult]:
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
            shacl.COMPLEX_PATH if path_node is not None else "")
        value_node = report.value(node, SH.value)
        value = value_node.n3() if isinstance(value_node, rdflib.Literal) else (
            str(value_node) if value_node is not None else "")
        out.append(shacl.RawResult(
            severity=one(SH.resultSeverity).rsplit("#", 1)[-1], focus=one(SH.focusNode),
            path=path, shape=one(SH.sourceShape), component=one(SH.sourceConstraintComponent),
            message=min((str(m) for m in report.objects(node, SH.resultMessage)), default=""),
            value=value))
    return out


def _shorten(iri: str, prefixes: Mapping[str, str]) -> str:
    best = max((p for p in prefixes.items() if iri.startswith(p[1])), key=lambda p: len(p[1]),
               default=None)
    return f"{best[0]}:{iri[len(best[1]):]}" if best else iri
