"""Wikidata links: the entities still unlinked, checking the links, and comparing the facts.

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
clear errors; :class:`~coldwar_lod.store.Endpoint`), with a User-Agent that names the tool, its
version and the project's URL, as the Wikimedia User-Agent policy asks.

Property alignment (our property: the Wikidata statements that state the same fact; ``^``
marks a statement on the object's item, read backwards):

- ``cwo:participant`` (event -> person, state or organisation): ``wdt:P710`` participant,
  ``^wdt:P1344`` participant in;
- ``cwo:place`` (event -> place or state): ``wdt:P276`` location, ``wdt:P17`` country;
- ``cwo:memberOf`` (agent -> organisation): ``wdt:P463`` member of;
- ``cwo:partOf`` (event -> event): ``wdt:P361`` part of, ``^wdt:P527`` has part(s);
- ``cwo:timeSpan`` (event or work -> date): ``P585`` point in time (read against the whole
  span), ``P580`` start time (its begin), ``P582`` end time (its end).

Only facts whose subject and object are both linked can be compared, and a Wikidata statement
counts only where its subject and object are of the kinds our property allows (``wdt:P17`` on
an organisation is not a place of an event).
"""

from __future__ import annotations

import csv
import io
import os
import re
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

import pyoxigraph as ox

from . import model
from .errors import InputError
from .namespaces import WD, IriSpace
from .query import QueryResult, Term, run_query
from .records import Records
from .store import Endpoint, HttpStatusError

if TYPE_CHECKING:  # pragma: no cover
    from .pipeline import Build

UNLINKED_COLUMNS = ("kind", "slug", "label_en", "labels", "description", "iri")


