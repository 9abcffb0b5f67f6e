"""Serve a simulator over real HTTP: `SimulatorServer` for tests, `serve()` for the CLI."""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .app_factory import create_simulator_app
from .simulator import ChatwootSimulator


class UnderscoreHeaderHandler(WSGIRequestHandler):
    """Keep `api_access_token`: werkzeug drops headers with underscores, Chatwoot's Puma does not."""

    def make_environ(self) -> dict[str, Any]:
        """Add underscore headers under their CGI name unless the hyphenated spelling is present."""
        environ = super().make_environ()
        for key, value in self.headers.items():
            if "_" in key:
                environ.setdefault("HTTP_" + key.upper().replace("-", "_"), value)
        return environ

    def setup(self) -> None:
        """Track the connection so `stop()` can cut keep-alive clients off."""
        super().setup()
        getattr(self.server, "open_connections", set()).add(self.connection)

    def finish(self) -> None:
        """Forget the connection."""
        getattr(self.server, "open_connections", set()).discard(self.connection)
        super().finish()


class QuietHandler(UnderscoreHeaderHandler):
    """No access log lines in test output."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Skip the per-request log line."""


class SimulatorServer:
    """The simulator on a loopback port in a daemon thread; `start()` after `stop()` reuses the port."""

    def __init__(self, sim: ChatwootSimulator, host: str = "127.0.0.1", port: int = 0, quiet: bool = True):
        self.sim, self.host, self.port = sim, host, port
        self.app = create_simulator_app(sim)
        self._handler = QuietHandler if quiet else UnderscoreHeaderHandler
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:54321."""
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        """Whether the server is accepting connections."""
        return self._server is not None

    def start(self) -> SimulatorServer:
        """Bind (the previous port when possible) and serve in a daemon thread."""
        if self._server is not None:
            return self
        try:
            server = self._bind(self.port)
        except OSError:
            server = self._bind(0)
        server.open_connections = set()  # type: ignore[attr-defined]
        self._server, self.port = server, server.server_port
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"chatwoot-simulator-{self.port}", daemon=True)
        self._thread.start()
        return self

    def _bind(self, port: int) -> BaseWSGIServer:
        """A threaded werkzeug server on the host and port."""
        return make_server(self.host, port, self.app, threaded=True, request_handler=self._handler)

    def stop(self) -> None:
        """Stop accepting, close open keep-alive connections, free the port."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        for connection in list(server.open_connections):  # type: ignore[attr-defined]
            _hang_up(connection)
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _hang_up(connection: socket.socket) -> None:
    """Shut a client socket down, ignoring ones already gone."""
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)


def serve(host: str, port: int, sim: ChatwootSimulator) -> None:
    """Serve the simulator in the foreground until interrupted (used by `flask chatwoot simulator`)."""
    server = make_server(host, port, create_simulator_app(sim), threaded=True,
                         request_handler=UnderscoreHeaderHandler)
    try:
        server.serve_forever()
    finally:
        server.server_close()
