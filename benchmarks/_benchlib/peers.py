"""Our S3 backend and its peers on one target, run interleaved, with the server's own ceiling.

Every client gets the same small surface (``put``, ``put_stream``, ``get``, ``exists``,
``count``), so each case runs the same work through each of them, round-robin, in one process
and one run: figures of two clients are always taken seconds apart on the same target. The
*ceiling* is a raw SigV4-signed ``PUT``/``GET`` of the same bytes over one ``http.client``
connection (payload SHA-256 signed, as every SDK signs it over plain HTTP and as the server
then verifies it; no checksum, no retries): what the server can take with almost no client
cost. Ratios are ``our time / best peer time`` (below 1: we are faster).
"""

from __future__ import annotations

import concurrent.futures
import http.client
import io
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "CLIENTS",
    "Case",
    "Endpoint",
    "make_clients",
    "raw_get",
    "raw_put",
    "rclone_endpoint",
    "run_interleaved",
]

MiB = 1024 * 1024
CLIENTS = ("ours", "boto3", "boto3-tm", "s3fs", "obstore", "minio")


@dataclass(frozen=True)
class Endpoint:
    name: str
    url: str
    access_key: str
    secret_key: str
    region: str = "us-east-1"
    conditional_writes: bool = True


@dataclass
class Case:
    """Samples (seconds) per client for one case, plus what each sample moved or listed."""

    name: str
    unit_bytes: int = 0
    unit_count: int = 0
    seconds: dict[str, list[float]] = field(default_factory=dict)
    cpu: dict[str, list[float]] = field(default_factory=dict)
    rss: dict[str, int] = field(default_factory=dict)

    def best(self, client: str) -> float:
        return min(self.seconds[client])

    def median(self, client: str) -> float:
        return statistics.median(self.seconds[client])

    def best_peer(self) -> str:
        peers = [c for c in self.seconds if c not in ("ours", "ceiling")]
        return min(peers, key=self.best)


class _Ours:
    def __init__(self, ep: Endpoint, bucket: str, **options: Any) -> None:
        from remote_store import Store
        from remote_store.backends import S3Backend

        self.store = Store(
            S3Backend(
                bucket,
                endpoint_url=ep.url,
                key=ep.access_key,
                secret=ep.secret_key,
                region_name=ep.region,
                conditional_writes=ep.conditional_writes,
                # botocore's own 60 s read timeout, as every boto3-based peer has (s3fs's default
                # is 15 s, which rclone's delayed part answers can exceed: README, "rclone and
                # parts in flight").
                client_options={"config_kwargs": {"proxies": {}, "read_timeout": 60}},
                **options,
            )
        )

    def put(self, key: str, data: bytes) -> None:
        self.store.write(key, data, overwrite=True)

    def put_stream(self, key: str, stream: Any) -> None:
        self.store.write(key, stream, overwrite=True)

    def get(self, key: str) -> bytes:
        return self.store.read_bytes(key)

    def exists(self, key: str) -> bool:
        return self.store.exists(key)

    def count(self, prefix: str) -> int:
        return sum(1 for _ in self.store.list_files(prefix, recursive=True))

    def close(self) -> None:
        self.store.close()


def _boto3_client(ep: Endpoint, max_pool: int = 32) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        "s3",
        endpoint_url=ep.url,
        aws_access_key_id=ep.access_key,
        aws_secret_access_key=ep.secret_key,
        region_name=ep.region,
        config=Config(proxies={}, max_pool_connections=max_pool),
    )


class _Boto3:
    """boto3 with one request per operation (``put_object``/``get_object``)."""

    def __init__(self, ep: Endpoint, bucket: str) -> None:
        self.client = _boto3_client(ep)
        self.bucket = bucket

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data)

    def put_stream(self, key: str, stream: Any) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=stream.read())

    def get(self, key: str) -> bytes:
        body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        data: bytes = body.read()
        return data

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError:
            return False
        return True

    def count(self, prefix: str) -> int:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=prefix
        )
        return sum(len(page.get("Contents", ())) for page in pages)

    def close(self) -> None:
        self.client.close()