def unlinked_tsv(records: Records, space: IriSpace) -> bytes:
    """The entities without a Wikidata QID, as TSV for reconciliation (e.g. OpenRefine).

    Sources are left out: they are documents of this project, not Wikidata items.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(UNLINKED_COLUMNS)
    rows = sorted((r for r in records.entities.values() if r.kind != "sources"
                   and not r.get("qid")), key=lambda r: (r.kind, r.slug))
    for row in rows:
        kind = model.ENTITY_KINDS[row.kind]
        writer.writerow((kind, row.slug, row.get("label_en"), row.get("labels"),
                         row.get("description"), space.instance(kind, row.slug).value))
    return out.getvalue().encode("utf-8")


# --------------------------------------------------------------------------------------------
# Where Wikidata is, and how to ask it

#: The Wikidata Query Service.
WIKIDATA_ENDPOINT = "https://query.wikidata.org/sparql"

#: Environment variable naming another Wikidata SPARQL endpoint (a mirror, QLever, a test).
ENV_WIKIDATA_ENDPOINT = "COLDWAR_LOD_WIKIDATA_ENDPOINT"

#: Items per request (``VALUES``); small enough for any service's limits.
BATCH_SIZE = 200

#: The project's home, named in the User-Agent as the contact.
PROJECT_URL = "https://w3id.org/coldwar-lod/"

WDT = "http://www.wikidata.org/prop/direct/"
_QID = re.compile(r"^Q[1-9][0-9]*$")
_PREFIXES = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX p: <http://www.wikidata.org/prop/>
PREFIX psv: <http://www.wikidata.org/prop/statement/value/>
PREFIX wikibase: <http://wikiba.se/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""

Wikidata = Endpoint | str | ox.Store


def user_agent() -> str:
    """The User-Agent sent to Wikidata: tool/version (contact URL) library/version.

    >>> user_agent().startswith("coldwar-lod/")
    True
    >>> "(https://w3id.org/coldwar-lod/)" in user_agent()
    True
    """
    from importlib.metadata import PackageNotFoundError, version

    def of(package: str) -> str:
        try:
            return version(package)
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            return "unknown"

    return f"coldwar-lod/{of('coldwar-lod')} ({PROJECT_URL}) SPARQLWrapper/{of('SPARQLWrapper')}"


def wikidata_endpoint(url: str | None = None, *, timeout: float = 60.0, retries: int = 3,
                      backoff: float = 0.5, env: Mapping[str, str] | None = None) -> Endpoint:
    """The Wikidata SPARQL service to ask, with the User-Agent Wikimedia asks for.

    :param url: the query URL; default ``$COLDWAR_LOD_WIKIDATA_ENDPOINT``, else
        :data:`WIKIDATA_ENDPOINT`. Used exactly as written (no Oxigraph-style derivation).
    :param env: where to read ``COLDWAR_LOD_WIKIDATA_ENDPOINT`` (default ``os.environ``). The
        credentials for the user's own store (``COLDWAR_LOD_ENDPOINT_*``) are never sent.
    :raises InputError: for a URL that is not http(s), or a non-positive timeout.

    >>> ep = wikidata_endpoint(env={})
    >>> ep.query_url
    'https://query.wikidata.org/sparql'
    >>> wikidata_endpoint(env={"COLDWAR_LOD_WIKIDATA_ENDPOINT": "http://127.0.0.1:7878/query"}
    ...                   ).query_url
    'http://127.0.0.1:7878/query'
    """
    env = os.environ if env is None else env
    url = url or env.get(ENV_WIKIDATA_ENDPOINT) or WIKIDATA_ENDPOINT
    # An explicit update URL keeps the query URL exactly as written (nothing is ever updated).
    # No credentials: COLDWAR_LOD_ENDPOINT_* are for the user's own store, never for Wikidata.
    endpoint = Endpoint.from_url(url, update_url=url, timeout=timeout, retries=retries,
                                 backoff=backoff, env={})
    return replace(endpoint, user_agent=user_agent())


class _Asker:
    """Sends queries to Wikidata (a service, or a local store) and counts the requests."""

    def __init__(self, wikidata: Wikidata | None) -> None:
        self.store: ox.Store | None = None
        self.endpoint: Endpoint | None = None
        if isinstance(wikidata, ox.Store):
            self.store = wikidata
            self.where = "local store"
        else:
            if wikidata is None or isinstance(wikidata, str):
                wikidata = wikidata_endpoint(wikidata)
            self.endpoint = wikidata
            self.where = wikidata.redact(wikidata.query_url)
        self.requests = 0

    def ask(self, text: str) -> QueryResult:
        """Run one query; HTTP 429 (too many requests) is retried with backoff."""
        self.requests += 1
        if self.store is not None:
            return run_query(text, store=self.store)
        endpoint = self.endpoint
        assert endpoint is not None
        attempt = 0
        while True:
            try:
                return run_query(text, endpoint=endpoint, service_default_graph=True)
            except HttpStatusError as exc:
                if exc.status != 429:
                    raise
                if attempt >= endpoint.retries:
                    raise HttpStatusError(f"{exc}; the service limits how much each client "
                                          "may ask: wait a minute and try again",
                                          exc.status, exc.detail) from None
                time.sleep(endpoint.backoff * 2 ** attempt)
                attempt += 1


def _batches(items: Sequence[str], size: int) -> list[Sequence[str]]:
    if size < 1:
        raise InputError(f"the batch size must be positive, not {size}")
    return [items[i:i + size] for i in range(0, len(items), size)]


def _qid(term: object) -> str | None:
    """The QID of a Wikidata item IRI (``None`` for anything else)."""
    if isinstance(term, ox.NamedNode) and term.value.startswith(WD):
        local = term.value[len(WD):]
        return local if _QID.match(local) else None
    return None


def _nfc(text: str | None) -> str | None:
    """Text in Unicode normal form C (``é`` as one code point, as Wikidata stores it)."""
    return unicodedata.normalize("NFC", text) if text is not None else None


def _text(term: object) -> str | None:
    return term.value if isinstance(term, ox.Literal | ox.NamedNode) else None


# --------------------------------------------------------------------------------------------
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


_ITEMS = _PREFIXES + """SELECT ?item ?exists ?redirect ?label ?alias ?class ?classLabel WHERE {
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


def _fetch_items(asker: _Asker, pairs: Iterable[tuple[str, str]],
                 batch_size: int) -> dict[str, Item]:
    """Items by QID, for (QID, our English label) pairs."""
    labels = dict(sorted(set(pairs)))  # one label per QID
    found: dict[str, _Found] = defaultdict(_Found)
    for batch in _batches(list(labels), batch_size):
        values = " ".join(f"(wd:{q} {ox.Literal(labels[q], language='en')})" for q in batch)
        for item, exists, redirect, label, alias, cls, cls_label in asker.ask(
                _ITEMS % values).rows:
            qid = _qid(item)
            if qid is None:
                continue
            entry = found[qid]
            entry.exists = entry.exists or _text(exists) == "true"
            entry.alias = entry.alias or _text(alias) == "true"
            entry.redirect = entry.redirect or _qid(redirect)
            entry.label = entry.label if entry.label is not None else _text(label)
            class_qid = _qid(cls)
            if class_qid:
                entry.classes.setdefault(class_qid, _text(cls_label))
    items = {}
    for qid in labels:
        entry = found[qid]
        classes = tuple(sorted(entry.classes.items(), key=lambda c: int(c[0][1:])))
        items[qid] = Item(qid, entry.exists or entry.redirect is not None, entry.redirect,
                          entry.label, entry.alias, classes)
    return items


def _resolve(asker: _Asker, linked: Sequence[Link], batch_size: int,
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


def _final(qid: str, items: Mapping[str, Item], targets: Mapping[str, Item]) -> Item | None:
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
    """The check of one link: our entity, its item, and what Wikidata says about the item."""

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
    """The check of every link (see :func:`check_links`)."""

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
                _iris([WD + q for q, _ in c.item.instance_of], prefixes),
                _cell([label or "" for _, label in c.item.instance_of], "; "),
                _cell([c.note])))
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
    :param wikidata: the service: an :class:`~coldwar_lod.store.Endpoint` (see
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
    asker = _Asker(wikidata)
    linked = links(build)
    items, targets = _resolve(asker, linked, batch_size)
    checks = []
    for ln in linked:
        item = items[ln.qid]
        if item.redirect:
            checks.append(LinkCheck(ln, REDIRECTED, item, _final(ln.qid, items, targets)))
        elif not item.exists:
            checks.append(LinkCheck(ln, MISSING, item))
        elif _nfc(item.label) != _nfc(ln.label):
            checks.append(LinkCheck(ln, LABEL_DIFFERS, item))
        else:
            checks.append(LinkCheck(ln, OK, item))
    return LinkReport(checks, asker.where, asker.requests, time.perf_counter() - started)


def shorten(iri: str, prefixes: Mapping[str, str] | None) -> str:
    """An IRI as a prefixed name, if one of ``prefixes`` fits (the longest namespace wins).

    >>> shorten("http://www.wikidata.org/entity/Q1085", {"wd": "http://www.wikidata.org/entity/"})
    'wd:Q1085'
    """
    for name, ns in sorted((prefixes or {}).items(), key=lambda p: -len(p[1])):
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{name}:{iri[len(ns):]}"
    return iri


def _iris(iris: Sequence[str], prefixes: Mapping[str, str] | None) -> ox.Literal | None:
    """Several IRIs in one cell: space-separated, shortened with ``prefixes`` if given."""
    return ox.Literal(" ".join(shorten(i, prefixes) for i in iris)) if iris else None


def _cell(texts: Sequence[str], sep: str = " ") -> ox.Literal | None:
    """Texts in one cell (``None``, an unbound value, if they are all empty)."""
    return ox.Literal(sep.join(texts)) if any(texts) else None


# --------------------------------------------------------------------------------------------
# Comparing the facts

BOTH = "both"
ONLY_HERE = "only here"
ONLY_IN_WIKIDATA = "only in Wikidata"
AGREE = "agree"
DISAGREE = "disagree"
NOT_COMPARED = "not compared"
#: Comparison statuses: facts (first three), dates (all but ``both``).
COMPARISON_STATUSES = (BOTH, ONLY_HERE, ONLY_IN_WIKIDATA, AGREE, DISAGREE, NOT_COMPARED)

#: Our property (ontology local name) -> the Wikidata properties that state the same fact,
#: as (property id, inverse); an inverse statement is on the object's item.
ALIGNMENT: dict[str, tuple[tuple[str, bool], ...]] = {
    "participant": (("P710", False), ("P1344", True)),
    "place": (("P276", False), ("P17", False)),
    "memberOf": (("P463", False),),
    "partOf": (("P361", False), ("P527", True)),
}

#: Wikidata's date properties compared with our time-spans, and which of our bounds each one
#: is read against: point in time -> the whole span, start -> the begin, end -> the end.
DATE_ALIGNMENT: dict[str, tuple[str, str]] = {
    "P585": ("earliestBegin", "latestEnd"),
    "P580": ("earliestBegin", "latestBegin"),
    "P582": ("earliestEnd", "latestEnd"),
}

#: Wikidata's time precisions (``wikibase:timePrecision``) we compare at; finer ones (hours,
#: minutes, seconds) count as days, coarser ones (decades, centuries) are not compared.
WIKIDATA_PRECISIONS = {9: "year", 10: "month", 11: "day"}
_GREGORIAN = WD + "Q1985727"
_LEVELS = ("year", "month", "day")
#: Our precisions -> the finest level they can be compared at (a season spans months).
_OUR_LEVEL = {"minute": "day", "day": "day", "month": "month", "season": "month",
              "year": "year"}


def _spelled(pid: str, inverse: bool) -> str:
    return f"^wdt:{pid}" if inverse else f"wdt:{pid}"


def _truncate(value: datetime | tuple[int, int, int], level: str) -> tuple[int, ...]:
    parts = (value.year, value.month, value.day) if isinstance(value, datetime) else value
    return tuple(parts[: _LEVELS.index(level) + 1])


def compare_date(low: datetime | None, high: datetime | None, our_precision: str,
                 value: tuple[int, int, int], precision: int) -> tuple[str, str]:
    """Compare a Wikidata date with one of our ranges: (status, the precision compared at).

    Our range is the span's two bounds for the Wikidata property (:data:`DATE_ALIGNMENT`).
    Both sides are cut to the coarser of the two precisions (year, month or day), and the
    dates agree if Wikidata's date falls within our range there: "1968" agrees with
    "1968-08-21", "1968-08-20" does not. A season is compared by its months.

    >>> day = datetime(1968, 8, 21)
    >>> compare_date(day, day.replace(hour=23), "day", (1968, 8, 20), 11)
    ('disagree', 'day')
    >>> compare_date(day, day.replace(hour=23), "day", (1968, 1, 1), 9)
    ('agree', 'year')
    >>> spring = datetime(1968, 3, 1), datetime(1968, 5, 31)
    >>> compare_date(*spring, "season", (1968, 5, 1), 10), compare_date(*spring, "season",
    ...     (1968, 1, 5), 11)
    (('agree', 'month'), ('disagree', 'month'))
    >>> compare_date(None, None, "year", (1968, 1, 1), 9)
    ('not compared', '')
    >>> compare_date(day, day, "day", (1960, 1, 1), 8)
    ('not compared', '')
    """
    theirs = WIKIDATA_PRECISIONS.get(min(precision, 11))
    if theirs is None or (low is None and high is None):
        return NOT_COMPARED, ""
    level = min(_OUR_LEVEL[our_precision], theirs, key=_LEVELS.index)
    point = _truncate(value, level)
    if (low is not None and point < _truncate(low, level)) or (
            high is not None and point > _truncate(high, level)):
        return DISAGREE, level
    return AGREE, level


def wikidata_date(lexical: str, precision: int) -> tuple[tuple[int, int, int], str] | None:
    """A Wikidata time value: its (year, month, day) and how it reads at its precision.

    >>> wikidata_date("1968-08-20T00:00:00Z", 11)
    ((1968, 8, 20), '1968-08-20')
    >>> wikidata_date("1968-00-00T00:00:00Z", 9)
    ((1968, 1, 1), '1968')
    """
    m = re.match(r"^([+-]?\d+)-(\d\d)-(\d\d)", lexical.strip())
    if not m:
        return None
    year, month, day = int(m[1]), max(int(m[2]), 1), max(int(m[3]), 1)
    level = WIKIDATA_PRECISIONS.get(min(precision, 11))
    shown = {"year": f"{year:04d}", "month": f"{year:04d}-{month:02d}",
             "day": f"{year:04d}-{month:02d}-{day:02d}"}.get(level or "",
                                                          f"{lexical} (precision {precision})")
    return (year, month, day), shown


@dataclass(frozen=True, slots=True)
class Comparison:
    """One compared fact or date.

    For facts, ``object`` is our entity and ``wikidata`` the Wikidata statements that state it
    (``wdt:P710``, or ``^wdt:P1344`` for one on the object's item) or, for a fact only here,
    the one to add. For dates, ``ours`` is our EDTF date, ``theirs`` Wikidata's date at its
    precision, ``precision`` the precision they were compared at.
    """

    status: str
    subject: str  # our IRI
    subject_qid: str  # the item (after redirects)
    predicate: str  # our property IRI
    wikidata: tuple[str, ...]
    object: str | None = None
    object_qid: str | None = None
    ours: str | None = None
    theirs: str | None = None
    precision: str | None = None
    claims: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    @property
    def is_date(self) -> bool:
        return self.object is None


@dataclass(slots=True)
class ComparisonReport:
    """Our facts and dates next to Wikidata's (see :func:`compare_with_wikidata`)."""

    comparisons: list[Comparison]
    where: str
    links: int = 0
    not_compared: list[Link] = field(default_factory=list)  # links to missing items
    redirected: list[Link] = field(default_factory=list)  # links followed through redirects
    requests: int = 0
    seconds: float = 0.0

    def counts(self, dates: bool | None = None) -> dict[str, int]:
        """How many comparisons have each status (``dates``: only dates, or only facts)."""
        counts = dict.fromkeys(COMPARISON_STATUSES, 0)
        for c in self.comparisons:
            if dates is None or c.is_date == dates:
                counts[c.status] += 1
        return counts

    def summary(self) -> str:
        """Two or three lines: the counts of facts and dates, and the links left out."""
        facts = self.counts(dates=False)
        dates = self.counts(dates=True)
        n_facts, n_dates = sum(facts.values()), sum(dates.values())
        lines = [
            f"{n_facts} fact(s) between linked entities: {facts[BOTH]} both, "
            f"{facts[ONLY_HERE]} only here, {facts[ONLY_IN_WIKIDATA]} only in Wikidata",
            f"{n_dates} date(s): {dates[AGREE]} agree, {dates[DISAGREE]} disagree, "
            f"{dates[ONLY_HERE]} only here, {dates[ONLY_IN_WIKIDATA]} only in Wikidata"
            + (f", {dates[NOT_COMPARED]} not compared" if dates[NOT_COMPARED] else ""),
        ]
        left = []
        if self.redirected:
            left.append(f"{len(self.redirected)} link(s) followed through a redirect")
        if self.not_compared:
            left.append(f"{len(self.not_compared)} link(s) to missing items left out")
        tail = "; ".join(left) + ("; run `coldwar-lod wikidata check`" if left else "")
        lines.append(f"{self.links} link(s) compared ({self.where}, {self.requests} "
                     f"request(s), {self.seconds:.2f} s)" + (f"; {tail}" if tail else ""))
        return "\n".join(lines)

    COLUMNS = ("status", "subject", "subjectItem", "property", "object", "objectItem",
               "wikidata", "ourDate", "wikidataDate", "precision", "claims", "sources")

    def result(self, prefixes: Mapping[str, str] | None = None) -> QueryResult:
        """The report as a table of RDF terms, for ``table``, ``csv``, ``tsv`` or ``json``.

        :param prefixes: shorten IRIs listed together in one cell (for the ``table`` format;
            the other formats keep full IRIs).
        """
        rows: list[tuple[Term | None, ...]] = [(
            ox.Literal(c.status), ox.NamedNode(c.subject), ox.NamedNode(WD + c.subject_qid),
            ox.NamedNode(c.predicate), ox.NamedNode(c.object) if c.object else None,
            ox.NamedNode(WD + c.object_qid) if c.object_qid else None,
            _cell(c.wikidata), _cell([c.ours or ""]), _cell([c.theirs or ""]),
            _cell([c.precision or ""]), _iris(c.claims, prefixes), _iris(c.sources, prefixes),
        ) for c in self.comparisons]
        return QueryResult("select", list(self.COLUMNS), list(rows), seconds=self.seconds,
                           where=self.where)


_STATEMENTS = _PREFIXES + """SELECT ?item ?property ?value WHERE {
  VALUES ?item { %s }
  VALUES ?property { %s }
  ?item ?property ?value .
  FILTER(ISIRI(?value))
}"""

_DATES = _PREFIXES + """SELECT ?item ?property ?time ?precision ?calendar WHERE {
  VALUES ?item { %s }
  VALUES (?property ?statementProperty ?valueProperty) { %s }
  ?item ?statementProperty ?statement .
  ?statement a wikibase:BestRank ; ?valueProperty ?value .
  ?value wikibase:timeValue ?time ; wikibase:timePrecision ?precision .
  OPTIONAL { ?value wikibase:timeCalendarModel ?calendar }
}"""

_OUR_FACTS = """PREFIX cwo: <%s>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?subject ?property ?object ?claim ?source WHERE {
  VALUES ?property { %s }
  ?subject ?property ?object .
  OPTIONAL {
    ?claim rdf:subject ?subject ; rdf:predicate ?property ; rdf:object ?object ;
           cwo:rank ?rank .
    FILTER(?rank != cwo:DeprecatedRank)
    OPTIONAL { ?claim cwo:statedIn ?source }
  }
}"""

_OUR_DATES = """PREFIX cwo: <%s>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?subject ?span ?edtf ?precision ?earliestBegin ?latestBegin ?earliestEnd ?latestEnd
       ?claim ?source WHERE {
  ?subject cwo:timeSpan ?span .
  ?span cwo:edtf ?edtf ; cwo:precision ?precision .
  OPTIONAL { ?span cwo:earliestBegin ?earliestBegin }
  OPTIONAL { ?span cwo:latestBegin ?latestBegin }
  OPTIONAL { ?span cwo:earliestEnd ?earliestEnd }
  OPTIONAL { ?span cwo:latestEnd ?latestEnd }
  OPTIONAL {
    ?claim rdf:object ?span ; cwo:rank ?rank .
    FILTER(?rank != cwo:DeprecatedRank)
    OPTIONAL { ?claim cwo:statedIn ?source }
  }
}"""


@dataclass(slots=True)
class _Evidence:
    claims: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)

    def add(self, claim: object, source: object) -> None:
        if isinstance(claim, ox.NamedNode):
            self.claims.add(claim.value)
        if isinstance(source, ox.NamedNode):
            self.sources.add(source.value)


