"""Wikidata items that may be one of our entities: finding them by name, reading what Wikidata
says about them (labels and aliases, instance of, dates, statements about items we link to,
redirects), and
weighing the evidence for and against.

Finding works on any SPARQL endpoint that holds Wikidata's RDF: our labels and aliases, in
each language we have them (and in ``mul``, Wikidata's label for all languages), are matched
exactly against ``rdfs:label`` and ``skos:altLabel``. Where the endpoint offers Wikidata's
search service (``wikibase:mwapi``: the Wikidata Query Service) it can be asked as well, one
name per request, which also finds near spellings.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from .names import Entity, Name, similarity
from .service import PREFIXES, Asker, batches, qid_of, text_of

#: Classes (``wdt:P31`` values) that fit each kind of ours. Direct values only: a local
#: mirror may hold no subclass tree to reason over.
KIND_ITEMS: dict[str, frozenset[str]] = {
    "persons": frozenset({"Q5"}),
    "states": frozenset({"Q3024240", "Q6256", "Q3624078", "Q7275", "Q1250464", "Q417175",
                         "Q15634554", "Q1763527", "Q48349"}),
    "organisations": frozenset({"Q7278", "Q43229", "Q1127126", "Q484652", "Q245065",
                                "Q327333", "Q2659904", "Q8473", "Q176799", "Q1616075",
                                "Q14350", "Q1002697", "Q4830453", "Q163740", "Q7210356",
                                "Q20746389", "Q2061186", "Q1331793", "Q17149090"}),
    "places": frozenset({"Q515", "Q1549591", "Q5119", "Q486972", "Q3957", "Q174782",
                         "Q82794", "Q1637706", "Q200250", "Q532", "Q15284", "Q2983893",
                         "Q1093829", "Q747074", "Q262166", "Q667509", "Q3191695", "Q10864048"}),
    "events": frozenset({"Q1190554", "Q1656682", "Q467011", "Q645883", "Q178561", "Q198",
                         "Q180684", "Q350604", "Q175331", "Q273120", "Q10931", "Q45382",
                         "Q2761147", "Q131569", "Q625298", "Q11514315", "Q1361229",
                         "Q3882219", "Q124734", "Q831663", "Q1318295", "Q13418847",
                         "Q864113", "Q2334719", "Q7283", "Q1079023"}),
    "works": frozenset({"Q11424", "Q93204", "Q5398426", "Q1259759", "Q13442814", "Q7725634",
                        "Q571", "Q47461344", "Q49848", "Q191067", "Q24856", "Q506240"}),
    "positions": frozenset({"Q4164871", "Q294414", "Q599151", "Q2285706", "Q48352",
                            "Q30461", "Q11696"}),
}
#: Pages that are never the item of a thing: disambiguations, categories, lists, templates.
NOT_A_THING = frozenset({"Q4167410", "Q4167836", "Q13406463", "Q11266439", "Q17633526"})
HUMAN = "Q5"

#: Date properties read for the evidence: point in time, start, end, inception, dissolved,
#: birth, death, publication.
DATE_PIDS = ("P585", "P580", "P582", "P571", "P576", "P569", "P570", "P577")

_YEAR = re.compile(r"^([+-]?\d{1,6})-")


@dataclass(slots=True)
class Details:
    """What Wikidata says about one item (the parts that tell whether it is our entity)."""

    qid: str
    exists: bool = False
    redirect: str | None = None
    labels: set[tuple[str, str]] = field(default_factory=set)  # (language, text)
    aliases: set[tuple[str, str]] = field(default_factory=set)
    classes: dict[str, str | None] = field(default_factory=dict)  # QID -> English label
    years: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))  # P -> years
    facts: set[tuple[str, str]] = field(default_factory=set)  # (P, QID) to items we link to
    description: str | None = None

    @property
    def label(self) -> str | None:
        """The English label (else ``mul``, else any), for showing."""
        for lang in ("en", "mul"):
            found = sorted(t for g, t in self.labels if g == lang)
            if found:
                return found[0]
        return min((t for _, t in self.labels), default=None)


# ------------------------------------------------------------------------------------------
# Finding items by name

_BY_LABEL = PREFIXES + """SELECT DISTINCT ?text ?item WHERE {
  VALUES ?text { %s }
  { ?item rdfs:label ?text } UNION { ?item skos:altLabel ?text }
  FILTER(STRSTARTS(STR(?item), "http://www.wikidata.org/entity/Q"))
}"""

_BY_SEARCH = PREFIXES + """PREFIX bd: <http://www.bigdata.com/rdf#>
PREFIX mwapi: <https://www.mediawiki.org/ontology#API/>
SELECT ?item WHERE {
  SERVICE wikibase:mwapi {
    bd:serviceParam wikibase:endpoint "www.wikidata.org" ; wikibase:api "EntitySearch" ;
                    mwapi:search %s ; mwapi:language "%s" ; mwapi:limit "%d" .
    ?item wikibase:apiOutputItem mwapi:item .
  }
}"""


def search_terms(entity: Entity) -> list[ox.Literal]:
    """The literals an entity's names are looked up as: each name in its language and in
    ``mul``."""
    out: dict[ox.Literal, None] = {}
    for lang, text in entity.names:
        out[ox.Literal(text, language=lang)] = None
        out[ox.Literal(text, language="mul")] = None
    return list(out)


def find_by_label(asker: Asker, wanted: dict[str, list[ox.Literal]], batch_size: int
                  ) -> dict[str, set[str]]:
    """Items whose label or alias is exactly one of each entity's names: slug -> QIDs."""
    owners: dict[str, list[str]] = defaultdict(list)  # the literal in N-Triples -> slugs
    for slug, literals in wanted.items():
        for literal in literals:
            owners[str(literal)].append(slug)
    found: dict[str, set[str]] = defaultdict(set)
    for batch in batches(sorted(owners), batch_size):
        for text, item in asker.ask(_BY_LABEL % " ".join(batch)).rows:
            qid = qid_of(item)
            if qid is not None and isinstance(text, ox.Literal):
                for slug in owners.get(str(text), ()):
                    found[slug].add(qid)
    return found


