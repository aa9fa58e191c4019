"""``coldwar-lod site``: build the dataset and write the site that publishes it.

>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "site"
>>> report = build_site(out, "tests/fixtures/mini-data")
>>> report.conforms, (out / "id/event/prague-spring.ttl").is_file()
(True, True)
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pyoxigraph as ox

import coldwar_lod

from .. import model
from ..dataset import DUMPS
from ..namespaces import IriSpace
from ..records import Records
from . import apache, overview, vocabulary
from .documents import Slices, describe, relabel_blank_nodes
from .jsonld import Context, coercions
from .pages import Pages
from .routes import RDF_SUFFIXES
from .tree import check_target, write_files, write_tree
from .views import Views, entity_path

_RDF_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES,
                ".rdf": ox.RdfFormat.RDF_XML}


@dataclass(slots=True)
class SiteReport:
    """What ``site`` did: the validation's verdict, and the files it wrote (if it conformed).

    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "site"
    >>> report = build_site(out, Path(__file__).parents[3] / "tests/fixtures/mini-data")
    >>> report.conforms, report.documents > 0, report.lines()[0].endswith("conforms")
    (True, True, True)
    """

    out: Path
    conforms: bool
    validation: object
    triples: int = 0
    documents: int = 0
    pages: int = 0
    files: int = 0
    bytes: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    prefixes: dict[str, str] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """What the command prints."""
        if not self.conforms:
            text = self.validation.text(self.prefixes)  # type: ignore[attr-defined]
            return [text, f"\nthe data does not conform; {self.out}/ was left as it was."]
        return [f"built {self.triples:,} triples; validation: conforms",
                f"wrote {self.out}/: {self.files:,} files ({self.bytes:,} bytes): "
                f"{self.documents:,} documents in 4 RDF formats, {self.pages:,} HTML pages",
                f"done in {self.seconds:.2f} s (build {self.timings.get('build', 0):.2f} s, "
                f"site {self.timings.get('site', 0):.2f} s)"]


class Renderer:
    """Turns one build into the files of its site."""

    def __init__(self, build: coldwar_lod.Build, files: dict[str, bytes],
                 redirect_to: str | None = None) -> None:
        self.build = build
        self.redirect_to = redirect_to
        self.space: IriSpace = build.space
        self.dataset = self.space.base + "id/dataset/coldwar-lod"
        self.files = files
        self.slices = Slices.index(build.triples, self.space.base)
        self.context = Context(self.space, coercions(build.triples))
        records: Records = build.records
        self.pages = Pages(Views(records, self.space), self.space)
        self.html_pages: list[str] = []
        self.sizes: dict[str, int] = {}

    def documents(self, path: str, triples: Sequence[ox.Triple]) -> Iterator[tuple[str, bytes]]:
        """The four RDF documents of a thing (``path`` without suffix): the triples, then
        each document's description of itself."""
        url = self.space.base + path
        topic = url if not path.startswith(".well-known") else self.dataset
        prefixes = self.space.prefixes()
        for suffix, media_type in RDF_SUFFIXES.items():
            triples_out = [*triples, *describe(url + suffix, topic, media_type, self.dataset)]
            if suffix == ".jsonld":
                yield path + suffix, self.context.serialize(triples_out, topic)
            elif suffix == ".nt":
                yield path + suffix, _serialize(triples_out, _RDF_FORMATS[suffix], None)
            else:
                yield path + suffix, _serialize(triples_out, _RDF_FORMATS[suffix], prefixes)

    def page(self, item: tuple[str, bytes]) -> tuple[str, bytes]:
        self.html_pages.append(item[0])
        return item

    def resource_batches(self) -> list[tuple[str, list[Any]]]:
        """The resources, in batches of at most :data:`BATCH` of one kind (documents or
        pages): what the writers take one at a time (:meth:`resource_files`). Batches of
        neighbours, not every n-th resource: a forked writer copies each page of memory it
        touches (reference counts are writes), and neighbours in the lists are mostly
        neighbours in memory."""
        records = self.build.records
        # The dataset's documents are its VoID description, which holds the dump's statement
        # about it (its licence) too: :meth:`dataset_files` writes them.
        docs = [doc for doc in self.slices.documents() if doc != self.dataset]
        runs: list[tuple[str, list[Any]]] = [
            ("document", docs), ("entity", list(records.entities.values())),
            ("claim", list(records.claims.values())),
            ("disagreement", list(records.disagreements))]
        return [(kind, items[i:i + BATCH]) for kind, items in runs
                for i in range(0, len(items), BATCH)]

    def resource_files(self, batches: list[tuple[str, list[Any]]],
                       take: Callable[[], int]) -> Iterator[tuple[str, bytes]]:
        """The documents and pages of the batches that ``take`` hands out (the index of the
        next one, the same counter for every writer) until they are all taken."""
        base = self.space.base
        pages = self.pages
        while (index := take()) < len(batches):
            kind, items = batches[index]
            if kind == "document":
                for doc in items:
                    yield from self.documents(doc[len(base):], self.slices.slice(doc))
            elif kind == "entity":
                yield from map(pages.entity, items)
            elif kind == "claim":
                yield from map(pages.claim, items)
            else:
                yield from map(pages.disagreement, items)

    def resource_pages(self) -> list[str]:
        """The paths of the pages :meth:`resource_files` writes."""
        records = self.build.records
        out = [entity_path(model.ENTITY_KINDS[row.kind], row.slug) + ".html"
               for row in records.entities.values()]
        out += [entity_path("claim", slug) + ".html" for slug in records.claims]
        out += [entity_path("disagreement", slug) + ".html" for slug in records.disagreements]
        return out

    def shared_files(self) -> Iterator[tuple[str, bytes]]:
        """Every file of the site but the resources' own (indexes, timeline, queries, ...)."""
        base = self.space.base
        pages = self.pages
        self.html_pages.extend(self.resource_pages())
        for item in pages.kind_indexes():
            yield self.page(item)
        yield from self.vocabulary_files()
        yield from self.dataset_files()
        yield self.page(overview.timeline(pages))
        yield "context.jsonld", (json.dumps(self.context.document(), indent=1,
                                            ensure_ascii=False) + "\n").encode()
        yield "style.css", _static("style.css")
        yield self.page(overview.simple_page(
            pages, "404.html", "Not found",
            "<h1>Not found</h1><p>Nothing is published at this address. Start from the "
            '<a href="/">home page</a> or the <a href="/id/event/index.html">events</a>.</p>'))
        yield from apache.deploy_files(self.space, self.redirect_to)
        yield "sitemap.xml", overview.sitemap(base, [p for p in self.html_pages
                                                    if p != "404.html"])
        self.html_pages.sort()

    def vocabulary_files(self) -> Iterator[tuple[str, bytes]]:
        ontology = relabel_blank_nodes(_parse(self.files["ontology.ttl"]))
        shapes = relabel_blank_nodes(_parse(self.files["shapes.ttl"]))
        yield from self.documents("ontology", ontology)
        yield from self.documents("shapes", shapes)
        shape_views = vocabulary.shapes(shapes, self.space)
        yield self.page(vocabulary.ontology_page(self.pages, ontology, shape_views))
        yield self.page(vocabulary.shapes_page(self.pages, shape_views))

    def query_files(self, ntriples: Path) -> Iterator[tuple[str, bytes]]:
        """The shipped queries' pages, run on a store loaded from the N-Triples dump
        ``ntriples`` (twice as fast as from the triples, and no reference count of the
        build's triples touched after the fork), dropped before the pages are written (at
        1M triples it holds about half a gigabyte)."""
        store = ox.Store()
        store.bulk_load(path=ntriples, format=ox.RdfFormat.N_TRIPLES)
        results = [(q, coldwar_lod.run_query(q, store=store))
                   for q in coldwar_lod.shipped_queries().values()]
        del store
        for item in overview.queries(self.pages, results):
            yield self.page(item) if item[0].endswith(".html") else item

    def dump_files(self) -> Iterator[tuple[str, bytes]]:
        """The build's files in ``dist/`` (and the data in RDF/XML), after which only their
        sizes are kept: at 1M triples they are 400 MB (and the N-Triples the build kept, 200 MB)
        that must be freed before the writer is forked, or it would keep them for its whole
        life (benchmarks/README.md, *Site*)."""
        for name, content in sorted(self.files.items()):
            self.sizes[name] = len(content)
            yield "dist/" + name, content
        rdfxml = self.build.serialize("rdfxml")
        self.sizes["coldwar-lod.rdf"] = len(rdfxml)
        yield "dist/coldwar-lod.rdf", rdfxml
        del rdfxml
        keep = ("ontology.ttl", "shapes.ttl", "void.ttl")
        self.files = {name: self.files[name] for name in keep}
        with contextlib.suppress(AttributeError):  # the N-Triples the build keeps for reuse
            self.build._ntriples = None

    def dataset_files(self) -> Iterator[tuple[str, bytes]]:
        void = _parse(self.files["void.ttl"])
        yield from self.documents("id/dataset/coldwar-lod", void)
        downloads = [(name, size, _media(name)) for name, size in sorted(self.sizes.items())]
        figures = {"triples": len(self.build.triples), "sources": sum(
            1 for r in self.build.records.entities.values() if r.kind == "sources"),
            "links": sum(1 for r in self.build.records.entities.values() if r.get("qid"))}
        yield self.page(overview.home(self.pages, figures, downloads, coldwar_lod.__version__))
        yield self.page(overview.simple_page(
            self.pages, "id/dataset/coldwar-lod.html", "The dataset",
            "<h1>The dataset</h1><p>The description of the dataset (VoID and DCAT: licence, "
            "version, statistics, the dumps with their sizes and checksums, the shapes it "
            "conforms to) is in the documents linked below; it also answers at "
            "<code>/.well-known/void</code>. The <a href=\"../../index.html\">home page</a> "
            "lists the downloads.</p>", iri=self.dataset, document="id/dataset/coldwar-lod"))
        yield self.page(overview.simple_page(
            self.pages, "dist/coldwar-lod.html", "The data graph",
            "<h1>The data graph</h1><p>The named graph that holds the dataset in quad "
            "formats and in SPARQL stores. Its documents are the dumps: "
            '<a href="coldwar-lod.ttl">Turtle</a>, '
            '<a href="coldwar-lod.jsonld">JSON-LD</a>, '
            '<a href="coldwar-lod.nt">N-Triples</a>, '
            '<a href="coldwar-lod.rdf">RDF/XML</a>, '
            '<a href="coldwar-lod.trig">TriG</a>.</p>', iri=self.space.base +
            "graph/data"))