@dataclass(slots=True)
class _Span:
    edtf: str
    precision: str
    bounds: dict[str, datetime | None]
    evidence: _Evidence


def _our_facts(build: Build, store: ox.Store) -> dict[tuple[str, str, str], _Evidence]:
    space = build.space
    values = " ".join(f"cwo:{name}" for name in ALIGNMENT)
    result = run_query(_OUR_FACTS % (space.ontology, values), store=store)
    facts: dict[tuple[str, str, str], _Evidence] = defaultdict(_Evidence)
    for subject, prop, obj, claim, source in result.rows:
        if isinstance(subject, ox.NamedNode) and isinstance(obj, ox.NamedNode):
            facts[(subject.value, _text(prop) or "", obj.value)].add(claim, source)
    return facts


def _our_dates(build: Build, store: ox.Store) -> dict[str, dict[str, _Span]]:
    space = build.space
    precisions = {space.ontology + term: name for name, term in model.PRECISION_TERMS.items()}
    result = run_query(_OUR_DATES % space.ontology, store=store)
    spans: dict[str, dict[str, _Span]] = defaultdict(dict)
    for row in result.rows:
        subject, span, edtf, precision, eb, lb, ee, le, claim, source = row
        if not isinstance(subject, ox.NamedNode) or not isinstance(span, ox.NamedNode):
            continue
        if span.value not in spans[subject.value]:
            bounds = {name: datetime.fromisoformat(t.value) if isinstance(t, ox.Literal)
                      else None for name, t in (("earliestBegin", eb), ("latestBegin", lb),
                                                ("earliestEnd", ee), ("latestEnd", le))}
            spans[subject.value][span.value] = _Span(
                _text(edtf) or "", precisions.get(_text(precision) or "", "day"), bounds,
                _Evidence())
        spans[subject.value][span.value].evidence.add(claim, source)
    return spans


