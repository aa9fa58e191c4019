"""``coldwar-lod wikidata export``: the QuickStatements or the Wikibase RDF, to a file or back."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError
from ..files import write_files
from .compare import compare_with_wikidata
from .quickstatements import quickstatements
from .service import BATCH_SIZE, Asker, Wikidata
from .suggest import require_wikidata
from .wikibase_rdf import count_statements, serialize, wikibase_triples

if TYPE_CHECKING:  # pragma: no cover
    from ..dataset import Build

#: The export formats.
EXPORT_FORMATS = ("quickstatements", "wikibase-rdf")


def wikidata_export(build: Build, fmt: str, wikidata: Wikidata | None = None, *,
                    output: Path | str | None = None, batch_size: int = BATCH_SIZE
                    ) -> tuple[bytes, str]:
    """The export in ``fmt`` and a one-line summary; written atomically to ``output`` if given.

    ``quickstatements`` compares with Wikidata first (:func:`compare_with_wikidata`, which asks
    ``wikidata``) and gives what the sources support and Wikidata lacks
    (:func:`quickstatements`); ``wikibase-rdf`` needs no service (``wikibase_rdf``).

    :raises InputError: for an unknown format, or a file that cannot be written.
    :raises NotWikidataError: if the endpoint holds no Wikidata statements (exit code 2).
    :raises EndpointError: if the service cannot be reached (quickstatements, exit code 4).

    >>> import coldwar_lod
    >>> build = coldwar_lod.build()
    >>> data, summary = wikidata_export(build, "wikibase-rdf")
    >>> statements = int(summary.split()[2])     # a statement per claim, two per interval
    >>> data.startswith(b"@prefix"), statements >= len(build.records.claims)
    (True, True)
    """
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"unknown export format {fmt!r} (one of {', '.join(EXPORT_FORMATS)})")
    if fmt == "quickstatements":
        asker = Asker(wikidata)
        require_wikidata(asker)  # else every fact would look lacking
        report = compare_with_wikidata(build, asker.store or asker.endpoint,
                                       batch_size=batch_size)
        qs = quickstatements(build, report)
        data, summary = qs.text().encode("utf-8"), qs.summary()
        summary += "".join(f"\nleft out: {what}: {why}" for what, why in qs.left_out)
    else:
        triples = wikibase_triples(build)
        data = serialize(build, triples)
        summary = (f"Wikibase RDF: {count_statements(triples)} statement(s), "
                   f"{len(triples):,} triples")
    if output is not None:
        write_files({Path(output): data})
    return data, summary