#: What the forked writers share (set before they are forked): the renderer, its batches
#: and the counter in shared memory from which each takes the next batch.
_SHARED: tuple[Renderer, list[tuple[str, list[Any]]], Any] | None = None


def _take(counter: Any) -> Callable[[], int]:
    """The next batch's index from a counter that several processes share."""
    def take() -> int:
        with counter.get_lock():
            index: int = counter.value
            counter.value = index + 1
        return index
    return take


def _write_batches(staging: Path) -> tuple[int, int]:
    assert _SHARED is not None
    renderer, batches, counter = _SHARED
    return write_files(staging, renderer.resource_files(batches, _take(counter)))


def _produce(renderer: Renderer, staging: Path) -> tuple[int, int]:
    """Write the site into ``staging``.

    First the dumps, which are then freed, so that the memory the writers share is the
    build's alone. Then one forked process per other core writes the resources' files,
    while this one runs the shipped queries (on a store loaded from the dump just written)
    and writes the pages that tie the site together, then joins in. The resources come in
    batches that each writer takes as it is ready, so that the work evens out whatever the
    queries cost. Rendering is Python work: each process has its own interpreter lock, and
    the forked ones share the build's memory until they write to it (``gc.freeze`` keeps
    the cycle collector from doing so). Figures: benchmarks/README.md, *Site*.
    """
    global _SHARED
    count, size = write_files(staging, renderer.dump_files())
    _return_free_memory()
    workers = min(WORKERS, len(os.sched_getaffinity(0)))
    context = multiprocessing.get_context("fork")
    batches = renderer.resource_batches()
    counter = context.Value("q", 0)
    _SHARED = renderer, batches, counter
    gc.freeze()
    try:
        with contextlib.ExitStack() as stack:
            futures = []
            if workers > 1:
                pool = stack.enter_context(ProcessPoolExecutor(workers - 1,
                                                               mp_context=context))
                futures = [pool.submit(_write_batches, staging) for _ in range(workers - 1)]
            try:
                for files in (renderer.query_files(staging / "dist" / DUMPS["nt"]),
                              renderer.shared_files(),
                              renderer.resource_files(batches, _take(counter))):
                    more = write_files(staging, files)
                    count, size = count + more[0], size + more[1]
            except BaseException:
                with counter.get_lock():  # the others stop after the batch they are on
                    counter.value = len(batches)
                raise
            for future in futures:
                more = future.result()
                count, size = count + more[0], size + more[1]
    finally:
        _SHARED = None
        gc.unfreeze()
    return count, size


