"""Triple stores as named profiles: where a store serves what, and how it wants to be talked to.

Given a store's base URL and its name (``--store``), a profile knows the query, update and
Graph Store Protocol URLs, the authentication scheme, the most rows one answer holds, the
largest update it accepts, where one request can write several graphs in one transaction, and
how to make a write durable. ``auto`` asks the server its name (the ``Server`` header of its
root page) and falls back to ``generic``, which derives the URLs from the query URL
(:func:`coldwar_lod.sparql.http.derive_urls`).

>>> ep = store_endpoint("http://127.0.0.1:8890/", "virtuoso", env={})
>>> ep.query_url, ep.update_url, ep.row_cap
('http://127.0.0.1:8890/sparql', 'http://127.0.0.1:8890/sparql', 10000)
>>> store_endpoint("http://h:3030/coldwar", "fuseki", env={}).gsp_url
'http://h:3030/coldwar/data'
"""

from __future__ import annotations

import dataclasses
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import InputError
from .auth import split_userinfo
from .http import Endpoint

#: Virtuoso's SQL ``checkpoint``, through SPARQL (the function ``exec``): it writes every
#: committed change into the database file, so nothing depends on replaying the log.
VIRTUOSO_CHECKPOINT = "SELECT (bif:exec('checkpoint') AS ?done) WHERE { }"


@dataclass(frozen=True, slots=True)
class StoreProfile:
    """What this tool knows about one kind of store. Paths are relative to the base URL.

    ``auth_query``/``auth_update``/``auth_gsp`` are the paths to use when there are
    credentials (Virtuoso serves authenticated updates at other URLs than anonymous ones).
    """

    name: str
    title: str
    query: str
    update: str
    gsp: str | None
    # one POST of N-Quads here is one transaction: set only where a test shows it (Fuseki's
    # /data and GraphDB's /statements should be, but no server here proves it)
    dataset: str | None
    auth: str
    row_cap: int | None
    max_update: int | None  # triples per INSERT DATA request it accepts
    durable: str | None  # a query that makes the writes so far durable
    durability: str
    server_header: str | None  # a word of its Server header
    tested: bool
    base_example: str
    auth_update: str | None = None
    auth_gsp: str | None = None


PROFILES: dict[str, StoreProfile] = {p.name: p for p in (
    StoreProfile("oxigraph", "Oxigraph 0.5", "/query", "/update", "/store", "/store",
                 "Basic or Bearer (behind a proxy; the server has none)", None, None, None,
                 "every request is a transaction, durable when it returns (RocksDB)",
                 "oxigraph", True, "http://127.0.0.1:7878"),
    StoreProfile("virtuoso", "OpenLink Virtuoso 7", "/sparql", "/sparql",
                 "/sparql-graph-crud", None, "Digest (/sparql-auth)", 10_000, 10_000,
                 VIRTUOSO_CHECKPOINT,
                 "committed writes are in the transaction log; a checkpoint (run after each "
                 "load) writes them into the database", "virtuoso", True,
                 "http://127.0.0.1:8890", "/sparql-auth", "/sparql-graph-crud-auth"),
    StoreProfile("fuseki", "Apache Jena Fuseki (TDB2)", "/sparql", "/update", "/data", None,
                 "Basic", None, None, None, "every request is a TDB2 transaction, durable "
                 "when it returns", "fuseki", False, "http://localhost:3030/coldwar"),
    StoreProfile("graphdb", "GraphDB / RDF4J", "", "/statements", "/rdf-graphs/service",
                 None, "Basic (or GDB token as Bearer)", None, None, None,
                 "every request is a transaction, durable when it returns", "graphdb", False,
                 "http://localhost:7200/repositories/coldwar"),
    StoreProfile("qlever", "QLever", "/", "/", "/", None, "Bearer (its access token)", None,
                 None, None, "updates are kept in memory unless the server runs with "
                 "--persist-updates; rebuild the index from the dump for lasting data",
                 "qlever", False, "http://localhost:7001"),
    StoreProfile("generic", "any SPARQL 1.1 store", "", "", None, None, "Basic, Digest or "
                 "Bearer", None, None, None, "as the store does", None, True, "(query URL)"),
)}

#: The names ``--store`` accepts.
STORE_NAMES = ("auto", *PROFILES)


