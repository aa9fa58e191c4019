"""A validation result and report, whatever the engine that produced them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..namespaces import RDFS, iri, shortener

_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}

#: Result path shown for a path that is not a single predicate.
COMPLEX_PATH = "(alternative path)"


@dataclass(frozen=True, slots=True)
class RawResult:
    """A validation result with the terms as strings (IRIs bare, literals in N-Triples form)."""

    severity: str
    focus: str
    path: str
    shape: str
    component: str
    message: str
    value: str



@dataclass(frozen=True, slots=True, order=True)
class ValidationResult:
    """One SHACL validation result, with what a reader needs to find and fix it.

    >>> import coldwar_lod
    >>> result = coldwar_lod.validate(coldwar_lod.build()).warnings[0]
    >>> result.severity, result.source_shape.rsplit("#", 1)[1], result.where
    ('Warning', 'EventHasTimeSpan', 'data/events.csv:5')
    >>> result.focus_label
    "Ceaușescu's speech in Bucharest condemning the invasion"
    """

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

    >>> import coldwar_lod
    >>> report = coldwar_lod.validate(coldwar_lod.build())
    >>> report.conforms, len(report.violations), len(report.warnings)
    (True, 0, 24)
    >>> report.text().splitlines()[0]
    'Conforms: 0 violation(s), 24 warning(s) [oxigraph]'
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
        short = shortener(prefixes or {})
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



#: What an engine found: the results and the English labels of their focus nodes.
Outcome = tuple[list[RawResult], dict[str, str]]


def report_from_outcome(outcome: Outcome, validator: str,
                        lineage: Mapping[str, str] | None = None) -> ValidationReport:
    """The report of an engine's :data:`Outcome`: results with the labels of their nodes and
    the lines of their records, sorted."""
    return _report(*outcome, validator, lineage)


def _report(raw: list[RawResult], labels: Mapping[str, str], validator: str,
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
    results.sort(key=lambda r: (_SEVERITY_ORDER.get(r.severity, 9), _record_order(r.where),
                                r.focus, r.path, r.source_shape, r.component, r.value,
                                r.message))
    conforms = not any(r.severity == "Violation" for r in results)
    return ValidationReport(conforms, results, validator)



def keep_first(labels: dict[str, str], node: str, label: str) -> None:
    """Of several English labels (a violation in itself), show the first in code-point order."""
    if node not in labels or label < labels[node]:
        labels[node] = label


def _record_order(where: str) -> tuple[str, int]:
    """``file:line`` in reading order (``events.csv:5`` before ``events.csv:47``).

    >>> sorted(["data/events.csv:47", "data/events.csv:5", ""], key=_record_order)
    ['', 'data/events.csv:5', 'data/events.csv:47']
    """
    file, _, line = where.rpartition(":")
    return (file, int(line)) if line.isdigit() else (where, 0)


def english_labels(triples: Iterable[ox.Triple]) -> dict[str, str]:
    label = RDFS.label
    out: dict[str, str] = {}
    for t in triples:
        if t.predicate == label and isinstance(t.object, ox.Literal) and t.object.language == "en":
            keep_first(out, iri(t.subject), t.object.value)
    return out

