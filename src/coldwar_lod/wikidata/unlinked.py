"""The entities still without a Wikidata link, as TSV for reconciliation (e.g. OpenRefine)."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from .. import model
from ..namespaces import IriSpace
from ..records import Records

if TYPE_CHECKING:  # pragma: no cover
    pass


UNLINKED_COLUMNS = ("kind", "slug", "label_en", "labels", "description", "iri")


def unlinked_tsv(records: Records, space: IriSpace) -> bytes:
    """The entities without a Wikidata QID, as TSV for reconciliation (e.g. OpenRefine).

    Sources are left out: they are documents of this project, not Wikidata items.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(UNLINKED_COLUMNS)
    rows = sorted((r for r in records.entities.values() if r.kind != "sources"
                   and not r.get("qid")), key=lambda r: (r.kind, r.slug))
    for row in rows:
        kind = model.ENTITY_KINDS[row.kind]
        writer.writerow((kind, row.slug, row.get("label_en"), row.get("labels"),
                         row.get("description"), space.instance(kind, row.slug).value))
    return out.getvalue().encode("utf-8")