def find_by_search(asker: Asker, entities: Iterable[Entity], limit: int
                   ) -> dict[str, set[str]]:
    """Items Wikidata's own search finds for each entity's names (the Query Service's
    ``wikibase:mwapi``), one request per name."""
    found: dict[str, set[str]] = defaultdict(set)
    for entity in entities:
        for lang, text in dict.fromkeys(entity.names):
            query = _BY_SEARCH % (ox.Literal(text), lang, limit)
            for (item,) in asker.ask(query).rows:
                qid = qid_of(item)
                if qid is not None:
                    found[entity.slug].add(qid)
    return found


# ------------------------------------------------------------------------------------------
# What Wikidata says about an item

_DETAILS = PREFIXES + """PREFIX schema: <http://schema.org/>
SELECT ?item ?exists ?what ?value ?lang ?classLabel WHERE {
  VALUES ?item { %s }
  BIND(EXISTS { ?item ?anyPredicate ?anyObject } AS ?exists)
  {
    ?item rdfs:label ?value . BIND("label" AS ?what) BIND(LANG(?value) AS ?lang)
    FILTER(LANG(?value) IN (%s))
  } UNION {
    ?item skos:altLabel ?value . BIND("alias" AS ?what) BIND(LANG(?value) AS ?lang)
    FILTER(LANG(?value) IN (%s))
  } UNION {
    ?item wdt:P31 ?value . BIND("class" AS ?what)
    OPTIONAL { ?value rdfs:label ?classLabel FILTER(LANG(?classLabel) = "en") }
  } UNION {
    ?item owl:sameAs ?value . BIND("redirect" AS ?what)
  } UNION {
    VALUES ?property { %s } ?item ?property ?value . BIND(STR(?property) AS ?what)
  } UNION {
    ?item schema:description ?value . BIND("description" AS ?what)
    FILTER(LANG(?value) = "en")
  } UNION {
    VALUES ?value { %s } ?item ?property ?value . BIND(CONCAT("fact ", STR(?property)) AS ?what)
    FILTER(STRSTARTS(STR(?property), "http://www.wikidata.org/prop/direct/"))
  } UNION {
    BIND("item" AS ?what)
  }
}"""