class _Boto3Transfer(_Boto3):
    """boto3's TransferManager (``upload_fileobj``/``download_fileobj``, threaded parts)."""

    def __init__(self, ep: Endpoint, bucket: str) -> None:
        super().__init__(ep, bucket)
        from boto3.s3.transfer import TransferConfig

        self.config = TransferConfig(multipart_threshold=8 * MiB, multipart_chunksize=8 * MiB)

    def put(self, key: str, data: bytes) -> None:
        self.client.upload_fileobj(io.BytesIO(data), self.bucket, key, Config=self.config)

    def put_stream(self, key: str, stream: Any) -> None:
        self.client.upload_fileobj(stream, self.bucket, key, Config=self.config)

    def get(self, key: str) -> bytes:
        sink = io.BytesIO()
        self.client.download_fileobj(self.bucket, key, sink, Config=self.config)
        return sink.getvalue()


class _S3fs:
    def __init__(self, ep: Endpoint, bucket: str) -> None:
        import s3fs

        self.fs = s3fs.S3FileSystem(
            key=ep.access_key,
            secret=ep.secret_key,
            endpoint_url=ep.url,
            client_kwargs={"region_name": ep.region},
            config_kwargs={"proxies": {}},
            use_listings_cache=False,
            skip_instance_cache=True,
        )
        self.bucket = bucket

    def put(self, key: str, data: bytes) -> None:
        self.fs.pipe_file(f"{self.bucket}/{key}", data)

    def put_stream(self, key: str, stream: Any) -> None:
        with self.fs.open(f"{self.bucket}/{key}", "wb", block_size=8 * MiB) as out:
            shutil.copyfileobj(stream, out, 8 * MiB)

    def get(self, key: str) -> bytes:
        data: bytes = self.fs.cat_file(f"{self.bucket}/{key}")
        return data

    def exists(self, key: str) -> bool:
        return bool(self.fs.exists(f"{self.bucket}/{key}"))

    def count(self, prefix: str) -> int:
        return len(self.fs.find(f"{self.bucket}/{prefix}"))

    def close(self) -> None:
        pass


class _Obstore:
    def __init__(self, ep: Endpoint, bucket: str) -> None:
        from obstore.store import S3Store

        self.store = S3Store(
            bucket,
            endpoint=ep.url,
            access_key_id=ep.access_key,
            secret_access_key=ep.secret_key,
            region=ep.region,
            virtual_hosted_style_request=False,
            client_options={"allow_http": True},
        )

    def put(self, key: str, data: bytes) -> None:
        import obstore

        obstore.put(self.store, key, data)

    def put_stream(self, key: str, stream: Any) -> None:
        import obstore

        obstore.put(self.store, key, stream, chunk_size=8 * MiB)

    def get(self, key: str) -> bytes:
        import obstore

        return obstore.get(self.store, key).bytes()  # type: ignore[no-any-return]

    def exists(self, key: str) -> bool:
        import obstore

        try:
            obstore.head(self.store, key)
        except FileNotFoundError:
            return False
        return True

    def count(self, prefix: str) -> int:
        import obstore

        return sum(len(batch) for batch in obstore.list(self.store, prefix=prefix))

    def close(self) -> None:
        pass


class _Minio:
    def __init__(self, ep: Endpoint, bucket: str) -> None:
        from minio import Minio

        parts = urlsplit(ep.url)
        self.client = Minio(
            parts.netloc,
            access_key=ep.access_key,
            secret_key=ep.secret_key,
            secure=parts.scheme == "https",
            region=ep.region,
        )
        self.bucket = bucket

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(self.bucket, key, io.BytesIO(data), len(data), part_size=8 * MiB)

    def put_stream(self, key: str, stream: Any) -> None:
        self.client.put_object(self.bucket, key, stream, -1, part_size=8 * MiB)

    def get(self, key: str) -> bytes:
        response = self.client.get_object(self.bucket, key)
        try:
            data: bytes = response.read()
        finally:
            response.close()
            response.release_conn()
        return data

    def exists(self, key: str) -> bool:
        from minio.error import S3Error

        try:
            self.client.stat_object(self.bucket, key)
        except S3Error:
            return False
        return True

    def count(self, prefix: str) -> int:
        return sum(1 for _ in self.client.list_objects(self.bucket, prefix=prefix, recursive=True))

    def close(self) -> None:
        pass


_FACTORIES: dict[str, Callable[[Endpoint, str], Any]] = {
    "ours": _Ours,
    "boto3": _Boto3,
    "boto3-tm": _Boto3Transfer,
    "s3fs": _S3fs,
    "obstore": _Obstore,
    "minio": _Minio,
}


