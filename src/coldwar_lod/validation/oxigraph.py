"""The oxigraph engine: the compiled shapes (:mod:`.compiler`) evaluated by Oxigraph.

The queries run on a few threads; Oxigraph releases the GIL for part of their evaluation only,
so the gain is small (benchmarks/README.md).
"""

from __future__ import annotations

import concurrent.futures
import functools
import itertools
import os
import re
from collections.abc import Iterable, Sequence
from typing import BinaryIO, cast

import pyoxigraph as ox

from ..namespaces import RDFS
from ..rdfio import to_bytes
from ..resources import merged_shapes_bytes
from .compiler import VALUE_TYPES, Check, compile_shapes
from .ontology import ontology_ntriples
from .report import Outcome, RawResult, keep_first
from .shapes_index import UnsupportedShapesError


def non_canonical_literals(triples: Iterable[ox.Triple]) -> list[ox.Literal]:
    """Literals of the XSD value types that Oxigraph would store in another form."""
    candidates = {t.object for t in triples if isinstance(t.object, ox.Literal)
                  and t.object.datatype.value in VALUE_TYPES}
    if not candidates:
        return []
    subject, predicate = ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p")
    store = ox.Store()
    store.extend(ox.Quad(subject, predicate, lit, ox.DefaultGraph()) for lit in candidates)
    kept = {q.object for q in store}
    return sorted((lit for lit in candidates if lit not in kept), key=str)


def load(ntriples: Iterable[bytes | BinaryIO], lenient: bool = False) -> ox.Store:
    """An in-memory store holding N-Triples documents (bytes or binary streams, read as they
    load) in its default graph.

    :param ntriples: the documents, each loaded as the iteration reaches it.
    :param lenient: skip checking IRIs and language tags (only for documents that pyoxigraph
        wrote from its own terms); syntax errors are still errors.
    """
    store = ox.Store()
    for document in ntriples:  # one after the other: no copy of them all in one buffer
        store.bulk_load(document, format=ox.RdfFormat.N_TRIPLES, lenient=lenient)
    return store


def run(checks: Sequence[Check], store: ox.Store, threads: int | None = None) -> list[RawResult]:
    """Evaluate the checks on the store (default graph) in parallel; the results."""
    workers = threads or min(4, os.cpu_count() or 1)
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        batches = pool.map(functools.partial(_evaluate, store=store), checks)
        return [r for batch in batches for r in batch]


def _evaluate(check: Check, store: ox.Store) -> list[RawResult]:
    rows = store.query(check.query, use_default_graph_as_union=False)
    assert isinstance(rows, ox.QuerySolutions)
    focus: set[str] | None = None
    has_value = any(v.value == "value" for v in rows.variables)
    out = []
    for row in rows:
        this = row["this"]
        if this is None:
            raise UnsupportedShapesError(f"the SPARQL constraint of {check.shape} returned a row "
                                    "without $this")
        if check.focus_query is not None:
            if focus is None:
                solutions = store.query(check.focus_query)
                assert isinstance(solutions, ox.QuerySolutions)
                focus = {_text(s["this"]) for s in solutions}
            if _text(this) not in focus:
                continue
        value = row["value"] if has_value else None
        out.append(RawResult(check.severity, _text(this), check.path, check.shape,
                             check.component, _message(check.message, row),
                             _text(value) if value is not None else ""))
    return out


def _text(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return term.value
    return str(term)


def _message(template: str, row: ox.QuerySolution) -> str:
    if "{" not in template:
        return template

    def fill(match: re.Match[str]) -> str:
        try:
            value = row[match.group(1)]
        except KeyError:  # a variable the query does not select
            value = None
        return _text(value) if value is not None else match.group(0)

    return re.sub(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}", fill, template)



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
        checks = compile_shapes(merged_shapes_bytes(base))
    except UnsupportedShapesError as exc:
        return f"the shapes use {exc}"
    if not canonical:
        odd = non_canonical_literals(data)
        if odd:
            return (f"{len(odd)} literal(s) not in canonical form, such as {odd[0]}, which "
                    "Oxigraph would store as another literal")
    if ntriples is None:
        ntriples, trusted = to_bytes(data, ox.RdfFormat.N_TRIPLES), True
    documents: Iterable[bytes | BinaryIO] = (
        (cast("bytes | BinaryIO", ntriples),)
        if isinstance(ntriples, bytes) or hasattr(ntriples, "read")
        else ntriples)
    store = load(itertools.chain(documents, (ontology_ntriples(base),)), lenient=trusted)
    raw = run(checks, store)
    nodes = {n for r in raw if not r.focus.startswith(('"', "_:"))
             for n in (r.focus, r.focus.split("#", 1)[0])}
    labels: dict[str, str] = {}
    if nodes:
        rows = store.query(f"SELECT ?s ?label WHERE {{ VALUES ?s {{ "
                           f"{' '.join(f'<{n}>' for n in sorted(nodes))} }} "
                           f"?s {RDFS.label} ?label FILTER(lang(?label) = \"en\") }}")
        assert isinstance(rows, ox.QuerySolutions)
        for row in rows:
            subject, label = row["s"], row["label"]
            if isinstance(subject, ox.NamedNode) and isinstance(label, ox.Literal):
                keep_first(labels, subject.value, label.value)
    return raw, labels

