"""Where Wikidata is and how to ask it: batches, one request at a time, a User-Agent naming
the tool, HTTP 429 honoured."""

from __future__ import annotations

import os
import re
import sys
import time
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import pyoxigraph as ox

from ..errors import EndpointError, InputError
from ..namespaces import WD
from ..sparql.http import Endpoint, HttpStatusError
from ..sparql.query import run_query
from ..sparql.results import QueryResult

if TYPE_CHECKING:  # pragma: no cover
    pass


#: The Wikidata Query Service.
WIKIDATA_ENDPOINT = "https://query.wikidata.org/sparql"

#: Environment variable naming another Wikidata SPARQL endpoint (a mirror, QLever, a test).
ENV_WIKIDATA_ENDPOINT = "COLDWAR_LOD_WIKIDATA_ENDPOINT"

#: Items per request (``VALUES``); small enough for any service's limits.
BATCH_SIZE = 200

#: The longest wait a ``Retry-After`` header is obeyed for, in seconds.
MAX_RETRY_AFTER = 300.0

#: The project's home, named in the User-Agent as the contact.
PROJECT_URL = "https://w3id.org/coldwar-lod/"

_QID = re.compile(r"^Q[1-9][0-9]*$")
PREFIXES = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX p: <http://www.wikidata.org/prop/>
PREFIX psv: <http://www.wikidata.org/prop/statement/value/>
PREFIX wikibase: <http://wikiba.se/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""

Wikidata = Endpoint | str | ox.Store


def user_agent() -> str:
    """The User-Agent sent to Wikidata: tool/version (contact URL) library/version.

    >>> user_agent().startswith("coldwar-lod/")
    True
    >>> "(https://w3id.org/coldwar-lod/)" in user_agent()
    True
    """
    from .._version import __version__

    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    return f"coldwar-lod/{__version__} ({PROJECT_URL}) Python-urllib/{python}"


def wikidata_endpoint(url: str | None = None, *, timeout: float = 60.0, retries: int = 3,
                      backoff: float = 0.5, env: Mapping[str, str] | None = None) -> Endpoint:
    """The Wikidata SPARQL service to ask, with the User-Agent Wikimedia asks for.

    :param url: the query URL; default ``$COLDWAR_LOD_WIKIDATA_ENDPOINT``, else
        :data:`WIKIDATA_ENDPOINT`. Used exactly as written (no Oxigraph-style derivation).
    :param env: where to read ``COLDWAR_LOD_WIKIDATA_ENDPOINT`` (default ``os.environ``). The
        credentials for the user's own store (``COLDWAR_LOD_ENDPOINT_*``) are never sent.
    :raises InputError: for a URL that is not http(s), or a non-positive timeout.

    >>> ep = wikidata_endpoint(env={})
    >>> ep.query_url
    'https://query.wikidata.org/sparql'
    >>> wikidata_endpoint(env={"COLDWAR_LOD_WIKIDATA_ENDPOINT": "http://127.0.0.1:7878/query"}
    ...                   ).query_url
    'http://127.0.0.1:7878/query'
    """
    env = os.environ if env is None else env
    url = url or env.get(ENV_WIKIDATA_ENDPOINT) or WIKIDATA_ENDPOINT
    # An explicit update URL keeps the query URL exactly as written (nothing is ever updated).
    # No credentials: COLDWAR_LOD_ENDPOINT_* are for the user's own store, never for Wikidata.
    endpoint = Endpoint.from_url(url, update_url=url, timeout=timeout, retries=retries,
                                 backoff=backoff, env={})
    return replace(endpoint, user_agent=user_agent())


class Asker:
    """Sends queries to Wikidata (a service, or a local store) and counts the requests."""

    def __init__(self, wikidata: Wikidata | None) -> None:
        self.store: ox.Store | None = None
        self.endpoint: Endpoint | None = None
        if isinstance(wikidata, ox.Store):
            self.store = wikidata
            self.where = "local store"
        else:
            if wikidata is None or isinstance(wikidata, str):
                wikidata = wikidata_endpoint(wikidata)
            self.endpoint = wikidata
            self.where = wikidata.redact(wikidata.query_url)
        self.requests = 0

    def ask(self, text: str) -> QueryResult:
        """Run one query; HTTP 429 (too many requests) is retried after the ``Retry-After``
        the service sends (else with exponential backoff)."""
        self.requests += 1
        if self.store is not None:
            return run_query(text, store=self.store)
        endpoint = self.endpoint
        assert endpoint is not None
        attempt = 0
        while True:
            try:
                return run_query(text, endpoint=endpoint, service_default_graph=True)
            except HttpStatusError as exc:
                if exc.status != 429:
                    raise
                if attempt >= endpoint.retries:
                    raise HttpStatusError(f"{exc}; the service limits how much each client "
                                          "may ask: wait a minute and try again",
                                          exc.status, exc.detail) from None
                # Wikimedia asks clients to wait as long as Retry-After says (capped, so that a
                # wrong header cannot hang the tool), else back off exponentially.
                wait = endpoint.backoff * 2 ** attempt
                time.sleep(min(MAX_RETRY_AFTER, max(wait, exc.retry_after or 0.0)))
                attempt += 1


    def confirm_wikidata(self, found: int, asked: int) -> None:
        """After a check found none of the ``asked`` items at a service: is it Wikidata at all?

        One ``ASK`` for any ``wdt:P31`` (instance of) statement, which every Wikidata has: a
        store without one is not Wikidata, and its answers say nothing about the links.

        :raises EndpointError: if the service does not look like Wikidata.
        """
        if found or not asked or self.endpoint is None:
            return
        if not self.ask(f"{PREFIXES}ASK {{ ?item wdt:P31 ?class }}").boolean:
            raise EndpointError(f"{self.where} does not look like Wikidata: none of the {asked} "
                                "linked items is there, and nothing there is an instance of "
                                "anything (wdt:P31); is the URL right? (--endpoint, "
                                f"{ENV_WIKIDATA_ENDPOINT})")


def batches(items: Sequence[str], size: int) -> list[Sequence[str]]:
    if size < 1:
        raise InputError(f"the batch size must be positive, not {size}")
    return [items[i:i + size] for i in range(0, len(items), size)]


def qid_of(term: object) -> str | None:
    """The QID of a Wikidata item IRI (``None`` for anything else)."""
    if isinstance(term, ox.NamedNode) and term.value.startswith(WD):
        local = term.value[len(WD):]
        return local if _QID.match(local) else None
    return None


def nfc(text: str | None) -> str | None:
    """Text in Unicode normal form C (``é`` as one code point, as Wikidata stores it)."""
    return unicodedata.normalize("NFC", text) if text is not None else None


def text_of(term: object) -> str | None:
    return term.value if isinstance(term, ox.Literal | ox.NamedNode) else None