def make_clients(ep: Endpoint, bucket: str, names: tuple[str, ...] = CLIENTS) -> dict[str, Any]:
    """One client per name; a peer whose package is missing is left out (named in the result)."""
    clients: dict[str, Any] = {}
    for name in names:
        try:
            clients[name] = _FACTORIES[name](ep, bucket)
        except ImportError:
            continue
    return clients


# -- the server's ceiling: raw signed requests --------------------------------------------------
def _signed(
    ep: Endpoint, method: str, bucket: str, key: str, body: bytes = b""
) -> tuple[str, dict[str, str]]:
    """URL and SigV4 headers, the payload's SHA-256 signed as every SDK does over plain HTTP."""
    import hashlib

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    url = f"{ep.url.rstrip('/')}/{bucket}/{key}"
    digest = hashlib.sha256(body).hexdigest()
    request = AWSRequest(method=method, url=url, headers={"x-amz-content-sha256": digest})
    SigV4Auth(Credentials(ep.access_key, ep.secret_key), "s3", ep.region).add_auth(request)
    return url, dict(request.headers.items())


def _connection(url: str) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=300)
    conn.connect()
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return conn


def raw_put(ep: Endpoint, bucket: str, key: str, data: bytes) -> None:
    url, headers = _signed(ep, "PUT", bucket, key, data)
    conn = _connection(url)
    try:
        headers["Content-Length"] = str(len(data))
        conn.request("PUT", urlsplit(url).path, body=data, headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"raw PUT answered {response.status}")
    finally:
        conn.close()


def raw_get(ep: Endpoint, bucket: str, key: str) -> int:
    url, headers = _signed(ep, "GET", bucket, key)
    conn = _connection(url)
    try:
        conn.request("GET", urlsplit(url).path, headers=headers)
        response = conn.getresponse()
        if response.status != 200:
            raise RuntimeError(f"raw GET answered {response.status}")
        buffer = bytearray(int(response.getheader("Content-Length", "0")))
        view, got = memoryview(buffer), 0
        while got < len(buffer):
            n = response.readinto(view[got:])
            if not n:
                break
            got += n
        return got
    finally:
        conn.close()


# -- running ---------------------------------------------------------------------------------
def run_interleaved(
    case: Case,
    work: dict[str, Callable[[], Any]],
    *,
    rounds: int,
    rss: Callable[[], Any] | None = None,
) -> Case:
    """Run every client's ``work`` once per round, rotating the order each round."""
    names = list(work)
    for name in names:
        work[name]()  # warm-up: connections, first-use imports
    for index in range(rounds):
        order = names[index % len(names) :] + names[: index % len(names)]
        for name in order:
            cpu0, t0 = time.process_time(), time.perf_counter()
            if rss is not None:
                with rss() as peak:
                    work[name]()
                case.rss[name] = max(case.rss.get(name, 0), peak.growth)
            else:
                work[name]()
            case.seconds.setdefault(name, []).append(time.perf_counter() - t0)
            case.cpu.setdefault(name, []).append(time.process_time() - cpu0)
    return case


def threaded(func: Callable[[int], Any], total: int, threads: int) -> Callable[[], None]:
    def run() -> None:
        with concurrent.futures.ThreadPoolExecutor(threads) as pool:
            for future in [pool.submit(func, i) for i in range(total)]:
                future.result()

    return run


# -- rclone serve s3 ---------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def rclone_endpoint(buckets: tuple[str, ...]) -> Iterator[Endpoint | None]:
    """``rclone serve s3`` over a temporary directory; ``None`` without an ``rclone`` binary.

    rclone ignores ``If-None-Match`` (see the harness' S3 facts); these benchmarks write with
    ``overwrite=True`` only, so no write depends on it.
    """
    binary = shutil.which("rclone")
    if binary is None:
        yield None
        return
    root = tempfile.mkdtemp(prefix="bench-rclone-")
    for bucket in buckets:
        os.makedirs(os.path.join(root, bucket))
    port = _free_port()
    key, secret = "benchaccesskey", "benchsecretkey123"  # rclone refuses very short keys
    command = [binary, "serve", "s3", "--auth-key", f"{key},{secret}"]
    process = subprocess.Popen(
        [*command, "--addr", f"127.0.0.1:{port}", root],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("rclone serve s3 did not start") from None
                time.sleep(0.1)
        yield Endpoint("rclone", f"http://127.0.0.1:{port}", key, secret)
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(root, ignore_errors=True)
