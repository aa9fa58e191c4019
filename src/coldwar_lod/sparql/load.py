"""Loading the dataset into a SPARQL 1.1 store, all or nothing.

Everything here speaks the W3C standards only, so the same command loads Oxigraph, Virtuoso,
Apache Jena Fuseki, GraphDB or QLever: the SPARQL 1.1 Protocol for queries, the SPARQL 1.1 Graph
Store HTTP Protocol (GSP) for uploads, and SPARQL 1.1 Update where a service has no GSP. What
differs between stores (URLs, authentication, row caps, durability) is in their profiles
(:mod:`coldwar_lod.sparql.profiles`).

Graph layout in a store (``BASE`` is the base IRI, default ``https://w3id.org/coldwar-lod/``):

=============================  ==============================================
``BASE/graph/data``            the dataset (``--graph`` moves it)
``BASE/graph/ontology``        the ontology (``cwo:`` terms)
``BASE/graph/shapes``          the SHACL shapes, merged
=============================  ==============================================

A load is all-or-nothing, and writes as little as it can:

1. the targets' triple counts are asked (one query for all of them);
2. a target the store does not hold yet gets all its new triples; one it holds is read back
   (GSP ``GET``, or ``CONSTRUCT``) and compared with the new version, and gets only the
   differences: the triples to add and the triples to remove. Triples with blank nodes cannot
   be named by a later request, so those are replaced as a set (deleted by pattern, all the new
   ones added). A graph that changed more than it stayed the same is replaced whole;
3. these triples go into fresh temporary graphs (``<target>.load-<random>`` and
   ``…-remove``), by GSP ``POST`` in requests of ``chunk_size`` triples, or ``INSERT DATA``;
   nothing the targets hold is touched yet;
4. one query checks every temporary graph's count against what was sent, and that no target
   that was read or empty has changed its count since (a load assumes nobody else writes the
   target graphs meanwhile: the differences are computed against what it read);
5. **one** SPARQL Update request writes every target from its temporary graphs
   (``DROP SILENT GRAPH <t>`` for a full graph replaced whole, one ``DELETE { GRAPH ?g {…} }
   WHERE { { GRAPH <tmp-remove> {…} BIND (<t> AS ?g) } UNION … }``, one such ``INSERT`` from
   the ``<tmp>`` graphs) and writes a one-triple *receipt* graph ``<data>.load-<random>-done``;
6. one request drops the temporary graphs and the receipt; the targets' counts are checked.

Why a failure leaves the previous graphs as they were: before step 5 only temporary graphs are
written, and they are dropped again on any error or interruption. Step 5 is one update request,
which a store runs as one transaction (SPARQL 1.1 Update asks services to treat a request
atomically; Oxigraph, Fuseki/TDB2 and GraphDB/RDF4J do): every target changes, or none does.
If its answer is lost (dropped connection, cut-off answer, timeout), the receipt tells whether
the transaction was applied; the request is never re-sent, and after a timeout its temporary
graphs are left to it. The swap only uses ``DELETE``/``INSERT … WHERE``, ``INSERT DATA`` and
``DROP``, which every SPARQL 1.1 Update service implements (``MOVE`` is not needed).

A **first load** (no target holds a triple) into a store whose profile names a ``dataset_url``
(Oxigraph: ``/store``) skips the temporary graphs: every graph and the receipt go in **one**
``POST`` of N-Quads, which the store runs as one transaction, so it holds all the graphs or none
(the targets were empty: "none" is the previous state). If the counts are wrong afterwards, the
targets are dropped again. This writes the data once instead of three times.

Once a load is complete, a store whose profile has a durability step gets it (Virtuoso: a
``checkpoint``, so that the load never depends on replaying the transaction log).

Why it writes as little as it can, and the figures: benchmarks/README.md ("Loading a store").
A graph cannot be replaced atomically together with others in any other standard way: a GSP
``PUT`` replaces one graph per request.

Credentials: :mod:`coldwar_lod.sparql.auth`.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox

from ..errors import EndpointError, InputError
from ..namespaces import RDFS
from .graphs import (
    UNSUPPORTED_STATUSES,
    UnreadableGraphError,
    count_graphs,
    count_triples,
    has_blank_node,
    read_graph,
)
from .http import (
    Endpoint,
    EndpointTimeoutError,
    HttpStatusError,
    http_request,
    sparql_update,
    with_param,
)
from .plan import GraphUpload, Plan, chunks, dataset_graphs, swap_update

if TYPE_CHECKING:  # pragma: no cover
    from ..dataset import Build

__all__ = ["CHUNK_SIZE", "GraphUpload", "LoadReport", "chunks", "dataset_graphs", "load_store"]

#: Default number of triples per upload request.
CHUNK_SIZE = 100_000

#: Without a timeout of its own, the swap and the clean-up get at least this many seconds
#: (big graphs make slow writes); ``swap_timeout`` (``load --timeout``) replaces it.
SWAP_TIMEOUT = 600.0


#: A graph that would take more reads than this below a store's row cap is replaced whole:
#: a store walks from the start for every ``OFFSET``, so reading grows with the square of the
#: graph (Virtuoso, a million triples: 207 s to read, 30 s to write; benchmarks/README.md).
MAX_PAGES = 20

Progress = Callable[[str], None]


@dataclass(slots=True)
class LoadReport:
    """What a load did: per graph, the triples before and after, and how it was done.

    ``added`` and ``removed`` count, per graph, the triples the swap wrote (all of them where a
    graph was replaced whole). ``swap`` is ``direct`` for a first load sent in one request,
    ``whole`` or ``diff`` otherwise; ``durable`` names the durability step that ran, if any.

    >>> import coldwar_lod
    >>> try:  # a real store answers with a report; here nothing listens on port 9
    ...     coldwar_lod.load_store(coldwar_lod.build(), "http://127.0.0.1:9")
    ... except coldwar_lod.EndpointError as exc:
    ...     print(str(exc).split(" (")[0])
    cannot connect to http://127.0.0.1:9/query: connection refused
    """

    endpoint: Endpoint
    graphs: list[GraphUpload] = field(repr=False)
    before: dict[str, int]
    after: dict[str, int]
    method: str  # "gsp", "update" or "dataset"
    swap: str  # "direct", "diff" (a graph got only its differences) or "whole"
    requests: int
    seconds: float
    added: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    durable: str = ""

    @property
    def triples(self) -> int:
        """Triples in the loaded graphs, as the store counted them after the load."""
        return sum(self.after.values())


def _drop_advice(graphs: Sequence[str]) -> str:
    """The update that removes graphs a load left behind, naming each one."""
    return " ; ".join(f"DROP SILENT GRAPH <{g}>" for g in graphs)


class _Loader:
    def __init__(self, endpoint: Endpoint, chunk_size: int, progress: Progress | None,
                 swap_timeout: float | None) -> None:
        self.endpoint = endpoint
        self.chunk_size = chunk_size
        self.say = progress or (lambda _message: None)
        self.method = "gsp" if endpoint.gsp_url else "update"
        self.requests = 0
        self.touched: set[str] = set()  # the graphs an upload was sent to
        patience = swap_timeout or max(endpoint.timeout, SWAP_TIMEOUT)
        self.patient = dataclasses.replace(endpoint, timeout=patience)

    def plan(self, upload: GraphUpload, before: int, token: str) -> Plan:
        """Compare the target with the new version: the whole graph, or only the changes."""
        whole = Plan(upload, list(upload.triples), [], f"{upload.iri}.load-{token}",
                     f"{upload.iri}.load-{token}-remove", before=before)
        if not before:
            return whole
        cap = self.endpoint.row_cap
        if cap and before > MAX_PAGES * cap:  # paging costs more than writing it again
            self.say(f"  {upload.name}: {before:,} triples would take more than {MAX_PAGES} "
                     f"reads of {cap:,}; replacing it whole")
            return whole
        self.say(f"reading {upload.name}: {before:,} triples in <{upload.iri}>")
        try:
            ground, blank = read_graph(self.endpoint, upload.iri, before)
        except (UnreadableGraphError, HttpStatusError) as exc:
            if isinstance(exc, HttpStatusError) and exc.status not in UNSUPPORTED_STATUSES:
                raise
            self.say(f"  {upload.name}: cannot read the graph ({exc}); replacing it whole")
            return whole
        if len(ground) + blank != before:
            self.say(f"  {upload.name}: read {len(ground) + blank:,} triples, not {before:,} "
                     "(changed meanwhile?); replacing it whole")
            return whole
        new = {t for t in upload.triples if not has_blank_node(t)}
        add = [t for t in upload.triples if t not in ground or has_blank_node(t)]
        remove = [t for t in ground if t not in new]
        changes = len(add) + len(remove) + blank
        if changes >= len(upload.triples):  # most of it changed: cheaper to replace it whole
            self.say(f"  {upload.name}: {changes:,} triples differ; replacing it whole")
            return whole
        self.say(f"  {upload.name}: {len(add):,} triples to add, {len(remove):,} to remove"
                 + (f", {blank:,} with blank nodes replaced" if blank else ""))
        remove.sort(key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
        return Plan(upload, add, remove, whole.add_graph, whole.remove_graph, False, blank,
                    before)

    def stage(self, plan: Plan) -> None:
        """Upload a plan's triples to its temporary graphs."""
        name = plan.upload.name
        if plan.add:
            self.say(f"uploading {name}: {len(plan.add):,} triples to <{plan.add_graph}>")
            self.upload(name, plan.add, plan.add_graph)
        if plan.remove:
            self.say(f"uploading {name}: {len(plan.remove):,} triples to remove to "
                     f"<{plan.remove_graph}>")
            self.upload(name, plan.remove, plan.remove_graph)

    def upload(self, name: str, triples: Sequence[ox.Triple], tmp: str) -> None:
        size = self.chunk_size
        if self.method == "update" and self.endpoint.max_update:  # the store's largest update
            size = min(size, self.endpoint.max_update)
        pieces = chunks(triples, size)
        sent = 0
        for piece in pieces:
            payload = ox.serialize(piece, format=ox.RdfFormat.N_TRIPLES) or b""
            self.post(tmp, payload)
            sent += len(piece)
            if len(pieces) > 1:
                self.say(f"  {name}: {sent:,}/{len(triples):,} triples "
                         f"({100 * sent // max(len(triples), 1)}%)")

    def post(self, graph: str, payload: bytes) -> None:
        self.touched.add(graph)
        if self.method == "gsp" and self.endpoint.gsp_url:
            self.requests += 1
            try:
                # N-Triples is a subset of Turtle, the one type every GSP service accepts.
                http_request(self.endpoint, "POST", with_param(self.endpoint.gsp_url, graph=graph),
                             body=payload, headers={"Content-Type": "text/turtle"},
                             service="Graph Store Protocol service")
                return
            except HttpStatusError as exc:
                if exc.status not in (404, 405, 415, 501):
                    raise
                self.say(f"no Graph Store Protocol at "
                         f"{self.endpoint.redact(self.endpoint.gsp_url)} (HTTP {exc.status}); "
                         "uploading with SPARQL Update")
                self.method = "update"
        # Re-sending the same triples is harmless (a graph is a set), so uploads are retried.
        self.requests += 1
        sparql_update(self.endpoint,
                      f"INSERT DATA {{ GRAPH <{graph}> {{\n{payload.decode('utf-8')}}} }}")

    def post_dataset(self, uploads: Sequence[GraphUpload], receipt: str) -> None:
        """Every graph and the receipt in one POST of N-Quads: one transaction."""
        self.requests += 1
        parts = []
        for upload in uploads:
            self.say(f"uploading {upload.name}: {len(upload.triples):,} triples to "
                     f"<{upload.iri}>")
            lines = ox.serialize(upload.triples, format=ox.RdfFormat.N_TRIPLES) or b""
            # N-Triples escapes line breaks in literals: " .\n" only ends a line
            parts.append(lines.replace(b" .\n", f" <{upload.iri}> .\n".encode()))
        parts.append(_receipt_quad(receipt).encode())
        assert self.endpoint.dataset_url is not None
        http_request(self.patient, "POST", self.endpoint.dataset_url, body=b"".join(parts),
                     headers={"Content-Type": "application/n-quads"}, idempotent=False,
                     service="Graph Store Protocol service")

    def swap(self, plans: list[Plan], receipt: str) -> None:
        """Write every plan into its target, and the receipt, in one update request."""
        self.requests += 1
        sparql_update(self.patient, swap_update(plans, receipt), idempotent=False)

    def drop(self, graphs: list[str]) -> list[str]:
        """Drop temporary graphs in one request (best effort); returns them if that failed."""
        if not graphs:
            return []
        self.requests += 1
        try:
            sparql_update(self.patient, " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs))
        except (EndpointError, InputError):
            return list(graphs)
        return []

    def make_durable(self) -> str:
        """Run the store's durability step, if its profile has one; what happened."""
        if not self.endpoint.durable:
            return ""
        self.requests += 1
        try:
            http_request(self.patient, "POST", self.endpoint.update_url or
                         self.endpoint.query_url,
                         body=_form(query=self.endpoint.durable),
                         headers={"Content-Type": "application/x-www-form-urlencoded",
                                  "Accept": "application/sparql-results+json"})
        except EndpointError as exc:
            self.say(f"the load is complete, but the {self.endpoint.store} durability step "
                     f"failed ({exc}); run a checkpoint on the server")
            return "failed"
        self.say(f"made the load durable ({self.endpoint.store}: checkpoint)")
        return "checkpoint"


def _form(**fields: str) -> bytes:
    import urllib.parse

    return urllib.parse.urlencode(fields).encode("utf-8")


def _receipt_quad(receipt: str) -> str:
    return (f"<{receipt}> {RDFS.comment} \"the swap of a coldwar-lod load was applied\" "
            f"<{receipt}> .\n")


def _settle(exc: EndpointError, endpoint: Endpoint, receipt: str) -> None:
    """After the one request that writes the targets failed: raise the error that says what
    the store holds, or return if it applied the request anyway (its receipt is there)."""
    happened = _swap_happened(endpoint, receipt)
    if happened:
        return
    if happened is False and isinstance(exc, EndpointTimeoutError):
        raise EndpointError(f"{exc}: the store may still be replacing the graphs; the "
                            "update is one transaction, so it will hold either all the "
                            "previous graphs or all the new ones") from None
    if happened is None:
        raise EndpointError(f"{exc}; the store could not be asked whether the update "
                            "was applied: it is one transaction, so the store holds "
                            "either all the previous graphs or all the new ones") from None
    raise _RefusedError(f"{exc}; the previous graphs are unchanged") from None


class _RefusedError(EndpointError):
    """The store did not apply the request that writes the targets."""


def load_store(build: Build, endpoint: Endpoint | str, *, graph: str | None = None,
               replace: bool = False, chunk_size: int = CHUNK_SIZE,
               progress: Progress | None = None,
               swap_timeout: float | None = None) -> LoadReport:
    """Load the dataset, the ontology and the shapes into a SPARQL 1.1 store, all or nothing.

    A first load into a store that writes several graphs in one request (its profile's
    ``dataset_url``) sends everything in one request. Otherwise, a graph the store does not
    hold yet is uploaded whole; one it holds is read first and only the differences are
    uploaded. Either way the triples go to new temporary graphs first (GSP ``POST``, in
    requests of ``chunk_size`` triples; SPARQL Update ``INSERT DATA`` where the service has no
    GSP) and their counts are checked. A single SPARQL Update request then writes every target
    from its temporary graphs; the temporary graphs are dropped and the targets' counts checked
    afterwards. See the module documentation for why a failure at any point leaves the previous
    graphs as they were.

    :param build: the dataset (:func:`coldwar_lod.build`).
    :param endpoint: an :class:`Endpoint`, or a query URL for :meth:`Endpoint.from_url`.
    :param graph: the named graph for the data (default ``BASE/graph/data``).
    :param replace: replace graphs that already hold triples; without it such a load is
        refused, so nothing is overwritten by accident.
    :param chunk_size: triples per upload request.
    :param progress: called with a line of text at each step (e.g. ``print``).
    :param swap_timeout: seconds the request that writes the targets, and the clean-up, may
        take (default: the endpoint's timeout, at least :data:`SWAP_TIMEOUT`).
    :raises InputError: for a bad graph IRI, or if a target graph is not empty and
        ``replace`` is false.
    :raises EndpointError: if the store cannot be reached, refuses a request, or holds other
        counts than expected; the previous graphs are then unchanged.

    >>> import coldwar_lod
    >>> try:  # tests/sparql/test_load.py loads real servers; nothing listens on port 9 here
    ...     load_store(coldwar_lod.build(), "http://127.0.0.1:9", graph="not an IRI")
    ... except InputError as exc:
    ...     print(str(exc).split(":")[0])
    bad graph IRI 'not an IRI'
    """
    started = time.perf_counter()
    if isinstance(endpoint, str):
        endpoint = Endpoint.from_url(endpoint)
    if chunk_size < 1:
        raise InputError(f"the chunk size must be positive, not {chunk_size}")
    if graph is not None:
        try:
            ox.NamedNode(graph)
        except ValueError as exc:
            raise InputError(f"bad graph IRI {graph!r}: {exc}") from None
    uploads = dataset_graphs(build, graph)
    targets = [u.iri for u in uploads]
    loader = _Loader(endpoint, chunk_size, progress, swap_timeout)
    before = count_graphs(endpoint, targets)
    busy = [u for u in uploads if before[u.iri]]
    if busy and not replace:
        names = ", ".join(f"<{u.iri}> ({before[u.iri]:,} triples)" for u in busy)
        raise InputError(f"the store already holds {names}; pass --replace to replace "
                         "them (nothing was changed)")
    token = uuid.uuid4().hex[:12]
    receipt = f"{targets[0]}.load-{token}-done"
    if endpoint.dataset_url and not busy:
        plans = [Plan(u, list(u.triples), [], u.iri, u.iri) for u in uploads]
        _load_directly(loader, uploads, receipt)
    else:
        plans = [loader.plan(u, before[u.iri], token) for u in uploads]
        _load_through_temporaries(loader, plans, targets, before, receipt)
    after = count_graphs(endpoint, targets)
    wrong = [u for u in uploads if after[u.iri] != len(u.triples)]
    if wrong:
        names = ", ".join(f"<{u.iri}> holds {after[u.iri]:,}, expected {len(u.triples):,}"
                          for u in wrong)
        if endpoint.dataset_url and not busy:  # they were empty: empty them again
            left = loader.drop(targets)
            raise EndpointError(f"after the load, {names}; "
                                + (f"could not drop them again: {_drop_advice(left)}" if left
                                   else "the graphs were dropped again (the store is as it "
                                   "was)"))
        raise EndpointError(f"after the load, {names}")
    durable = loader.make_durable()
    return LoadReport(endpoint, uploads, before, after,
                      "dataset" if endpoint.dataset_url and not busy else loader.method,
                      "direct" if endpoint.dataset_url and not busy else
                      "whole" if all(p.whole for p in plans) else "diff",
                      loader.requests, time.perf_counter() - started,
                      added={p.upload.iri: len(p.add) for p in plans},
                      removed={p.upload.iri: before[p.upload.iri] if p.whole
                               else len(p.remove) + p.blank_before for p in plans},
                      durable=durable)


def _load_directly(loader: _Loader, uploads: Sequence[GraphUpload], receipt: str) -> None:
    """A first load in one request (one transaction); the receipt dropped afterwards."""
    loader.say(f"loading {len(uploads)} graphs in one request (one transaction)")
    try:
        loader.post_dataset(uploads, receipt)
    except EndpointError as exc:
        _settle(exc, loader.endpoint, receipt)
    if loader.drop([receipt]):
        loader.say(f"could not drop the receipt; drop it afterwards with SPARQL Update: "
                   f"{_drop_advice([receipt])}")


def _load_through_temporaries(loader: _Loader, plans: list[Plan], targets: list[str],
                              before: dict[str, int], receipt: str) -> None:
    """Stage every plan in temporary graphs, check them, swap in one request, clean up."""
    endpoint = loader.endpoint
    staged = {g: n for plan in plans for g, n in plan.temporaries().items()}
    # "staging" until the swap request goes out; then "sent", and "applied" or "refused"
    state = "staging"
    try:
        for plan in plans:
            loader.stage(plan)
        counts = count_graphs(endpoint, [*staged, *targets])
        for tmp, sent in staged.items():
            if counts[tmp] != sent:
                raise EndpointError(f"the store holds {counts[tmp]:,} triples in the temporary "
                                    f"graph <{tmp}>, not the {sent:,} sent; nothing was "
                                    "replaced")
        for plan in plans:
            target = plan.upload.iri
            if plan.relies_on_before and counts[target] != before[target]:
                raise EndpointError(f"<{target}> changed during the load ({counts[target]:,} "
                                    f"triples, not {before[target]:,}); nothing was replaced")
        loader.say(f"replacing {len(plans)} graphs in one update request")
        state = "sent"
        try:
            loader.swap(plans, receipt)
        except EndpointError as exc:
            try:
                _settle(exc, endpoint, receipt)
            except _RefusedError:
                state = "refused"
                raise
        state = "applied"
    finally:
        # the biggest last: Oxigraph reads slowly in a transaction that has written a lot
        touched = sorted((g for g in staged if g in loader.touched), key=staged.__getitem__)
        if state == "sent":  # the store may still be running the swap: leave it its sources
            left = [*touched, receipt]
        else:
            left = loader.drop([receipt, *touched] if state == "applied" else touched)
        if left:
            names = ", ".join(f"<{g}>" for g in left)
            loader.say((f"left the temporary graph(s) {names} to the update that may still be "
                        "running" if state == "sent" else
                        f"could not drop the temporary graph(s) {names}")
                       + f"; drop them afterwards with SPARQL Update: {_drop_advice(left)}")


def _swap_happened(endpoint: Endpoint, receipt: str) -> bool | None:
    """After a failed swap request: did the store apply it anyway (is its receipt there)?

    The swap is one transaction that also writes the receipt, so the receipt is there if and
    only if every graph was replaced; ``None`` if the store cannot be asked.
    """
    try:
        return count_triples(endpoint, receipt) > 0
    except EndpointError:
        return None
