"""The shipped queries: one question per ``queries/*.rq`` file, each with a ``#+`` header.

Each file opens with a header::

    #+ summary: Which states took part in the invasion, and in what role
    #+ description: Longer text, continued on lines that start with "#+" and
    #+   two or more spaces.
    #+ tags: invasion, participation

>>> "timeline" in shipped_queries()
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, did_you_mean
from ..resources import resource_dir

#: Header fields every shipped query has.
HEADER_FIELDS = ("summary", "description", "tags")


@dataclass(frozen=True, slots=True)
class NamedQuery:
    """A query and where it came from (a shipped name or a file), with its header fields.

    >>> query = load_query("timeline")
    >>> query.name, query.shipped, query.tags
    ('timeline', True, ('time', 'events', 'chronology', 'uncertainty'))
    """

    name: str
    text: str
    origin: str
    summary: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()
    shipped: bool = False

    @classmethod
    def from_file(cls, path: Path, shipped: bool = False) -> NamedQuery:
        """Read a query file and its ``#+`` header.

        :raises InputError: if the file cannot be read.
        """
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read the query {path}: {exc}") from None
        header = parse_header(text)
        tags = tuple(t.strip() for t in header.get("tags", "").split(",") if t.strip())
        return cls(path.stem, text, str(path), header.get("summary", ""),
                   header.get("description", ""), tags, shipped)


def parse_header(text: str) -> dict[str, str]:
    """The ``#+ key: value`` fields at the top of a query (continuation lines: ``#+``, 2 spaces).

    >>> parse_header("#+ summary: Who\\n#+ tags: a, b\\n#+   c\\nSELECT * {}")
    {'summary': 'Who', 'tags': 'a, b c'}
    """
    fields: dict[str, str] = {}
    key: str | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        if match := re.fullmatch(r"#\+ (\w+):\s*(.*)", stripped):
            key = match.group(1)
            fields[key] = match.group(2).strip()
        elif key and (match := re.fullmatch(r"#\+\s{2,}(.*)", stripped)):
            fields[key] = f"{fields[key]} {match.group(1).strip()}".strip()
        else:
            key = None
    return fields


def shipped_queries() -> dict[str, NamedQuery]:
    """The queries that ship with the package, by name (the file name without ``.rq``).

    >>> queries = shipped_queries()
    >>> len(queries), queries["timeline"].shipped
    (15, True)
    """
    folder = resource_dir("queries")
    return {p.stem: NamedQuery.from_file(p, shipped=True) for p in sorted(folder.glob("*.rq"))}


def load_query(spec: str) -> NamedQuery:
    """A shipped query by name, or any query file by path.

    :raises InputError: if ``spec`` is neither a file nor a shipped query's name.

    >>> load_query("invasion-participants").origin.endswith("queries/invasion-participants.rq")
    True
    """
    path = Path(spec)
    if path.is_file():
        return NamedQuery.from_file(path)
    catalogue = shipped_queries()
    if spec in catalogue:
        return catalogue[spec]
    if path.suffix == ".rq" or "/" in spec:
        raise InputError(f"no such query file: {spec}")
    raise InputError(f"unknown query {spec!r}{did_you_mean(spec, catalogue)}; "
                     "`coldwar-lod queries` lists the shipped ones")
