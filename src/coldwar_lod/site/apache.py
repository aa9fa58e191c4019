"""Placeholder."""
from __future__ import annotations

from collections.abc import Iterator

from ..namespaces import IriSpace


def deploy_files(space: IriSpace) -> Iterator[tuple[str, bytes]]:
    return iter(())
