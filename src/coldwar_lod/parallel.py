"""The large-build path: map the records while a child process validates (performance only).

With the ``oxigraph`` engine and a large build, the validation runs in a child process
(:class:`~coldwar_lod.validation.child.ChildValidation`), started once the records are read and
fed the triples in chunks while they are mapped (it loads them meanwhile), then validating
while this process sorts them and renders the files: the two use both cores, where threads
would wait for each other's GIL. The result is the same as the plain path's
(:func:`coldwar_lod.pipeline.build_and_render`); why and from what size: benchmarks/README.md
("validation in a child process").
"""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox

from .dataset import Build, dataset_files
from .mapping import map_records
from .namespaces import IriSpace
from .rdfio import to_bytes
from .records import Records
from .validation.child import ChildValidation
from .validation.report import Outcome

#: From this many records (about 15 triples each, so about 30,000 triples) the child pays off.
SEPARATE_PROCESS_FROM_RECORDS = 2_000


def worth_it(validator: str, separate: bool | None, records: Records) -> bool:
    """Whether to validate in a child: only the ``oxigraph`` engine runs there; ``separate``
    forces the choice, else the size decides."""
    if validator != "oxigraph":
        return False
    size = len(records.entities) + len(records.claims) + len(records.disagreements)
    return size >= SEPARATE_PROCESS_FROM_RECORDS if separate is None else separate


def build_beside_child(space: IriSpace, records: Records,
                       on_file: Callable[[str, bytes], None] | None
                       ) -> tuple[Build, Outcome | str, dict[str, bytes]]:
    """Map, sort and render while a child validates; the build, the child's outcome (or why
    the engine stepped aside) and the files.

    :raises RuntimeError: if the child process fails (its error output is in the message).
    """
    with ChildValidation(space.base) as child:
        # Unsorted, as they are mapped, so that the child loads them meanwhile. The sorted
        # dump is written again later.
        mapped = map_records(records, space, on_triples=lambda triples: child.feed(
            to_bytes(triples, ox.RdfFormat.N_TRIPLES)))
        child.finish()
        result = Build(space, records, mapped.sorted(), mapped.lineage)
        del mapped
        files = dataset_files(result, on_file)
        return result, child.outcome(), files
