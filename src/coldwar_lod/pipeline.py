"""The build: records -> triples -> validation -> files, and the objects Python users get.

>>> import coldwar_lod
>>> build = coldwar_lod.build()
>>> report = coldwar_lod.validate(build)
>>> report.conforms
True
>>> graph = build.graph()          # an rdflib Graph on an Oxigraph store
>>> len(graph) == len(build.triples)
True
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from . import export, void
from .mapping import Mapped, map_records, sorted_triples
from .namespaces import IriSpace
from .rdfio import parse_triples
from .records import Records, load_records
from .resources import default_data_dir, shape_files
from .validation import (
    Outcome,
    ValidationReport,
    merged_shapes_bytes,
    ontology_bytes,
    report_from_outcome,
    validate_triples,
)

if TYPE_CHECKING:  # imported where used: `coldwar-lod build` does not need rdflib
    import rdflib

#: Files of a build: format -> file name in the output folder.
DUMPS = {"turtle": "coldwar-lod.ttl", "json-ld": "coldwar-lod.jsonld",
         "nt": "coldwar-lod.nt", "trig": "coldwar-lod.trig"}


@dataclass(slots=True)
class Build:
    """A built dataset: sorted triples, the records behind them, and their lineage."""

    space: IriSpace
    records: Records
    triples: list[ox.Triple]
    lineage: dict[str, str] = field(default_factory=dict)
    _ntriples: bytes | None = field(default=None, repr=False)

    def ntriples(self) -> bytes:
        """The data as N-Triples (made once, shared by validation and the dump)."""
        if self._ntriples is None:
            self._ntriples = export.serialize(self.triples, "nt", self.space)
        return self._ntriples

    def store(self) -> ox.Store:
        """A new in-memory Oxigraph store holding the data in its default graph."""
        store = ox.Store()
        store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                          for t in self.triples)
        return store

    def graph(self) -> rdflib.Graph:
        """The data as an rdflib :class:`~rdflib.Graph` backed by an Oxigraph store.

        rdflib's API works as usual; SPARQL queries run in Oxigraph.
        """
        import rdflib
        from oxrdflib import OxigraphStore

        graph = rdflib.Graph(store=OxigraphStore(store=self.store()),
                             identifier=rdflib.graph.DATASET_DEFAULT_GRAPH_ID)
        for prefix, ns in self.space.prefixes().items():
            graph.bind(prefix, ns, override=True)
        return graph

    def serialize(self, fmt: str = "turtle") -> bytes:
        """The data in one format (see :data:`coldwar_lod.export.FORMATS`)."""
        return export.serialize(self.triples, fmt, self.space)


def build(data: Path | str | None = None, base: str | None = None) -> Build:
    """Read, check and map the records in ``data`` (default: see ``default_data_dir``).

    :param data: the data folder.
    :param base: the base IRI to publish under (default ``https://w3id.org/coldwar-lod/``).
    :raises coldwar_lod.errors.InputErrors: on any bad record, with file and line.
    :raises coldwar_lod.errors.InputError: on a bad base IRI.
    """
    with _no_cycle_collection():
        space, records = _read(data, base)
        return _sorted_build(space, records, map_records(records, space))


def _read(data: Path | str | None, base: str | None) -> tuple[IriSpace, Records]:
    space = IriSpace.from_base(base)
    return space, load_records(Path(data) if data is not None else default_data_dir())


def _sorted_build(space: IriSpace, records: Records, mapped: Mapped) -> Build:
    return Build(space, records, mapped.sorted(), mapped.lineage)


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while making millions of objects that form no cycles.

    Each full collection walks every live object, and allocating a million triples set off
    many: 1-4 s of a 1M-triple build (benchmarks/README.md). Reference counting still frees
    everything; the collector's previous state is restored afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_graph(data: Path | str | None = None, base: str | None = None) -> rdflib.Graph:
    """Shortcut: :func:`build` then :meth:`Build.graph`."""
    return build(data, base).graph()


def validate(target: Build | rdflib.Graph, validator: str = "oxigraph") -> ValidationReport:
    """Validate a build (or any rdflib graph) against the shapes; returns a report.

    Validation failures are results (``report.conforms``), never exceptions.
    """
    if isinstance(target, Build):
        # A build writes literals in canonical form (tests/test_validation_engines.py checks).
        return validate_triples(target.triples, target.space, validator=validator,
                                lineage=target.lineage, ntriples=target.ntriples(),
                                canonical=True)
    data = target.serialize(format="nt", encoding="utf-8")
    triples = parse_triples(data, ox.RdfFormat.N_TRIPLES)
    return validate_triples(triples, IriSpace.from_base(), validator=validator)


def dataset_files(result: Build, on_file: Callable[[str, bytes], None] | None = None
                  ) -> dict[str, bytes]:
    """Every file of a build, by file name, fully rendered in memory.

    :param on_file: called with each file's name and content as soon as it is rendered (the
        command hands them to :class:`~coldwar_lod.export.StagedFiles`, which writes one while
        the next is rendered).
    """
    with _no_cycle_collection():
        return _dataset_files(result, on_file)


def _dataset_files(result: Build, on_file: Callable[[str, bytes], None] | None = None
                   ) -> dict[str, bytes]:
    space = result.space
    files: dict[str, bytes] = {}

    def emit(name: str, content: bytes) -> bytes:
        files[name] = content
        if on_file is not None:
            on_file(name, content)
        return content

    turtle = emit(DUMPS["turtle"], export.serialize(result.triples, "turtle", space))
    # The JSON-LD writer reads every term; what VoID counts is taken on the way.
    jsonld, census = export.jsonld_and_census(result.triples, space)
    emit(DUMPS["json-ld"], jsonld)
    emit(DUMPS["nt"], result.ntriples())
    emit(DUMPS["trig"], export.trig_from_turtle(turtle, export.data_graph(space)))
    emit("ontology.ttl", ontology_bytes(space.base))
    emit("shapes.ttl", merged_shapes_bytes(space.base))
    import json

    emit("context.jsonld", (json.dumps(export.context(space), indent=1) + "\n").encode())
    media = {name: export.FORMATS[fmt].media_type for fmt, name in DUMPS.items()}
    media["ontology.ttl"] = media["shapes.ttl"] = "text/turtle"
    dumps = {name: (media[name], files[name]) for name in media}
    description = sorted_triples(void.describe(result.triples, space, dumps, census))
    emit("void.ttl", export.to_bytes(description, ox.RdfFormat.TURTLE, space.prefixes()))
    return files


#: From this many triples, ``validate_and_render`` validates in a child process. Measured on
#: scaled copies of the data (benchmarks/): at 35k triples the child saves 8 %, at 47k 17 %,
#: at 105k 20 %; at 11.7k (the real data) it costs 40 %, mostly its start-up (0.16 s).
SEPARATE_PROCESS_FROM = 30_000
#: From this many records, ``build_and_render`` does (it decides before mapping: the real data
#: has about 15 triples per record, so this is about :data:`SEPARATE_PROCESS_FROM` triples).
SEPARATE_PROCESS_FROM_RECORDS = 2_000


def build_and_render(data: Path | str | None = None, base: str | None = None,
                     validator: str = "oxigraph", separate: bool | None = None,
                     on_file: Callable[[str, bytes], None] | None = None,
                     ) -> tuple[Build, ValidationReport, dict[str, bytes]]:
    """Build, validate and render the files (:func:`dataset_files`, which ``on_file`` is
    handed to): what ``build`` runs.

    With the ``oxigraph`` engine and a large build (``separate``: by default from
    :data:`SEPARATE_PROCESS_FROM_RECORDS` records), the validation runs in a child process
    (:class:`~coldwar_lod._validator.ChildValidation`), started once the records are read and
    fed the triples in chunks while they are mapped (it loads them meanwhile), then validating
    while this process sorts them and renders the files: the two use both cores, where
    threads would wait for each other's GIL. Otherwise one after the other. The files are
    rendered even if the data does not conform (nothing is written here).

    :raises coldwar_lod.errors.InputErrors: on any bad record, with file and line.
    :raises RuntimeError: if the child process fails (its error output is in the message).

    >>> result, report, files = build_and_render()
    >>> report.conforms, len(result.triples) > 10_000, files["coldwar-lod.nt"] == result.ntriples()
    (True, True, True)
    """
    with _no_cycle_collection():
        space, records = _read(data, base)
        size = len(records.entities) + len(records.claims) + len(records.disagreements)
        if not _separate(validator, separate, size, SEPARATE_PROCESS_FROM_RECORDS):
            result = _sorted_build(space, records, map_records(records, space))
            return result, validate(result, validator), _dataset_files(result, on_file)
        from ._validator import ChildValidation

        with ChildValidation(space.base) as child:
            # Unsorted, as they are mapped, so that the child loads them meanwhile. The
            # sorted dump is written again later (about 1 s at 1M triples).
            mapped = map_records(records, space, on_triples=lambda triples: child.feed(
                export.to_bytes(triples, ox.RdfFormat.N_TRIPLES)))
            child.finish()
            result = _sorted_build(space, records, mapped)
            del mapped
            files = _dataset_files(result, on_file)
            outcome = child.outcome()
    return result, _report_or_fallback(result, outcome, validator), files


def validate_and_render(result: Build, validator: str = "oxigraph",
                        separate: bool | None = None) -> tuple[ValidationReport, dict[str, bytes]]:
    """Validate a build and render its files, side by side as in :func:`build_and_render`."""
    if not _separate(validator, separate, len(result.triples), SEPARATE_PROCESS_FROM):
        return validate(result, validator), dataset_files(result)
    from ._validator import ChildValidation

    with ChildValidation(result.space.base) as child:
        child.send(result.ntriples())
        files = dataset_files(result)
        outcome = child.outcome()
    return _report_or_fallback(result, outcome, validator), files


def _separate(validator: str, separate: bool | None, size: int, threshold: int) -> bool:
    if validator != "oxigraph":
        return False
    return size >= threshold if separate is None else separate


def _report_or_fallback(result: Build, outcome: Outcome | str, validator: str
                        ) -> ValidationReport:
    if isinstance(outcome, str):  # the engine stepped aside: validate here, with turbo
        return validate(result, validator)
    return report_from_outcome(outcome, result.lineage)


def write_dataset(result: Build, out: Path | str,
                  files: dict[str, bytes] | None = None) -> dict[Path, int]:
    """Write every file of a build (or the ``files`` rendered from it) into ``out`` atomically.

    :returns: path -> size in bytes.
    """
    folder = Path(out)
    rendered = files if files is not None else dataset_files(result)
    return export.write_files({folder / name: content for name, content in rendered.items()})


__all__ = ["DUMPS", "Build", "build", "build_and_render", "build_graph", "dataset_files",
           "shape_files", "validate", "validate_and_render", "write_dataset"]
