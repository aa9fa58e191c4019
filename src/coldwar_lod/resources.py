"""Finding the ontology, shapes, queries and data that ship with the package.

The top-level folders of the repository are their single source. An installed wheel carries
copies under ``coldwar_lod/_resources``; a source checkout (editable install) reads the
top-level folders directly.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from .namespaces import IriSpace

_PACKAGED = Path(__file__).resolve().parent / "_resources"
_CHECKOUT = Path(__file__).resolve().parents[2]


def resource_dir(name: str) -> Path:
    """The folder ``name`` (``ontology``, ``shapes``, ``queries`` or ``data``) that shipped.

    >>> (resource_dir("ontology") / "coldwar.ttl").is_file()
    True
    """
    for root in (_PACKAGED, _CHECKOUT):
        if (root / name).is_dir():
            return root / name
    raise FileNotFoundError(f"the package's {name}/ folder is missing; reinstall coldwar-lod")


def default_data_dir() -> Path:
    """The data folder a command uses when none is given.

    ``./data`` when the working directory has one that holds any of the record files (an
    editor's clone: if some are missing, reading it says which, rather than switching to
    another dataset), else the copy that shipped with the package.
    """
    from .records import FILES

    here = Path.cwd() / "data"
    if any((here / f"{kind}.csv").exists() for kind in FILES):
        return here
    return resource_dir("data")


def is_packaged(folder: Path) -> bool:
    """Whether ``folder`` is (inside) the copy of a folder shipped in the installed package,
    which commands must not write into.

    >>> is_packaged(resource_dir("queries")) == (_PACKAGED / "queries").is_dir()
    True
    """
    return folder.resolve().is_relative_to(_PACKAGED)


def sources_dir() -> Path | None:
    """Where the source texts are, from ``COLDWAR_LOD_SOURCES``, if set.

    The texts are third-party documents and are not shipped; locator checks that need them
    run when this variable points at a folder holding them.
    """
    value = os.environ.get("COLDWAR_LOD_SOURCES")
    return Path(value) if value else None


def shape_files() -> list[Path]:
    """All SHACL files, in a stable order."""
    return sorted(resource_dir("shapes").glob("*.ttl"))


def ontology_file() -> Path:
    """The ontology, in Turtle."""
    return resource_dir("ontology") / "coldwar.ttl"


@functools.lru_cache(maxsize=4)
def ontology_bytes(base: str) -> bytes:
    """The ontology (Turtle, as written) moved to ``base``."""
    return IriSpace(base).rebase_text(ontology_file().read_text(encoding="utf-8")).encode()


@functools.lru_cache(maxsize=4)
def merged_shapes_bytes(base: str) -> bytes:
    """All shapes in one Turtle document, moved to ``base``.

    The shape files are concatenated as written (Turtle allows repeated ``@prefix``
    directives, and the files use no labelled blank nodes), which keeps their comments and
    their order, and is byte-identical from build to build: re-serializing would relabel the
    blank nodes of ``sh:or`` lists and paths at random.
    """
    space = IriSpace(base)
    parts = [b"# coldwar-lod SHACL shapes: the files of shapes/, merged.\n"]
    for path in shape_files():
        parts.append(f"\n# ---- {path.name} ----\n".encode())
        parts.append(space.rebase_text(path.read_text(encoding="utf-8")).encode())
    return b"".join(parts)

