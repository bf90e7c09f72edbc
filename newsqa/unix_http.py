"""HTTP over a Unix domain socket, for urllib: how the CLI talks to its background worker.

A worker listens on a socket file inside this user's private (0700) state folder, never on a TCP
port: no other local user can connect to it, nor bind its address first and pose as it, so the
worker's API key and the user's questions only ever reach a process of this user. A client URL
`unix:/path/to/worker.sock` names such a socket. Standard library only.
"""

from __future__ import annotations

import http.client
import socket
import urllib.request

SCHEME = "unix:"
MAX_PATH_BYTES = 107  # sockaddr_un.sun_path on Linux, less the terminating NUL


def socket_path(url: str) -> str | None:
    """The socket file a `unix:/path` URL names, or None for any other URL."""
    return url[len(SCHEME):] if url.startswith(SCHEME) else None


class UnixHTTPConnection(http.client.HTTPConnection):
    """An HTTPConnection whose transport is the Unix socket at `path` (the URL's host is ignored)."""

    def __init__(self, path: str, host: str = "localhost", **kwargs) -> None:  # noqa: ANN003 - http.client's own keywords
        super().__init__(host, **kwargs)
        self.path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


class UnixHTTPHandler(urllib.request.HTTPHandler):
    """urllib handler sending every http:// request to the Unix socket at `path` (it replaces the TCP one)."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    def http_open(self, req: urllib.request.Request):  # noqa: ANN201 - urllib's response object
        return self.do_open(lambda host, **kw: UnixHTTPConnection(self.path, host, **kw), req)


def opener(path: str) -> urllib.request.OpenerDirector:
    """An opener whose http:// requests all go to the socket at `path` (no proxy is consulted)."""
    return urllib.request.build_opener(urllib.request.ProxyHandler({}), UnixHTTPHandler(path))