def fetch_details(asker: Asker, qids: Sequence[str], languages: Iterable[str],
                  batch_size: int, neighbours: Iterable[str] = ()) -> dict[str, Details]:
    """What Wikidata says about each item (labels and aliases in ``languages``, ``en`` and
    ``mul``; its direct statements whose value is one of ``neighbours``, the items we link
    to); an item with no triple at all does not exist."""
    langs = sorted({*languages, "en", "mul"})
    lang_list = ", ".join(f'"{lang}"' for lang in langs)
    date_props = " ".join(f"wdt:{p}" for p in DATE_PIDS)
    near = " ".join(f"wd:{q}" for q in sorted(set(neighbours))) or "UNDEF"
    details = {q: Details(q) for q in qids}
    for batch in batches(list(qids), batch_size):
        values = " ".join(f"wd:{q}" for q in batch)
        text = _DETAILS % (values, lang_list, lang_list, date_props, near)
        for item, exists, what, value, lang, class_label in asker.ask(text).rows:
            qid = qid_of(item)
            if qid is None or qid not in details:
                continue
            details[qid].exists = details[qid].exists or text_of(exists) == "true"
            _note(details[qid], text_of(what) or "", value, text_of(lang), text_of(class_label))
    return details


def _note(d: Details, what: str, value: object, lang: str | None,
          class_label: str | None) -> None:
    text = text_of(value)
    if what == "label" and text is not None and lang:
        d.labels.add((lang, text))
    elif what == "alias" and text is not None and lang:
        d.aliases.add((lang, text))
    elif what == "class" and qid_of(value):
        d.classes.setdefault(qid_of(value) or "", class_label)
    elif what == "redirect":
        d.redirect = qid_of(value)
    elif what.startswith("fact ") and qid_of(value):
        d.facts.add((what.rsplit("/", 1)[1], qid_of(value) or ""))
    elif what == "description":
        d.description = text
    elif what.startswith("http://www.wikidata.org/prop/direct/") and text:
        year = _YEAR.match(text)
        if year:
            d.years[what.rsplit("/", 1)[1]].add(int(year.group(1)))


# ------------------------------------------------------------------------------------------
# Weighing the evidence


@dataclass(frozen=True, slots=True)
class Verdict:
    """How well an item fits one of our entities: a score (0-100) and the evidence."""

    score: float
    name: float  # the best name likeness, 0..1
    kind: bool | None  # True fits, False does not, None not stated
    label_fits: bool  # some name of ours is a label or alias of the item (diacritics aside)
    evidence_for: tuple[str, ...]
    evidence_against: tuple[str, ...]


