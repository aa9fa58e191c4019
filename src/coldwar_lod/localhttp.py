"""The HTTP servers this package runs on 127.0.0.1 (the site's preview, the reconciliation
service): one thread per request, and a client that goes away is not an error."""

from __future__ import annotations

import sys
from http.server import ThreadingHTTPServer
from typing import Any


class LocalServer(ThreadingHTTPServer):
    """A threading HTTP server that says a failed request in one line, without a traceback
    (``socketserver`` prints a traceback to standard error for every request that fails, a
    client closing the connection early included).

    >>> from http.server import BaseHTTPRequestHandler
    >>> server = LocalServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    >>> server.daemon_threads, server.server_address[0]
    (True, '127.0.0.1')
    >>> server.server_close()
    """

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):  # the client went away
            return
        sys.stderr.write(f"error answering {client_address[0]}: "
                         f"{type(error).__name__}: {error}\n")
