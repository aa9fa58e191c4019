"""JSON-LD: the dataset as flattened JSON-LD, its context, and what a pass over it counts."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from json.encoder import encode_basestring

import pyoxigraph as ox

from .namespaces import RDF, RDF_TYPE, SKOS, XSD, IriSpace, iri, shortener

_LANGUAGE = "@language"  # a marker, compared by identity
_ID_KEY = '"@id": '


@dataclass(slots=True)
class Census:
    """What a pass over the triples saw, from which :mod:`coldwar_lod.void` takes its
    statistics: the JSON-LD writer takes it on the way (:func:`jsonld_and_census`), so that
    a build does not read every triple once more for them.
    """

    #: every subject's IRI
    subjects: set[str] = field(default_factory=set)
    #: the number of distinct predicates
    predicates: int = 0
    #: the subjects of ``rdf:type`` triples (whatever their object)
    typed: set[str] = field(default_factory=set)
    #: class IRI -> the subject of each ``rdf:type`` triple with that class, in triple order
    instances: dict[str, list[str]] = field(default_factory=dict)
    #: the object IRI of each ``skos:exactMatch`` triple, in triple order
    matches: list[str] = field(default_factory=list)
    #: the prefixes the JSON-LD writer used (the context declares these, and only these)
    prefixes: set[str] = field(default_factory=set)



def context(space: IriSpace, used: Iterable[str] | None = None) -> dict[str, object]:
    """The JSON-LD context shipped as ``context.jsonld``: the prefixes the data uses
    (``used``; default all of the dataset's), as plain JSON-LD 1.0 term definitions.

    >>> context(IriSpace.from_base(), used={"rdfs", "cwo"})
    {'@context': {'cwo': 'https://w3id.org/coldwar-lod/ontology#', 'rdfs': 'http://www.w3.org/2000/01/rdf-schema#'}}
    """
    prefixes = space.prefixes()
    if used is not None:
        wanted = set(used)
        prefixes = {name: ns for name, ns in prefixes.items() if name in wanted}
    return {"@context": prefixes}


def jsonld(triples: Iterable[ox.Triple], space: IriSpace) -> bytes:
    """Flattened JSON-LD with compact IRIs, one node object per subject and per line; read
    alike by JSON-LD 1.0 and 1.1 processors (its context only declares prefixes, and only
    those it uses).

    Written directly rather than through a JSON-LD processor: the data is flat (no blank
    nodes, no lists), so compaction is prefix substitution, and this runs at serializer speed.
    One node per line keeps diffs readable. Each line is what ``json.dumps(node,
    ensure_ascii=False)`` writes for the node (a test checks), put together from pieces of
    JSON; the nodes come in the order of their subjects' first triples, the keys of a node in
    the order of their first triples, and the values of a key in the order of the triples.
    """
    return jsonld_and_census(triples, space)[0]


def jsonld_and_census(triples: Iterable[ox.Triple], space: IriSpace) -> tuple[bytes, Census]:
    """:func:`jsonld`, and the :class:`Census` of the triples, taken in the same pass."""
    items = triples if isinstance(triples, Sequence) else list(triples)
    shorten = shortener(space.prefixes())
    used: set[str] = set()

    def compact(value: str) -> str:  # called once per distinct term, and per subject
        short = shorten(value)
        if short is not value:
            used.add(short.partition(":")[0])
        return short

    done = _node_lines(items, compact)
    if done is None:  # a subject's triples are not together: put them together
        groups: dict[str, list[ox.Triple]] = {}
        for t in items:
            groups.setdefault(iri(t.subject), []).append(t)
        done = _node_lines([t for group in groups.values() for t in group], compact)
        assert done is not None
    lines, census = done
    census.prefixes = used
    head = json.dumps(context(space, used), ensure_ascii=False, indent=1)[:-2]
    body = ",\n".join(lines)
    return f'{head},\n "@graph": [\n{body}\n]}}\n'.encode(), census


def _node_lines(triples: Sequence[ox.Triple], compact: Callable[[str], str]
                ) -> tuple[list[str], Census] | None:
    """The JSON of each subject's node object and the census of the triples, or None if a
    subject's triples are not together.

    One pass, with little work per triple: reading a term of a pyoxigraph triple makes a new
    Python object, so each term is read once, and the JSON of repeated terms (predicates,
    object IRIs, classes, datatypes) is made once and kept in dicts keyed by the term (object
    IRIs by their string). A node is written out as soon as its subject's triples end, so
    what stays alive while the pass runs is mostly strings, which the garbage collector does
    not look at.
    """
    # predicate -> its key in a node object, as JSON followed by ": "
    keys: dict[ox.NamedNode, str] = {}
    # the keys of rdf:type and skos:exactMatch once seen, compared by identity
    type_key: str | None = None
    match_key: str | None = None
    class_key = _key("@type")
    # class -> its compact IRI as JSON, and the subject of each rdf:type triple with it
    classes: dict[ox.NamedNode, tuple[str, list[str]]] = {}
    typed: set[str] = set()
    matches: list[str] = []
    # object IRI -> {"@id": compact IRI}, as JSON (keyed by the IRI's string: terms kept
    # alive would make the garbage collector run, and look at every triple, each time)
    refs: dict[str, str] = {}
    # datatype -> the end of a value object ``, "@type": "xsd:date"}``, or "" for xsd:string,
    # or _LANGUAGE for language-tagged strings
    datatypes: dict[ox.NamedNode, str] = {
        XSD.string: "",
        RDF.langString: _LANGUAGE,
        RDF.dirLangString: _LANGUAGE,
    }
    named_node, literal, string = ox.NamedNode, ox.Literal, encode_basestring
    lines: list[str] = []
    seen: set[str] = set()
    # the current node: its keys (as JSON + ": ") -> its value or values (as JSON), "@id" first
    node: dict[str, str | list[str]] = {}
    subject: object = None
    for s, p, o in triples:
        if s != subject:
            if node:
                lines.append(_node_json(node))
            subject = s
            name = iri(s)
            if name in seen:
                return None
            seen.add(name)
            node = {_ID_KEY: string(compact(name))}
        key = keys.get(p)
        if key is None:
            key = keys[p] = _key(compact(p.value))
            if p == RDF_TYPE:
                type_key = key
            elif p == SKOS.exactMatch:
                match_key = key
        if key is type_key:
            typed.add(name)
        kind = type(o)
        if kind is named_node:
            if key is type_key:
                key = class_key
                entry = classes.get(o)
                if entry is None:
                    entry = classes[o] = (string(compact(o.value)), [])
                value = entry[0]
                entry[1].append(name)
            else:
                target = o.value
                if key is match_key:
                    matches.append(target)
                ref = refs.get(target)
                if ref is None:
                    ref = refs[target] = f'{{"@id": {string(compact(target))}}}'
                value = ref
        elif kind is literal:
            datatype = o.datatype
            end = datatypes.get(datatype)
            if end is None:
                end = datatypes[datatype] = f', "@type": {string(compact(datatype.value))}}}'
            if not end:
                value = string(o.value)
            elif end is _LANGUAGE:
                value = f'{{"@value": {string(o.value)}, "@language": {string(o.language)}}}'
            else:
                value = f'{{"@value": {string(o.value)}{end}'
        else:  # pragma: no cover - the mapper mints no blank nodes
            raise TypeError(f"unexpected term {o!r}")
        values = node.get(key)
        if values is None:
            node[key] = value
        elif isinstance(values, str):
            node[key] = [values, value]
        else:
            values.append(value)
    if node:
        lines.append(_node_json(node))
    census = Census(seen, len(keys), typed,
                    {cls.value: names for cls, (_, names) in classes.items()}, matches)
    return lines, census


def _node_json(node: dict[str, str | list[str]]) -> str:
    """A node object as JSON, from its keys and values as JSON."""
    return "{" + ", ".join([key + values if isinstance(values, str)
                            else f"{key}[{', '.join(values)}]"
                            for key, values in node.items()]) + "}"


def _key(name: str) -> str:
    """A key of a JSON object as written before its value: ``"name": ``."""
    return encode_basestring(name) + ": "

