"""``coldwar-lod release VERSION``: build the dataset and write a release, all or nothing.

The release goes to ``ROOT/releases/VERSION/``; ``ROOT/CHANGELOG.md`` collects every
release's changelog, and ``ROOT/CITATION.cff`` and ``ROOT/.zenodo.json`` are written from
``ROOT/citation.toml`` for the new version (where that file exists). Every file is written
through :class:`~coldwar_lod.files.StagedFiles`: a release that fails leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .. import Build
from ..dataset import DUMPS
from ..errors import EXIT_VIOLATIONS, ColdwarError, InputError
from ..files import write_files
from ..jsonld import jsonld_and_census
from ..mapping import sorted_triples
from ..namespaces import IriSpace
from ..pipeline import build_and_render
from ..void import describe
from . import changelog, citation, iris, patch
from .documents import COMPRESSED, SUMS, gzipped, release_documents, sha256sums
from .series import CHANGES_MD, PATCH, ReleaseInfo, describe_release, list_releases
from .versions import check_new_version

RELEASES = "releases"
CHANGELOG = "CHANGELOG.md"
_MEDIA = {"coldwar-lod.ttl": "text/turtle", "coldwar-lod.jsonld": "application/ld+json",
          "coldwar-lod.nt": "application/n-triples", "coldwar-lod.trig": "application/trig",
          "ontology.ttl": "text/turtle", "shapes.ttl": "text/turtle"}


class NotConformingError(ColdwarError):
    """The data does not conform to the shapes: no release is made."""

    exit_code = EXIT_VIOLATIONS


@dataclass(slots=True)
class Release:
    """What :func:`make_release` wrote.

    >>> import tempfile
    >>> root = tempfile.mkdtemp()
    >>> first = make_release("1.0.0", root, date="2026-01-15")
    >>> second = make_release("1.0.1", root, date="2026-01-16")  # the same records
    >>> second.previous, second.patch_counts["https://w3id.org/coldwar-lod/graph/data"]
    ('1.0.0', (0, 0))
    """

    version: str
    previous: str | None
    issued: str
    folder: Path
    written: dict[Path, int]
    changes: changelog.Changes
    #: graph IRI -> (triples deleted, triples added) by the patch
    patch_counts: dict[str, tuple[int, int]]

    def report(self) -> list[str]:
        """What ``coldwar-lod release`` prints: the files written, the changes, the patch."""
        lines = [f"wrote {path} ({size:,} bytes)" for path, size in self.written.items()]
        lines += ["", f"release {self.version} of {self.issued}: "
                      + changelog.summary_line(self.changes, self.previous)]
        lines += [f"  patch <{graph}>: {deleted:,} triple(s) deleted, {added:,} added"
                  for graph, (deleted, added) in self.patch_counts.items()]
        return lines


def issued_date(date: str | None) -> str:
    """The release date: ``date`` (YYYY-MM-DD), else ``SOURCE_DATE_EPOCH`` (seconds since
    1970, the reproducible-builds convention), else today (UTC).

    >>> issued_date("2026-12-04")
    '2026-12-04'

    :raises InputError: on a malformed date or ``SOURCE_DATE_EPOCH``.
    """
    if date:
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
                return dt.date.fromisoformat(date).isoformat()
        except ValueError:
            pass
        raise InputError(f"bad release date {date!r}: use YYYY-MM-DD")
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        if not epoch.isdigit():
            raise InputError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970, not {epoch!r}")
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date().isoformat()
    return dt.datetime.now(dt.UTC).date().isoformat()


def make_release(version: str, root: Path | str = ".", *, data: Path | str | None = None,
                 base: str | None = None, date: str | None = None,
                 validator: str = "oxigraph") -> Release:
    """Build the dataset from ``data`` and write release ``version`` under ``root``.

    :raises InputError: on a bad or already released version, one not greater than the last
        release, a bad date or one before the last release's, an unreadable earlier release,
        or a folder that cannot be written (then nothing is written).
    :raises InputErrors: on bad records.
    :raises NotConformingError: if the data does not conform to the shapes.

    >>> import tempfile
    >>> done = make_release("1.0.0", tempfile.mkdtemp(), date="2026-01-15")
    >>> done.version, done.previous, done.issued, (done.folder / "SHA256SUMS").is_file()
    ('1.0.0', None, '2026-01-15', True)
    """
    root = Path(root)
    series_folder = root / RELEASES
    new, last = check_new_version(version, series_folder)
    issued = issued_date(date)
    earlier = list_releases(series_folder)
    if earlier and issued < earlier[-1].issued:
        raise InputError(f"release date {issued} is before that of the last release, "
                         f"{earlier[-1].version} ({earlier[-1].issued}); give --date or "
                         "SOURCE_DATE_EPOCH")
    result, report, files = build_and_render(data, base, validator)
    if not report.conforms:
        raise NotConformingError(f"the data does not conform ({len(report.violations)} "
                                 "violation(s); `coldwar-lod validate` lists them); no "
                                 "release was made")
    licensed = result
    docs = release_documents(licensed, files, new.text)
    previous = last.text if last else None
    old = (patch.release_dataset(_read(series_folder / previous, patch.GRAPHS.values()),
                                 result.space) if previous else {})
    changes, counts = _changes(docs, old, licensed.space, new.text, issued, previous)
    compressed = {f"{name}.gz": (_MEDIA[name], gzipped(docs[name])) for name in COMPRESSED}
    docs["void.ttl"] = _description(licensed, docs, new.text, issued,
                                    changelog.summary_line(changes, previous), earlier,
                                    compressed)
    docs.update({name: content for name, (_, content) in compressed.items()})
    docs[SUMS] = sha256sums(docs)
    folder = series_folder / new.text
    outputs = {folder / name: content for name, content in docs.items()}
    outputs[root / CHANGELOG] = _collected_changelog(earlier, docs[CHANGES_MD])
    source = root / citation.SOURCE
    if source.is_file():
        meta = citation.read_source(source)
        for name, content in citation.citation_files(meta, new.text, issued).items():
            outputs[root / name] = content
    written = write_files(outputs)
    return Release(new.text, previous, issued, folder, written, changes, counts)


def _changes(docs: dict[str, bytes], old: patch.Dataset, space: IriSpace, version: str,
             issued: str, previous: str | None
             ) -> tuple[changelog.Changes, dict[str, tuple[int, int]]]:
    """Add the RDF Patch and the changelog from the ``old`` release to ``docs``.

    :returns: the changes, and graph -> (triples deleted, triples added).
    """
    new = patch.release_dataset(docs, space)
    data_graph = f"{space.base}graph/data"
    changes = changelog.compare(old.get(data_graph, set()), new[data_graph], space)
    differences = patch.differences(old, new)
    docs[PATCH] = patch.rdf_patch(
        differences, patch.patch_id(iris.release(space, version).value),
        patch.patch_id(iris.release(space, previous).value) if previous else None)
    counts = {g: (len(deleted), len(added)) for g, (deleted, added) in differences.items()}
    totals = "The RDF Patch `changes.rdfp` deletes and adds, per graph: " + ", ".join(
        f"{g.rsplit('/', 1)[-1]} −{d:,} +{a:,}" for g, (d, a) in counts.items()) + "."
    docs[CHANGES_MD] = changelog.markdown(changes, version, issued, previous, space,
                                          totals).encode()
    return changes, counts


def _description(licensed: Build, docs: Mapping[str, bytes], version: str, issued: str,
                 notes: str, earlier: list[ReleaseInfo],
                 compressed: Mapping[str, tuple[str, bytes]]) -> bytes:
    """``void.ttl``: VoID of the release's data, and DCAT 3 of the release in its series."""
    space = licensed.space
    dumps = {name: (_MEDIA[name], docs[name]) for name in (*DUMPS.values(), "ontology.ttl",
                                                           "shapes.ttl")}
    this = iris.release(space, version)
    census = jsonld_and_census(licensed.triples, space)[1]
    triples = describe(licensed.triples, space, dumps, census, dataset=this, version=version,
                       download=this.value + "/")
    triples += describe_release(space, version, issued, notes, earlier, compressed)
    return Build(space, licensed.records, sorted_triples(set(triples))).serialize("turtle")


def _read(folder: Path, names: Iterable[str]) -> dict[str, bytes]:
    """Files of an earlier release, by name.

    :raises InputError: if one is missing or unreadable.
    """
    out = {}
    for name in names:
        try:
            out[name] = (folder / name).read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read an earlier release: {exc.strerror}",
                             str(folder / name)) from None
    return out


def _collected_changelog(earlier: list[ReleaseInfo], newest: bytes) -> bytes:
    """``CHANGELOG.md``: every release's ``CHANGES.md``, newest first."""
    parts = [b"# Changelog\n\nWhat changed in the data from one release to the next, written "
             b"by `coldwar-lod release` (each release's `CHANGES.md`; its `changes.rdfp` is "
             b"the same as an RDF Patch). Releases are in `releases/`.\n\n", newest]
    parts += [_read(info.folder, [CHANGES_MD])[CHANGES_MD] for info in reversed(earlier)]
    return b"\n".join(p.rstrip(b"\n") + b"\n" for p in parts)