def store_names() -> tuple[str, ...]:
    """The names of the store profiles, ``auto`` (ask the server) first.

    >>> store_names()
    ('auto', 'oxigraph', 'virtuoso', 'fuseki', 'graphdb', 'qlever', 'generic')
    """
    return STORE_NAMES


def detect(url: str, timeout: float = 10.0) -> str:
    """The profile of the server at ``url``, from its ``Server`` header; ``generic`` if it does
    not say (or cannot be asked: the load's first request then reports why)."""
    parts = urllib.parse.urlsplit(url)
    root = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}/"
    try:
        with urllib.request.urlopen(urllib.request.Request(root, method="GET"),
                                    timeout=timeout) as response:
            server = response.headers.get("Server", "")
    except urllib.error.HTTPError as exc:
        server = exc.headers.get("Server", "") if exc.headers else ""
    except (urllib.error.URLError, OSError, ValueError):
        return "generic"
    for profile in PROFILES.values():
        if profile.server_header and profile.server_header in server.lower():
            return profile.name
    return "generic"


def _base(url: str, profile: StoreProfile) -> str:
    """The store's base URL: ``url`` without a final ``/`` or the profile's query path."""
    base = url.rstrip("/")
    for path in (profile.query, profile.update, profile.gsp or ""):
        if path.strip("/") and base.endswith(path.rstrip("/")):
            return base[: -len(path.rstrip("/"))]
    return base


def store_endpoint(url: str, store: str = "generic", *, update_url: str | None = None,
                   gsp_url: str | None = None, timeout: float = 60.0, retries: int = 3,
                   backoff: float = 0.5, env: Mapping[str, str] | None = None) -> Endpoint:
    """The endpoint of a store of kind ``store`` (a name of :data:`PROFILES`, or ``auto``).

    For a named store ``url`` is its base URL (its query URL works too); explicit
    ``update_url`` / ``gsp_url`` override the profile's (``gsp_url=""``: no GSP).

    :raises InputError: for an unknown store name or a bad URL.

    >>> ep = store_endpoint("http://127.0.0.1:7878", "oxigraph", env={})
    >>> ep.update_url, ep.dataset_url
    ('http://127.0.0.1:7878/update', 'http://127.0.0.1:7878/store')
    """
    if store == "auto":
        store = detect(url, min(timeout, 10.0))
        found = PROFILES[store]
        # a store that serves at its root, given a URL with a path of its own: as written
        if found.base_example.count("/") == 2 and urllib.parse.urlsplit(
                _base(split_userinfo(url)[0], found)).path.strip("/"):
            store = "generic"
    profile = PROFILES.get(store)
    if profile is None:
        raise InputError(f"unknown store {store!r}; one of: {', '.join(STORE_NAMES)}")
    if profile.name == "generic":
        return Endpoint.from_url(url, update_url=update_url, gsp_url=gsp_url, timeout=timeout,
                                 retries=retries, backoff=backoff, env=env)
    plain = Endpoint.from_url(url, update_url=url, gsp_url="", timeout=timeout,
                              retries=retries, backoff=backoff, env=env)
    base = _base(plain.query_url, profile)
    signed = bool(plain.credentials) and not plain.credentials.token
    update = (profile.auth_update if signed and profile.auth_update else profile.update)
    gsp = (profile.auth_gsp if signed and profile.auth_gsp else profile.gsp)
    explicit = Endpoint.from_url(base + profile.query, update_url=update_url or base + update,
                                 gsp_url=gsp_url if gsp_url is not None else
                                 (base + gsp if gsp is not None else ""),
                                 timeout=timeout, retries=retries, backoff=backoff, env=env)
    return dataclasses.replace(
        explicit, credentials=plain.credentials, secrets=plain.credentials.secrets,
        store=profile.name, row_cap=profile.row_cap,
        dataset_url=base + profile.dataset if profile.dataset else None,
        durable=profile.durable, max_update=profile.max_update)


def profile_table() -> list[tuple[str, ...]]:
    """One row per profile, for the README and ``--help``: name, base URL, query, update and
    GSP paths, authentication, row cap, durability, and whether a real server tests it.

    >>> profile_table()[0][:2]
    ('oxigraph', 'http://127.0.0.1:7878')
    """
    return [(p.name, p.base_example, p.query or "(as given)", p.auth_update or p.update or "",
             p.auth_gsp or p.gsp or "none", p.auth, f"{p.row_cap:,}" if p.row_cap else "none",
             p.durability, "tested" if p.tested else "documented")
            for p in PROFILES.values()]
