"""coldwar-lod: the 1968 Czechoslovak crisis as Linked Open Data.

Build the dataset from the curated records, validate it against the SHACL shapes, and export
it::

    >>> import coldwar_lod
    >>> build = coldwar_lod.build()                 # read data/, map to RDF
    >>> coldwar_lod.validate(build).conforms        # SHACL: a report, not an exception
    True
    >>> ttl = build.serialize("turtle")              # or "json-ld", "nt", "trig", ...
    >>> ttl.startswith(b"@prefix")
    True
"""

from .errors import ColdwarError, EndpointError, InputError, InputErrors, QueryError
from .pipeline import Build, build, build_graph, validate, write_dataset
from .query import NamedQuery, QueryResult, load_query, run_query, shipped_queries
from .store import Endpoint, LoadReport, load_store
from .validation import ValidationReport, ValidationResult
from .wikidata import (
    Comparison,
    ComparisonReport,
    LinkCheck,
    LinkReport,
    check_links,
    compare_with_wikidata,
    wikidata_endpoint,
)

__all__ = [
    "Build",
    "ColdwarError",
    "Comparison",
    "ComparisonReport",
    "Endpoint",
    "EndpointError",
    "InputError",
    "InputErrors",
    "LinkCheck",
    "LinkReport",
    "LoadReport",
    "NamedQuery",
    "QueryError",
    "QueryResult",
    "ValidationReport",
    "ValidationResult",
    "build",
    "build_graph",
    "check_links",
    "compare_with_wikidata",
    "load_query",
    "load_store",
    "run_query",
    "shipped_queries",
    "validate",
    "wikidata_endpoint",
    "write_dataset",
]
