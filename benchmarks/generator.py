"""Scaled copies of the real records: the same shape, N times over.

``scale(data, out, factor)`` reads ``data/`` with :func:`coldwar_lod.records.load_records`
(so only checked records are copied) and writes ``factor`` copies of every record in the same
CSV format:

* copy 0 keeps the original slugs (the scaled data holds the real data), copy ``i`` appends
  ``-x<i>`` to every entity, claim and disagreement slug and `` [i]`` to the English label;
* every reference (claim subject/object/``replaces``, position ``organisation``, work
  ``authors``, disagreement ``claims``) is re-pointed into the same copy, so it resolves;
* ``sources.csv`` is copied unchanged (five sources), so every locator stays valid;
* dates, labels, Wikidata links, locators, ranks and notes are copied as they are, so the
  proportions of claims, dates, labels and links are those of the real data.

The triple count of a build is ``fixed + factor * per_copy`` (the sources do not scale);
:func:`factor_for` measures both on the current data and returns the factor nearest to a
target size. ``python -m benchmarks.generator --size 100k --out DIR`` writes one set.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import shutil
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from coldwar_lod import model
from coldwar_lod.mapping import map_records
from coldwar_lod.namespaces import IriSpace
from coldwar_lod.records import FILES, Records, Row, load_records
from coldwar_lod.resources import default_data_dir

#: Named sizes (target triple counts) accepted on the command line.
SIZES = {"1k": 1_000, "2k": 2_000, "5k": 5_000, "10k": 10_000, "100k": 100_000,
         "1M": 1_000_000, "2M": 2_000_000}


def parse_size(text: str) -> int:
    """A target triple count: a named size (``10k``, ``1M``) or a number.

    >>> parse_size("100k"), parse_size("1M"), parse_size("2500")
    (100000, 1000000, 2500)
    """
    if text in SIZES:
        return SIZES[text]
    t = text.strip().lower()
    for suffix, mult in (("k", 1_000), ("m", 1_000_000)):
        if t.endswith(suffix):
            return int(float(t[:-1]) * mult)
    return int(t)


def size_name(n: int) -> str:
    """The short name of a target size.

    >>> size_name(10_000), size_name(1_000_000), size_name(2500)
    ('10k', '1M', '2500')
    """
    for name, value in SIZES.items():
        if value == n:
            return name
    return str(n)


@dataclass(slots=True)
class Manifest:
    """What a generated folder holds (written to ``manifest.json`` beside the CSV files)."""

    factor: int
    triples: int
    fixed_triples: int
    per_copy_triples: int
    records: dict[str, int]
    source_fingerprint: str


def fingerprint(data: Path) -> str:
    """SHA-256 over the CSV files of a data folder (to know when generated data is stale)."""
    digest = hashlib.sha256()
    for kind in FILES:
        path = data / f"{kind}.csv"
        digest.update(kind.encode())
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()


def _header(path: Path) -> list[str]:
    """The header row of a data file (its first row that is not blank or a comment)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for cells in csv.reader(fh):
            if cells and any(c.strip() for c in cells) and not cells[0].startswith("#"):
                return [c.strip() for c in cells]
    raise ValueError(f"{path}: no header row")


class _Scaler:
    def __init__(self, records: Records) -> None:
        self.records = records

    def ref(self, slug: str, suffix: str) -> str:
        """An entity slug in the copy with ``suffix`` (sources are shared by all copies)."""
        row = self.records.entities[slug]
        return slug if row.kind == "sources" else slug + suffix

    def entity(self, row: Row, i: int, suffix: str) -> dict[str, str]:
        cells = dict(row.cells)
        cells["slug"] = row.slug + suffix
        if i:
            cells["label_en"] = f"{row.get('label_en')} [{i}]"
        if row.kind == "positions":
            cells["organisation"] = self.ref(row.get("organisation"), suffix)
        if row.kind == "works" and row.get("authors"):
            cells["authors"] = " ".join(self.ref(a, suffix) for a in row.get("authors").split())
        return cells

    def claim(self, row: Row, suffix: str) -> dict[str, str]:
        cells = dict(row.cells)
        cells["claim"] = row.slug + suffix
        cells["subject"] = self.ref(row.get("subject"), suffix)
        if model.CLAIM_PROPERTIES[row.get("property")].object_kind == "entity":
            cells["object"] = self.ref(row.get("object"), suffix)
        if row.get("replaces"):
            cells["replaces"] = self.ref(row.get("replaces"), suffix)
        return cells

    def disagreement(self, row: Row, suffix: str) -> dict[str, str]:
        cells = dict(row.cells)
        cells["slug"] = row.slug + suffix
        cells["claims"] = " ".join(c + suffix for c in row.get("claims").split())
        return cells


