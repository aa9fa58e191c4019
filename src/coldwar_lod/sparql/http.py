"""One HTTP client for every request to a SPARQL service: URLs, credentials, retries, errors.

Every request this package sends (SPARQL 1.1 Protocol queries, SPARQL 1.1 Update, the Graph
Store HTTP Protocol) goes through :func:`http_request`, built on the standard library's
``urllib``: one place for the ``User-Agent``, the ``Authorization`` header, timeouts, retries
of transient failures and messages that name the endpoint and the service's own words.

Credentials (:mod:`coldwar_lod.sparql.auth`) come from the environment or the URL, never from
the command line, and never appear in messages.
"""

from __future__ import annotations

import email.utils
import http.client
import os
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from ..errors import EndpointError, InputError
from .auth import (
    ENV_PASSWORD,
    ENV_TOKEN,
    ENV_USER,
    Credentials,
    digest_challenge,
    from_env,
    split_userinfo,
)

__all__ = ["ENV_PASSWORD", "ENV_TOKEN", "ENV_USER", "Endpoint", "http_request"]

#: HTTP statuses worth retrying: the request did not reach a working service.
TRANSIENT_STATUSES = frozenset({502, 503, 504})


_USER_AGENT = "coldwar-lod (+https://w3id.org/coldwar-lod/)"

T = TypeVar("T")