def _property_kinds(term: str) -> model.ClaimProperty:
    return next(p for p in model.CLAIM_PROPERTIES.values() if p.term == term)


def compare_with_wikidata(build: Build, wikidata: Wikidata | None = None, *,
                          batch_size: int = BATCH_SIZE) -> ComparisonReport:
    """Compare our facts and dates between linked entities with Wikidata's truthy statements.

    Our side is the dataset's plain ("truthy") triples, derived from the best-ranked claims;
    Wikidata's side its truthy ``wdt:`` statements (for dates: the best-ranked statements,
    read through ``p:``/``psv:`` for their precision). Links are followed through redirects;
    links to missing items are left out (:attr:`ComparisonReport.not_compared`).

    Facts (:data:`ALIGNMENT`) are ``both``, ``only here`` (with our claims and their sources,
    ready to be added to Wikidata as references) or ``only in Wikidata``. Dates
    (:data:`DATE_ALIGNMENT`) ``agree`` or ``disagree`` at the coarser precision of the two
    (:func:`compare_date`), or are ``only here`` / ``only in Wikidata``; every pair of our
    time-span and Wikidata date is compared (two sources can give two dates).

    :param build: the dataset (:func:`coldwar_lod.build`).
    :param wikidata: as for :func:`check_links`.
    :param batch_size: items per request.
    :raises EndpointError: if the service cannot be reached, refuses or fails (exit code 4).
    :raises QueryError: if the service rejects a query or it times out (exit code 5).
    :raises InputError: for a bad URL or batch size.

    >>> import coldwar_lod, pyoxigraph as ox
    >>> local = ox.Store()     # Wikidata knows the invasion, and that it was in August 1968
    >>> local.load(b'''@prefix wd: <http://www.wikidata.org/entity/> .
    ... @prefix p: <http://www.wikidata.org/prop/> .
    ... @prefix psv: <http://www.wikidata.org/prop/statement/value/> .
    ... @prefix wikibase: <http://wikiba.se/ontology#> .
    ... wd:Q1773668 p:P585 [ a wikibase:BestRank ; psv:P585 [
    ...     wikibase:timeValue "1968-08-01T00:00:00Z" ; wikibase:timePrecision 10 ] ] .''',
    ...     ox.RdfFormat.TURTLE)
    >>> report = compare_with_wikidata(coldwar_lod.build(), local)
    >>> [(c.status, c.ours, c.theirs, c.precision) for c in report.comparisons
    ...  if c.subject_qid == "Q1773668" and c.is_date]
    [('agree', '1968-08-20/1968-08-21', '1968-08', 'month')]
    """
    started = time.perf_counter()
    asker = _Asker(wikidata)
    linked = links(build)
    items, targets = _resolve(asker, linked, batch_size)
    found = _Linked()
    for ln in linked:
        final = _final(ln.qid, items, targets)
        if final is None:
            found.not_compared.append(ln)
            continue
        if final.qid != ln.qid:
            found.redirected.append(ln)
        found.by_entity[ln.entity] = ln
        found.current[ln.entity] = final.qid
        found.ours_of[final.qid].append(ln.entity)
    store = build.store()
    comparisons = _compare_facts(asker, build, store, found, batch_size)
    comparisons += _compare_dates(asker, build, store, found, batch_size)
    comparisons.sort(key=lambda c: (c.subject, c.predicate, c.object or "", c.wikidata,
                                    c.ours or "", c.theirs or ""))
    return ComparisonReport(comparisons, asker.where, len(found.current), found.not_compared,
                            found.redirected, asker.requests, time.perf_counter() - started)


