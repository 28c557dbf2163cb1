"""``S3Backend``: Amazon S3 and S3-compatible services through s3fs/aiobotocore.

S3 is a flat key space: "folders" are ``/``-delimited prefixes that exist while
something is stored under them. The backend follows the contract's flat
namespace rules (R-WRITE-FLAT, R-FLAT-TYPES): success paths pay one request
where S3 allows it, and the extra probe that turns ``NotFound`` into
``InvalidPath`` ("that is a folder") runs only on the error path.

Request costs (what the harness request log shows; see docs/backends/s3.md):

====================================  =========================================
``write`` (bytes <= 64 MiB, stream    1 ``PutObject`` (``If-None-Match: *`` when
<= 8 MiB), any overwrite              ``overwrite=False``)
``read_bytes`` / ``read``             1 ``GetObject`` (``read`` streams the body)
``get_file_info`` / ``is_file``       1 ``HeadObject``
``is_folder``                         1 ``ListObjectsV2`` (``MaxKeys=1``)
``exists``                            1 ``ListObjectsV2`` (``Prefix=key``,
                                      ``MaxKeys=1``); when a sibling such as
                                      ``key-1`` sorts first, +1 ``HeadObject`` +
                                      1 ``ListObjectsV2`` sent concurrently
shallow listing                       1 ``ListObjectsV2`` per 1,000 children
recursive listing / glob / folder     1 ``ListObjectsV2`` per 1,000 objects
info
``move``                              ``CopyObject`` + ``DeleteObject``
                                      (+1 ``HeadObject`` of dst if
                                      ``overwrite=False``)
``delete``                            ``HeadObject`` + ``DeleteObject``
====================================  =========================================
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, BinaryIO, ClassVar, Literal, TypeVar

from ..._backend import AtomicWriter, Backend, Content, Metadata
from ..._backend_rules import exists_error, file_ancestor_error, root_target_error, summarise_files
from ..._capabilities import Capability, CapabilitySet
from ..._errors import (
    BackendUnavailable,
    CapabilityNotSupported,
    DirectoryNotEmpty,
    InvalidPath,
    NotFound,
    PermissionDenied,
    RemoteStoreError,
)
from ..._metadata import normalize_metadata
from ..._models import FileInfo, FolderEntry, FolderInfo, WriteResult
from ..._path import RemotePath, addressable_segments, require_str
from ..._redact import protect, reveal_all
from ..._retry import RetryPolicy
from ..._secret import Secret
from ..._streams import check_content, guard_content, stream_failure
from ._errors import BACKEND, is_absent_bucket_error
from ._glob import S3GlobPlan, plan_glob
from ._integrity import BodyCheck
from ._listing import (
    as_utc,
    folder_prefix,
    iter_flat,
    iter_pages,
    iter_shallow,
    iter_shallow_cached,
    listed_file,
    normalise_etag,
)
from ._options import as_secret, build_settings
from ._read import open_reader, read_body
from ._transport import Request, S3Transport
from ._upload import (
    PARTS_IN_FLIGHT,
    SINGLE_PUT_LIMIT,
    MultipartSink,
    put_object,
    remaining_size,
)
from ._validate import fs_parameters

__all__ = ["S3Backend"]

T = TypeVar("T")

_DELETE_BATCH = 1000
_MAX_KEY_BYTES = 1024

_shared_session: Any = None
_shared_session_lock = threading.Lock()


def _s3fs() -> Any:
    """s3fs, imported when the first client is built rather than when the module is.

    Importing s3fs loads aiobotocore, aiohttp and botocore (most of the start-up
    cost of the S3 backend); deferring it keeps ``from remote_store.backends import
    S3Backend`` and configuration validation cheap.
    """
    import s3fs

    return s3fs


def _session_for(fs_kwargs: dict[str, Any]) -> Any:
    """A process-wide botocore session for backends with explicit credentials, else ``None``.

    Building a client from a fresh session re-loads botocore's S3 service model
    (0.1 to 0.3 s per backend, measured); a shared session makes it a few
    milliseconds. Each backend still gets its own client and connection pool.
    Only backends that pass ``key`` and ``secret`` and no session options
    (``profile`` ...) share it, so the credential chain and profile settings of a
    session never leak from one backend into another.
    """
    global _shared_session
    if not (fs_kwargs.get("key") and fs_kwargs.get("secret")) or "session" in fs_kwargs:
        return None
    if any(name not in fs_parameters() for name in fs_kwargs):
        return None
    with _shared_session_lock:
        if _shared_session is None:
            from aiobotocore.session import AioSession

            _shared_session = AioSession()
        return _shared_session


class S3Backend(Backend):
    """S3-compatible object storage over s3fs (one aiobotocore client per backend).

    ``move()`` is a server-side copy followed by a delete and is **not atomic**:
    a failure between the two steps leaves both objects; ``ATOMIC_MOVE`` is not
    declared. ``overwrite=False`` writes are race-free conditional writes
    (``If-None-Match: *``) unless ``conditional_writes=False``, which falls back
    to a HEAD check before the PUT (a TOCTOU race: two writers can both pass the
    check). Copy/move destinations are always check-then-act.

    Args:
        bucket: bucket name (required, non-empty).
        endpoint_url: custom endpoint (MinIO, ...); a bare ``host:port`` gets ``https://``.
        key: access key id (``str`` or ``Secret``); omitted -> AWS credential chain.
        secret: secret access key (``str`` or ``Secret``).
        region_name: region, placed into ``client_kwargs["region_name"]``.
        tls_ca_bundle: PEM CA bundle; falls back to ``AWS_CA_BUNDLE``,
            ``REQUESTS_CA_BUNDLE``, ``SSL_CERT_FILE`` (first non-empty).
        client_options: extra ``s3fs.S3FileSystem`` options; botocore ``Config``
            options go in ``client_options["config_kwargs"]``.
        retry: ``RetryPolicy``; ``max_attempts`` counts every attempt.
        reject_write_under_file_ancestor: HEAD each slash-aligned ancestor of a
            write target and refuse (``InvalidPath``) if one is an object.
        conditional_writes: send ``If-None-Match: *`` for ``overwrite=False``
            (default). Set ``False`` for services that reject or ignore it.
        upload_concurrency: parts of one multipart upload on the wire at once
            (default 4); memory per stream upload is about
            ``(upload_concurrency + 1) x 8 MiB``, or the size of a seekable stream of at most
            64 MiB (one ``PutObject``); ``bytes`` are sent from their own buffer.
    """

    CAPABILITIES: ClassVar[CapabilitySet] = CapabilitySet.all_except(Capability.ATOMIC_MOVE)
    close_is_terminal: ClassVar[bool] = True
    concurrency: ClassVar[Literal["thread_safe", "single_connection"]] = "thread_safe"

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        key: str | Secret | None = None,
        secret: str | Secret | None = None,
        region_name: str | None = None,
        tls_ca_bundle: str | None = None,
        client_options: dict[str, Any] | None = None,
        retry: RetryPolicy | None = None,
        reject_write_under_file_ancestor: bool = False,
        conditional_writes: bool = True,
        upload_concurrency: int = PARTS_IN_FLIGHT,
    ) -> None:
        # Credentials become Secrets first: if construction fails below, the frame locals
        # (captured by pytest --showlocals, Sentry ...) show Secret('***'), not the value.
        key = as_secret(key, "key")
        secret = as_secret(secret, "secret")
        if isinstance(client_options, Mapping):
            client_options = protect(dict(client_options), urls=True)
        for option, flag in (
            ("reject_write_under_file_ancestor", reject_write_under_file_ancestor),
            ("conditional_writes", conditional_writes),
        ):
            if not isinstance(flag, bool):
                raise ValueError(f"{option} must be a bool, got {type(flag).__name__}")
        if (
            not isinstance(upload_concurrency, int)
            or isinstance(upload_concurrency, bool)
            or not 1 <= upload_concurrency <= 64
        ):
            raise ValueError(
                f"upload_concurrency must be an int from 1 to 64, got {upload_concurrency!r}"
            )
        self._upload_concurrency = upload_concurrency
        self._settings = build_settings(
            bucket=bucket,
            endpoint_url=endpoint_url,
            key=key,
            secret=secret,
            region_name=region_name,
            tls_ca_bundle=tls_ca_bundle,
            client_options=client_options,
            retry=retry,
        )
        self._bucket = self._settings.bucket
        self._has_key = key is not None or "key" in (client_options or {})
        self._has_secret = secret is not None or "secret" in (client_options or {})
        self._tls_ca_bundle = tls_ca_bundle
        self._listings_cached = self._settings.fs_kwargs.get("use_listings_cache") is True
        self._reject_under_file = reject_write_under_file_ancestor
        self._conditional_writes = conditional_writes
        self._lock = threading.Lock()
        self._transport_obj: S3Transport | None = None
        self._closed = False

    # -- identity -------------------------------------------------------------------
    @property
    def name(self) -> str:
        return BACKEND

    @property
    def bucket(self) -> str:
        return self._bucket

    @property
    def conditional_writes(self) -> bool:
        return self._conditional_writes

    def __repr__(self) -> str:
        return (
            f"S3Backend(bucket={self._bucket!r}, endpoint_url={self._settings.endpoint_url!r}, "
            f"key={'***' if self._has_key else None!r}, "
            f"secret={'***' if self._has_secret else None!r}, "
            f"region_name={self._settings.region_name!r}, "
            f"tls_ca_bundle={self._tls_ca_bundle!r})"
        )

    # -- plumbing -------------------------------------------------------------------
    def _check_open(self) -> None:
        if self._closed:
            raise BackendUnavailable("s3 backend is closed", backend=BACKEND)

    @property
    def _transport(self) -> S3Transport:
        self._check_open()
        transport = self._transport_obj
        if transport is None:
            with self._lock:
                self._check_open()
                if self._transport_obj is None:
                    # Constructing S3FileSystem does no I/O; the client connects on first use.
                    kwargs = dict(self._settings.fs_kwargs)
                    session = _session_for(kwargs)
                    if session is not None:
                        kwargs["session"] = session
                    fs = _s3fs().S3FileSystem(**reveal_all(kwargs))  # the SDK hand-off
                    self._transport_obj = S3Transport(fs, self._settings.ca)
                transport = self._transport_obj
        return transport

    def _call(
        self, operation: str, *, path: str, action: str, conditional: bool = False, **params: Any
    ) -> dict[str, Any]:
        return self._transport.call(
            operation, path=path, action=action, conditional=conditional, **params
        )

    def _key(self, path: str) -> str:
        """The object key for ``path``; ``""`` is the root (decided by ``addressable_segments``)."""
        if not isinstance(path, str):
            raise InvalidPath(f"Path must be a string, got {type(path).__name__}", backend=BACKEND)
        if not addressable_segments(path):
            return ""
        try:
            key = str(RemotePath(path))
        except InvalidPath as exc:
            raise InvalidPath(exc.message, path=path, backend=BACKEND) from None
        if len(key.encode("utf-8")) > _MAX_KEY_BYTES:
            # AWS refuses longer keys (moto stores them): refuse before any request, everywhere.
            raise InvalidPath(
                f"S3 object keys are at most {_MAX_KEY_BYTES} bytes of UTF-8",
                path=path,
                backend=BACKEND,
            )
        return key

    def _file_key(self, path: str) -> str:
        self._check_open()
        key = self._key(path)
        if not key:
            raise root_target_error(path, BACKEND)
        return key

    def _head(self, key: str, *, action: str = "stat") -> dict[str, Any] | None:
        """``HeadObject`` of ``key``; ``None`` if it does not exist (other errors raise)."""
        try:
            return self._call("head_object", path=key, action=action, Bucket=self._bucket, Key=key)
        except NotFound:
            return None

    def _has_children(self, key: str) -> bool:
        """Whether anything (a marker included) is stored under ``key/``. Missing bucket: False."""
        pages = iter_pages(
            self._transport,
            self._bucket,
            folder_prefix(key),
            delimiter=False,
            path=key,
            page_size=1,
            max_pages=1,
        )
        return any(page.get("KeyCount", len(page.get("Contents", ()))) for page in pages)

    def _probe_is_folder(self, key: str) -> bool:
        """Error-path probe (R-FLAT-TYPES): fail-open, so a failing probe answers False."""
        try:
            return self._has_children(key)
        except RemoteStoreError:
            return False

    def _probe_is_file(self, key: str) -> bool:
        try:
            return self._head(key) is not None
        except RemoteStoreError:
            return False

    def _as_missing_file(self, key: str, error: RemoteStoreError) -> RemoteStoreError:
        if isinstance(error, NotFound) and self._probe_is_folder(key):
            return InvalidPath(
                f"{key!r} is a folder, not a file (Not a file)", path=key, backend=BACKEND
            )
        return error

    def _reject_write_under_file(self, key: str) -> None:
        """Opt-in ancestor walk (R-WRITE-FLAT): one HEAD per slash-aligned ancestor.

        The HEADs go out concurrently (one round trip whatever the depth); the
        answers are read nearest-the-root first, and a failing HEAD counts as
        "not a file" (fail-open, as every error-path probe).
        """
        if not self._reject_under_file:
            return
        parts = key.split("/")
        ancestors = ["/".join(parts[:depth]) for depth in range(1, len(parts))]
        if not ancestors:
            return
        answers = self._transport.call_concurrently(
            [self._head_request(a, action="write") for a in ancestors]
        )
        for ancestor, answer in zip(ancestors, answers, strict=True):
            if not isinstance(answer, RemoteStoreError):
                raise file_ancestor_error(key, ancestor, BACKEND)

    def _head_request(self, key: str, *, action: str) -> Request:
        return Request("head_object", {"Bucket": self._bucket, "Key": key}, path=key, action=action)

    # -- probes -----------------------------------------------------------------------
    def _first_key_request(self, prefix: str, *, path: str) -> Request:
        """``ListObjectsV2`` for the first key under ``prefix`` (no delimiter, ``MaxKeys=1``)."""
        return Request(
            "list_objects_v2",
            {"Bucket": self._bucket, "Prefix": prefix, "MaxKeys": 1},
            path=path,
            action="exists",
        )

    def exists(self, path: str) -> bool:
        """One ``ListObjectsV2(Prefix=key, MaxKeys=1)`` answers almost every case.

        An empty page means nothing is stored at or under ``key``: ``False``. A first key
        equal to ``key`` (a file) or under ``key/`` (a folder, a ``key/`` marker included)
        means ``True``. S3 lists in UTF-8 byte order, so any other first key is usually a
        sibling whose next character sorts before ``/`` (``key-1``, ``key.txt``); then, and
        when the LIST is refused, the exact answer (HEAD + folder LIST) decides. Nothing is
        inferred from sort order alone: S3 Express directory buckets do not list sorted.
        """
        self._check_open()
        key = self._key(path)
        if not key:
            return True
        (page,) = self._transport.call_concurrently([self._first_key_request(key, path=key)])
        if isinstance(page, RemoteStoreError):
            if is_absent_bucket_error(page):
                return False  # R-ABSENT: an absent bucket holds nothing
            if not isinstance(page, PermissionDenied):
                raise page
            # A HEAD may be allowed where a LIST is not: ask both, as the exact answer does.
        else:
            contents = page.get("Contents") or ()
            if not contents and not page.get("IsTruncated"):
                return False
            first = str(contents[0].get("Key", "")) if contents else ""
            if first == key or first.startswith(folder_prefix(key)):
                return True
        return self._exists_exact(key)

    def _exists_exact(self, key: str) -> bool:
        """HEAD (a file?) and folder LIST (a folder?) sent together: one round trip."""
        head, children = self._transport.call_concurrently(
            [
                self._head_request(key, action="exists"),
                self._first_key_request(folder_prefix(key), path=key),
            ]
        )
        if not isinstance(head, RemoteStoreError):
            return True
        if not isinstance(head, NotFound):
            raise head
        if isinstance(children, RemoteStoreError):
            if is_absent_bucket_error(children):
                return False  # R-ABSENT: an absent bucket holds nothing
            raise children
        return bool(children.get("KeyCount", len(children.get("Contents", ()))))

    def is_file(self, path: str) -> bool:
        self._check_open()
        key = self._key(path)
        if not key:
            return False
        return self._head(key, action="is_file") is not None

    def is_folder(self, path: str) -> bool:
        self._check_open()
        key = self._key(path)
        if not key:
            return True
        return self._has_children(key)

    # -- reads --------------------------------------------------------------------------
    def _get(self, key: str) -> dict[str, Any]:
        try:
            return self._call(
                "get_object",
                path=key,
                action="read",
                Bucket=self._bucket,
                Key=key,
                ChecksumMode="ENABLED",
            )
        except RemoteStoreError as exc:
            raise self._as_missing_file(key, exc) from exc.__cause__

    def read(self, path: str) -> BinaryIO:
        key = self._file_key(path)
        response = self._get(key)
        try:
            return open_reader(self._transport, self._bucket, key, response)
        except BaseException:
            body = response.get("Body")
            if body is not None:
                body.close()
            raise

    def read_seekable(self, path: str) -> BinaryIO:
        return self.read(path)

    def read_bytes(self, path: str) -> bytes:
        key = self._file_key(path)
        transport = self._transport

        async def _get_all() -> bytes:
            response = await transport.acall(
                "get_object", {"Bucket": self._bucket, "Key": key, "ChecksumMode": "ENABLED"}
            )
            body = response["Body"]
            try:
                return await read_body(
                    body, response.get("ContentLength"), BodyCheck.of(response, key)
                )
            finally:
                body.close()

        try:
            return transport.run(_get_all)
        except RemoteStoreError:
            raise
        except Exception as exc:
            error = transport.map(exc, path=key, action="read")
            raise self._as_missing_file(key, error) from exc

    # -- writes ---------------------------------------------------------------------------
    def _prepare_write(
        self, path: str, metadata: Mapping[str, str] | None
    ) -> tuple[str, dict[str, str] | None]:
        key = self._file_key(path)
        normalised = normalize_metadata(metadata)
        self._reject_write_under_file(key)
        return key, normalised

    def _check_absent(self, key: str) -> None:
        if self._head(key, action="write") is not None:
            raise exists_error(key, BACKEND)

    def write(
        self, path: str, content: Content, *, overwrite: bool = False, metadata: Metadata = None
    ) -> WriteResult:
        check_content(content)
        guarded: Content = guard_content(content, path=path, backend=self.name)  # type: ignore[assignment]
        result = self._write(path, guarded, overwrite=overwrite, metadata=metadata)
        self._changed(str(result.path))
        return result

    def _write(
        self,
        path: str,
        content: Content,
        *,
        overwrite: bool,
        metadata: Mapping[str, str] | None,
    ) -> WriteResult:
        key, meta = self._prepare_write(path, metadata)
        conditional = not overwrite and self._conditional_writes
        if not overwrite and not conditional:
            self._check_absent(key)
        if isinstance(content, bytes | bytearray | memoryview):
            if memoryview(content).nbytes <= SINGLE_PUT_LIMIT:
                return put_object(
                    self._transport,
                    self._bucket,
                    key,
                    content,
                    conditional=conditional,
                    metadata=meta,
                )
            sink = self._sink(key, conditional, meta, expected_size=memoryview(content).nbytes)
            try:
                sink.write_all(content)
            except BaseException:
                sink.abort()
                raise
            return sink.commit()
        try:
            size = remaining_size(content)
        except Exception as exc:  # the stream's position could not be restored
            raise stream_failure(exc, path=key, backend=self.name) from exc
        sink = self._sink(key, conditional, meta, expected_size=size)
        try:
            sink.write_from(content)
        except BaseException:
            sink.abort()
            raise
        return sink.commit()

    def write_atomic(
        self, path: str, content: Content, *, overwrite: bool = False, metadata: Metadata = None
    ) -> WriteResult:
        """Same as ``write``: a PUT, and a multipart upload until completed, are invisible."""
        check_content(content)
        return self.write(path, content, overwrite=overwrite, metadata=metadata)

    def _sink(
        self,
        key: str,
        conditional: bool,
        meta: dict[str, str] | None,
        *,
        expected_size: int | None = None,
    ) -> MultipartSink:
        return MultipartSink(
            self._transport,
            self._bucket,
            key,
            conditional=conditional,
            metadata=meta,
            parts_in_flight=self._upload_concurrency,
            expected_size=expected_size,
        )

    @contextmanager
    def open_atomic(
        self, path: str, *, overwrite: bool = False, metadata: Metadata = None
    ) -> Iterator[AtomicWriter]:
        key, meta = self._prepare_write(path, metadata)
        if not overwrite:
            # Early, cheap refusal; with conditional writes the commit decides again, race-free.
            self._check_absent(key)
        sink = self._sink(key, not overwrite and self._conditional_writes, meta)

        def commit(_size: int) -> WriteResult:
            self._check_open()
            return sink.commit()  # aborts the upload itself if completing fails

        with self._atomic_session(sink, commit=commit, discard=sink.abort) as writer:
            yield writer
        self._changed(key)

    # -- deletes --------------------------------------------------------------------------
    def delete(self, path: str, *, missing_ok: bool = False) -> None:
        key = self._file_key(path)
        if self._head(key, action="delete") is None:
            if self._probe_is_folder(key):
                raise InvalidPath(
                    f"{key!r} is a folder; use delete_folder", path=key, backend=BACKEND
                )
            if missing_ok:
                return
            raise NotFound(f"{key!r} does not exist (File not found)", path=key, backend=BACKEND)
        self._call("delete_object", path=key, action="delete", Bucket=self._bucket, Key=key)
        self._changed(key)

    def delete_folder(
        self, path: str, *, recursive: bool = False, missing_ok: bool = False
    ) -> None:
        key = self._file_key(path)
        prefix = folder_prefix(key)
        if not recursive:
            pages = iter_pages(
                self._transport,
                self._bucket,
                prefix,
                delimiter=False,
                path=key,
                page_size=2,
                max_pages=1,
            )
            keys = [obj["Key"] for page in pages for obj in page.get("Contents", ())]
            if not keys:
                self._folder_missing(key, missing_ok)
                return
            if keys != [prefix]:
                raise DirectoryNotEmpty(
                    f"{key!r} is not empty (Folder not empty)", path=key, backend=BACKEND
                )
            # Only a folder marker (IO-5): deleting it removes the (empty) folder.
            self._call("delete_object", path=key, action="delete", Bucket=self._bucket, Key=prefix)
            self._changed("")
            return
        found = False
        batch: list[str] = []
        for page in iter_pages(self._transport, self._bucket, prefix, delimiter=False, path=key):
            for obj in page.get("Contents", ()):
                found = True
                batch.append(obj["Key"])
                if len(batch) >= _DELETE_BATCH:
                    self._delete_batch(key, batch)
                    batch = []
        if batch:
            self._delete_batch(key, batch)
        self._changed("")
        if not found:
            self._folder_missing(key, missing_ok)

    def _folder_missing(self, key: str, missing_ok: bool) -> None:
        if self._probe_is_file(key):
            raise InvalidPath(
                f"{key!r} is a file, not a folder (Not a folder)", path=key, backend=BACKEND
            )
        if not missing_ok:
            raise NotFound(
                f"folder {key!r} does not exist (Folder not found)", path=key, backend=BACKEND
            )

    def _delete_batch(self, folder: str, keys: list[str]) -> None:
        response = self._call(
            "delete_objects",
            path=folder,
            action="delete folder",
            Bucket=self._bucket,
            Delete={"Objects": [{"Key": k} for k in keys], "Quiet": True},
        )
        errors = [e for e in response.get("Errors", ()) if e.get("Code") != "NoSuchKey"]
        if errors:
            first = errors[0]
            from botocore.exceptions import ClientError

            raw = ClientError(
                {"Error": {"Code": first.get("Code"), "Message": first.get("Message", "")}},
                "DeleteObjects",
            )
            raise self._transport.map(raw, path=first.get("Key", folder), action="delete folder")

    # -- listings -------------------------------------------------------------------------
    def list_files(
        self, path: str, *, recursive: bool = False, max_depth: int | None = None
    ) -> Iterator[FileInfo]:
        self._check_open()
        key = self._key(path)
        transport = self._transport
        if not recursive or max_depth == 0:
            entries = self._shallow(key)
            return (e for e in entries if isinstance(e, FileInfo))
        return iter_flat(transport, self._bucket, folder_prefix(key), path=key, max_depth=max_depth)

    def list_folders(self, path: str) -> Iterator[FolderEntry]:
        self._check_open()
        key = self._key(path)
        return (e for e in self._shallow(key) if isinstance(e, FolderEntry))

    def iter_children(self, path: str) -> Iterator[FileInfo | FolderEntry]:
        self._check_open()
        return self._shallow(self._key(path))

    def _shallow(self, key: str) -> Iterator[FileInfo | FolderEntry]:
        if self._listings_cached:
            return iter_shallow_cached(self._transport, self._bucket, key, path=key)
        return iter_shallow(self._transport, self._bucket, key, path=key)

    def _changed(self, key: str) -> None:
        """Keep s3fs's listing cache (if enabled) truthful about our own writes and deletes.

        ``key=""`` drops the whole cache (folder deletes touch many prefixes).
        """
        if self._listings_cached and self._transport_obj is not None:
            fs = self._transport_obj.fs
            fs.invalidate_cache(f"{self._bucket}/{key}" if key else None)

    def glob(self, pattern: str) -> Iterator[FileInfo]:
        self._check_open()
        plan = plan_glob(pattern)
        transport = self._transport
        if plan.recursive:
            files: Iterator[FileInfo] = iter_flat(
                transport, self._bucket, plan.prefix, path=plan.prefix
            )
            return (f for f in files if plan.matches(str(f.path)))
        return self._glob_shallow(plan)

    def _glob_shallow(self, plan: S3GlobPlan) -> Iterator[FileInfo]:
        pages = iter_pages(
            self._transport, self._bucket, plan.prefix, delimiter=True, path=plan.prefix
        )
        for page in pages:
            for obj in page.get("Contents", ()):
                child = obj.get("Key", "")
                if plan.matches(child):
                    info = listed_file(child, obj)
                    if info is not None:
                        yield info

    # -- metadata -------------------------------------------------------------------------
    def get_file_info(self, path: str) -> FileInfo:
        key = self._file_key(path)
        response = self._head(key, action="stat")
        if response is None:
            missing = NotFound(
                f"{key!r} does not exist (File not found)", path=key, backend=BACKEND
            )
            raise self._as_missing_file(key, missing)
        remote = RemotePath(key)
        extra: dict[str, object] = {}
        if response.get("VersionId"):
            extra["version_id"] = response["VersionId"]
        return FileInfo(
            path=remote,
            name=remote.name,
            size=int(response.get("ContentLength", 0)),
            modified_at=as_utc(response.get("LastModified")),
            digest=None,
            etag=normalise_etag(response.get("ETag")),
            metadata=dict(response["Metadata"]) if response.get("Metadata") else None,
            extra=extra,
        )

    def get_folder_info(self, path: str) -> FolderInfo:
        self._check_open()
        key = self._key(path)
        seen_any = False

        def files() -> Iterator[FileInfo]:
            nonlocal seen_any
            pages = iter_pages(
                self._transport, self._bucket, folder_prefix(key), delimiter=False, path=key
            )
            for page in pages:
                for obj in page.get("Contents", ()):
                    seen_any = True
                    info = listed_file(obj.get("Key", ""), obj)
                    if info is not None:
                        yield info

        info = summarise_files(RemotePath.from_backend_path(key), files())
        if key and not seen_any:
            if self._probe_is_file(key):
                raise InvalidPath(
                    f"{key!r} is a file, not a folder (Not a folder)", path=key, backend=BACKEND
                )
            raise NotFound(
                f"folder {key!r} does not exist (Folder not found)", path=key, backend=BACKEND
            )
        return info

    # -- move / copy ----------------------------------------------------------------------
    def _require_source(self, key: str) -> None:
        if self._head(key, action="stat") is None:
            missing = NotFound(
                f"{key!r} does not exist (Source not found)", path=key, backend=BACKEND
            )
            raise self._as_missing_file(key, missing)

    def _copy(self, src: str, dst: str, *, overwrite: bool) -> None:
        src_key = self._file_key(src)
        dst_key = self._file_key(dst)
        source_checked = False
        if src_key == dst_key or self._reject_under_file:
            self._require_source(src_key)
            source_checked = True
            if src_key == dst_key:
                return
            self._reject_write_under_file(dst_key)
        if not overwrite and self._head(dst_key, action="stat") is not None:
            if not source_checked:
                self._require_source(src_key)
            raise exists_error(dst_key, BACKEND)
        try:
            self._call(
                "copy_object",
                path=src_key,
                action="copy",
                Bucket=self._bucket,
                Key=dst_key,
                CopySource={"Bucket": self._bucket, "Key": src_key},
                MetadataDirective="COPY",
            )
        except NotFound as exc:
            raise self._as_missing_file(src_key, exc) from exc.__cause__

    def copy(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        """Server-side ``CopyObject`` (no bytes pass through the client); metadata preserved."""
        self._copy(src, dst, overwrite=overwrite)
        self._changed(self._key(dst))

    def move(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        """``CopyObject`` then ``DeleteObject``: not atomic (a failure between leaves both)."""
        self._copy(src, dst, overwrite=overwrite)
        src_key = self._key(src)
        if src_key != self._key(dst):
            self._call(
                "delete_object", path=src_key, action="move", Bucket=self._bucket, Key=src_key
            )
            self._changed(src_key)
            self._changed(self._key(dst))

    # -- addressing and lifecycle ----------------------------------------------------------
    def native_path(self, key: str) -> str:
        segments = addressable_segments(key) if isinstance(key, str) else []
        return "/".join([self._bucket, *segments])

    def to_key(self, native_path: str) -> str:
        require_str(native_path, "native_path")
        text = native_path
        if text.startswith("s3://"):
            text = text[len("s3://") :]
        if text == self._bucket or text == f"{self._bucket}/":
            return ""
        if text.startswith(f"{self._bucket}/"):
            return text[len(self._bucket) + 1 :]
        return native_path

    def check_health(self) -> None:
        """One ``HeadBucket``: missing bucket -> NotFound, denied -> PermissionDenied."""
        self._call("head_bucket", path="", action="health check", Bucket=self._bucket)

    def close(self) -> None:
        """Terminal: every later operation raises ``BackendUnavailable`` (addressing excepted)."""
        with self._lock:
            self._closed = True
            transport, self._transport_obj = self._transport_obj, None
        if transport is not None:
            transport.close()

    def unwrap(self, type_hint: type[T]) -> T:
        self._check_open()
        fs = self._transport.fs
        if isinstance(type_hint, type) and isinstance(fs, type_hint):
            return fs
        raise CapabilityNotSupported(
            f"s3 backend cannot be unwrapped to {type_hint!r} (only s3fs.S3FileSystem)",
            backend=BACKEND,
            capability="unwrap",
        )
