"""One Oxigraph server per session holding the Wikidata snapshot (real Wikidata statements and
labels: ``/work/shared/reference/wikidata-snapshot``, see its README), for the tests of
``suggest``, ``accept`` and the exports; and scratch data folders with links taken out."""

from __future__ import annotations

import csv
import io
import os
import shutil
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ..conftest import DATA
from ..server import OxigraphServer, oxigraph

#: The snapshot (read-only, shared by the project's worktrees); override with
#: COLDWAR_LOD_WIKIDATA_SNAPSHOT.
SNAPSHOT = Path(os.environ.get("COLDWAR_LOD_WIKIDATA_SNAPSHOT",
                               "/work/shared/reference/wikidata-snapshot"))
#: The main file and the optional names (aliases in 13 languages); both go in.
SNAPSHOT_FILES = ("wikidata-snapshot.ttl", "xfactr-names.ttl")

#: Two items that are NOT in the snapshot and not real: a redirect (merged into Alexander
#: Dubček's item, as Wikidata's RDF writes one) and, by having no triple at all, a missing item.
REDIRECTED, REDIRECT_TARGET, MISSING = "Q999999901", "Q150543", "Q999999902"
SYNTHETIC = (f"<http://www.wikidata.org/entity/{REDIRECTED}> "
             f"<http://www.w3.org/2002/07/owl#sameAs> "
             f"<http://www.wikidata.org/entity/{REDIRECT_TARGET}> .\n")

ENTITY_FILES = ("persons", "states", "organisations", "places", "events", "works", "positions")


def _post(url: str, body: bytes, content_type: str) -> None:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type},
                                     method="POST")
    urllib.request.urlopen(request, timeout=30).close()


@pytest.fixture(scope="session")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """An Oxigraph server with the snapshot (and the synthetic redirect) in its default graph."""
    missing = [f for f in SNAPSHOT_FILES if not (SNAPSHOT / f).is_file()]
    if missing:
        pytest.skip(f"the Wikidata snapshot is not at {SNAPSHOT} ({', '.join(missing)})")
    with oxigraph(tmp_path_factory.mktemp("snapshot"), persistent=False) as running:
        for name in SNAPSHOT_FILES:
            _post(f"{running.url}/store?default", (SNAPSHOT / name).read_bytes(), "text/turtle")
        _post(f"{running.url}/store?default", SYNTHETIC.encode(), "application/n-triples")
        yield running


def unlink(folder: Path, chosen: Callable[[str, str], bool]) -> dict[str, str]:
    """Empty the ``qid`` cell of the chosen records (slug, QID) in a data folder; returns
    slug -> the QID taken out."""
    removed = {}
    for kind in ENTITY_FILES:
        path = folder / f"{kind}.csv"
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        column = rows[0].index("qid")
        for row in rows[1:]:
            if len(row) > column and row[column] and chosen(row[0], row[column]):
                removed[row[0]] = row[column]
                row[column] = ""
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")
    return removed


def unverify(folder: Path, qids: set[str]) -> None:
    """Take QIDs out of a data folder's verified list."""
    path = folder / "reference" / "wikidata-qids.tsv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(ln for ln in lines if ([*ln.split("\t"), "", "", ""])[2] not in qids),
                    encoding="utf-8")


@pytest.fixture
def unlinked_copy(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """A copy of data/ with every Wikidata link taken out of the records (the verified list
    keeps them)."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    yield target, unlink(target, lambda _slug, _qid: True)