@dataclass(slots=True)
class _Linked:
    """Our linked entities whose items exist (after redirects), and those left out."""

    by_entity: dict[str, Link] = field(default_factory=dict)
    current: dict[str, str] = field(default_factory=dict)  # our IRI -> QID (after redirects)
    ours_of: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    not_compared: list[Link] = field(default_factory=list)
    redirected: list[Link] = field(default_factory=list)

    def qids(self, kinds: frozenset[str] | None = None) -> list[str]:
        """The items, in QID order (of entities of ``kinds`` only, if given)."""
        qids = {self.current[e] for e, ln in self.by_entity.items()
                if kinds is None or ln.kind in kinds}
        return sorted(qids, key=lambda q: int(q[1:]))


def _their_facts(asker: _Asker, ontology: str, found: _Linked,
                 batch_size: int) -> dict[tuple[str, str, str], set[str]]:
    """Wikidata's statements between linked items, read as our facts: (s, p, o) -> wdt:P."""
    pids = sorted({pid for aligned in ALIGNMENT.values() for pid, _ in aligned})
    theirs: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for batch in _batches(found.qids(), batch_size):
        text = _STATEMENTS % (" ".join(f"wd:{q}" for q in batch),
                              " ".join(f"wdt:{p}" for p in pids))
        for item, prop, value in asker.ask(text).rows:
            item_qid, value_qid = _qid(item), _qid(value)
            pid = (_text(prop) or "")[len(WDT):]
            if item_qid is None or value_qid is None or value_qid not in found.ours_of:
                continue
            for name, aligned in ALIGNMENT.items():
                kinds = _property_kinds(name)
                for inverse in (inv for aligned_pid, inv in aligned if aligned_pid == pid):
                    s_qid, o_qid = (value_qid, item_qid) if inverse else (item_qid, value_qid)
                    for s in found.ours_of.get(s_qid, ()):
                        for o in found.ours_of.get(o_qid, ()):
                            if (found.by_entity[s].kind in kinds.subject_kinds
                                    and found.by_entity[o].kind in kinds.object_kinds):
                                theirs[(s, ontology + name, o)].add(_spelled(pid, inverse))
    return theirs


