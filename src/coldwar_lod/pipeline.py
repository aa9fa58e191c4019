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

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib

from . import export, void
from .mapping import map_records, sorted_triples
from .namespaces import IriSpace
from .rdfio import parse_triples
from .records import Records, load_records
from .resources import default_data_dir, shape_files
from .validation import (
    ValidationReport,
    merged_shapes_bytes,
    ontology_bytes,
    validate_triples,
)

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
    space = IriSpace.from_base(base)
    folder = Path(data) if data is not None else default_data_dir()
    records = load_records(folder)
    mapped = map_records(records, space)
    return Build(space, records, sorted_triples(mapped.triples), mapped.lineage)


def build_graph(data: Path | str | None = None, base: str | None = None) -> rdflib.Graph:
    """Shortcut: :func:`build` then :meth:`Build.graph`."""
    return build(data, base).graph()


def validate(target: Build | rdflib.Graph, validator: str = "turbo") -> ValidationReport:
    """Validate a build (or any rdflib graph) against the shapes; returns a report.

    Validation failures are results (``report.conforms``), never exceptions.
    """
    if isinstance(target, Build):
        return validate_triples(target.triples, target.space, validator=validator,
                                lineage=target.lineage)
    data = target.serialize(format="nt", encoding="utf-8")
    triples = parse_triples(data, ox.RdfFormat.N_TRIPLES)
    return validate_triples(triples, IriSpace.from_base(), validator=validator)


def dataset_files(result: Build) -> dict[str, bytes]:
    """Every file of a build, by file name, fully rendered in memory."""
    space = result.space
    files = {name: export.serialize(result.triples, fmt, space) for fmt, name in DUMPS.items()}
    files["ontology.ttl"] = ontology_bytes(space.base)
    files["shapes.ttl"] = merged_shapes_bytes(space.base)
    import json

    files["context.jsonld"] = (json.dumps(export.context(space), indent=1) + "\n").encode()
    media = {name: export.FORMATS[fmt].media_type for fmt, name in DUMPS.items()}
    media["ontology.ttl"] = media["shapes.ttl"] = "text/turtle"
    dumps = {name: (media[name], files[name]) for name in media}
    description = sorted_triples(void.describe(result.triples, space, dumps))
    files["void.ttl"] = export.to_bytes(description, ox.RdfFormat.TURTLE, space.prefixes())
    return files


def write_dataset(result: Build, out: Path | str) -> dict[Path, int]:
    """Write every file of a build into ``out`` atomically; returns path -> size in bytes."""
    folder = Path(out)
    files = {folder / name: content for name, content in dataset_files(result).items()}
    export.write_files(files)
    return {path: len(content) for path, content in files.items()}


__all__ = ["DUMPS", "Build", "build", "build_graph", "dataset_files", "shape_files",
           "validate", "write_dataset"]