def write_scaled(data: Path, out: Path, factor: int) -> dict[str, int]:
    """Write ``factor`` copies of the records of ``data`` into ``out``; returns rows per file."""
    if factor < 1:
        raise ValueError("factor must be at least 1")
    records = load_records(data)
    scaler = _Scaler(records)
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for kind in FILES:
        if kind == "sources":
            shutil.copyfile(data / "sources.csv", out / "sources.csv")
            counts[kind] = sum(1 for _ in records.of_kind("sources"))
            continue
        header = _header(data / f"{kind}.csv")
        if kind == "claims":
            rows = list(records.claims.values())
        elif kind == "disagreements":
            rows = list(records.disagreements.values())
        else:
            rows = list(records.of_kind(kind))
        with (out / f"{kind}.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(header)
            for i in range(factor):
                suffix = f"-x{i}" if i else ""
                for row in rows:
                    if kind == "claims":
                        cells = scaler.claim(row, suffix)
                    elif kind == "disagreements":
                        cells = scaler.disagreement(row, suffix)
                    else:
                        cells = scaler.entity(row, i, suffix)
                    writer.writerow([cells.get(col, "") for col in header])
        counts[kind] = len(rows) * factor
    return counts


def count_triples(data: Path) -> int:
    """The number of triples a build of ``data`` has (records read and mapped, not sorted)."""
    return len(map_records(load_records(data), IriSpace.from_base()))


def shape_of(data: Path) -> tuple[int, int]:
    """``(fixed, per_copy)`` triples of the current data: a build of factor N has
    ``fixed + N * per_copy`` triples (measured by scaling by 1 and by 2)."""
    with tempfile.TemporaryDirectory(prefix="cw-bench-") as tmp:
        counts = []
        for factor in (1, 2):
            folder = Path(tmp) / str(factor)
            write_scaled(data, folder, factor)
            counts.append(count_triples(folder))
    per_copy = counts[1] - counts[0]
    return counts[0] - per_copy, per_copy


def factor_for(target: int, fixed: int, per_copy: int) -> int:
    """The factor whose triple count is nearest to ``target`` (at least 1).

    >>> factor_for(10_000, 100, 1_000)
    10
    """
    return max(1, round((target - fixed) / per_copy))


def generate(data: Path, out: Path, target: int, *, reuse: bool = True) -> Manifest:
    """Write the scaled copy nearest to ``target`` triples into ``out`` (with ``manifest.json``).

    With ``reuse``, a folder whose manifest matches the current data and factor is kept.
    """
    fixed, per_copy = shape_of(data)
    factor = factor_for(target, fixed, per_copy)
    fp = fingerprint(data)
    manifest_path = out / "manifest.json"
    if reuse and manifest_path.is_file():
        old = json.loads(manifest_path.read_text(encoding="utf-8"))
        if old.get("factor") == factor and old.get("source_fingerprint") == fp:
            return Manifest(**old)
    if out.exists():
        shutil.rmtree(out)
    counts = write_scaled(data, out, factor)
    manifest = Manifest(factor, count_triples(out), fixed, per_copy, counts, fp)
    manifest_path.write_text(json.dumps(asdict(manifest), indent=1) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="10k", help="target triples: 10k, 100k, 1M or a number")
    parser.add_argument("--factor", type=int, help="scale by this factor instead of a size")
    parser.add_argument("--data", type=Path, default=None, help="the real data (default data/)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write")
    args = parser.parse_args(argv)
    data = args.data or default_data_dir()
    if args.factor:
        counts = write_scaled(data, args.out, args.factor)
        print(f"factor {args.factor}: {count_triples(args.out):,} triples, {counts}")
        return 0
    m = generate(data, args.out, parse_size(args.size), reuse=False)
    print(f"factor {m.factor}: {m.triples:,} triples ({m.fixed_triples} fixed + "
          f"{m.per_copy_triples} per copy), {m.records}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
