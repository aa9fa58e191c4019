"""Our links to Wikidata, and checking them: exists, redirected, label, instance of.

Entities link to Wikidata items with ``skos:exactMatch <http://www.wikidata.org/entity/Q...>``.
Three things here:

- :func:`unlinked_tsv`: the entities without a QID, for reconciliation (e.g. OpenRefine);
- :func:`check_links`: ask a Wikidata SPARQL service whether every linked item still exists,
  has been merged into another (a redirect, ``owl:sameAs`` in Wikidata's RDF), what its English
  label and its ``instance of`` (P31) values are;
- :func:`compare_with_wikidata`: compare our plain ("truthy") facts between linked entities
  with Wikidata's truthy statements for the aligned properties, and our dates with Wikidata's
  point in time / start time / end time at the precision both sides have.

Both ask the service in batches (``VALUES`` with :data:`BATCH_SIZE` items per request), one
request at a time, through the same HTTP machinery as ``coldwar-lod query`` (timeouts, retries,
clear errors; :class:`~coldwar_lod.sparql.http.Endpoint`), with a User-Agent that names the
tool, its version and the project's URL, as the Wikimedia User-Agent policy asks.

"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .. import model
from ..namespaces import WD, shortener
from ..sparql.results import QueryResult, Term

if TYPE_CHECKING:  # pragma: no cover
    from ..dataset import Build

from .service import BATCH_SIZE, PREFIXES, Asker, Wikidata, batches, nfc, qid_of, text_of

# Our links


@dataclass(frozen=True, slots=True)
class Link:
    """One of our entities and the Wikidata item it links to."""

    entity: str  # our IRI
    qid: str
    label: str  # our English label
    kind: str  # the data file stem: events, persons, states, ...
    record: str  # file:line of the record


def links(build: Build) -> list[Link]:
    """Our entities linked to Wikidata (``skos:exactMatch``), ordered by IRI.

    >>> import coldwar_lod
    >>> found = links(coldwar_lod.build())
    >>> [(ln.entity.rsplit("/", 1)[1], ln.qid) for ln in found if ln.qid == "Q162401"]
    [('prague-spring', 'Q162401')]
    """
    out = []
    for row in build.records.entities.values():
        if row.kind == "sources" or not row.get("qid"):
            continue
        iri = build.space.instance(model.ENTITY_KINDS[row.kind], row.slug).value
        out.append(Link(iri, row.get("qid"), row.get("label_en"), row.kind, row.where()))
    return sorted(out, key=lambda ln: ln.entity)


# --------------------------------------------------------------------------------------------
# Checking the links

OK = "ok"
LABEL_DIFFERS = "label differs"
REDIRECTED = "redirected"
MISSING = "missing"
#: Check statuses, in report order; the last two are violations (exit 1).
LINK_STATUSES = (OK, LABEL_DIFFERS, REDIRECTED, MISSING)


@dataclass(frozen=True, slots=True)
class Item:
    """What Wikidata holds about one item."""

    qid: str
    exists: bool
    redirect: str | None = None  # the QID it redirects to
    label: str | None = None  # English (``en``, not ``en-gb``)
    alias: bool = False  # the label we asked about is one of its English aliases
    instance_of: tuple[tuple[str, str | None], ...] = ()  # (QID, English label)


_ITEMS = PREFIXES + """SELECT ?item ?exists ?redirect ?label ?alias ?class ?classLabel WHERE {
  VALUES (?item ?ours) { %s }
  BIND(EXISTS { ?item ?anyPredicate ?anyObject } AS ?exists)
  BIND(EXISTS { ?item skos:altLabel ?ours } AS ?alias)
  OPTIONAL { ?item owl:sameAs ?redirect }
  OPTIONAL { ?item rdfs:label ?label FILTER(LANG(?label) = "en") }
  OPTIONAL {
    ?item wdt:P31 ?class
    OPTIONAL { ?class rdfs:label ?classLabel FILTER(LANG(?classLabel) = "en") }
  }
}"""


@dataclass(slots=True)
class _Found:
    exists: bool = False
    alias: bool = False
    redirect: str | None = None
    label: str | None = None
    classes: dict[str, str | None] = field(default_factory=dict)


def _fetch_items(asker: Asker, pairs: Iterable[tuple[str, str]],
                 batch_size: int) -> dict[str, Item]:
    """Items by QID, for (QID, our English label) pairs."""
    labels = dict(sorted(set(pairs)))  # one label per QID
    found: dict[str, _Found] = defaultdict(_Found)
    for batch in batches(list(labels), batch_size):
        values = " ".join(f"(wd:{q} {ox.Literal(labels[q], language='en')})" for q in batch)
        for item, exists, redirect, label, alias, cls, cls_label in asker.ask(
                _ITEMS % values).rows:
            qid = qid_of(item)
            if qid is None:
                continue
            entry = found[qid]
            entry.exists = entry.exists or text_of(exists) == "true"
            entry.alias = entry.alias or text_of(alias) == "true"
            entry.redirect = entry.redirect or qid_of(redirect)
            entry.label = entry.label if entry.label is not None else text_of(label)
            class_qid = qid_of(cls)
            if class_qid:
                entry.classes.setdefault(class_qid, text_of(cls_label))
    items = {}
    for qid in labels:
        entry = found[qid]
        classes = tuple(sorted(entry.classes.items(), key=lambda c: int(c[0][1:])))
        items[qid] = Item(qid, entry.exists or entry.redirect is not None, entry.redirect,
                          entry.label, entry.alias, classes)
    return items


def resolve(asker: Asker, linked: Sequence[Link], batch_size: int,
             hops: int = 3) -> tuple[dict[str, Item], dict[str, Item]]:
    """Our items by QID, and the items they redirect to (followed ``hops`` times)."""
    items = _fetch_items(asker, ((ln.qid, ln.label) for ln in linked), batch_size)
    targets: dict[str, Item] = {}
    ours = {ln.qid: ln.label for ln in linked}
    wanted = {i.redirect: ours[i.qid] for i in items.values() if i.redirect}
    for _hop in range(hops):
        wanted = {q: label for q, label in wanted.items() if q not in targets}
        if not wanted:
            break
        fetched = _fetch_items(asker, wanted.items(), batch_size)
        targets.update(fetched)
        wanted = {i.redirect: wanted[i.qid] for i in fetched.values() if i.redirect}
    return items, targets


def final_item(qid: str, items: Mapping[str, Item], targets: Mapping[str, Item]) -> Item | None:
    """The item a QID leads to, through redirects (``None`` if it leads nowhere)."""
    item = items.get(qid) or targets.get(qid)
    seen = {qid}
    while item is not None and item.redirect:
        if item.redirect in seen:
            return None
        seen.add(item.redirect)
        item = targets.get(item.redirect)
    return item if item is not None and item.exists else None


@dataclass(frozen=True, slots=True)
class LinkCheck:
    """The check of one link: our entity, its item, and what Wikidata says about the item.

    >>> import coldwar_lod, pyoxigraph as ox
    >>> check = coldwar_lod.check_links(coldwar_lod.build(), ox.Store()).checks[0]
    >>> check.status, check.link.qid, check.link.entity.rsplit("/", 1)[1]
    ('missing', 'Q8690', 'cultural-revolution')
    """

    link: Link
    status: str  # one of LINK_STATUSES
    item: Item
    target: Item | None = None  # where a redirect leads (after all redirects)

    @property
    def violation(self) -> bool:
        """Whether the link must be fixed: the item is missing or redirected."""
        return self.status in (REDIRECTED, MISSING)

    @property
    def note(self) -> str:
        """One line on what to do, or what the difference is."""
        if self.status == MISSING:
            return f"no such item (deleted, or never existed); fix {self.link.record}"
        if self.status == REDIRECTED:
            if self.target is None:
                return (f"merged into {self.item.redirect}, which does not exist either; "
                        f"fix {self.link.record}")
            label = f" ({self.target.label})" if self.target.label else ""
            return f"merged into {self.target.qid}{label}; fix {self.link.record}"
        if self.status == LABEL_DIFFERS:
            if self.item.label is None:
                return "no English label on Wikidata"
            if self.item.alias:
                return "ours is an English alias on Wikidata"
            return "ours is neither the English label nor an alias on Wikidata"
        return ""


@dataclass(slots=True)
class LinkReport:
    """The check of every link (see :func:`check_links`).

    >>> import coldwar_lod, pyoxigraph as ox
    >>> report = coldwar_lod.check_links(coldwar_lod.build(), ox.Store())  # an empty "Wikidata"
    >>> len(report.violations), report.summary().split(" (")[0]
    (66, '66 link(s) checked: 0 ok, 0 label differs, 0 redirected, 66 missing')
    """

    checks: list[LinkCheck]
    where: str
    requests: int = 0
    seconds: float = 0.0

    @property
    def violations(self) -> list[LinkCheck]:
        """Links to missing or redirected items."""
        return [c for c in self.checks if c.violation]

    def counts(self) -> dict[str, int]:
        """How many links have each status (every status listed, zeros included)."""
        counts = dict.fromkeys(LINK_STATUSES, 0)
        for check in self.checks:
            counts[check.status] += 1
        return counts

    def summary(self) -> str:
        """One line: how many links have each status, where, how long."""
        counts = ", ".join(f"{n} {status}" for status, n in self.counts().items())
        return (f"{len(self.checks)} link(s) checked: {counts} ({self.where}, "
                f"{self.requests} request(s), {self.seconds:.2f} s)")

    COLUMNS = ("entity", "item", "status", "label", "wikidataLabel", "redirectTo",
               "instanceOf", "instanceOfLabel", "note")

    def result(self, prefixes: Mapping[str, str] | None = None) -> QueryResult:
        """The report as a table of RDF terms, for ``table``, ``csv``, ``tsv`` or ``json``.

        :param prefixes: shorten IRIs listed together in one cell (for the ``table`` format;
            the other formats keep full IRIs).
        """
        rows: list[tuple[Term | None, ...]] = []
        for c in self.checks:
            target = c.target.qid if c.target else c.item.redirect
            rows.append((
                ox.NamedNode(c.link.entity), ox.NamedNode(WD + c.link.qid),
                ox.Literal(c.status), ox.Literal(c.link.label, language="en"),
                ox.Literal(c.item.label, language="en") if c.item.label is not None else None,
                ox.NamedNode(WD + target) if target else None,
                iris_cell([WD + q for q, _ in c.item.instance_of], prefixes),
                cell([label or "" for _, label in c.item.instance_of], "; "),
                cell([c.note])))
        return QueryResult("select", list(self.COLUMNS), list(rows), seconds=self.seconds,
                           where=self.where)


def check_links(build: Build, wikidata: Wikidata | None = None, *,
                batch_size: int = BATCH_SIZE) -> LinkReport:
    """Check every Wikidata link of the dataset against a Wikidata SPARQL service.

    For each entity with a QID: does the item exist, is it a redirect (merged into another
    item: ``owl:sameAs`` in Wikidata's RDF), what is its English label (``rdfs:label`` with the
    tag ``en``) and what is it an instance of (``wdt:P31``)? The status is ``missing``,
    ``redirected`` (both are violations: the link must be fixed), ``label differs`` (a
    difference to look at, not an error) or ``ok``.

    :param build: the dataset (:func:`coldwar_lod.build`).
    :param wikidata: the service: an :class:`~coldwar_lod.sparql.http.Endpoint` (see
        :func:`wikidata_endpoint`), its URL, or a local :class:`pyoxigraph.Store` holding
        Wikidata's RDF (or part of it); default :func:`wikidata_endpoint`.
    :param batch_size: items per request.
    :raises EndpointError: if the service cannot be reached, refuses or fails (exit code 4).
    :raises QueryError: if the service rejects a query or it times out (exit code 5).
    :raises InputError: for a bad URL or batch size.

    Against a local store (here one that knows a single item):

    >>> import coldwar_lod, pyoxigraph as ox
    >>> local = ox.Store()
    >>> local.load(b'<http://www.wikidata.org/entity/Q162401> '
    ...            b'<http://www.w3.org/2000/01/rdf-schema#label> "Prague Spring"@en .',
    ...            ox.RdfFormat.N_TRIPLES)
    >>> report = check_links(coldwar_lod.build(), local)
    >>> [c.status for c in report.checks if c.link.qid == "Q162401"]
    ['ok']
    >>> report.counts()["missing"] == len(report.checks) - 1
    True
    """
    started = time.perf_counter()
    asker = Asker(wikidata)
    linked = links(build)
    items, targets = resolve(asker, linked, batch_size)
    asker.confirm_wikidata(sum(1 for i in items.values() if i.exists or i.redirect), len(items))
    checks = []
    for ln in linked:
        item = items[ln.qid]
        if item.redirect:
            checks.append(LinkCheck(ln, REDIRECTED, item, final_item(ln.qid, items, targets)))
        elif not item.exists:
            checks.append(LinkCheck(ln, MISSING, item))
        elif nfc(item.label) != nfc(ln.label):
            checks.append(LinkCheck(ln, LABEL_DIFFERS, item))
        else:
            checks.append(LinkCheck(ln, OK, item))
    return LinkReport(checks, asker.where, asker.requests, time.perf_counter() - started)


def iris_cell(iris: Sequence[str], prefixes: Mapping[str, str] | None) -> ox.Literal | None:
    """Several IRIs in one cell: space-separated, shortened with ``prefixes`` if given."""
    if not iris:
        return None
    short = shortener(prefixes) if prefixes else str
    return ox.Literal(" ".join(short(i) for i in iris))


def cell(texts: Sequence[str], sep: str = " ") -> ox.Literal | None:
    """Texts in one cell (``None``, an unbound value, if they are all empty)."""
    return ox.Literal(sep.join(texts)) if any(texts) else None

