"""SHACL shapes compiled to SPARQL: one query per constraint, for all focus nodes at once.

Each constraint of the shapes becomes one SPARQL ``SELECT`` that returns the validation
results of *all* its focus nodes at once (``?this``, and ``?value`` where the result has a value
node), instead of evaluating the constraint node by node as pySHACL and pyshacl-turbo do.
Oxigraph answers such set-at-a-time queries from its indexes. The queries run on a few
threads; Oxigraph releases the GIL for part of their evaluation only, so the gain is small
(benchmarks/README.md).

The translation follows the SPARQL definitions of the SHACL 1.0 recommendation:

* targets: ``sh:targetClass`` (instances of the class and of its subclasses, by
  ``rdf:type/rdfs:subClassOf*`` in the data graph), ``sh:targetNode``, ``sh:targetSubjectsOf``,
  ``sh:targetObjectsOf``, and implicit class targets;
* paths: predicates, sequences, ``sh:alternativePath``, ``sh:inversePath``,
  ``sh:zeroOrMorePath``, ``sh:oneOrMorePath``, ``sh:zeroOrOnePath``;
* components: ``sh:class``, ``sh:datatype`` (with well-formedness of the XSD types Oxigraph
  knows), ``sh:nodeKind``, ``sh:pattern``/``sh:flags``, ``sh:in``, ``sh:hasValue``,
  ``sh:languageIn``, ``sh:minInclusive`` and its three siblings, ``sh:minLength``,
  ``sh:maxLength``, ``sh:minCount``, ``sh:maxCount``, ``sh:lessThan``, ``sh:lessThanOrEquals``,
  ``sh:uniqueLang``, ``sh:qualifiedValueShape`` with ``sh:qualifiedMinCount`` /
  ``sh:qualifiedMaxCount``, ``sh:node``, ``sh:not``, ``sh:and``, ``sh:or``, and SPARQL-based
  constraints (``sh:sparql`` with ``sh:select``; ``$this`` is evaluated free and the rows are
  kept for the shape's focus nodes, which is the same as pre-binding for queries that bind
  ``$this`` in a triple pattern, as SHACL-SPARQL requires).

Anything else (``sh:closed``, ``sh:xone``, ``sh:equals``, ``sh:disjoint``, SPARQL-based targets
and components, nested shapes that cannot be written as one filter expression) raises
:class:`UnsupportedShapesError` when the shapes are compiled; :mod:`.engines` then
uses pyshacl-turbo. The results are checked against pySHACL's on every fixture and on the
real data (``tests/validation/test_engines.py``).

One difference of the store matters: Oxigraph keeps the *value* of a literal of a numeric or
date/time XSD type, not its lexical form (``"007"^^xsd:int`` is stored as ``"7"^^xsd:integer``),
so ``sh:datatype``, ``sh:pattern``, ``sh:in`` and the length constraints could see another
literal than the data has. :func:`non_canonical_literals` finds such literals; validation
checks the data with it first (the project's own builds only write canonical literals).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import pyoxigraph as ox

from ..namespaces import OWL, RDF, RDFS, SH, XSD
from .report import COMPLEX_PATH
from .shapes_index import (
    ShapesGraph,
    Term,
    UnsupportedShapesError,
    name_of,
    short_name,
    sparql_string,
    sparql_term,
)

_OWL, _RDF, _RDFS, _XSD = OWL.NS, RDF.NS, RDFS.NS, XSD.NS

#: XSD types whose literals Oxigraph stores as values; with the cast that checks a lexical form.
_CASTS = {_XSD + name: _XSD + name for name in (
    "boolean", "integer", "decimal", "float", "double", "dateTime", "date", "time", "duration",
    "dayTimeDuration", "yearMonthDuration", "gYear", "gYearMonth", "gMonth", "gMonthDay",
    "gDay", "dateTimeStamp")}
#: Types Oxigraph rewrites to xsd:integer: their literals cannot be checked in the store.
_DERIVED_INTEGERS = frozenset(_XSD + name for name in (
    "nonNegativeInteger", "nonPositiveInteger", "negativeInteger", "positiveInteger", "long",
    "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"))
VALUE_TYPES = frozenset(_CASTS) | _DERIVED_INTEGERS

_NODE_KINDS = {
    "IRI": "isIRI({v})", "BlankNode": "isBlank({v})", "Literal": "isLiteral({v})",
    "BlankNodeOrIRI": "(isBlank({v}) || isIRI({v}))",
    "BlankNodeOrLiteral": "(isBlank({v}) || isLiteral({v}))",
    "IRIOrLiteral": "(isIRI({v}) || isLiteral({v}))",
}
_COMPARISONS = {"minInclusive": ">=", "minExclusive": ">", "maxInclusive": "<=",
                "maxExclusive": "<"}
#: Parameters that belong to shapes, not to constraint components.
_SHAPE_KEYS = frozenset(SH + k for k in (
    "targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "property", "path",
    "severity", "message", "name", "description", "order", "group", "deactivated", "defaultValue",
    "flags", "qualifiedMinCount", "qualifiedMaxCount", "qualifiedValueShapesDisjoint"))
_KNOWN_FOR_NODES = frozenset(SH + k for k in (
    "class", "datatype", "nodeKind", "pattern", "in", "hasValue", "languageIn", "minInclusive",
    "minExclusive", "maxInclusive", "maxExclusive", "minLength", "maxLength", "node", "not",
    "and", "or", "sparql"))
_KNOWN_FOR_PROPERTIES = _KNOWN_FOR_NODES | frozenset(SH + k for k in (
    "minCount", "maxCount", "lessThan", "lessThanOrEquals", "uniqueLang",
    "qualifiedValueShape"))


#: SPARQL keywords that SHACL-SPARQL's pre-binding of $this does not allow (and SELECT).
_KEYWORD = re.compile(r"(?<![?$\w#/:<])(MINUS|VALUES|SERVICE|SELECT)(?![\w>])", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Check:
    """One constraint of one shape, as a query returning its validation results."""

    shape: str
    component: str
    severity: str
    path: str
    message: str
    query: str
    #: SPARQL-based constraints: the query returns rows for any ``?this``; keep those that are
    #: focus nodes of the shape (this query lists them).
    focus_query: str | None = None





class _Compiler:
    def __init__(self, graph: ShapesGraph) -> None:
        self.graph = graph
        self.counter = 0
        self.checks: list[Check] = []
        self.implicit = self.implicit_classes()

    def fresh(self) -> str:
        self.counter += 1
        return f"?_v{self.counter}"

    # -- shapes with targets ------------------------------------------------------------

    def compile(self) -> list[Check]:
        g = self.graph
        if g.subjects_with(SH + "target"):
            raise UnsupportedShapesError("SPARQL-based targets (sh:target)")
        shapes = {s for key in ("targetClass", "targetNode", "targetSubjectsOf",
                                "targetObjectsOf") for s in g.subjects_with(SH + key)}
        shapes |= self.implicit
        for shape in sorted(shapes, key=name_of):
            if not self.deactivated(shape):
                self.shape(shape, self.targets(shape))
        return self.checks

    def implicit_classes(self) -> set[Term]:
        """Shapes that are also classes: they target their instances (SHACL 2.1.3.3)."""
        g = self.graph
        classes = {*g.subjects_with(_RDF + "type", _RDFS + "Class"),
                   *g.subjects_with(_RDF + "type", _OWL + "Class")}
        shapes = {*g.subjects_with(_RDF + "type", SH + "NodeShape"),
                  *g.subjects_with(_RDF + "type", SH + "PropertyShape")}
        return classes & shapes

    def deactivated(self, shape: Term) -> bool:
        flag = self.graph.one(shape, SH + "deactivated")
        return isinstance(flag, ox.Literal) and flag.value == "true"

    def targets(self, shape: Term) -> str:
        g = self.graph
        parts = []
        classes = g.objects(shape, SH + "targetClass")
        if shape in self.implicit:
            classes.append(shape)
        parts += [f"{{ {_instance('?this', c)} }}" for c in classes]
        nodes = g.objects(shape, SH + "targetNode")
        if nodes:
            parts.append("{ VALUES ?this { " + " ".join(sparql_term(n) for n in nodes) + " } }")
        parts += [f"{{ ?this {sparql_term(p)} [] }}"
                  for p in g.objects(shape, SH + "targetSubjectsOf")]
        parts += [f"{{ [] {sparql_term(p)} ?this }}"
                  for p in g.objects(shape, SH + "targetObjectsOf")]
        return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"

    def shape(self, shape: Term, focus: str) -> None:
        """The checks of a shape (and of its property shapes) for the focus nodes ``focus``."""
        g = self.graph
        path_node = g.one(shape, SH + "path")
        props = g.index.get(shape, {})
        known = _KNOWN_FOR_PROPERTIES if path_node is not None else _KNOWN_FOR_NODES
        for key in props:
            if key.startswith(SH) and key not in known and key not in _SHAPE_KEYS:
                raise UnsupportedShapesError(f"{short_name(key)} (in {name_of(shape)})")
        severity = self.severity(shape)
        messages = sorted(m.value for m in g.objects(shape, SH + "message")
                          if isinstance(m, ox.Literal))
        message = messages[0] if messages else ""
        if path_node is None:
            values, path, result_path = "BIND(?this AS ?value)", "", ""
        else:
            path = self.path(path_node)
            result_path = path_node.value if isinstance(path_node, ox.NamedNode) else COMPLEX_PATH
            values = f"?this {path} ?value ."

        def add(component: str, where: str, value: bool = True) -> None:
            select = "SELECT ?this ?value" if value else "SELECT ?this"
            self.checks.append(Check(name_of(shape), SH + component, severity, result_path,
                                     message, f"{select} WHERE {{ {where} }}"))

        for key, objects in sorted(props.items()):
            name = key[len(SH):] if key.startswith(SH) else ""
            component = name[0].upper() + name[1:] + "ConstraintComponent" if name else ""
            if key in (SH + "property",):
                for child in objects:
                    if not self.deactivated(child):
                        self.shape(child, focus)
            elif key == SH + "minCount":
                count = _integer(objects[0])
                if count == 1:
                    add(component, f"{focus} FILTER NOT EXISTS {{ ?this {path} ?value }}", False)
                elif count > 1:
                    add(component, self.counted(focus, path, "", f"< {count}"), False)
            elif key == SH + "maxCount":
                count = _integer(objects[0])
                if count == 1:  # two different values: cheaper than counting them
                    add(component, f"{{ SELECT DISTINCT ?this WHERE {{ {focus} ?this {path} ?_a, "
                        f"?_b . FILTER(!sameTerm(?_a, ?_b)) }} }}", False)
                else:
                    add(component, f"{{ SELECT ?this WHERE {{ {focus} ?this {path} ?value }} "
                        f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {count}) }}", False)
            elif key == SH + "qualifiedValueShape":
                qualified = self.conforms(objects[0], "?value")
                for bound, op, comp in (("qualifiedMinCount", "<", "QualifiedMinCount"),
                                        ("qualifiedMaxCount", ">", "QualifiedMaxCount")):
                    limit = g.one(shape, SH + bound)
                    if limit is not None:
                        add(f"Qualified{comp[9:]}ConstraintComponent",
                            self.counted(focus, path, qualified, f"{op} {_integer(limit)}"),
                            False)
                disjoint = g.one(shape, SH + "qualifiedValueShapesDisjoint")
                if isinstance(disjoint, ox.Literal) and disjoint.value == "true":
                    raise UnsupportedShapesError("sh:qualifiedValueShapesDisjoint")
            elif key in (SH + "lessThan", SH + "lessThanOrEquals"):
                op = "<" if key == SH + "lessThan" else "<="
                for other in objects:
                    add(component, f"{focus} {values} ?this {sparql_term(other)} ?_other . "
                        f"FILTER(!COALESCE(?value {op} ?_other, false))")
            elif key == SH + "uniqueLang":
                if isinstance(objects[0], ox.Literal) and objects[0].value == "true":
                    add(component, f"{{ SELECT DISTINCT ?this ?_lang WHERE {{ {focus} "
                        f"?this {path} ?_a . ?this {path} ?_b . FILTER(!sameTerm(?_a, ?_b) && "
                        f"lang(?_a) != \"\" && lcase(lang(?_a)) = lcase(lang(?_b))) "
                        f"BIND(lcase(lang(?_a)) AS ?_lang) }} }}", False)
            elif key == SH + "sparql":
                for constraint in objects:
                    self.sparql(shape, constraint, focus, severity, message)
            elif key in _KNOWN_FOR_NODES:
                if key == SH + "hasValue":
                    for expected in objects:
                        add(component, f"{focus} FILTER NOT EXISTS {{ {values} "
                            f"FILTER(sameTerm(?value, {sparql_term(expected)})) }}", False)
                    continue
                if key == SH + "class":
                    # An anti-join with all instances: one pass, where FILTER NOT EXISTS
                    # evaluates the rdfs:subClassOf* path once per value (4x slower at 1M).
                    for cls in objects:
                        add(component, f"{focus} {values} MINUS {{ ?value <{_RDF}type> ?_type . "
                            f"?_type <{_RDFS}subClassOf>* {sparql_term(cls)} . }}")
                    continue
                test = self.component(shape, key, objects, "?value")
                add(component, f"{focus} {values} FILTER(!COALESCE({test}, false))")

    def counted(self, focus: str, path: str, test: str, having: str) -> str:
        """Focus nodes whose number of (qualifying) values satisfies ``having``."""
        filt = f" FILTER(COALESCE({test}, false))" if test else ""
        return (f"{{ SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {path} ?value{filt} }} }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) {having}) }}")

    def sparql(self, shape: Term, constraint: Term, focus: str, severity: str,
               message: str) -> None:
        g = self.graph
        if self.deactivated(constraint):
            return
        select = g.one(constraint, SH + "select")
        if not isinstance(select, ox.Literal):
            raise UnsupportedShapesError(
                f"a SPARQL constraint of {name_of(shape)} without sh:select")
        text = select.value
        keywords = [m.upper() for m in _KEYWORD.findall(text)]
        if any(k in keywords for k in ("MINUS", "VALUES", "SERVICE")) or "$PATH" in \
                text.upper() or keywords.count("SELECT") > 1:
            raise UnsupportedShapesError(f"the SPARQL constraint of {name_of(shape)} uses MINUS, "
                                    f"VALUES, SERVICE, $PATH or a sub-query")
        prefixes = ""
        for node in g.objects(constraint, SH + "prefixes"):
            for decl in g.objects(node, SH + "declare"):
                prefix, namespace = g.one(decl, SH + "prefix"), g.one(decl, SH + "namespace")
                if prefix is None or namespace is None:
                    raise UnsupportedShapesError(f"a malformed sh:declare in {name_of(shape)}")
                prefixes += f"PREFIX {prefix.value}: <{namespace.value}>\n"
        own = sorted(m.value for m in g.objects(constraint, SH + "message")
                     if isinstance(m, ox.Literal))
        self.checks.append(Check(name_of(shape), SH + "SPARQLConstraintComponent", severity, "",
                                 own[0] if own else message,
                                 prefixes + text.replace("$this", "?this"),
                                 f"SELECT ?this WHERE {{ {focus} }}"))

    def severity(self, shape: Term) -> str:
        node = self.graph.one(shape, SH + "severity")
        return node.value.rsplit("#", 1)[-1] if isinstance(node, ox.NamedNode) else "Violation"

    # -- expressions ---------------------------------------------------------------------

    def component(self, owner: Term, key: str, objects: list[Term], v: str) -> str:
        """A filter expression: true when ``v`` satisfies the component (all its values)."""
        g = self.graph
        name = key[len(SH):]
        tests = []
        for obj in objects:
            if name == "class":
                tests.append(f"EXISTS {{ {_instance(v, obj)} }}")
            elif name == "datatype":
                tests.append(_datatype(name_of(obj), v))
            elif name == "nodeKind":
                kind = name_of(obj).removeprefix(SH)
                if kind not in _NODE_KINDS:
                    raise UnsupportedShapesError(f"sh:nodeKind {name_of(obj)}")
                tests.append(_NODE_KINDS[kind].format(v=v))
            elif name == "pattern":
                flags = g.one(owner, SH + "flags")
                flag = f", {sparql_string(flags.value)}" if isinstance(flags, ox.Literal) else ""
                pattern = sparql_string(_text_of(obj))
                tests.append(f"(!isBlank({v}) && regex(str({v}), {pattern}{flag}))")
            elif name == "in":
                members = g.items(obj)
                tests.append("(" + (" || ".join(f"sameTerm({v}, {sparql_term(m)})" for m in members)
                                    or "false") + ")")
            elif name == "hasValue":
                tests.append(f"sameTerm({v}, {sparql_term(obj)})")
            elif name == "languageIn":
                tags = [t.value for t in g.items(obj) if isinstance(t, ox.Literal)]
                tests.append(f"(isLiteral({v}) && (" + (" || ".join(
                    f"langMatches(lang({v}), {sparql_string(t)})" for t in tags) or "false") + "))")
            elif name in _COMPARISONS:
                tests.append(f"({v} {_COMPARISONS[name]} {sparql_term(obj)})")
            elif name in ("minLength", "maxLength"):
                op = ">=" if name == "minLength" else "<="
                tests.append(f"(!isBlank({v}) && strlen(str({v})) {op} {_integer(obj)})")
            elif name == "node":
                tests.append(self.conforms(obj, v))
            elif name == "not":
                tests.append(f"!COALESCE({self.conforms(obj, v)}, false)")
            elif name in ("and", "or"):
                parts = [f"COALESCE({self.conforms(m, v)}, false)" for m in g.items(obj)]
                joiner = " && " if name == "and" else " || "
                tests.append("(" + (joiner.join(parts) or ("true" if name == "and"
                                                           else "false")) + ")")
            else:
                raise UnsupportedShapesError(f"{short_name(key)} inside a nested shape")
        return " && ".join(tests) if len(tests) == 1 else "(" + " && ".join(tests) + ")"

    def conforms(self, shape: Term, v: str) -> str:
        """A filter expression: true when ``v`` conforms to ``shape`` (a nested shape)."""
        g = self.graph
        props = g.index.get(shape, {})
        tests = []
        path_node = g.one(shape, SH + "path")
        if path_node is not None:
            path = self.path(path_node)
            x = self.fresh()
            for key, objects in sorted(props.items()):
                if key in _SHAPE_KEYS or not key.startswith(SH):
                    continue
                if key == SH + "minCount":
                    count = _integer(objects[0])
                    if count > 1:
                        raise UnsupportedShapesError("sh:minCount above 1 in a nested shape")
                    if count == 1:
                        tests.append(f"EXISTS {{ {v} {path} {x} }}")
                elif key == SH + "maxCount":
                    if _integer(objects[0]) != 0:
                        raise UnsupportedShapesError("sh:maxCount above 0 in a nested shape")
                    tests.append(f"NOT EXISTS {{ {v} {path} {x} }}")
                elif key in _KNOWN_FOR_NODES and key != SH + "sparql":
                    test = self.component(shape, key, objects, x)
                    tests.append(f"NOT EXISTS {{ {v} {path} {x} FILTER(!COALESCE({test}, "
                                 f"false)) }}")
                else:
                    raise UnsupportedShapesError(
                        f"{short_name(key)} inside a nested property shape")
        else:
            for key, objects in sorted(props.items()):
                if key in _SHAPE_KEYS and key != SH + "property":
                    continue
                if key == SH + "property":
                    tests += [self.conforms(child, v) for child in objects]
                elif key in _KNOWN_FOR_NODES and key != SH + "sparql":
                    tests.append(self.component(shape, key, objects, v))
                elif key.startswith(SH):
                    raise UnsupportedShapesError(f"{short_name(key)} inside a nested shape")
        return "(" + (" && ".join(tests) or "true") + ")"

    def path(self, node: Term) -> str:
        """A SHACL property path in SPARQL syntax."""
        g = self.graph
        if isinstance(node, ox.NamedNode):
            return f"<{node.value}>"
        props = g.index.get(node, {})
        if _RDF + "first" in props:
            return "(" + "/".join(self.path(p) for p in g.items(node)) + ")"
        for key, fmt in (("alternativePath", "alt"), ("inversePath", "^({})"),
                         ("zeroOrMorePath", "({})*"), ("oneOrMorePath", "({})+"),
                         ("zeroOrOnePath", "({})?")):
            value = g.one(node, SH + key)
            if value is not None:
                if fmt == "alt":
                    return "(" + "|".join(self.path(p) for p in g.items(value)) + ")"
                return fmt.format(self.path(value))
        raise UnsupportedShapesError(f"the path {name_of(node)}")


def _instance(v: str, cls: Term) -> str:
    """A pattern matching SHACL instances of ``cls`` in the data graph.

    (A property path: the faster form in Oxigraph, benchmarks/README.md.)
    """
    return f"{v} <{_RDF}type>/<{_RDFS}subClassOf>* {sparql_term(cls)} ."


def _text_of(node: Term) -> str:
    if not isinstance(node, ox.Literal):
        raise UnsupportedShapesError(f"a non-literal pattern {node}")
    return node.value


def _integer(node: Term) -> int:
    if not isinstance(node, ox.Literal):
        raise UnsupportedShapesError(f"a count that is not a literal: {node}")
    try:
        return int(node.value)
    except ValueError:
        raise UnsupportedShapesError(f"a count that is not an integer: {node}") from None


def _datatype(datatype: str, v: str) -> str:
    if datatype in _DERIVED_INTEGERS:
        raise UnsupportedShapesError(f"sh:datatype {datatype} (Oxigraph stores it as xsd:integer)")
    test = f"isLiteral({v}) && datatype({v}) = <{datatype}>"
    if datatype in _CASTS:
        test += f" && <{_CASTS[datatype]}>(str({v})) = {v}"
    return f"({test})"


@functools.lru_cache(maxsize=8)
def compile_shapes(shapes_turtle: bytes) -> tuple[Check, ...]:
    """Compile shapes (Turtle) into checks; cached by content.

    :raises UnsupportedShapesError: for a feature outside the translated subset.
    """
    triples = (ox.Triple(q.subject, q.predicate, q.object)
               for q in ox.parse(shapes_turtle, ox.RdfFormat.TURTLE))
    return tuple(_Compiler(ShapesGraph(triples)).compile())