class HttpStatusError(EndpointError):
    """A service answered with an HTTP error status (the message names it).

    :param status: the HTTP status code.
    :param detail: the first line of the service's message, if any.
    :param retry_after: seconds the service asked the client to wait (``Retry-After``, sent
        with 429 and 503), if it said.
    """

    def __init__(self, message: str, status: int, detail: str = "",
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail
        self.retry_after = retry_after


class EndpointTimeoutError(EndpointError):
    """A request got no (complete) answer within the timeout."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A SPARQL service: its query, update and Graph Store Protocol URLs, and how to call them.

    Build one with :meth:`from_url`, which derives the update and GSP URLs for the common
    servers, or with :func:`coldwar_lod.sparql.profiles.store_endpoint` for a named store.
    ``credentials`` are kept out of ``repr``. What a store profile adds: ``store`` (its name),
    ``row_cap`` (the most rows or triples one answer holds: reads are paged below it),
    ``dataset_url`` (where one POST of N-Quads is one transaction, for a first load without
    temporary graphs), ``durable`` (a query that makes the writes so far durable) and
    ``max_update`` (the most triples one ``INSERT DATA`` may carry).
    ``user_agent`` is the ``User-Agent`` header every request sends (services such as the
    Wikidata Query Service ask for the tool's name, version and a contact URL).

    >>> ep = Endpoint.from_url("http://localhost:7878", env={})
    >>> ep.query_url, ep.update_url, ep.gsp_url
    ('http://localhost:7878/query', 'http://localhost:7878/update', 'http://localhost:7878/store')
    >>> Endpoint.from_url("http://localhost:3030/coldwar/sparql", env={}).gsp_url
    'http://localhost:3030/coldwar/data'
    >>> Endpoint.from_url("http://localhost:7200/repositories/cw", env={}).update_url
    'http://localhost:7200/repositories/cw/statements'
    """

    query_url: str
    update_url: str | None = None
    gsp_url: str | None = None
    timeout: float = 60.0
    retries: int = 3
    backoff: float = 0.5
    credentials: Credentials = field(default=Credentials(), repr=False, compare=False)
    secrets: tuple[str, ...] = field(default=(), repr=False, compare=False)
    user_agent: str = field(default=_USER_AGENT, repr=False, compare=False)
    store: str = "generic"
    row_cap: int | None = None
    dataset_url: str | None = None
    durable: str | None = field(default=None, repr=False)
    max_update: int | None = None

    @classmethod
    def from_url(cls, url: str, *, update_url: str | None = None, gsp_url: str | None = None,
                 timeout: float = 60.0, retries: int = 3, backoff: float = 0.5,
                 env: Mapping[str, str] | None = None) -> Endpoint:
        """An endpoint from its query URL, with the update and GSP URLs derived or given.

        Derivation (an explicit ``update_url`` / ``gsp_url`` always wins; ``gsp_url=""`` means
        the service has no GSP, so uploads use SPARQL Update):

        - ``http://host:port`` (no path, not even ``/``): Oxigraph, ``/query``, ``/update``,
          ``/store``;
        - ``…/query`` or ``…/sparql`` right under the root: Oxigraph, as above;
        - ``…/DATASET/query`` or ``…/DATASET/sparql``: Fuseki, ``…/DATASET/update`` and
          ``…/DATASET/data``;
        - ``…/repositories/REPO``: GraphDB and RDF4J, ``…/REPO/statements`` and
          ``…/REPO/rdf-graphs/service``;
        - anything else, ``http://host:port/`` included: updates go to the same URL (QLever,
          Virtuoso and others serve both there) and uploads use SPARQL Update unless
          ``gsp_url`` is given.

        Given an ``update_url``, ``url`` is taken as the query URL exactly as written, with no
        derivation (QLever, for one, serves all three at its root URL).

        Credentials in the URL (``http://user:password@host/``) are taken out of every URL and
        used instead of those in the environment.

        :param env: where to read credentials (default ``os.environ``).
        :raises InputError: if a URL is not an absolute http(s) URL, or the timeout or retry
            count is not positive.
        """
        in_url = None
        for value in (url, update_url, gsp_url):
            if value:
                _check_url(value)
                in_url = in_url or split_userinfo(value)[1]
        url = split_userinfo(url)[0]
        update_url = split_userinfo(update_url)[0] if update_url else update_url
        gsp_url = split_userinfo(gsp_url)[0] if gsp_url else gsp_url
        if timeout <= 0:
            raise InputError(f"the timeout must be positive, not {timeout:g}")
        if retries < 0:
            raise InputError(f"the number of retries cannot be negative ({retries})")
        query, update, gsp = derive_urls(url) if not update_url else (url, update_url, None)
        credentials = in_url or from_env(os.environ if env is None else env)
        return cls(query_url=query, update_url=update_url or update,
                   gsp_url=(gsp_url or None) if gsp_url is not None else gsp,
                   timeout=timeout, retries=retries, backoff=backoff, credentials=credentials,
                   secrets=credentials.secrets)

    def headers(self, extra: Mapping[str, str] | None = None, method: str = "GET",
                url: str = "") -> dict[str, str]:
        """Request headers: user agent, credentials (for ``method`` on ``url``), ``extra``."""
        headers = {"User-Agent": self.user_agent}
        auth = self.credentials.header(method, url or self.query_url)
        if auth:
            headers["Authorization"] = auth
        headers.update(extra or {})
        return headers

    def redact(self, text: str) -> str:
        """``text`` with credentials masked: URL user-info, tokens, passwords.

        >>> Endpoint("http://x", secrets=("s3cret",)).redact("http://u:s3cret@h/?access-token=a")
        'http://***@h/?access-token=***'
        """
        text = re.sub(r"(https?://)[^/@\s]+@", r"\1***@", text)
        text = re.sub(r"(access-token=)[^&\s]+", r"\1***", text)
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, "***")
        return text

    def describe(self) -> str:
        """One line naming the three URLs (credentials masked)."""
        gsp = self.gsp_url or "none (SPARQL Update)"
        return self.redact(f"query {self.query_url}, update {self.update_url}, "
                           f"graph store {gsp}")


