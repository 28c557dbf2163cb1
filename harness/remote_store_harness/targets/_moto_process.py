"""moto in server mode as a child process: isolated state, optional indexed listing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Self

from ._base import TargetStartError
from ._child import ChildProcess
from ._moto_common import MotoTarget, PrivateClient
from ._ready import wait_until_ready

__all__ = ["MotoProcessTarget"]


class MotoProcessTarget(MotoTarget):
    """A moto server in its own Python process on a free loopback port.

    Each instance has its own state (unlike in-process moto, which is one global state). The child
    exits when :meth:`stop` is called or when this process dies (it watches its stdin pipe).
    ``indexed_listing=True`` answers listings from a sorted key index: same answers as moto, cost
    proportional to the page instead of the bucket (see ``_moto_index``). ``defects`` names
    server misbehaviours to emulate (``_moto_defects.DEFECTS``; tests of qualification verdicts).
    """

    name = "moto"

    def __init__(
        self,
        *,
        indexed_listing: bool = False,
        host: str = "127.0.0.1",
        startup_timeout: float = 30.0,
        defects: Sequence[str] = (),
    ) -> None:
        from ._moto_defects import DEFECTS

        unknown = sorted(set(defects) - set(DEFECTS))
        if unknown:
            raise ValueError(f"unknown moto defects {unknown}; expected some of {sorted(DEFECTS)}")
        if defects and indexed_listing:
            raise ValueError("moto defects cannot be combined with indexed_listing")
        self.indexed_listing = indexed_listing
        self.defects = tuple(defects)
        self._host = host
        self._startup_timeout = startup_timeout
        self._child = ChildProcess("moto-harness-")
        self._port: int | None = None
        self._client: PrivateClient | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> Self:
        if self._child.proc is not None:
            return self
        import importlib.util

        if importlib.util.find_spec("moto") is None:  # say so here, not as a child's traceback
            raise ModuleNotFoundError("No module named 'moto'", name="moto")
        cmd = [
            sys.executable,
            "-m",
            "remote_store_harness.targets._moto_server_main",
            "--host",
            self._host,
        ]
        if self.indexed_listing:
            cmd.append("--indexed-listing")
        for defect in self.defects:
            cmd += ["--defect", defect]
        env = dict(os.environ)
        env.setdefault("PYTHONUNBUFFERED", "1")
        # The harness package must be importable in the child even when not installed.
        package_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        self._child.spawn(cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        deadline = time.monotonic() + self._startup_timeout
        try:
            line = self._read_port_line(deadline)
            info = json.loads(line)
            self._port = int(info["port"])
            self._client = PrivateClient(self._host, self._port)
            wait_until_ready(partial(self._client.call, "ping"), deadline, "moto subprocess")
        except Exception as exc:
            detail = self._child.output_tail()
            self.stop()
            if isinstance(exc, TargetStartError):
                raise TargetStartError(f"{exc}; child stderr: {detail}") from exc
            raise TargetStartError(
                f"moto subprocess failed to start: {exc}; stderr: {detail}"
            ) from exc
        return self

    def _read_port_line(self, deadline: float) -> bytes:
        proc = self._child.proc
        assert proc is not None and proc.stdout is not None
        stdout = proc.stdout
        result: list[bytes] = []
        reader = threading.Thread(target=lambda: result.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(max(0.0, deadline - time.monotonic()))
        if not result or not result[0].strip():
            raise TargetStartError("moto subprocess did not report its port")
        return result[0]

    def stop(self) -> None:
        self._child.stop()
        self._client = None

    # -- facts -----------------------------------------------------------------------------------
    @property
    def pid(self) -> int | None:
        """Process id of the running child (None when stopped)."""
        proc = self._child.proc
        return proc.pid if proc is not None else None

    @property
    def port(self) -> int:
        if self._port is None:
            raise TargetStartError("MotoProcessTarget is not started")
        return self._port
