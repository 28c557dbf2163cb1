"""MinIO as a target: a container through the docker SDK, else a ``minio`` binary on PATH.

Where neither exists, :meth:`MinioTarget.start` raises :class:`TargetUnavailable` within a second or
so, with both reasons in the message; the pytest fixtures turn that into a skip. The docker path is
kept deliberately small because no machine this project's CI runs on has a Docker engine.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable
from typing import Any, Self

from ._base import (
    Credentials,
    LoopbackTarget,
    PopulateItem,
    TargetError,
    TargetStartError,
    TargetUnavailable,
)
from ._ready import wait_until_ready

__all__ = ["MinioTarget"]

_IMAGE = "minio/minio:latest"


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _wait_live(host: str, port: int, deadline: float) -> None:
    def probe() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=1)
        try:
            conn.request("GET", "/minio/health/live")
            status = conn.getresponse().status
        finally:
            conn.close()
        if status != 200:
            raise TargetError(f"HTTP {status}")

    wait_until_ready(probe, deadline, f"MinIO on {host}:{port}", interval=0.1)


class MinioTarget(LoopbackTarget):
    """MinIO on loopback, reached over plain HTTP (TLS and proxies are the gateway's job)."""

    name = "minio"

    def __init__(
        self,
        *,
        access_key: str = "harnessadmin",
        secret_key: str = "harnessadmin-secret",
        region: str = "us-east-1",
        image: str = _IMAGE,
        binary: str | None = None,
        prefer: str = "docker",
        startup_timeout: float = 60.0,
    ) -> None:
        self._credentials = Credentials(access_key, secret_key, region)
        self._image = image
        self._binary = binary
        self._prefer = prefer
        self._timeout = startup_timeout
        self._host = "127.0.0.1"
        self._port: int | None = None
        self._container: Any = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._data_dir: tempfile.TemporaryDirectory[str] | None = None
        self._client: Any = None
        self.backend: str | None = None  # "docker" or "binary" once started

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> Self:
        if self._port is not None:
            return self
        reasons: list[str] = []
        order = ("docker", "binary") if self._prefer == "docker" else ("binary", "docker")
        for way in order:
            reason = self._start_docker() if way == "docker" else self._start_binary()
            if reason is None:
                self.backend = way
                return self
            reasons.append(reason)
        raise TargetUnavailable("MinIO unavailable: " + "; ".join(reasons))

    def _start_docker(self) -> str | None:
        """Start a container; returns the reason it cannot, or None on success."""
        try:
            import docker
        except ImportError:
            return "the docker SDK is not installed (pip install docker)"
        try:
            engine = docker.from_env(timeout=3)
            engine.ping()
        except Exception as exc:  # DockerException, connection errors: all mean "no engine"
            return f"no Docker engine answers ({type(exc).__name__}: {exc})"
        env = {
            "MINIO_ROOT_USER": self._credentials.access_key,
            "MINIO_ROOT_PASSWORD": self._credentials.secret_key,
        }
        try:
            self._container = engine.containers.run(
                self._image,
                command=["server", "/data"],
                environment=env,
                ports={"9000/tcp": (self._host, None)},
                detach=True,
                remove=True,
            )
            self._container.reload()
            binding = self._container.attrs["NetworkSettings"]["Ports"]["9000/tcp"][0]
            self._port = int(binding["HostPort"])
            _wait_live(self._host, self._port, time.monotonic() + self._timeout)
        except Exception as exc:
            self.stop()
            raise TargetStartError(f"MinIO container failed to start: {exc}") from exc
        return None

    def _start_binary(self) -> str | None:
        binary = self._binary or shutil.which("minio")
        if binary is None:
            return "no `minio` binary on PATH"
        self._data_dir = tempfile.TemporaryDirectory(prefix="minio-harness-")
        port, console = _free_port(self._host), _free_port(self._host)
        env = dict(os.environ)
        env["MINIO_ROOT_USER"] = self._credentials.access_key
        env["MINIO_ROOT_PASSWORD"] = self._credentials.secret_key
        cmd = [
            binary,
            "server",
            self._data_dir.name,
            "--address",
            f"{self._host}:{port}",
            "--console-address",
            f"{self._host}:{console}",
        ]
        self._proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        self._port = port
        try:
            _wait_live(self._host, port, time.monotonic() + self._timeout)
        except TargetStartError:
            self.stop()
            raise
        return None

    def stop(self) -> None:
        container, self._container = self._container, None
        if container is not None:
            with contextlib.suppress(Exception):
                container.stop(timeout=3)
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        if self._data_dir is not None:
            self._data_dir.cleanup()
            self._data_dir = None
        self._port = None
        self._client = None

    # -- facts and operations --------------------------------------------------------------------
    @property
    def endpoint_url(self) -> str:
        if self._port is None:
            raise TargetStartError("MinioTarget is not started")
        return f"http://{self._host}:{self._port}"

    @property
    def credentials(self) -> Credentials:
        return self._credentials

    def _s3(self) -> Any:
        if self._client is None:
            from ..endpoint import Endpoint
            from ._s3admin import admin_client

            self._client = admin_client(Endpoint(self.endpoint_url, self._credentials))
        return self._client

    def create_bucket(self, name: str) -> None:
        from ._s3admin import create_bucket

        create_bucket(self._s3(), name, self._credentials.region)

    def delete_bucket(self, name: str) -> None:
        from ._s3admin import delete_bucket_with_contents

        delete_bucket_with_contents(self._s3(), name)

    def reset(self) -> None:
        """Delete every bucket (the server is ours alone)."""
        try:
            names = [b["Name"] for b in self._s3().list_buckets().get("Buckets", [])]
        except Exception as exc:
            raise TargetError(f"cannot list MinIO buckets: {exc}") from exc
        for name in names:
            self.delete_bucket(name)

    def populate(self, bucket: str, items: Iterable[PopulateItem]) -> int:
        """PUTs over HTTP with a thread pool (MinIO has no bulk back door)."""
        from ._s3admin import put_many

        return put_many(self._s3(), bucket, items)
