"""A small local stand-in of a channel's HTTP API on 127.0.0.1, for tests of sending and downloads.

Routes answer with canned replies (or a function of the call); every call is recorded, so a test
can assert what the adapter really sent. ``fail_next`` makes the next call(s) to a path answer an
error, to test retries and refused credentials without touching the happy route.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Call:
    """One request as the stand-in saw it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode(), keep_blank_values=True).items()}


@dataclass
class Reply:
    """What to answer: a status, a body (dict/list → JSON, str or bytes as they are) and headers."""

    status: int = 200
    body: Any = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> tuple[bytes, str]:
        if isinstance(self.body, bytes):
            return self.body, "application/octet-stream"
        if isinstance(self.body, str):
            return self.body.encode(), "text/plain; charset=utf-8"
        return json.dumps(self.body).encode(), "application/json"


Handler = Reply | Callable[[Call], Reply]


class StandIn:
    """An HTTP server in a thread; ``route`` a method and path pattern (a regex, full match) to a reply."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._failures: list[tuple[re.Pattern[str], Reply]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def route(self, method: str, path: str, handler: Handler) -> None:
        self._routes.append((method.upper(), re.compile(path), handler))

    def fail_next(self, path: str, reply: Reply, times: int = 1) -> None:
        """The next ``times`` calls whose path matches answer ``reply`` instead of their route."""
        self._failures.extend((re.compile(path), reply) for _ in range(times))

    def calls_to(self, path: str) -> list[Call]:
        pattern = re.compile(path)
        return [c for c in self.calls if pattern.fullmatch(c.path)]

    def _answer(self, call: Call) -> Reply:
        with self._lock:
            self.calls.append(call)
            for i, (pattern, reply) in enumerate(self._failures):
                if pattern.fullmatch(call.path):
                    del self._failures[i]
                    return reply
        for method, pattern, handler in self._routes:
            if method == call.method and pattern.fullmatch(call.path):
                return handler(call) if callable(handler) else handler
        return Reply(404, {"ok": False, "description": f"stand-in: no route for {call.method} {call.path}"})

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class _Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                parts = urlsplit(self.path)
                call = Call(
                    method=self.command,
                    path=parts.path,
                    query={k: v[0] for k, v in parse_qs(parts.query).items()},
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                reply = standin._answer(call)
                data, content_type = reply.encoded()
                self.send_response(reply.status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _serve  # noqa: N815 - the names http.server dispatches to

            def log_message(self, format: str, *args: Any) -> None:
                return

        return _Handler

    def start(self) -> StandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@contextmanager
def running() -> Iterator[StandIn]:
    """A started stand-in, stopped afterwards."""
    standin = StandIn().start()
    try:
        yield standin
    finally:
        standin.stop()