def derive_urls(url: str) -> tuple[str, str, str | None]:
    """Query, update and GSP URLs from a query URL (see :meth:`Endpoint.from_url`).

    >>> derive_urls("http://127.0.0.1:7878")
    ('http://127.0.0.1:7878/query', 'http://127.0.0.1:7878/update', 'http://127.0.0.1:7878/store')
    >>> derive_urls("http://localhost:7001/")
    ('http://localhost:7001/', 'http://localhost:7001/', None)
    """
    parts = urllib.parse.urlsplit(url)
    path = parts.path.rstrip("/")

    def at(new_path: str) -> str:
        return urllib.parse.urlunsplit((parts.scheme, parts.netloc, new_path, parts.query, ""))

    segments = [s for s in path.split("/") if s]
    if not parts.path and not parts.query:
        return at("/query"), at("/update"), at("/store")
    if not segments:
        return url, url, None
    if segments[-1] in ("query", "sparql"):
        parent = "/".join(segments[:-1])
        if not parent:
            return at(path), at("/update"), at("/store")
        return at(path), at(f"/{parent}/update"), at(f"/{parent}/data")
    if len(segments) >= 2 and segments[-2] == "repositories":
        return at(path), at(f"{path}/statements"), at(f"{path}/rdf-graphs/service")
    return url, url, None


def _check_url(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(f"not an http(s) URL: {url!r} (e.g. http://localhost:7878)")




# --------------------------------------------------------------------------------------------
# HTTP with timeouts, retries and clear errors


def first_line(body: bytes | str | None, limit: int = 200) -> str:
    """The first non-empty line of a service's message, shortened.

    >>> first_line(b"\\nerror at 1:5: expected one of ...\\nmore")
    'error at 1:5: expected one of ...'
    """
    if body is None:
        return ""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line if len(line) <= limit else line[: limit - 1] + "…"
    return ""


def _error_body(exc: urllib.error.HTTPError) -> bytes:
    """The body of an HTTP error answer (read once, then kept on the exception)."""
    body = getattr(exc, "coldwar_body", None)
    if body is None:
        try:
            body = exc.read()
        except (OSError, http.client.HTTPException):
            body = b""
        exc.coldwar_body = body  # type: ignore[attr-defined]
    return bytes(body)


TIMEOUT_WORDS = re.compile(r"time ?out|timed out|cancell?ed|time limit", re.IGNORECASE)


def is_transient(exc: BaseException) -> bool:
    """Whether a failed request is worth retrying: a dropped connection or a 502/503/504.

    A 503 or 504 that says the query timed out is not retried: it would time out again.
    """
    if isinstance(exc, urllib.error.HTTPError):
        return (exc.code in TRANSIENT_STATUSES
                and not TIMEOUT_WORDS.search(first_line(_error_body(exc))))
    if isinstance(exc, urllib.error.URLError):
        exc = exc.reason if isinstance(exc.reason, BaseException) else exc
    return isinstance(exc, ConnectionResetError | ConnectionAbortedError | BrokenPipeError |
                      http.client.RemoteDisconnected | http.client.IncompleteRead)


def is_timeout(exc: BaseException) -> bool:
    """Whether a failed request ran out of time."""
    if isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, BaseException):
        exc = exc.reason
    return isinstance(exc, TimeoutError | socket.timeout)


