"""Content negotiation for Apache httpd, written from the route table (:mod:`.routes`).

Two files, both tested with a real Apache by ``tests/test_site_conneg.py``:

* ``_deploy/apache.conf``, for hosting the site on one's own server. The thing paths are
  rewritten to one type map (``_conneg/thing.var``), so that **mod_negotiation** chooses the
  variant: Apache's own negotiation algorithm, with real ``q``-values, wildcards, ``406``
  with the list of variants and ``Vary``. Each variant of the type map is an ``.asis``
  file (mod_asis) that answers ``303 See Other`` with ``Location: .ttl`` (or ``.html``...);
  mod_headers puts the thing's document path, which the rewrite rule kept in an environment
  variable, in front of it (``PT`` makes the type map's own path the request's, so that its
  variants are found beside it). One type map and five small files serve every thing, whatever
  the size of the dataset. nginx was the other candidate; it has no content negotiation of
  its own (a ``map`` over the ``Accept`` header matches strings, so ``text/turtle;q=0.5,
  application/ld+json`` would get Turtle), which is why Apache is used.
* ``_deploy/w3id.htaccess``, for registering the base at w3id.org, where only mod_rewrite
  rules in an ``.htaccess`` are possible: it answers ``303`` itself (to the documents on
  the host given with ``--redirect-to``, which may be a plain static host) and passes every
  other path through with ``302``. mod_rewrite can only match the header as text, so the
  ``q``-values are compared to one decimal place (``q=0.85`` counts as ``0.8``); within a
  tier the server's order decides, as in Apache's algorithm.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..namespaces import IriSpace
from .routes import MEDIA_TYPES, ROUTES, VARIANTS, Route

#: The site's folder for the type map and the ``.asis`` redirects.
CONNEG = "_conneg"
#: The environment variable that carries a thing's document path to mod_headers.
ENV = "COLDWAR_LOD_DOCUMENT"


def _variant_file(suffix: str) -> str:
    return suffix.lstrip(".") + ".asis"


def type_map() -> str:
    """The type map every thing path is rewritten to (Apache's ``qs`` from the routes)."""
    lines = ["URI: thing", ""]
    for v in VARIANTS:
        lines += [f"URI: {_variant_file(v.suffix)}", f"Content-type: {v.media_type}; qs={v.qs}",
                  ""]
    return "\n".join(lines)


def asis(suffix: str) -> str:
    """The answer for one variant: a ``303`` to the document with that suffix.

    The ``Location`` does not start with ``/`` (mod_asis would follow that internally);
    mod_headers completes it.
    """
    return ("Status: 303 See Other\n"
            f"Location: {suffix}\n"
            "Content-Type: text/plain; charset=utf-8\n\n"
            f"See the {suffix} document of this resource.\n")


def _document_expr(route: Route, backreference: str) -> str:
    """The document path of a route in a rewrite rule (``$1`` for the thing's own path)."""
    return route.documents.replace("{path}", backreference)


def apache_conf() -> str:
    """The Apache 2.4 configuration (``Define COLDWAR_LOD_SITE /path/to/site`` first)."""
    out = [
        "# coldwar-lod: serving the site with Apache httpd 2.4, with content negotiation.",
        "# Written by `coldwar-lod site` from the route table (coldwar_lod/site/routes.py).",
        "# Needs mod_rewrite, mod_negotiation, mod_asis, mod_headers, mod_mime, mod_dir.",
        "# Use: Define COLDWAR_LOD_SITE /path/to/site, then Include this file in a",
        "# VirtualHost whose root is the base (https://host/ serving BASE).",
        'DocumentRoot "${COLDWAR_LOD_SITE}"',
        '<Directory "${COLDWAR_LOD_SITE}">',
        "    Options -Indexes -MultiViews",
        "    AllowOverride None",
        "    Require all granted",
        "    DirectoryIndex index.html",
        "</Directory>",
        f'<Directory "${{COLDWAR_LOD_SITE}}/{CONNEG}">',
        "    AddHandler type-map .var",
        "    AddHandler send-as-is .asis",
        # the type map's answer is an internal redirect, which renames the variable
        f'    Header edit Location "^\\.(.*)$" "%{{REDIRECT_{ENV}}}e.$1"',
        "</Directory>",
    ]
    for suffix, media in sorted(MEDIA_TYPES.items()):
        out.append(f"AddType {media.split(';')[0]} {suffix}")
    out += [
        "AddCharset utf-8 .html .ttl .css .txt .csv",
        'Header always set Access-Control-Allow-Origin "*"',
        "ErrorDocument 404 /404.html",
        # Apache's own 406 page would link the variants' .asis files, which are not documents
        "ErrorDocument 406 \"Not acceptable. Available: "
        + ", ".join(v.media_type for v in VARIANTS) + '"',
        "RewriteEngine on",
        "# A thing whose page exists goes to the type map; the rest is served as files.",
    ]
    for route in ROUTES:
        group = "(" + route.regex + ")"
        document = _document_expr(route, "$1")
        out += [f"# {route.pattern}",
                f'RewriteCond "%{{DOCUMENT_ROOT}}/{document}.html" -f',
                f'RewriteRule "^/{group}$" "/{CONNEG}/thing.var" '
                f"[E={ENV}:/{document},PT,L]"]
    return "\n".join(out) + "\n"


def _tier_regex(media_type: str, tier: int) -> str:
    """The ``Accept`` header names ``media_type`` with a ``q`` in the tier (10: no ``q`` or
    ``q=1``; 9: 0.9 to 0.999; ...; 1: 0.1 to 0.199)."""
    name = re.escape(media_type).replace("/", "/")
    q = r"(;\s*q=1(\.0{0,3})?)?" if tier == 10 else rf";\s*q=0\.{tier}[0-9]{{0,2}}"
    return rf"(^|,)\s*{name}\s*{q}\s*(,|$)"


def htaccess(space: IriSpace, target: str) -> str:
    """The ``.htaccess`` for w3id.org: ``303`` from every thing to its document at
    ``target`` (the URL the site is hosted at), ``302`` for every other path."""
    target = target if target.endswith("/") else target + "/"
    out = [
        f"# w3id.org/{space.base.split('w3id.org/', 1)[-1]} -> {target}",
        "# Written by `coldwar-lod site --redirect-to URL` from the route table",
        "# (coldwar_lod/site/routes.py). Things get 303 See Other to the document chosen",
        "# by the Accept header (q-values to one decimal place); other paths get 302.",
        "Options +FollowSymLinks",
        "RewriteEngine on",
        'Header always merge Vary "Accept"',
        "ErrorDocument 406 \"Not acceptable. Available: "
        + ", ".join(v.media_type for v in VARIANTS) + '"',
    ]
    for route in ROUTES:
        document = _document_expr(route, "$1")
        out.append(f'RewriteRule "^({route.regex})$" - [E=CW_DOC:{document}]')
    out.append('RewriteCond "%{HTTP_ACCEPT}" "^\\s*$"')
    out.append('RewriteCond "%{ENV:CW_DOC}" "^(.+)$"')
    out.append(f'RewriteRule "^" "{target}%1{VARIANTS[0].suffix}" [R=303,L]')
    wildcards: list[tuple[str, tuple[str, ...]]] = [("*/*", ())]
    for main in sorted({v.media_type.split("/")[0] for v in VARIANTS}):
        wildcards.append((f"{main}/*", (main,)))
    for tier in range(10, 0, -1):
        for v in VARIANTS:
            out.append(f'RewriteCond "%{{HTTP_ACCEPT}}" "{_tier_regex(v.media_type, tier)}" [NC]')
            out.append('RewriteCond "%{ENV:CW_DOC}" "^(.+)$"')
            out.append(f'RewriteRule "^" "{target}%1{v.suffix}" [R=303,L]')
        for wildcard, mains in wildcards:
            first = next(v for v in VARIANTS if not mains or v.media_type.startswith(mains[0]))
            out.append(f'RewriteCond "%{{HTTP_ACCEPT}}" "{_tier_regex(wildcard, tier)}"')
            out.append('RewriteCond "%{ENV:CW_DOC}" "^(.+)$"')
            out.append(f'RewriteRule "^" "{target}%1{first.suffix}" [R=303,L]')
    out.append('RewriteCond "%{ENV:CW_DOC}" "."')
    out.append('RewriteRule "^" - [R=406,L]')
    out.append(f'RewriteRule "^(.*)$" "{target}$1" [R=302,L]')
    return "\n".join(out) + "\n"


def deploy_files(space: IriSpace, redirect_to: str | None = None
                 ) -> Iterator[tuple[str, bytes]]:
    """The type map, the ``.asis`` redirects and the two configurations."""
    yield f"{CONNEG}/thing.var", type_map().encode()
    for suffix in dict.fromkeys(v.suffix for v in VARIANTS):
        yield f"{CONNEG}/{_variant_file(suffix)}", asis(suffix).encode()
    yield "_deploy/apache.conf", apache_conf().encode()
    yield "_deploy/w3id.htaccess", htaccess(space, redirect_to or DEFAULT_HOST).encode()


#: Where the ``.htaccess`` sends requests when ``--redirect-to`` is not given: a placeholder
#: to replace with the URL the site is published at.
DEFAULT_HOST = "https://coldwar-lod.example.org/"
