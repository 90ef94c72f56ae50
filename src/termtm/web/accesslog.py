"""Request log lines in the Common Log Format, with the time taken appended, for `termtm serve`.

    127.0.0.1 - - [06/Dec/2026:01:30:00 +0000] "GET /?q=%E5%8F%8D HTTP/1.1" 200 5123 0.034

A WSGI middleware rather than a Flask hook, so that the status and the size are those sent, static files
and errors included. gunicorn writes the same format itself (ACCESS_FORMAT) when serving with --workers.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from typing import Any, TextIO
from urllib.parse import quote

ACCESS_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(L)s'
"""gunicorn's access_log_format for the same lines (%(L)s: seconds taken)."""


class AccessLog:
    """Wraps a WSGI app; writes one line per request to `stream` when the response is finished."""

    def __init__(self, app: Callable[..., Iterable[bytes]], stream: TextIO | None = None) -> None:
        self.app = app
        self.stream = stream

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        began = time.perf_counter()
        seen: dict[str, Any] = {"status": "-", "size": 0}

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"] = status.split(" ", 1)[0]
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        body = self.app(environ, start)
        try:
            for chunk in body:
                seen["size"] += len(chunk)
                yield chunk
        finally:
            close = getattr(body, "close", None)
            if close:
                close()
            self._write(environ, seen["status"], seen["size"], time.perf_counter() - began)

    def _write(self, environ: dict[str, Any], status: str, size: int, seconds: float) -> None:
        """One Common Log Format line; control characters in the request line are escaped."""
        path = quote(environ.get("PATH_INFO", "").encode("latin-1", "replace"), safe="/:@!$&'()*+,;=-._~%")
        if environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        line = f"{environ.get('REQUEST_METHOD', '-')} {path} {environ.get('SERVER_PROTOCOL', '-')}"
        line = line.encode("unicode_escape").decode("ascii").replace('"', '\\"')
        when = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime())
        stream = self.stream or sys.stdout
        stream.write(f'{environ.get("REMOTE_ADDR", "-")} - - [{when}] "{line}" {status} {size or "-"} {seconds:.3f}\n')
        stream.flush()
