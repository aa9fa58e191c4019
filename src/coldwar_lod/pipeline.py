"""The build: records -> triples -> validation -> files.

>>> import coldwar_lod
>>> build = coldwar_lod.build()
>>> report = coldwar_lod.validate(build)
>>> report.conforms
True
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from . import parallel
from .dataset import Build, dataset_files, no_cycle_collection
from .errors import InputError, InputErrors
from .mapping import map_records
from .namespaces import IriSpace
from .rdfio import parse_triples
from .records import Records, load_records
from .resources import default_data_dir, sources_dir
from .sources import check_locators
from .validation.engines import validate_triples
from .validation.report import ValidationReport, report_from_outcome

if TYPE_CHECKING:  # imported where used: `coldwar-lod build` does not need rdflib
    import rdflib


def build(data: Path | str | None = None, base: str | None = None) -> Build:
    """Read, check and map the records in ``data`` (default: see ``default_data_dir``).

    :param data: the data folder.
    :param base: the base IRI to publish under (default ``https://w3id.org/coldwar-lod/``).
    Where the source texts are at hand (``COLDWAR_LOD_SOURCES``), each text is checked
    against its record (SHA-256, length) and every locator against its text.

    :raises coldwar_lod.errors.InputErrors: on any bad record or locator, with file and line.
    :raises coldwar_lod.errors.InputError: on a bad base IRI, or a text that does not match
        its record in ``sources.csv``.

    >>> build = build()
    >>> len(build.records.claims), len(build.triples)
    (599, 13211)
    """
    with no_cycle_collection():
        space, records = _read(data, base)
        return _mapped(space, records)


def _read(data: Path | str | None, base: str | None) -> tuple[IriSpace, Records]:
    space = IriSpace.from_base(base)
    records = load_records(Path(data) if data is not None else default_data_dir())
    texts = sources_dir()
    if texts is not None:  # whenever the texts are at hand: checksums, lengths, locators
        problems, _ = check_locators(records, texts)
        if problems:
            raise InputErrors([InputError(f"locator {p.locator} {p.problem}", p.where)
                               for p in problems])
    return space, records


def _mapped(space: IriSpace, records: Records) -> Build:
    mapped = map_records(records, space)
    return Build(space, records, mapped.sorted(), mapped.lineage)


def build_graph(data: Path | str | None = None, base: str | None = None) -> rdflib.Graph:
    """Shortcut: :func:`build` then :meth:`Build.graph`.

    >>> len(build_graph()) > 10_000
    True
    """
    return build(data, base).graph()


def validate(target: Build | rdflib.Graph, validator: str = "oxigraph") -> ValidationReport:
    """Validate a build (or any rdflib graph) against the shapes; returns a report.

    Validation failures are results (``report.conforms``), never exceptions.

    :raises ValueError: for an unknown validator name.

    >>> report = validate(build(), validator="turbo")
    >>> report.conforms, report.validator
    (True, 'turbo')
    """
    if isinstance(target, Build):
        # A build writes literals in canonical form (tests/validation/test_compiler.py checks).
        return validate_triples(target.triples, target.space, validator=validator,
                                lineage=target.lineage, ntriples=target.ntriples(),
                                canonical=True)
    data = target.serialize(format="nt", encoding="utf-8")
    triples = parse_triples(data, ox.RdfFormat.N_TRIPLES)
    return validate_triples(triples, IriSpace.from_base(), validator=validator)


def build_and_render(data: Path | str | None = None, base: str | None = None,
                     validator: str = "oxigraph", separate: bool | None = None,
                     on_file: Callable[[str, bytes], None] | None = None,
                     ) -> tuple[Build, ValidationReport, dict[str, bytes]]:
    """Build, validate and render every file (:func:`~coldwar_lod.dataset.dataset_files`,
    which ``on_file`` is handed to). The files are rendered even if the data does not conform
    (nothing is written here).

    A large build validates in a child process beside the rendering (:mod:`.parallel`;
    ``separate`` forces the choice); the outcome is the same.

    :raises coldwar_lod.errors.InputErrors: on any bad record, with file and line.
    :raises RuntimeError: if the validating child process fails.

    >>> result, report, files = build_and_render()
    >>> report.conforms, len(result.triples) > 10_000, files["coldwar-lod.nt"] == result.ntriples()
    (True, True, True)
    """
    with no_cycle_collection():
        space, records = _read(data, base)
        if not parallel.worth_it(validator, separate, records):
            result = _mapped(space, records)
            return result, validate(result, validator), dataset_files(result, on_file)
        result, outcome, files = parallel.build_beside_child(space, records, on_file)
    if isinstance(outcome, str):  # the engine stepped aside: validate here, with turbo
        return result, validate(result, validator), files
    return result, report_from_outcome(outcome, "oxigraph", result.lineage), files
