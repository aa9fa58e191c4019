"""A built dataset (sorted triples, the records behind them, their lineage) and its files.

>>> import coldwar_lod
>>> build = coldwar_lod.build()
>>> graph = build.graph()          # an rdflib Graph on an Oxigraph store
>>> len(graph) == len(build.triples)
True
>>> sorted(dataset_files(build))[:3]
['coldwar-lod.jsonld', 'coldwar-lod.nt', 'coldwar-lod.trig']
"""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox

from . import rdfio, void
from .jsonld import context, jsonld_and_census
from .mapping import sorted_triples
from .namespaces import IriSpace
from .records import Records
from .resources import merged_shapes_bytes, ontology_bytes

if TYPE_CHECKING:  # imported where used: `coldwar-lod build` does not need rdflib
    import rdflib

#: Files of a build: format -> file name in the output folder.
DUMPS = {"turtle": "coldwar-lod.ttl", "json-ld": "coldwar-lod.jsonld",
         "nt": "coldwar-lod.nt", "trig": "coldwar-lod.trig"}


@dataclass(slots=True)
class Build:
    """A built dataset: sorted triples, the records behind them, and their lineage.

    >>> import coldwar_lod
    >>> build = coldwar_lod.build()
    >>> len(build.triples) > 10_000, build.space.base
    (True, 'https://w3id.org/coldwar-lod/')
    >>> build.lineage["https://w3id.org/coldwar-lod/id/event/prague-spring"]
    'data/events.csv:2'
    """

    space: IriSpace
    records: Records
    triples: list[ox.Triple]
    lineage: dict[str, str] = field(default_factory=dict)
    _ntriples: bytes | None = field(default=None, repr=False)

    def ntriples(self) -> bytes:
        """The data as N-Triples (made once, shared by validation and the dump)."""
        if self._ntriples is None:
            self._ntriples = rdfio.serialize(self.triples, "nt", self.space)
        return self._ntriples

    def store(self) -> ox.Store:
        """A new in-memory Oxigraph store holding the data in its default graph.

        Loaded from the N-Triples when they are made already (twice as fast as from the
        triples: 2.7 s against 5.1 s at 1M triples).
        """
        store = ox.Store()
        if self._ntriples is not None:
            store.bulk_load(self._ntriples, ox.RdfFormat.N_TRIPLES)
            return store
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
        """The data in one format (a key of :data:`coldwar_lod.rdfio.FORMATS`).

        :raises coldwar_lod.errors.InputError: for an unknown format.
        """
        return rdfio.serialize(self.triples, fmt, self.space)


@contextlib.contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while making millions of objects that form no cycles.

    Reference counting still frees everything; the collector's previous state is restored
    afterwards. Why: benchmarks/README.md ("the cycle collector").
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def dataset_files(result: Build, on_file: Callable[[str, bytes], None] | None = None
                  ) -> dict[str, bytes]:
    """Every file of a build, by file name, fully rendered in memory.

    :param on_file: called with each file's name and content as soon as it is rendered (a
        build hands them to :class:`~coldwar_lod.files.StagedFiles`, which writes one while
        the next is rendered).

    >>> import coldwar_lod
    >>> files = dataset_files(coldwar_lod.build())
    >>> sorted(files)  # doctest: +NORMALIZE_WHITESPACE
    ['coldwar-lod.jsonld', 'coldwar-lod.nt', 'coldwar-lod.trig', 'coldwar-lod.ttl',
     'context.jsonld', 'ontology.ttl', 'shapes.ttl', 'void.ttl']
    """
    with no_cycle_collection():
        return _dataset_files(result, on_file)


def _dataset_files(result: Build, on_file: Callable[[str, bytes], None] | None
                   ) -> dict[str, bytes]:
    space = result.space
    files: dict[str, bytes] = {}

    def emit(name: str, content: bytes) -> bytes:
        files[name] = content
        if on_file is not None:
            on_file(name, content)
        return content

    turtle = emit(DUMPS["turtle"], rdfio.serialize(result.triples, "turtle", space))
    # The JSON-LD writer reads every term; what VoID counts is taken on the way.
    jsonld, census = jsonld_and_census(result.triples, space)
    emit(DUMPS["json-ld"], jsonld)
    emit(DUMPS["nt"], result.ntriples())
    emit(DUMPS["trig"], rdfio.trig_from_turtle(turtle, rdfio.data_graph(space)))
    emit("ontology.ttl", ontology_bytes(space.base))
    emit("shapes.ttl", merged_shapes_bytes(space.base))
    emit("context.jsonld", (json.dumps(context(space, census.prefixes), indent=1) + "\n"
                            ).encode())
    media = {name: rdfio.FORMATS[fmt].media_type for fmt, name in DUMPS.items()}
    media["ontology.ttl"] = media["shapes.ttl"] = "text/turtle"
    dumps = {name: (media[name], files[name]) for name in media}
    description = sorted_triples(void.describe(result.triples, space, dumps, census))
    emit("void.ttl", rdfio.to_bytes(description, ox.RdfFormat.TURTLE, space.prefixes()))
    return files
