"""The ontology as triples, for validation (class hierarchy): cached per base."""

from __future__ import annotations

import functools

import pyoxigraph as ox

from ..rdfio import parse_triples, to_bytes
from ..resources import ontology_bytes


@functools.lru_cache(maxsize=4)
def ontology_ntriples(base: str) -> bytes:
    """The ontology, moved to ``base``, as N-Triples."""
    return to_bytes(ontology_triples(base), ox.RdfFormat.N_TRIPLES)



@functools.lru_cache(maxsize=4)
def ontology_triples(base: str) -> tuple[ox.Triple, ...]:
    """The ontology, moved to ``base``, as pyoxigraph triples."""
    return tuple(parse_triples(ontology_bytes(base), ox.RdfFormat.TURTLE))