def transport_error(endpoint: Endpoint, url: str, exc: BaseException,
                    service: str = "SPARQL service") -> EndpointError:
    """The :class:`EndpointError` for a request to ``url`` that failed with ``exc``."""
    where = endpoint.redact(url.split("?")[0])
    if isinstance(exc, urllib.error.HTTPError):
        error = status_error(endpoint, url, exc.code, _error_body(exc), service,
                             exc.headers.get_content_type() if exc.headers else "",
                             exc.headers.get("Server", "") if exc.headers else "")
        error.retry_after = retry_after(exc.headers.get("Retry-After") if exc.headers else None)
        return error
    if is_timeout(exc):
        return EndpointTimeoutError(f"{where} timed out after {endpoint.timeout:g} s "
                                    "(a longer --timeout may help)")
    reason: object = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, ConnectionRefusedError):
        return EndpointError(f"cannot connect to {where}: connection refused (is the server "
                             "running, and is the URL right?)")
    if isinstance(reason, socket.gaierror):
        return EndpointError(f"cannot connect to {where}: unknown host")
    if isinstance(reason, http.client.IncompleteRead):
        return EndpointError(f"{where} closed the connection half-way through its answer")
    if isinstance(reason, ConnectionResetError | ConnectionAbortedError | BrokenPipeError |
                  http.client.RemoteDisconnected):
        return EndpointError(f"{where} closed the connection without answering")
    return EndpointError(endpoint.redact(f"cannot talk to {where}: {reason}"))


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: a number of seconds or an HTTP date.

    >>> retry_after("7"), retry_after(None), retry_after("soon")
    (7.0, None, None)
    >>> retry_after("Thu, 01 Jan 1970 00:00:00 GMT")  # a date in the past: no wait
    0.0
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def service_message(body: bytes | None, media: str = "") -> str:
    """The first line of a service's own message, or ``""`` if it sent an HTML page.

    An HTML page (a server's generic error page) says nothing its status does not; quoting its
    first line (``<!DOCTYPE ...``) only hides the status.

    >>> service_message(b"Virtuoso 37000 Error SP030: SPARQL compiler", "text/plain")
    'Virtuoso 37000 Error SP030: SPARQL compiler'
    >>> service_message(b"<!DOCTYPE html><html><title>Error</title>", "text/html")
    ''
    """
    if media in ("text/html", "application/xhtml+xml"):
        return ""
    text = first_line(body)
    return "" if re.match(r"<(!DOCTYPE|html|\?xml[^>]*>\s*<html)", text, re.I) else text


def status_error(endpoint: Endpoint, url: str, status: int, body: bytes | None,
                 service: str = "SPARQL service", media: str = "",
                 server: str = "") -> HttpStatusError:
    """The error for an HTTP error status: the status, and the service's own first line of
    message when it sent text (not an HTML page). ``server`` is the ``Server`` header, which
    lets the message say which URL a known store wants."""
    where = endpoint.redact(url.split("?")[0])
    detail = endpoint.redact(service_message(body, media))
    suffix = f": {detail}" if detail else ""
    path = urllib.parse.urlsplit(url).path
    hint = ""
    if "virtuoso" in server.lower() and endpoint.store != "virtuoso":
        hint = ("; this server is Virtuoso: pass --store virtuoso with its root URL "
                "(queries go to /sparql, updates to /sparql-auth)")
    elif status == 404 and path == "/":
        hint = "; for Oxigraph, give the URL without the final /"
    elif "SR325" in detail:  # Virtuoso: one transaction bigger than it allows
        hint = ("; a load writes every graph in one transaction: raise "
                "TransactionAfterImageLimit in virtuoso.ini ([Parameters]) above the size of "
                "the data")
    if status == 404:
        message = f"no {service} at {where} (HTTP 404){hint}"
    elif status in (401, 403):
        who = endpoint.credentials
        if who:
            message = (f"{where} refused the credentials from {who.origin} "
                       f"(HTTP {status}){suffix}")
        else:
            message = (f"{where} refused access (HTTP {status}); set {ENV_USER} and "
                       f"{ENV_PASSWORD}, or {ENV_TOKEN}{suffix}")
    elif status in TRANSIENT_STATUSES:
        message = f"{where} is unavailable (HTTP {status}){suffix}"
    else:
        message = f"{where} failed (HTTP {status}){suffix}{hint}"
    return HttpStatusError(message, status, detail)


def with_retries(endpoint: Endpoint, call: Callable[[], T], *, idempotent: bool = True,
                 sleep: Callable[[float], None] = time.sleep) -> T:
    """Run ``call``, retrying transient failures with exponential backoff.

    Only dropped connections and HTTP 502/503/504 are retried, ``endpoint.retries`` times,
    waiting ``backoff``, ``2 * backoff``, ``4 * backoff``... seconds; client errors (4xx),
    server errors (500) and timeouts are raised at once. Requests that are not idempotent are
    never retried.
    """
    attempt = 0
    while True:
        try:
            return call()
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            if not idempotent or attempt >= endpoint.retries or not is_transient(exc):
                raise
            sleep(endpoint.backoff * 2 ** attempt)
            attempt += 1