def _compare_facts(asker: _Asker, build: Build, store: ox.Store, found: _Linked,
                   batch_size: int) -> list[Comparison]:
    ontology = build.space.ontology
    theirs = _their_facts(asker, ontology, found, batch_size)
    ours = {key: ev for key, ev in _our_facts(build, store).items()
            if key[0] in found.current and key[2] in found.current}
    out = []
    for key in sorted(set(ours) | set(theirs)):
        s, predicate, o = key
        evidence = ours.get(key, _Evidence())
        if key in ours and key in theirs:
            status, spelled = BOTH, tuple(sorted(theirs[key]))
        elif key in ours:
            pid, inverse = ALIGNMENT[predicate[len(ontology):]][0]
            status, spelled = ONLY_HERE, (_spelled(pid, inverse),)
        else:
            status, spelled = ONLY_IN_WIKIDATA, tuple(sorted(theirs[key]))
        out.append(Comparison(
            status, s, found.current[s], predicate, spelled, o, found.current[o],
            claims=tuple(sorted(evidence.claims)), sources=tuple(sorted(evidence.sources))))
    return out


@dataclass(frozen=True, slots=True, order=True)
class _Stated:
    """A best-ranked Wikidata date statement."""

    pid: str
    lexical: str
    precision: int
    julian: bool


