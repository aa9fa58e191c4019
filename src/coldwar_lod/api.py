"""The jobs a user runs, each deciding what to write: only data that conforms is written,
exported or loaded. The command-line tool calls these and prints what they return.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .dataset import Build
from .errors import ColdwarError, InputError, did_you_mean
from .files import StagedFiles, write_files
from .namespaces import IriSpace
from .pipeline import build, build_and_render, validate
from .rdfio import read_rdf
from .records import Locator, load_records
from .resources import default_data_dir, is_packaged
from .sources import find_passages, source_text
from .sparql.bulk import bulk_files
from .sparql.http import Endpoint
from .sparql.load import LoadReport, load_store
from .stats import count
from .validation.engines import validate_triples
from .validation.report import ValidationReport
from .wikidata.unlinked import unlinked_tsv

Progress = Callable[[str], None]


@dataclass(slots=True)
class Outcome:
    """What a job did: the build, its validation report, and the files written (none unless
    the data conforms).

    >>> import tempfile
    >>> outcome = write_dataset(tempfile.mkdtemp())
    >>> outcome.conforms, len(outcome.files), len(outcome.report.warnings)
    (True, 8, 24)
    """

    build: Build
    report: ValidationReport
    files: dict[Path, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def conforms(self) -> bool:
        return self.report.conforms


def write_dataset(out: Path | str = "dist", data: Path | str | None = None,
                  base: str | None = None, validator: str = "oxigraph") -> Outcome:
    """Build, validate and write every file of the dataset into ``out``, all together, only if
    the data conforms; otherwise nothing in ``out`` changes (``outcome.files`` is empty).

    Where the source texts are at hand (``COLDWAR_LOD_SOURCES``), the build checks them and
    every locator against them (:func:`~coldwar_lod.pipeline.build`).

    :raises coldwar_lod.errors.InputErrors: on bad records or locators, with file and line.
    :raises coldwar_lod.errors.InputError: if a file cannot be written (nothing changed).

    >>> import tempfile
    >>> outcome = write_dataset(Path(tempfile.mkdtemp()) / "dist")
    >>> outcome.conforms, sorted(path.name for path in outcome.files)[-2:]
    (True, ['shapes.ttl', 'void.ttl'])
    """
    started = time.perf_counter()
    folder = Path(out)
    with StagedFiles() as staged:  # each file is written as soon as it is rendered
        result, report, _ = build_and_render(
            data, base, validator, on_file=lambda name, content: staged.add(folder / name,
                                                                             content))
        if not report.conforms:  # leaving the block removes what was staged
            return Outcome(result, report, seconds=time.perf_counter() - started)
        written = staged.commit()
    return Outcome(result, report, written, time.perf_counter() - started)


def export(fmt: str, output: Path | str | None = None, data: Path | str | None = None,
           base: str | None = None, validator: str = "oxigraph") -> tuple[Outcome, bytes]:
    """Build, validate and serialize the dataset in one format; written atomically to
    ``output`` if given and the data conforms. Returns the content (empty if it does not
    conform).

    :raises coldwar_lod.errors.InputError: for an unknown format or an unwritable file.

    >>> outcome, content = export("nt")
    >>> outcome.conforms, content.count(b"\\n")
    (True, 13211)
    """
    result = build(data, base)
    report = validate(result, validator)
    if not report.conforms:
        return Outcome(result, report), b""
    content = result.serialize(fmt)
    files = write_files({Path(output): content}) if output is not None else {}
    return Outcome(result, report, files), content


def export_bulk(store: str, folder: Path | str, data: Path | str | None = None,
                base: str | None = None, validator: str = "oxigraph",
                graph: str | None = None) -> Outcome:
    """Build, validate and write the files and ``load.sh`` script for a store's own bulk
    loader into ``folder`` (see :mod:`coldwar_lod.sparql.bulk`), only if the data conforms.

    :raises coldwar_lod.errors.InputError: for a store without a bulk loader, or an
        unwritable folder.

    >>> import tempfile
    >>> outcome = export_bulk("virtuoso", tempfile.mkdtemp())
    >>> sorted(path.name for path in outcome.files)
    ['data.nt', 'load.sh', 'load.sql', 'ontology.nt', 'shapes.nt']
    """
    result = build(data, base)
    report = validate(result, validator)
    if not report.conforms:
        return Outcome(result, report)
    files = bulk_files(result, store, folder, graph)
    written = write_files(files)
    for path in written:
        if path.name == "load.sh":
            path.chmod(0o755)
    return Outcome(result, report, written)


def validate_files(files: Iterable[Path], data: Path | str | None = None,
                   base: str | None = None, validator: str = "oxigraph") -> ValidationReport:
    """Validate RDF files against the shapes. Where the records can be read, results name the
    records (file:line) behind each node.

    :raises coldwar_lod.errors.InputError: for an unreadable file or a syntax error.

    >>> from coldwar_lod.resources import resource_dir
    >>> report = validate_files([resource_dir("ontology") / "coldwar.ttl"])
    >>> report.conforms
    True
    """
    result = None
    with contextlib.suppress(ColdwarError):  # without readable records, no file:line
        result = build(data, base)
    files = list(files)
    triples = read_rdf(files)
    if not triples:
        raise InputError(f"no triples in {', '.join(str(f) for f in files)}: nothing to "
                         "validate")
    space = result.space if result else IriSpace.from_base(base)
    return validate_triples(triples, space, validator=validator,
                            lineage=result.lineage if result else None)


def load(endpoint: Endpoint, data: Path | str | None = None, base: str | None = None,
         validator: str = "oxigraph", *, graph: str | None = None, replace: bool = False,
         chunk_size: int | None = None, progress: Progress | None = None,
         swap_timeout: float | None = None) -> tuple[Outcome, LoadReport | None]:
    """Build, validate and load the dataset into a store, only if it conforms (else the
    store is not touched and the load report is ``None``). See
    :func:`~coldwar_lod.sparql.load.load_store`.

    >>> from coldwar_lod.sparql.http import Endpoint
    >>> try:  # nothing listens on port 9 of this machine
    ...     load(Endpoint.from_url("http://127.0.0.1:9", env={}))
    ... except ColdwarError as exc:
    ...     print(exc.exit_code)
    4
    """
    result = build(data, base)
    report = validate(result, validator)
    if not report.conforms:
        return Outcome(result, report), None
    options = {"chunk_size": chunk_size} if chunk_size else {}
    return Outcome(result, report), load_store(result, endpoint, graph=graph, replace=replace,
                                               progress=progress, swap_timeout=swap_timeout,
                                               **options)


def locate(source: str, phrase: str, texts: Path, data: Path | str | None = None
           ) -> list[Locator]:
    """Every passage of source ``source`` where ``phrase`` occurs (case and runs of white
    space ignored), as locators for the ``locators`` column of ``claims.csv``.

    :raises coldwar_lod.errors.InputError: for an unknown source, a text that does not match
        its record, or a phrase that does not occur.

    >>> from coldwar_lod.resources import sources_dir
    >>> texts = sources_dir()  # COLDWAR_LOD_SOURCES: the texts are not shipped
    >>> texts is None or locate("cvce-crushing", "Warsaw Pact", texts)[0].source == "cvce-crushing"
    True
    """
    records = load_records(Path(data) if data is not None else default_data_dir())
    row = records.entities.get(source)
    if row is None or row.kind != "sources":
        names = [r.slug for r in records.of_kind("sources")]
        raise InputError(f"unknown source {source!r}{did_you_mean(source, names)}; one of: "
                         f"{', '.join(names)}")
    found = find_passages(source_text(records, source, texts), phrase)
    if not found:
        raise InputError(f"phrase not found in {source}")
    return [Locator(source, loc.start, loc.end) for loc in found]


def write_unlinked(output: Path | str | None = None, data: Path | str | None = None,
                   base: str | None = None) -> tuple[Path, int]:
    """Write the entities without a Wikidata link as TSV, atomically; returns the file and the
    number of entities. By default the file is ``unlinked.tsv`` in the data folder, or in the
    working directory when the data is the copy inside the installed package (never written).

    :raises coldwar_lod.errors.InputError: if the file cannot be written.

    >>> import tempfile
    >>> target, count = write_unlinked(Path(tempfile.mkdtemp()) / "unlinked.tsv")
    >>> count, target.read_text(encoding="utf-8").split("\\t")[0]
    (156, 'kind')
    """
    result = build(data, base)
    content = unlinked_tsv(result.records, result.space)
    folder = result.records.folder
    target = (Path(output) if output is not None
              else Path("unlinked.tsv") if is_packaged(folder) else folder / "unlinked.tsv")
    write_files({target: content})
    return target, len(content.splitlines()) - 1


def statistics(data: Path | str | None = None, base: str | None = None
               ) -> list[tuple[str, int | None]]:
    """The figures ``coldwar-lod stats`` prints: (label, number) rows in reading order
    (``None``: a heading), the triples last.

    >>> dict(statistics())["sources"]
    5
    """
    result = build(data, base)
    return [*count(result.records).rows(), ("triples", len(result.triples))]
