"""The reconciliation service's answers (W3C Entity Reconciliation API 0.2, as OpenRefine
speaks it), computed from the records: the manifest, candidates for queries, suggestions and
previews. No HTTP here (see ``server.py``).

Scoring (0-100): the best name of the entity against the query text (:func:`similarity`: exact
100, without diacritics 95, else at most 90 by likeness); each property condition that the
entity meets adds 10, each it contradicts takes 20 off. A query that is one of our IRIs (or its
``kind/slug`` id) or a QID we link to returns that entity with 100. ``match`` is true only for
a single best candidate scoring at least 95 with no contradicted condition.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...dates import DateError, parse_edtf
from ...errors import InputError
from ..names import (
    KIND_CLASSES,
    Entity,
    Name,
    entities,
    folded,
    normal,
    overlaps,
    similarity,
)

if TYPE_CHECKING:  # pragma: no cover
    from ...dataset import Build

#: Property conditions the service understands: id -> (name, description).
PROPERTIES = {
    "date": ("date", "when it happened (EDTF or ISO date: 1968, 1968-08, 1968-08-21); "
                     "for a work, its year"),
    "place": ("place", "where it happened or lies: a place or state (name, id, IRI or QID)"),
    "country": ("country", "the state it happened or lies in (name, id, IRI or QID)"),
    "qid": ("Wikidata QID", "the Wikidata item it is linked to (Q...)"),
}
DEFAULT_LIMIT = 5
_WD = ("http://www.wikidata.org/entity/", "https://www.wikidata.org/wiki/", "wd:")


@dataclass(frozen=True, slots=True)
class Candidate:
    entity: Entity
    score: float
    contradicted: bool = False


class Reconciler:
    """Our entities, ready to be matched against people's names.

    >>> import coldwar_lod
    >>> rec = Reconciler(coldwar_lod.build(), "http://127.0.0.1:8000")
    >>> top = rec.reconcile({"query": "Pražské jaro"})["result"][0]
    >>> top["id"], top["score"], top["match"]
    ('event/prague-spring', 100.0, True)
    """

    def __init__(self, build: Build, service_url: str) -> None:
        self.space = build.space
        self.service_url = service_url.rstrip("/")
        self.entities = entities(build)
        self.by_id = {e.short_id: e for e in self.entities.values()}
        self.by_qid = {e.qid: e for e in self.entities.values() if e.qid}

    # ---------------------------------------------------------------------------- manifest

    def manifest(self) -> dict[str, Any]:
        """The service manifest: name, identifier and schema spaces, types, view, preview,
        suggest."""
        url = self.service_url
        return {
            "versions": ["0.1", "0.2"],
            "name": "coldwar-lod: the 1968 Czechoslovak crisis",
            "identifierSpace": self.space.ids,
            "schemaSpace": self.space.ontology,
            "defaultTypes": [self._type(name) for name in sorted(set(KIND_CLASSES.values()))],
            "view": {"url": self.space.ids + "{{id}}"},
            "preview": {"url": url + "/preview?id={{id}}", "width": 400, "height": 160},
            "suggest": {
                kind: {"service_url": url, "service_path": f"/suggest/{kind}"}
                for kind in ("entity", "type", "property")
            },
            "batchSize": 50,
        }

    def _type(self, name: str) -> dict[str, str]:
        return {"id": name, "name": name}

    # ---------------------------------------------------------------------------- queries

    def reconcile_batch(self, queries: Mapping[str, Any]) -> dict[str, Any]:
        """Answers to a batch ``{"q0": {...}, ...}``, by key.

        :raises InputError: if a query is not an object or its fields have the wrong types.
        """
        if not isinstance(queries, Mapping):
            raise InputError("'queries' must be a JSON object of queries by key")
        return {key: self.reconcile(query, key) for key, query in queries.items()}

    def reconcile(self, query: Any, key: str = "query") -> dict[str, Any]:
        """Candidates for one query: ``{"result": [{"id", "name", "type", "score", "match",
        "description"}, ...]}``, best first.

        :raises InputError: if the query is malformed.
        """
        text, types, limit, conditions = _parse_query(query, key)
        asked = Name.of(text)
        direct = self._direct(text)
        if direct is not None:
            return {"result": [self._result(Candidate(direct, 100.0), True)]}
        candidates = []
        for entity in self.entities.values():
            if types and not types & {entity.kind_class, entity.ontology_class}:
                continue
            name_score = max((similarity(asked, n) for n in entity.keys), default=0.0)
            if name_score < 0.3 and not conditions:
                continue
            score, contradicted = 100.0 * name_score, False
            for pid, value in conditions:
                met = self._meets(entity, pid, value)
                if met is True:
                    score += 10
                elif met is False:
                    score, contradicted = score - 20, True
            candidates.append(Candidate(entity, max(0.0, min(100.0, round(score, 1))),
                                        contradicted))
        candidates.sort(key=lambda c: (-c.score, c.entity.label, c.entity.slug))
        candidates = [c for c in candidates if c.score > 0][:limit]
        sure = (bool(candidates) and candidates[0].score >= 95 and not candidates[0].contradicted
                and (len(candidates) == 1 or candidates[1].score < candidates[0].score))
        return {"result": [self._result(c, sure and i == 0) for i, c in enumerate(candidates)]}

    def _direct(self, text: str) -> Entity | None:
        """The entity a query names by IRI, ``kind/slug`` id or linked QID."""
        text = text.strip()
        short = text[len(self.space.ids):] if text.startswith(self.space.ids) else text
        if short in self.by_id:
            return self.by_id[short]
        for prefix in _WD:
            if text.startswith(prefix):
                text = text[len(prefix):]
        return self.by_qid.get(text)

    def _meets(self, entity: Entity, pid: str, value: str) -> bool | None:
        """Whether the entity meets a condition (``None``: it has no value to compare, or the
        property is not one of :data:`PROPERTIES`)."""
        if pid not in PROPERTIES:
            return None
        if pid == "qid":
            wanted = value.strip().rsplit("/", 1)[-1].removeprefix("wd:")
            return entity.qid == wanted if entity.qid else None
        if pid == "date":
            try:
                asked = parse_edtf(value.strip())
            except DateError:
                return None
            return any(overlaps(asked, d) for d in entity.dates) if entity.dates else None
        slugs = entity.countries if pid == "country" else entity.places + entity.countries
        if not slugs:
            return None
        return any(self._names_entity(value, self.entities[s]) for s in slugs
                   if s in self.entities)

    def _names_entity(self, value: str, entity: Entity) -> bool:
        named = self._direct(value)
        if named is not None:
            return named is entity
        return any(folded(value) == folded(n) for _, n in entity.names)

    def _result(self, candidate: Candidate, match: bool) -> dict[str, Any]:
        e = candidate.entity
        kinds = [e.kind_class] + ([e.ontology_class] if e.ontology_class != e.kind_class else [])
        out: dict[str, Any] = {"id": e.short_id, "name": e.label,
                               "type": [self._type(k) for k in kinds],
                               "score": candidate.score, "match": match}
        if e.description:
            out["description"] = e.description
        return out

    # ---------------------------------------------------------------------------- suggest

    def suggest_entity(self, prefix: str, cursor: int = 0, limit: int = 10) -> dict[str, Any]:
        """Entities with a name that starts with ``prefix`` (or a word of it), for
        autocompletion."""
        want = folded(prefix)
        found = []
        for e in self.entities.values():
            names = [folded(n) for _, n in e.names]
            if any(n.startswith(want) for n in names):
                found.append((0, e))
            elif any(f" {want}" in f" {n}" for n in names):
                found.append((1, e))
        found.sort(key=lambda pair: (pair[0], pair[1].label))
        return {"result": [
            {"id": e.short_id, "name": e.label, "description": e.description,
             "notable": [self._type(e.kind_class)]}
            for _, e in found[cursor:cursor + limit]]}

    def suggest_type(self, prefix: str, cursor: int = 0, limit: int = 10) -> dict[str, Any]:
        """The types whose name starts with ``prefix``."""
        names = sorted({c for e in self.entities.values()
                        for c in (e.kind_class, e.ontology_class)})
        found = [n for n in names if normal(n).startswith(normal(prefix))]
        return {"result": [self._type(n) for n in found[cursor:cursor + limit]]}

    def suggest_property(self, prefix: str, cursor: int = 0, limit: int = 10
                         ) -> dict[str, Any]:
        """The property conditions whose id or name starts with ``prefix``."""
        found = [{"id": pid, "name": name, "description": text}
                 for pid, (name, text) in PROPERTIES.items()
                 if normal(name).startswith(normal(prefix)) or pid.startswith(normal(prefix))]
        return {"result": found[cursor:cursor + limit]}

    # ---------------------------------------------------------------------------- preview

    def preview(self, entity_id: str) -> str | None:
        """A small HTML page on the entity, linking to its IRI (``None``: unknown id)."""
        e = self._direct(entity_id)
        if e is None:
            return None
        iri = self.space.ids + e.short_id
        langs: dict[str, list[str]] = {}
        for lang, text in e.names[1:]:
            langs.setdefault(text, []).append(lang)
        names = ", ".join(f"{html.escape(text)} <small>({', '.join(tags)})</small>"
                          for text, tags in langs.items())
        qid = (f' · <a href="http://www.wikidata.org/entity/{e.qid}" target="_blank">'
               f"Wikidata {e.qid}</a>" if e.qid else "")
        return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                f"<title>{html.escape(e.label)}</title></head>\n"
                "<body style=\"font-family: sans-serif; font-size: 13px; margin: 6px\">\n"
                f'<p><a href="{html.escape(iri)}" target="_blank"><b>{html.escape(e.label)}'
                f"</b></a> <small>{html.escape(e.ontology_class)}</small>{qid}</p>\n"
                + (f"<p>{names}</p>\n" if names else "")
                + (f"<p>{html.escape(e.description)}</p>\n" if e.description else "")
                + "</body></html>\n")


def _parse_query(query: Any, key: str) -> tuple[str, set[str], int, list[tuple[str, str]]]:
    """Query text, wanted types, limit and property conditions, checked."""
    if isinstance(query, str):  # the oldest form: a bare string
        return query, set(), DEFAULT_LIMIT, []
    if not isinstance(query, Mapping):
        raise InputError(f"query {key!r} must be an object with a 'query' field")
    text = query.get("query", "")
    if not isinstance(text, str):
        raise InputError(f"query {key!r}: 'query' must be a string")
    wanted = query.get("type")
    types = ({wanted} if isinstance(wanted, str) else
             {t for t in wanted if isinstance(t, str)} if isinstance(wanted, list) else set())
    limit = query.get("limit", DEFAULT_LIMIT)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise InputError(f"query {key!r}: 'limit' must be a positive integer")
    conditions = []
    for item in query.get("properties") or []:
        if not isinstance(item, Mapping) or not isinstance(item.get("pid"), str):
            raise InputError(f"query {key!r}: each property needs a 'pid' string")
        values = item.get("v")
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, Mapping):  # an already reconciled cell: {"id": ...}
                value = value.get("id", "")
            if isinstance(value, str | int | float) and str(value).strip():
                conditions.append((item["pid"], str(value)))
    if not text.strip() and not conditions:
        raise InputError(f"query {key!r}: give a 'query' text or property conditions")
    return text, types, limit, conditions