def _their_dates(asker: _Asker, qids: Sequence[str],
                 batch_size: int) -> dict[str, set[_Stated]]:
    stated: dict[str, set[_Stated]] = defaultdict(set)
    for batch in _batches(qids, batch_size):
        text = _DATES % (" ".join(f"wd:{q}" for q in batch),
                         " ".join(f"(wdt:{p} p:{p} psv:{p})" for p in DATE_ALIGNMENT))
        for item, prop, when, precision, calendar in asker.ask(text).rows:
            qid = _qid(item)
            if qid is None or not isinstance(when, ox.Literal):
                continue
            julian = _text(calendar) not in (None, _GREGORIAN)
            stated[qid].add(_Stated((_text(prop) or "")[len(WDT):], when.value,
                                    int(_text(precision) or 0), julian))
    return stated


def _compare_dates(asker: _Asker, build: Build, store: ox.Store, found: _Linked,
                   batch_size: int) -> list[Comparison]:
    kinds = _property_kinds("timeSpan").subject_kinds
    stated = _their_dates(asker, found.qids(kinds), batch_size)
    spans = _our_dates(build, store)
    predicate = build.space.ontology + "timeSpan"
    out: list[Comparison] = []
    for entity in sorted(e for e, ln in found.by_entity.items() if ln.kind in kinds):
        qid = found.current[entity]
        ours = sorted(spans.get(entity, {}).values(), key=lambda sp: sp.edtf)
        if not stated.get(qid):
            out.extend(Comparison(
                ONLY_HERE, entity, qid, predicate,
                ("wdt:P580", "wdt:P582") if "/" in sp.edtf else ("wdt:P585",), ours=sp.edtf,
                claims=tuple(sorted(sp.evidence.claims)),
                sources=tuple(sorted(sp.evidence.sources))) for sp in ours)
            continue
        for date in sorted(stated[qid]):
            parsed = wikidata_date(date.lexical, date.precision)
            if parsed is None:
                continue
            value, shown = parsed
            if date.julian:
                shown += " (Julian calendar)"
            if not ours:
                out.append(Comparison(ONLY_IN_WIKIDATA, entity, qid, predicate,
                                      (f"wdt:{date.pid}",), theirs=shown))
            for sp in ours:
                low, high = (sp.bounds[b] for b in DATE_ALIGNMENT[date.pid])
                status, level = ((NOT_COMPARED, "") if date.julian else
                                 compare_date(low, high, sp.precision, value, date.precision))
                out.append(Comparison(
                    status, entity, qid, predicate, (f"wdt:{date.pid}",), ours=sp.edtf,
                    theirs=shown, precision=level or None,
                    claims=tuple(sorted(sp.evidence.claims)),
                    sources=tuple(sorted(sp.evidence.sources))))
    return out


__all__ = ["ALIGNMENT", "BATCH_SIZE", "DATE_ALIGNMENT", "ENV_WIKIDATA_ENDPOINT",
           "WIKIDATA_ENDPOINT", "Comparison", "ComparisonReport", "Item", "Link", "LinkCheck",
           "LinkReport", "check_links", "compare_date", "compare_with_wikidata", "links",
           "shorten", "unlinked_tsv", "user_agent", "wikidata_date", "wikidata_endpoint"]
