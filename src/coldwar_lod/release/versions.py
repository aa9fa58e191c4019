"""Release versions: parsing and ordering semantic versions, and the series on disk.

A series is a folder (``releases/`` in the repository) holding one folder per release, named
by its version (``releases/0.1.0/``). Only folders whose names are semantic versions count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

#: Semantic Versioning 2.0.0 (https://semver.org/): MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD].
_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$")


@dataclass(frozen=True, slots=True)
class Version:
    """A semantic version, ordered by SemVer precedence (build metadata is ignored).

    >>> Version.parse("1.0.0-rc.1") < Version.parse("1.0.0") < Version.parse("1.10.0")
    True
    >>> sorted(["1.0.0-beta", "1.0.0-alpha.1", "1.0.0-alpha"], key=Version.parse)
    ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-beta']
    """

    text: str
    core: tuple[int, int, int]
    pre: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> Version:
        """:raises InputError: if ``text`` is not a semantic version."""
        m = _SEMVER.match(text)
        if not m:
            raise InputError(f"bad version {text!r}: use a semantic version MAJOR.MINOR.PATCH "
                             "(e.g. 1.0.0, or 1.1.0-rc.1)")
        return cls(text, (int(m[1]), int(m[2]), int(m[3])),
                   tuple(m[4].split(".")) if m[4] else ())

    def _key(self) -> tuple[tuple[int, int, int], int, tuple[tuple[int, int, str], ...]]:
        # A pre-release sorts before its release; numeric identifiers before alphanumeric.
        ids = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in self.pre)
        return self.core, 0 if self.pre else 1, ids

    def __lt__(self, other: Version) -> bool:
        return self._key() < other._key()

    def __le__(self, other: Version) -> bool:
        return self._key() <= other._key()

    def __str__(self) -> str:
        return self.text


def series_versions(folder: Path) -> list[Version]:
    """The versions released in ``folder``, oldest first (none if it does not exist)."""
    if not folder.is_dir():
        return []
    found = []
    for child in folder.iterdir():
        if child.is_dir() and _SEMVER.match(child.name):
            found.append(Version.parse(child.name))
    return sorted(found, key=lambda v: v._key())


def check_new_version(text: str, folder: Path) -> tuple[Version, Version | None]:
    """The new version, and the last one released before it.

    :raises InputError: if ``text`` is not a semantic version, is released already, or is not
        greater than the last release.
    """
    new = Version.parse(text)
    released = series_versions(folder)
    if (folder / new.text).exists():
        raise InputError(f"release {new} exists already ({folder / new.text}); a release is "
                         "never replaced: choose a greater version")
    last = released[-1] if released else None
    if last is not None and new <= last:
        raise InputError(f"version {new} is not greater than the last release, {last}; "
                         "choose a greater version")
    return new, last
