"""JSON-LD a web developer can read: a context of plain terms, and documents written with it.

The context (published at ``BASE/context.jsonld``) names every property of the data by its
local name (``label``, ``partOf``, ``when``, ``earliestBegin``, ...), aliases ``@id`` and
``@type`` as ``id`` and ``type``, and coerces each property's values as the data has them:
links are plain strings (``"partOf": "event:prague-spring"``), labels are maps from language
to text (``"label": {"en": "Prague Spring", "cs": "Pražské jaro"}``), dates are strings typed
by the context, numbers are JSON numbers. It uses JSON-LD 1.0 features only (no
``@version``), so 1.0 processors read it. A value that does not fit its term's coercion
(``rdf:object`` holds links, numbers and text alike) is written with the property's compact
IRI and an explicit value object, so that every document is isomorphic to the Turtle (a test
checks every document with a JSON-LD processor in 1.0 mode).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import orjson
import pyoxigraph as ox

from ..namespaces import RDF, RDFS, XSD, IriSpace

_TYPE = RDF.type.value
_STRING = XSD.string.value
_INTEGER = XSD.integer.value
_LANG_STRING = RDF.langString.value
LANGUAGE_MAP = "@language"
NATIVE_INTEGER = "native"

#: Readable names where the local name would say less.
_RENAMES = {RDFS.comment.value: "description"}


def context_url(space: IriSpace) -> str:
    return space.base + "context.jsonld"


def coercions(triples: Iterable[ox.Triple]) -> dict[str, str | None]:
    """For every predicate, how all its values can be written: ``"@id"`` (all IRIs),
    :data:`LANGUAGE_MAP` (all lower-case language-tagged strings), :data:`NATIVE_INTEGER`,
    a datatype IRI (all of one datatype), or None (mixed: written as value objects)."""
    seen: dict[str, str | None] = {}
    for t in triples:
        p = t.predicate.value
        if p == _TYPE:
            continue
        kind = _kind(t.object)
        if p not in seen:
            seen[p] = kind
        elif seen[p] != kind:
            seen[p] = None
    return seen


def _kind(o: object) -> str | None:
    """How one value would be written under a coercing term (see :func:`coercions`)."""
    if not isinstance(o, ox.Literal):
        return "@id"
    if o.language:
        return LANGUAGE_MAP if o.language == o.language.lower() else None
    if o.datatype.value == _INTEGER:
        return NATIVE_INTEGER if _canonical_integer(o.value) else None
    return o.datatype.value


def _canonical_integer(text: str) -> bool:
    try:
        return str(int(text)) == text and abs(int(text)) < 2**53
    except ValueError:
        return False


class Context:
    """The readable context: terms, and how each property's values are written."""

    def __init__(self, space: IriSpace, kinds: dict[str, str | None]) -> None:
        self.space = space
        self.prefixes = space.prefixes()
        self._namespaces = {ns: name for name, ns in self.prefixes.items()}
        self._compacted: dict[str, str] = {}
        self.terms: dict[str, tuple[str, str | None]] = {}  # predicate -> (term, coercion)
        taken: set[str] = {"id", "type", *self.prefixes}
        for predicate in sorted(kinds):
            kind = kinds[predicate]
            name = _RENAMES.get(predicate) or _local_name(predicate)
            if kind is None or not name or name in taken or not name[0].isalpha():
                continue
            taken.add(name)
            self.terms[predicate] = (name, kind)

    def compact(self, iri: str) -> str:
        """A compact IRI ``prefix:name`` (the longest namespace ending at a ``#`` or ``/``
        wins), or the IRI itself."""
        done = self._compacted.get(iri)
        if done is not None:
            return done
        out = iri
        cut = max(iri.rfind("#"), iri.rfind("/")) + 1
        while cut > 0:
            name = self._namespaces.get(iri[:cut])
            if name is not None and cut < len(iri) and iri[cut] != "/":
                out = f"{name}:{iri[cut:]}"
                break
            cut = max(iri.rfind("#", 0, cut - 1), iri.rfind("/", 0, cut - 1)) + 1
        if len(self._compacted) < 1_000_000:
            self._compacted[iri] = out
        return out

    def document(self) -> dict[str, object]:
        """The context as a JSON object (JSON-LD 1.0)."""
        ctx: dict[str, object] = {"id": "@id", "type": "@type"}
        ctx.update(self.prefixes)
        for predicate, (name, kind) in sorted(self.terms.items(), key=lambda i: i[1][0]):
            definition: dict[str, str] = {"@id": self.compact(predicate)}
            if kind == LANGUAGE_MAP:
                definition["@container"] = "@language"
            elif kind == "@id":
                definition["@type"] = "@id"
            elif kind not in (NATIVE_INTEGER, _STRING):
                assert kind is not None
                definition["@type"] = self.compact(kind)
            ctx[name] = definition
        return {"@context": ctx}

    def node_objects(self, triples: Sequence[ox.Triple]) -> list[dict[str, object]]:
        """One node object per subject, in the order of the triples.

        (The hot loop of the site: every triple of every document passes here, so the
        common cases, a type, a value as its term coerces it, are handled inline.)"""
        nodes: dict[str, dict[str, object]] = {}
        terms = self.terms
        compact = self.compact
        last: object = None
        node: dict[str, object] = {}
        for t in triples:
            s = t.subject
            if s != last:  # the triples of a subject come together
                last = s
                subject = self._ref(s)
                node = nodes.get(subject) or nodes.setdefault(subject, {"id": subject})
            predicate = t.predicate.value
            o = t.object
            if predicate == _TYPE and type(o) is ox.NamedNode:
                _add(node, "type", compact(o.value))
                continue
            term = terms.get(predicate)
            if term is not None:
                name, kind = term
                if not isinstance(o, ox.Literal):
                    if kind == "@id":
                        _add(node, name, self._ref(o))
                        continue
                elif _kind(o) == kind:  # the value is as the term coerces it
                    if kind == LANGUAGE_MAP:
                        langs = node.setdefault(name, {})
                        assert isinstance(langs, dict)
                        _add(langs, o.language or "", o.value)
                    else:
                        _add(node, name, int(o.value) if kind == NATIVE_INTEGER else o.value)
                    continue
            _add(node, compact(predicate), self._value_object(o))
        return list(nodes.values())

    def _ref(self, term: ox.NamedNode | ox.BlankNode | ox.Literal | object) -> str:
        if isinstance(term, ox.BlankNode):
            return f"_:{term.value}"
        assert isinstance(term, ox.NamedNode)
        return self.compact(term.value)

    def _value_object(self, o: ox.NamedNode | ox.BlankNode | ox.Literal | object) -> object:
        """A value written without its term's coercion (under the property's compact IRI)."""
        if isinstance(o, ox.NamedNode | ox.BlankNode):
            return {"id": self._ref(o)}
        assert isinstance(o, ox.Literal)
        if o.language:
            return {"@value": o.value, "@language": o.language}
        if o.datatype.value == _STRING:
            return o.value
        return {"@value": o.value, "@type": self.compact(o.datatype.value)}

    def serialize(self, triples: Sequence[ox.Triple], topic: str | None = None) -> bytes:
        """A JSON-LD document of the triples, referring to the published context; the node
        of ``topic`` (what the document is about) comes first, the rest in triple order."""
        nodes = self.node_objects(triples)
        if topic is not None:
            first = self.compact(topic)
            nodes.sort(key=lambda node: node["id"] != first)  # stable: the rest keep order
        doc = {"@context": context_url(self.space), "@graph": nodes}
        return orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def _add(obj: dict[str, object], key: str, value: object) -> None:
    current = obj.get(key)
    if current is None:
        obj[key] = value
    elif isinstance(current, list):
        current.append(value)
    else:
        obj[key] = [current, value]


def _local_name(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri:
            iri = iri.rsplit(sep, 1)[1]
    return iri


Serializer = Callable[[Sequence[ox.Triple]], bytes]