@dataclass(frozen=True, slots=True)
class Response:
    """A 2xx answer: its status, media type (parameters dropped) and body."""

    status: int
    content_type: str
    body: bytes


def open_request(endpoint: Endpoint, method: str, url: str, body: bytes | None = None,
                 headers: Mapping[str, str] | None = None) -> http.client.HTTPResponse:
    """Send one request (no retries) and return the open 2xx response (a context manager).

    A ``401`` carrying a Digest challenge is answered once, when there is a user and password;
    the challenge is kept, so later requests to that service need no second round trip. A
    ``401`` to Basic credentials without a challenge is asked again without credentials, to
    learn the scheme (Virtuoso's ``/sparql-graph-crud-auth`` answers so).

    :raises urllib.error.HTTPError: on an error status (and ``URLError``, ``OSError`` for
        transport failures), for :func:`transport_error` to turn into a message.
    """
    answered = probed = False
    while True:
        sent = endpoint.headers(headers, method, url)
        if probed:  # ask without credentials, to be told the scheme
            sent.pop("Authorization", None)
        request = urllib.request.Request(url, data=body, method=method, headers=sent)
        try:
            response: http.client.HTTPResponse = urllib.request.urlopen(
                request, timeout=endpoint.timeout)
            return response
        except urllib.error.HTTPError as exc:
            who = endpoint.credentials
            if exc.code != 401 or not who or who.token or answered:
                raise
            challenges = (exc.headers.get_all("WWW-Authenticate") or []) if exc.headers else []
            if any(digest_challenge(url, c) for c in challenges):
                answered, probed = True, False  # answer it, once
            elif sent.get("Authorization", "").startswith("Basic") and not probed:
                probed = True  # Virtuoso refuses Basic without saying it wants Digest
            else:
                raise
            _error_body(exc)  # read it, so the connection can be reused


def http_request(endpoint: Endpoint, method: str, url: str, *, body: bytes | None = None,
                 headers: Mapping[str, str] | None = None, idempotent: bool = True,
                 service: str = "SPARQL service") -> Response:
    """Send one request (with retries); returns the 2xx answer.

    :raises HttpStatusError: on an HTTP error status.
    :raises EndpointTimeoutError: if no answer came within ``endpoint.timeout`` seconds.
    :raises EndpointError: if the service cannot be reached or drops the connection.
    """

    def call() -> Response:
        with open_request(endpoint, method, url, body, headers) as response:
            return Response(response.status, response.headers.get_content_type(),
                            response.read())

    try:
        return with_retries(endpoint, call, idempotent=idempotent)
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise transport_error(endpoint, url, exc, service) from None


def with_param(url: str, **params: str) -> str:
    """``url`` with query parameters added.

    >>> with_param("http://h/store", graph="https://e.org/g")
    'http://h/store?graph=https%3A%2F%2Fe.org%2Fg'
    """
    return url + ("&" if "?" in url else "?") + urllib.parse.urlencode(params)


def sparql_update(endpoint: Endpoint, update: str, *, idempotent: bool = True) -> None:
    """Send a SPARQL 1.1 Update request (URL-encoded POST, which every service accepts).

    :raises InputError: if the endpoint has no update URL.
    :raises EndpointError: if the update fails (see :func:`http_request`).
    """
    if not endpoint.update_url:
        raise InputError("no SPARQL Update endpoint; pass --update-endpoint URL")
    http_request(endpoint, "POST", endpoint.update_url,
                 body=urllib.parse.urlencode({"update": update}).encode("utf-8"),
                 headers={"Content-Type": "application/x-www-form-urlencoded"},
                 idempotent=idempotent, service="SPARQL Update service")

