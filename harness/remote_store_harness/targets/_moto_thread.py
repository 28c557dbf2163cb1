"""moto in this process, served by a werkzeug server thread: fast to start, shared state.

All in-process moto (this target, ``mock_aws``, ``ThreadedMotoServer``) shares ONE global state:
``reset()`` here wipes buckets of every other in-process moto user too, and two in-thread targets
see each other's buckets. Use the subprocess target (``MotoProcessTarget``) for isolation.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any, Self

from ._base import PopulateItem, TargetStartError
from ._moto_common import MotoTarget, PrivateClient

__all__ = ["MotoThreadTarget"]


class MotoThreadTarget(MotoTarget):
    """moto's WSGI app (with the harness front) on ``127.0.0.1:<free port>`` in a daemon thread."""

    name = "moto-thread"

    def __init__(self, *, host: str = "127.0.0.1") -> None:
        self._host = host
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._app: Any = None
        self._client: PrivateClient | None = None

    def start(self) -> Self:
        if self._server is not None:
            return self
        from werkzeug.serving import make_server

        from ._moto_app import build_app, silence_werkzeug

        silence_werkzeug()
        self._app = build_app(path_style_host="localhost", indexed=False)
        try:
            self._server = make_server(self._host, 0, self._app, threaded=True)
        except OSError as exc:
            raise TargetStartError(f"cannot bind moto in-thread server: {exc}") from exc
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"moto-thread-{self._server.server_port}",
            daemon=True,
        )
        self._thread.start()
        self._client = PrivateClient(self._host, int(self._server.server_port))
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._client = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise TargetStartError("MotoThreadTarget is not started")
        return int(self._server.server_port)

    def populate(self, bucket: str, items: Iterable[PopulateItem]) -> int:
        """Direct backend calls (same process): no HTTP and no JSON at all."""
        from ._moto_app import backend_populate

        with self._app.tracker.writing():
            return backend_populate(bucket, items)