def weigh(entity: Entity, item: Details, linked: dict[str, str]) -> Verdict:
    """The evidence that ``item`` is ``entity``, and its score (0-100).

    Names give up to 60 points: the best likeness of a name of ours to a label or alias of the
    item, where one of our aliases counts three quarters and one of their aliases 0.95 (our
    label matching theirs is better evidence than an alias of ours matching); 4 more for each
    further language in which a name matches exactly (at most 12). A fitting kind (P31) adds
    10, a kind that does not fit takes 30 off (a disambiguation page, category or list 60);
    dates that fit add 8, dates that do not take 15 off; each statement of the item whose value
    is an item we link to from a claim of the entity (or its country) adds 5 (at most 15).
    ``linked``: our slug -> QID.
    """
    pros: list[str] = []
    cons: list[str] = []
    theirs = [(lang, Name.of(text), "label", 1.0) for lang, text in sorted(item.labels)]
    theirs += [(lang, Name.of(text), "alias", 0.95) for lang, text in sorted(item.aliases)]
    best, best_plain, best_note, exact_langs = 0.0, 0.0, "", set()
    for index, (lang, text) in enumerate(entity.names):
        ours, weight = Name.of(text), 1.0 if index < entity.primary else 0.75
        how_ours = "label" if index < entity.primary else "alias"
        for their_lang, their, how, their_weight in theirs:
            likeness = similarity(ours, their)
            best_plain = max(best_plain, likeness)
            if likeness >= 0.95 and their_lang in (lang, "mul"):
                exact_langs.add(lang)
            if likeness * weight * their_weight > best:
                best = likeness * weight * their_weight
                best_note = (f"their {how} {their.text!r}@{their_lang} "
                             + ("= " if likeness == 1.0 else f"~ ({likeness:.2f}) ")
                             + f"our {how_ours} {text!r}@{lang}")
    score = 60 * best + 4 * min(3, max(0, len(exact_langs) - 1))
    if best_note:
        (pros if best_plain >= 0.9 else cons).append(best_note)
    if len(exact_langs) > 1:
        pros.append(f"names match in {len(exact_langs)} languages "
                    f"({', '.join(sorted(exact_langs))})")
    kind = kind_fits(entity.kind, item.classes)
    classes = ", ".join(f"{q} ({label})" if label else q for q, label in item.classes.items())
    if kind is True:
        score += 10
        pros.append(f"instance of {classes}: fits {entity.kind}")
    elif kind is False:
        score -= 60 if NOT_A_THING & set(item.classes) else 30
        cons.append(f"instance of {classes}: not {entity.kind}")
    elif item.classes:
        pros.append(f"instance of {classes}: kind not known here")
    else:
        cons.append("no instance of (P31) on the endpoint")
    score += _weigh_dates(entity, item, pros, cons)
    ours_near = {linked[s] for s in entity.related + entity.countries if s in linked}
    shared = sorted({(p, q) for p, q in item.facts if q in ours_near},
                    key=lambda f: (int(f[0][1:]), int(f[1][1:])))
    if shared:
        score += 5 * min(3, len({q for _, q in shared}))
        pros.append("statements on items we link to as well: "
                    + ", ".join(f"{p} {q}" for p, q in shared))
    return Verdict(round(max(0.0, min(100.0, score)), 1), best_plain, kind, best_plain >= 0.95,
                   tuple(pros), tuple(cons))


def kind_fits(kind: str, classes: dict[str, str | None]) -> bool | None:
    """Whether an item's classes fit one of our kinds (``None``: no class, or none known)."""
    found = set(classes)
    if not found:
        return None
    if found & NOT_A_THING:
        return False
    if kind == "persons":
        return HUMAN in found
    if HUMAN in found:
        return False
    return True if found & KIND_ITEMS.get(kind, frozenset()) else None


def _weigh_dates(entity: Entity, item: Details, pros: list[str], cons: list[str]) -> float:
    years = {p: ys for p, ys in item.years.items() if ys}
    if not entity.dates or not years:
        return 0.0
    spans = [(d.earliest_begin.year if d.earliest_begin else None,
              d.latest_end.year if d.latest_end else None) for d in entity.dates]
    shown = "; ".join(f"{p} {', '.join(str(y) for y in sorted(ys))}"
                      for p, ys in sorted(years.items()))
    ours = ", ".join(d.edtf for d in entity.dates)
    for ys in years.values():
        for year in ys:
            if any((lo is None or lo <= year) and (hi is None or year <= hi) for lo, hi in spans):
                pros.append(f"dates {shown} fit ours ({ours})")
                return 8.0
    cons.append(f"dates {shown} do not fit ours ({ours})")
    return -15.0
