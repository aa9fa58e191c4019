"""Credentials for a SPARQL service: where they come from, and the ``Authorization`` header.

Credentials come from the environment (``COLDWAR_LOD_ENDPOINT_USER`` and
``COLDWAR_LOD_ENDPOINT_PASSWORD``, or ``COLDWAR_LOD_ENDPOINT_TOKEN``) or from the URL itself
(``http://user:password@host/``, taken out of the URL before any request); they never appear in
messages. A user and password go as HTTP Basic authentication (RFC 7617) until a service asks
for Digest (RFC 7616, which Virtuoso's ``/sparql-auth`` does); then every later request to that
service answers the challenge it gave, without another round trip. A token goes as
``Authorization: Bearer``.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import os
import re
import threading
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field

ENV_USER = "COLDWAR_LOD_ENDPOINT_USER"
ENV_PASSWORD = "COLDWAR_LOD_ENDPOINT_PASSWORD"
ENV_TOKEN = "COLDWAR_LOD_ENDPOINT_TOKEN"


@dataclass(frozen=True, slots=True)
class Credentials:
    """Who the tool is to a service: a user and password, or a token (never in ``repr``).

    >>> Credentials("ada", "pw").header("GET", "/sparql")
    'Basic YWRhOnB3'
    >>> Credentials(token="t0k").header("GET", "/sparql")
    'Bearer t0k'
    """

    user: str = field(default="", repr=False)
    password: str = field(default="", repr=False)
    token: str = field(default="", repr=False)
    #: where they came from, for messages: the variables' names, or "the URL"
    origin: str = ""

    def __bool__(self) -> bool:
        return bool(self.token or self.user or self.password)

    @property
    def secrets(self) -> tuple[str, ...]:
        """The strings to mask in any message."""
        basic = self.basic() if (self.user or self.password) else ""
        return tuple(s for s in (self.token, self.password, basic.removeprefix("Basic "))
                     if s)

    def basic(self) -> str:
        pair = base64.b64encode(f"{self.user}:{self.password}".encode()).decode("ascii")
        return f"Basic {pair}"

    def header(self, method: str, url: str) -> str | None:
        """The ``Authorization`` value for a request (Digest once a service asked for it)."""
        if self.token:
            return f"Bearer {self.token}"
        if not (self.user or self.password):
            return None
        challenge = _CHALLENGES.get(_origin(url))
        if challenge is not None:
            return challenge.answer(self, method, url)
        return self.basic()


def from_env(env: Mapping[str, str] | None = None) -> Credentials:
    """The credentials in the environment (``env``, default ``os.environ``)."""
    env = os.environ if env is None else env
    token = env.get(ENV_TOKEN, "")
    if token:
        return Credentials(token=token, origin=ENV_TOKEN)
    user, password = env.get(ENV_USER, ""), env.get(ENV_PASSWORD, "")
    return Credentials(user, password, origin=f"{ENV_USER} and {ENV_PASSWORD}")


def split_userinfo(url: str) -> tuple[str, Credentials | None]:
    """A URL without its ``user:password@`` part, and the credentials it held (if any).

    >>> split_userinfo("http://ada:s%40fe@h:8890/sparql")
    ('http://h:8890/sparql', Credentials(origin='the URL'))
    >>> split_userinfo("http://h/sparql")
    ('http://h/sparql', None)
    """
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    bare = urllib.parse.urlunsplit((parts.scheme, hostport, parts.path, parts.query,
                                    parts.fragment))
    return bare, Credentials(urllib.parse.unquote(user), urllib.parse.unquote(password),
                             origin="the URL")


# --------------------------------------------------------------------------------------------
# Digest


_PARAM = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')


@dataclass(slots=True)
class _Challenge:
    realm: str
    nonce: str
    opaque: str
    qop: str
    algorithm: str
    count: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def answer(self, who: Credentials, method: str, url: str) -> str:
        parts = urllib.parse.urlsplit(url)
        uri = parts.path + (f"?{parts.query}" if parts.query else "")
        digest = hashlib.sha256 if self.algorithm.upper().startswith("SHA-256") else hashlib.md5

        def h(text: str) -> str:
            return digest(text.encode("utf-8")).hexdigest()

        ha1 = h(f"{who.user}:{self.realm}:{who.password}")
        ha2 = h(f"{method}:{uri}")
        fields = {"username": who.user, "realm": self.realm, "nonce": self.nonce, "uri": uri,
                  "algorithm": self.algorithm}
        if "auth" in [q.strip() for q in self.qop.split(",")]:
            nc = f"{next(self.count):08x}"
            cnonce = os.urandom(8).hex()
            fields["response"] = h(f"{ha1}:{self.nonce}:{nc}:{cnonce}:auth:{ha2}")
            quoted = ", ".join(f'{k}="{v}"' for k, v in fields.items() if k != "algorithm")
            extra = f', algorithm={self.algorithm}, qop=auth, nc={nc}, cnonce="{cnonce}"'
        else:
            fields["response"] = h(f"{ha1}:{self.nonce}:{ha2}")
            quoted = ", ".join(f'{k}="{v}"' for k, v in fields.items() if k != "algorithm")
            extra = f", algorithm={self.algorithm}"
        if self.opaque:
            extra += f', opaque="{self.opaque}"'
        return f"Digest {quoted}{extra}"


_CHALLENGES: dict[str, _Challenge] = {}
_LOCK = threading.Lock()


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def digest_challenge(url: str, header: str | None) -> bool:
    """Remember a service's ``WWW-Authenticate: Digest`` challenge; whether there was one.

    Later requests to the same host and port answer it (a new challenge replaces it).
    """
    if not header or not header.strip().lower().startswith("digest"):
        return False
    params = {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
              for m in _PARAM.finditer(header[len("digest"):])}
    if "nonce" not in params:
        return False
    with _LOCK:
        _CHALLENGES[_origin(url)] = _Challenge(params.get("realm", ""), params["nonce"],
                                               params.get("opaque", ""), params.get("qop", ""),
                                               params.get("algorithm", "MD5"))
    return True
