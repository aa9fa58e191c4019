"""Error types: every failure a user can cause derives from :class:`ColdwarError`.

Each error knows its exit code, so the CLI maps errors to codes without inspecting them.
Messages read like ``data/claims.csv:14: unknown place 'prgue' (did you mean 'prague'?)``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

#: Exit codes of the command-line tool (documented in README.md).
EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_INPUT = 2
EXIT_INTERNAL = 3
EXIT_ENDPOINT = 4
EXIT_QUERY = 5


class ColdwarError(Exception):
    """Base of all errors the user can cause or fix.

    >>> import coldwar_lod
    >>> try:
    ...     coldwar_lod.load_query("no-such-query")
    ... except coldwar_lod.ColdwarError as exc:
    ...     print(exc.exit_code, exc)
    2 unknown query 'no-such-query'; `coldwar-lod queries` lists the shipped ones
    """

    exit_code = EXIT_INPUT


class InputError(ColdwarError):
    """Bad input: a malformed data file, a dangling reference, an impossible date...

    :param message: what is wrong, in the user's terms.
    :param file: the file that holds the problem, if any.
    :param line: the 1-based line in ``file``, if known.

    >>> str(InputError("unknown place 'prgue'", "data/events.csv", 14))
    "data/events.csv:14: unknown place 'prgue'"
    """

    def __init__(self, message: str, file: str | None = None, line: int | None = None) -> None:
        self.message = message
        self.file = file
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file or ""
        if self.file and self.line:
            where = f"{self.file}:{self.line}"
        return f"{where}: {self.message}" if where else self.message


class InputErrors(ColdwarError):  # noqa: N818 - a list of InputError
    """Several input errors found in one pass, reported together (first one first).

    >>> errors = InputErrors([InputError("bad date", "data/events.csv", 3),
    ...                       InputError("unknown reference", "data/claims.csv", 9)])
    >>> print(errors)
    data/events.csv:3: bad date
    data/claims.csv:9: unknown reference
    """

    def __init__(self, errors: list[InputError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class EndpointError(ColdwarError):
    """A SPARQL endpoint was unreachable, refused the request, or failed.

    >>> import coldwar_lod
    >>> try:  # nothing listens on port 9 of this machine
    ...     coldwar_lod.run_query("ASK {}", endpoint="http://127.0.0.1:9")
    ... except EndpointError as exc:
    ...     print(exc.exit_code, str(exc).split(" (")[0])
    4 cannot connect to http://127.0.0.1:9/query: connection refused
    """

    exit_code = EXIT_ENDPOINT


class QueryError(ColdwarError):
    """A SPARQL query is malformed or timed out.

    >>> import coldwar_lod
    >>> try:
    ...     coldwar_lod.run_query("SELECT ?s WHERE { ?s ?p }")
    ... except QueryError as exc:
    ...     print(exc.exit_code, str(exc).split(": it starts here")[0])
    5 query:1:19: malformed SPARQL query
    """

    exit_code = EXIT_QUERY


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """Return `` (did you mean 'x'?)`` for the closest candidate, or an empty string.

    >>> did_you_mean("prgue", ["prague", "bratislava"])
    " (did you mean 'prague'?)"
    >>> did_you_mean("zzz", ["prague"])
    ''
    """
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.75)
    return f" (did you mean '{close[0]}'?)" if close else ""
