"""The source documents: reading their texts, checking locators, finding passages.

The texts are third-party documents and are not shipped with the project; these functions run
where ``COLDWAR_LOD_SOURCES`` (or an explicit folder) points at them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .records import Locator, Records, parse_locators


@dataclass(frozen=True, slots=True)
class LocatorProblem:
    """A locator that does not resolve inside its source text."""

    where: str
    locator: str
    problem: str


def source_text(records: Records, slug: str, folder: Path) -> str:
    """The text of source ``slug``, after checking its SHA-256 and length.

    :raises InputError: if the file is missing or its checksum or length differ from the
        record in ``sources.csv``.
    """
    row = records.entities[slug]
    path = folder / row.get("file")
    if not path.resolve().is_relative_to(folder.resolve()):  # records.SOURCE_FILE already
        raise InputError(f"the file {row.get('file')!r} is outside the sources folder",
                         row.file, row.line)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read source text {path}: {exc.strerror}", row.file,
                         row.line) from None
    digest = hashlib.sha256(raw).hexdigest()
    if digest != row.get("sha256"):
        raise InputError(f"{path} has SHA-256 {digest}, the record says {row.get('sha256')}",
                         row.file, row.line)
    text = raw.decode("utf-8")
    if len(text) != int(row.get("length")):
        raise InputError(f"{path} has {len(text)} code points, the record says "
                         f"{row.get('length')}", row.file, row.line)
    return text


def check_locators(records: Records, folder: Path) -> tuple[list[LocatorProblem], dict[str, int]]:
    """Resolve every locator in the records against the source texts in ``folder``.

    :returns: the problems found, and the number of claims each source supports.
    """
    texts = {r.slug: source_text(records, r.slug, folder) for r in records.of_kind("sources")}
    problems: list[LocatorProblem] = []
    claims_per_source = dict.fromkeys(texts, 0)
    rows = [*records.claims.values(), *(r for r in records.of_kind("works") if r.get("locators"))]
    for row in rows:
        for loc in parse_locators(row.get("locators")):
            text = texts[loc.source]
            label = f"{loc.source}:{loc.start}-{loc.end}"
            if loc.end > len(text):
                problems.append(LocatorProblem(row.where(), label, "ends past the text"))
            elif not text[loc.start:loc.end].strip():
                problems.append(LocatorProblem(row.where(), label, "selects only white space"))
            elif row.kind == "claims":
                claims_per_source[loc.source] += 1
    return problems, claims_per_source


def find_passages(text: str, phrase: str) -> list[Locator]:
    """Every place ``phrase`` occurs in ``text``, as locators (source left empty).

    Matching ignores case and runs of white space, since extracted texts break lines.

    >>> find_passages("The  Prague\\nSpring began", "prague spring")
    [Locator(source='', start=5, end=18)]
    """
    import re

    words = [re.escape(w) for w in phrase.split()]
    pattern = re.compile(r"\s+".join(words), re.IGNORECASE)
    return [Locator("", m.start(), m.end()) for m in pattern.finditer(text)]