#: Processes that write the resources' files (at most one per core).
WORKERS = 2
#: Resources per batch (documents or pages of one kind).
BATCH = 64


def _return_free_memory() -> None:
    """Give the memory freed so far (the dumps) back to the system, so that it is not
    counted in the forked writers' share (glibc keeps it otherwise). Reference counting
    has freed it already: no collection (a second at 1M triples)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _media(name: str) -> str:
    from .routes import MEDIA_TYPES
    suffix = name[name.rfind("."):]
    return MEDIA_TYPES.get(suffix, "application/octet-stream").split(";")[0]


def _parse(data: bytes) -> list[ox.Triple]:
    return [ox.Triple(q.subject, q.predicate, q.object)
            for q in ox.parse(data, ox.RdfFormat.TURTLE)]


def _serialize(triples: Sequence[ox.Triple], fmt: ox.RdfFormat,
               prefixes: dict[str, str] | None) -> bytes:
    out = (ox.serialize(triples, format=fmt) if prefixes is None
           else ox.serialize(triples, format=fmt, prefixes=prefixes))
    assert out is not None
    return out


def _static(name: str) -> bytes:
    return resources.files("coldwar_lod.site").joinpath("static", name).read_bytes()


def build_site(out: Path | str = "site", data: Path | str | None = None,
               base: str | None = None, validator: str = "oxigraph",
               redirect_to: str | None = None) -> SiteReport:
    """Build and validate the dataset, and write its site to ``out`` (all or nothing).

    Nothing is written when the data does not conform (``report.conforms`` is False).
    ``redirect_to`` is the URL the site will be hosted at, for the w3id.org ``.htaccess``.

    :raises coldwar_lod.errors.InputErrors: on any bad record.
    :raises coldwar_lod.errors.InputError: if ``out`` cannot be written.

    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "site"
    >>> report = build_site(out, Path(__file__).parents[3] / "tests/fixtures/mini-data")
    >>> report.conforms, sorted(p.suffix for p in (out / "id/event").glob("prague-spring.*"))
    (True, ['.html', '.jsonld', '.nt', '.rdf', '.ttl'])
    """
    started = time.perf_counter()
    check_target(Path(out).absolute())  # before the build: fail fast
    timings: dict[str, float] = {}
    result, validation, files = coldwar_lod.build_and_render(data, base, validator)
    timings["build"] = time.perf_counter() - started
    report = SiteReport(Path(out), bool(getattr(validation, "conforms", False)), validation,
                        triples=len(result.triples), prefixes=result.space.prefixes())
    if not report.conforms:
        report.seconds = time.perf_counter() - started
        return report
    renderer = Renderer(result, files, redirect_to)
    del files  # the renderer writes the dumps, then frees them
    report.files, report.bytes = write_tree(Path(out), lambda staging: _produce(renderer,
                                                                               staging))
    report.documents = len(renderer.slices.own)
    report.pages = len(renderer.html_pages)
    report.seconds = time.perf_counter() - started
    timings["site"] = report.seconds - timings["build"]
    report.timings = timings
    return report
