"""Probe checks about object semantics: conditional writes, checksums, metadata, multipart, copy,
listing. Each one writes only through :class:`Scratch` keys and says what it sent and received.

The conditional-write checks are the ones a ``remote_store`` configuration depends on: with
``conditional_writes=True`` (the default) a ``write(..., overwrite=False)`` is a single PUT with
``If-None-Match: *``; a service (or a proxy in front of it) that ignores the header would let
that write silently replace an existing object.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from ._client import error_code, make_client
from ._model import Level, ProbeContext, ProbeRow, Verdict

__all__ = [
    "check_checksums",
    "check_conditional_multipart",
    "check_conditional_put",
    "check_copy_metadata",
    "check_delimiter_max_keys",
    "check_delimiter_subfolders",
    "check_if_match",
    "check_metadata_case",
    "check_multipart",
    "check_pagination",
]

#: Codes a service uses to refuse a conditional request whose condition does not hold.
_PRECONDITION_CODES = ("PreconditionFailed", "ConditionalRequestConflict")
_MIB = 1024 * 1024


def _describe(exc: BaseException) -> str:
    code, status = error_code(exc)
    return f"HTTP {status} {code}" if status else f"{type(exc).__name__}: {exc}"


def _refused_by_condition(exc: BaseException) -> bool:
    code, status = error_code(exc)
    return status in (409, 412) or code in _PRECONDITION_CODES


def check_checksums(ctx: ProbeContext) -> ProbeRow:
    """First write of the probe: are botocore's default checksums accepted and echoed?

    botocore >= 1.36 adds a CRC32 checksum to every PUT by default; some S3-compatible services
    reject it. If the default PUT fails but a PUT without checksum succeeds, every later check
    (and the recommended config) switches to ``request_checksum_calculation="when_required"``.
    """
    question = "Checksums returned on PUT"
    body = b"checksum probe body\n" * 64
    key = ctx.scratch.key("checksum/object")
    try:
        default = ctx.client.put_object(Bucket=ctx.target.bucket, Key=key, Body=body)
    except Exception as exc:
        if error_code(exc)[1] is None:
            raise
        ctx.client = make_client(ctx.target, checksum_when_required=True)
        ctx.facts["checksum_when_required"] = True
        default = ctx.client.put_object(Bucket=ctx.target.bucket, Key=key, Body=body)
        default_note = f"default CRC32 PUT refused ({_describe(exc)}); plain PUT accepted"
    else:
        echoed = sorted(k for k in default if k.startswith("Checksum"))
        default_note = f"default PUT (botocore CRC32) accepted; echoed: {echoed or 'nothing'}"
    md5 = hashlib.md5(body).hexdigest()
    etag = str(default.get("ETag", "")).strip('"')
    sha = base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")
    try:
        explicit = ctx.client.put_object(
            Bucket=ctx.target.bucket, Key=key, Body=body, ChecksumAlgorithm="SHA256"
        )
        returned = explicit.get("ChecksumSHA256")
        sha_note = f"SHA256 PUT -> ChecksumSHA256={returned!r} (expected {sha})"
    except Exception as exc:
        if error_code(exc)[1] is None:
            raise
        returned = None
        sha_note = f"SHA256 PUT -> {_describe(exc)}"
    data = {
        "etag_is_md5": etag == md5,
        "sha256_returned": returned == sha,
        "default_checksum_accepted": not ctx.facts.get("checksum_when_required", False),
    }
    evidence = f"{default_note}; ETag {'=' if etag == md5 else '!='} MD5 of body; {sha_note}"
    verdict: Verdict
    level: Level
    if returned == sha:
        verdict, level, answer = "yes", "ok", "yes (SHA256 echoed and correct)"
    elif returned:
        verdict, level, answer = "no", "fail", "wrong checksum returned"
    else:
        verdict, level, answer = "no", "info", "no (ETag only)"
    if ctx.facts.get("checksum_when_required"):
        level = "warn"
        answer += "; default CRC32 refused: use request_checksum_calculation=when_required"
    return ProbeRow("checksums", question, verdict, level, answer, evidence, data=data)


def _answered_error(call: Callable[[], object]) -> Exception | None:
    """Run *call*: ``None`` if it succeeded, the error if the service answered with an HTTP
    error status. An error without an HTTP answer (no connection, a bug) propagates."""
    try:
        call()
    except Exception as exc:
        if error_code(exc)[1] is None:
            raise
        return exc
    return None


@dataclass(frozen=True)
class _IfNoneMatchCase:
    """One way to write with ``If-None-Match: *`` and how its probe row words the outcomes."""

    row: str
    question: str
    write: Callable[[ProbeContext, str, bytes], object]
    not_honoured: str
    new_request: str
    yes_evidence: str
    existing_request: str
    overwritten: str
    #: ``{stored}`` is replaced by what the key reads after the second write.
    overwritten_evidence: str


def _check_if_none_match(ctx: ProbeContext, case: _IfNoneMatchCase) -> ProbeRow:
    """Create a key with ``If-None-Match: *`` (must succeed), then again (must be refused)."""
    key = ctx.scratch.key(f"conditional/{case.row.removeprefix('conditional_')}")
    rejected = _answered_error(lambda: case.write(ctx, key, b"first"))
    if rejected is not None:
        ctx.facts[case.row] = False
        return ProbeRow(
            case.row, case.question, "no", "fail",
            f"{case.not_honoured}: header rejected on a new key",
            f"{case.new_request} with If-None-Match: * -> {_describe(rejected)}",
        )  # fmt: skip
    try:
        case.write(ctx, key, b"second")
    except Exception as exc:
        if _refused_by_condition(exc):
            ctx.facts[case.row] = True
            return ProbeRow(
                case.row, case.question, "yes", "ok", "yes", case.yes_evidence + _describe(exc)
            )  # fmt: skip
        if error_code(exc)[1] is None:
            raise
        ctx.facts[case.row] = False
        return ProbeRow(
            case.row, case.question, "no", "fail",
            f"{case.not_honoured}: unexpected answer to an overwrite",
            f"{case.existing_request} with If-None-Match: * -> {_describe(exc)} (expected 412)",
        )  # fmt: skip
    stored = ctx.client.get_object(Bucket=ctx.target.bucket, Key=key)["Body"].read()
    ctx.facts[case.row] = False
    return ProbeRow(
        case.row, case.question, "no", "fail",
        f"{case.not_honoured}: {case.overwritten}",
        case.overwritten_evidence.format(stored=repr(stored)),
    )  # fmt: skip


def _conditional_put(ctx: ProbeContext, key: str, body: bytes) -> object:
    return ctx.client.put_object(Bucket=ctx.target.bucket, Key=key, Body=body, IfNoneMatch="*")


def _conditional_complete(ctx: ProbeContext, key: str, body: bytes) -> object:
    return _one_part_upload(ctx, key, body, IfNoneMatch="*")


def check_conditional_put(ctx: ProbeContext) -> ProbeRow:
    """Is ``If-None-Match: *`` on PutObject honoured (create succeeds, overwrite refused)?"""
    return _check_if_none_match(
        ctx,
        _IfNoneMatchCase(
            row="conditional_put",
            question="If-None-Match: * honoured on PUT (conditional_writes safe)",
            write=_conditional_put,
            not_honoured="conditional writes not honoured",
            new_request="PUT new key",
            yes_evidence="PUT new key -> 200; PUT same key again with If-None-Match: * -> ",
            existing_request="PUT existing key",
            overwritten="an existing object was overwritten",
            overwritten_evidence="PUT existing key with If-None-Match: * -> 200 and the object "
            "now reads {stored} (expected 412 PreconditionFailed and b'first')",
        ),
    )


def _one_part_upload(ctx: ProbeContext, key: str, body: bytes, **complete: Any) -> Any:
    client, bucket = ctx.client, ctx.target.bucket
    upload_id = client.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    ctx.scratch.track_upload(key, upload_id)
    part = client.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=1, Body=body)
    parts = {"Parts": [{"ETag": part["ETag"], "PartNumber": 1}]}
    response = client.complete_multipart_upload(
        Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload=parts, **complete
    )
    ctx.scratch.forget_upload(upload_id)
    return response


def check_conditional_multipart(ctx: ProbeContext) -> ProbeRow:
    """Is ``If-None-Match: *`` honoured on CompleteMultipartUpload (large writes)?"""
    return _check_if_none_match(
        ctx,
        _IfNoneMatchCase(
            row="conditional_multipart",
            question="If-None-Match: * honoured on CompleteMultipartUpload",
            write=_conditional_complete,
            not_honoured="not honoured",
            new_request="CompleteMultipartUpload new key",
            yes_evidence="complete on new key -> 200; complete on existing key with "
            "If-None-Match: * -> ",
            existing_request="complete on existing key",
            overwritten="an existing object was overwritten by a multipart upload",
            overwritten_evidence="complete on existing key with If-None-Match: * -> 200; "
            "object now reads {stored}",
        ),
    )


def check_if_match(ctx: ProbeContext) -> ProbeRow:
    """Is ``If-Match: <etag>`` honoured on PUT and GET (compare-and-swap, consistent reads)?"""
    question = "If-Match honoured (PUT and GET)"
    bucket, client = ctx.target.bucket, ctx.client
    key = ctx.scratch.key("conditional/if-match")
    etag = client.put_object(Bucket=bucket, Key=key, Body=b"v1")["ETag"]
    wrong = '"00000000000000000000000000000000"'
    results: dict[str, bool] = {}
    notes: list[str] = []

    def attempt(what: str, call: Callable[[], object], success: str) -> Exception | None:
        refusal = _answered_error(call)
        notes.append(f"{what} -> {success if refusal is None else _describe(refusal)}")
        return refusal

    refusal = attempt(
        "PUT If-Match wrong etag",
        lambda: client.put_object(Bucket=bucket, Key=key, Body=b"v2", IfMatch=wrong),
        "200 (overwrote)",
    )
    results["put_wrong_refused"] = refusal is not None and _refused_by_condition(refusal)
    refusal = attempt(
        "PUT If-Match current etag",
        lambda: client.put_object(Bucket=bucket, Key=key, Body=b"v3", IfMatch=etag),
        "200",
    )
    results["put_right_accepted"] = refusal is None
    refusal = attempt(
        "GET If-Match wrong etag",
        lambda: client.get_object(Bucket=bucket, Key=key, IfMatch=wrong)["Body"].read(),
        "200",
    )
    results["get_wrong_refused"] = refusal is not None and _refused_by_condition(refusal)
    put_ok = results["put_wrong_refused"] and results["put_right_accepted"]
    verdict: Verdict
    level: Level
    if put_ok and results["get_wrong_refused"]:
        verdict, level, answer = "yes", "ok", "yes (PUT and GET)"
    elif results["get_wrong_refused"]:
        verdict, level, answer = "partial", "warn", "GET only; conditional PUT not honoured"
    elif put_ok:
        verdict, level, answer = "partial", "warn", "PUT only"
    else:
        verdict, level, answer = "no", "warn", "no"
    return ProbeRow("if_match", question, verdict, level, answer, "; ".join(notes), data=results)


def check_metadata_case(ctx: ProbeContext) -> ProbeRow:
    """In which case do user-metadata keys come back (on the wire and through boto3)?"""
    question = "User-metadata key case"
    bucket, client = ctx.target.bucket, ctx.client
    key = ctx.scratch.key("metadata/object")
    client.put_object(Bucket=bucket, Key=key, Body=b"m", Metadata={"MixedCase-Key": "Value-1"})
    wire: list[str] = []

    def _capture(http_response: Any, **_: Any) -> None:
        wire.extend(n for n in http_response.raw.headers if n.lower().startswith("x-amz-meta-"))

    client.meta.events.register("after-call.s3.HeadObject", _capture)
    try:
        metadata = client.head_object(Bucket=bucket, Key=key)["Metadata"]
    finally:
        client.meta.events.unregister("after-call.s3.HeadObject", _capture)
    names = list(metadata)
    value_ok = "Value-1" in metadata.values()
    verdict: Verdict
    level: Level
    if names == ["mixedcase-key"] and value_ok:
        verdict, level, answer = "yes", "ok", "lower-cased (as remote_store reports them)"
    elif names == ["MixedCase-Key"] and value_ok:
        verdict, level, answer = "yes", "info", "case preserved"
    else:
        verdict, level, answer = "no", "warn", f"unexpected: {metadata!r}"
    return ProbeRow(
        "metadata_case", question, verdict, level, answer,
        f"PUT x-amz-meta-MixedCase-Key: Value-1; HEAD headers on the wire {wire}; boto3 {metadata}",
        data={"wire_names": wire, "boto3_metadata": metadata},
    )  # fmt: skip


def check_multipart(ctx: ProbeContext) -> ProbeRow:
    """Two-part upload (5 MiB + 1 KiB) assembles correctly; an aborted upload disappears."""
    question = "Multipart upload and abort"
    bucket, client = ctx.target.bucket, ctx.client
    key = ctx.scratch.key("multipart/object")
    first, second = b"a" * (5 * _MIB), b"b" * 1024
    upload_id = client.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    ctx.scratch.track_upload(key, upload_id)
    etags = []
    for number, body in ((1, first), (2, second)):
        part = client.upload_part(
            Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body
        )
        etags.append({"ETag": part["ETag"], "PartNumber": number})
    client.complete_multipart_upload(
        Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": etags}
    )
    ctx.scratch.forget_upload(upload_id)
    size = client.head_object(Bucket=bucket, Key=key)["ContentLength"]
    boundary = client.get_object(
        Bucket=bucket, Key=key, Range=f"bytes={len(first) - 2}-{len(first) + 1}"
    )["Body"].read()
    assembled = size == len(first) + len(second) and boundary == b"aabb"

    abort_key = ctx.scratch.key("multipart/aborted")
    abort_id = client.create_multipart_upload(Bucket=bucket, Key=abort_key)["UploadId"]
    ctx.scratch.track_upload(abort_key, abort_id)
    client.upload_part(Bucket=bucket, Key=abort_key, UploadId=abort_id, PartNumber=1, Body=b"x")
    client.abort_multipart_upload(Bucket=bucket, Key=abort_key, UploadId=abort_id)
    ctx.scratch.forget_upload(abort_id)
    exc = _answered_error(
        lambda: client.list_parts(Bucket=bucket, Key=abort_key, UploadId=abort_id)
    )
    aborted = exc is not None
    outcome = "200 (upload still listed)" if exc is None else _describe(exc)
    abort_note = f"ListParts after abort -> {outcome}"
    evidence = (
        f"2 parts (5 MiB + 1 KiB) -> ContentLength {size}, bytes around the part boundary "
        f"{boundary!r}; {abort_note}"
    )
    if assembled and aborted:
        return ProbeRow("multipart", question, "yes", "ok", "yes", evidence)
    answer = "upload OK, abort not effective" if assembled else "multipart object is wrong"
    return ProbeRow(
        "multipart", question, "partial" if assembled else "no", "fail", answer, evidence
    )


def check_copy_metadata(ctx: ProbeContext) -> ProbeRow:
    """Server-side copy keeps metadata (COPY directive) and replaces it on request (REPLACE)."""
    question = "Server-side copy with metadata"
    bucket, client = ctx.target.bucket, ctx.client
    source = ctx.scratch.key("copy/source")
    kept, replaced = ctx.scratch.key("copy/kept"), ctx.scratch.key("copy/replaced")
    client.put_object(
        Bucket=bucket, Key=source, Body=b"copy me", ContentType="text/plain", Metadata={"a": "1"}
    )
    copy_source = {"Bucket": bucket, "Key": source}
    client.copy_object(Bucket=bucket, Key=kept, CopySource=copy_source)
    client.copy_object(
        Bucket=bucket, Key=replaced, CopySource=copy_source,
        MetadataDirective="REPLACE", Metadata={"b": "2"}, ContentType="application/x-probe",
    )  # fmt: skip
    head_kept = client.head_object(Bucket=bucket, Key=kept)
    head_replaced = client.head_object(Bucket=bucket, Key=replaced)
    body = client.get_object(Bucket=bucket, Key=kept)["Body"].read()
    kept_ok = head_kept["Metadata"] == {"a": "1"} and head_kept["ContentType"] == "text/plain"
    replaced_ok = head_replaced["Metadata"] == {"b": "2"}
    evidence = (
        f"COPY -> metadata {head_kept['Metadata']}, type {head_kept['ContentType']!r}, body "
        f"{'intact' if body == b'copy me' else repr(body)}; REPLACE -> metadata "
        f"{head_replaced['Metadata']}, type {head_replaced['ContentType']!r}"
    )
    if kept_ok and replaced_ok and body == b"copy me":
        return ProbeRow("copy_metadata", question, "yes", "ok", "yes", evidence)
    return ProbeRow("copy_metadata", question, "partial", "warn", "metadata not as sent", evidence)


def check_delimiter_subfolders(ctx: ProbeContext) -> ProbeRow:
    """A "folder" holding only subfolders must appear as a CommonPrefix, with no Contents."""
    question = "Delimiter listing of folders holding only subfolders"
    bucket, client = ctx.target.bucket, ctx.client
    base = ctx.scratch.prefix + "tree/"
    for name in ("tree/file0", "tree/only-sub/a/f1", "tree/only-sub/b/f2"):
        client.put_object(Bucket=bucket, Key=ctx.scratch.key(name), Body=b"t")
    top = client.list_objects_v2(Bucket=bucket, Prefix=base, Delimiter="/")
    inner = client.list_objects_v2(Bucket=bucket, Prefix=base + "only-sub/", Delimiter="/")

    def rel(items: list[dict[str, Any]], field: str) -> list[str]:
        return sorted(str(i[field])[len(base) :] for i in items)

    top_prefixes, top_files = (
        rel(top.get("CommonPrefixes", []), "Prefix"),
        rel(top.get("Contents", []), "Key"),
    )
    inner_prefixes, inner_files = (
        rel(inner.get("CommonPrefixes", []), "Prefix"),
        rel(inner.get("Contents", []), "Key"),
    )
    ok = (
        top_prefixes == ["only-sub/"]
        and top_files == ["file0"]
        and inner_prefixes == ["only-sub/a/", "only-sub/b/"]
        and inner_files == []
    )
    evidence = (
        f"tree/ -> prefixes {top_prefixes}, files {top_files}; tree/only-sub/ -> prefixes "
        f"{inner_prefixes}, files {inner_files}"
    )
    if ok:
        return ProbeRow("delimiter_subfolders", question, "yes", "ok", "yes", evidence)
    return ProbeRow("delimiter_subfolders", question, "no", "fail", "wrong listing", evidence)


#: MaxKeys of the delimiter pagination check, and the folder it lists (4 subfolders, 1 file).
_PAGE_ENTRIES = 2
_WIDE_TREE = ("wide/a/f", "wide/b/f", "wide/c/f", "wide/d", "wide/e/f")
#: What a delimiter listing of ``wide/`` holds, sorted: the subfolders and the file.
_WIDE_ENTRIES = ("a/", "b/", "c/", "d", "e/")


def check_delimiter_max_keys(ctx: ProbeContext) -> ProbeRow:
    """A delimiter listing counts common prefixes toward MaxKeys, and its pages continue
    without losing or repeating an entry.

    AWS counts keys and common prefixes together against ``MaxKeys``; a server that counts keys
    only returns pages larger than asked for; one that mixes the two up across continuation
    tokens loses or repeats folders of a folder with more than one page of children.
    """
    question = "Delimiter listing pages count common prefixes toward MaxKeys"
    bucket, client = ctx.target.bucket, ctx.client
    base = ctx.scratch.prefix + "wide/"
    for name in _WIDE_TREE:
        client.put_object(Bucket=bucket, Key=ctx.scratch.key(name), Body=b"w")
    pages: list[int] = []
    seen: list[str] = []
    request: dict[str, Any] = {"Bucket": bucket, "Prefix": base, "Delimiter": "/",
                               "MaxKeys": _PAGE_ENTRIES}  # fmt: skip
    while len(pages) <= len(_WIDE_TREE):  # a server that never stops paging is an answer too
        page = client.list_objects_v2(**request)
        entries = [str(p["Prefix"])[len(base) :] for p in page.get("CommonPrefixes", [])]
        entries += [str(c["Key"])[len(base) :] for c in page.get("Contents", [])]
        pages.append(len(entries))
        seen += entries
        token = page.get("NextContinuationToken")
        if not page.get("IsTruncated") or not token:
            break
        request["ContinuationToken"] = token
    expected = list(_WIDE_ENTRIES)
    complete = sorted(seen) == expected
    bounded = all(n <= _PAGE_ENTRIES for n in pages)
    evidence = (
        f"{len(expected)} entries (4 folders, 1 file) listed with Delimiter=/ and "
        f"MaxKeys={_PAGE_ENTRIES} -> pages of {pages} entries: {sorted(seen)}"
    )
    data = {"pages": pages, "entries": seen}
    if complete and bounded:
        return ProbeRow("delimiter_max_keys", question, "yes", "ok", "yes", evidence, data=data)
    if complete:
        return ProbeRow("delimiter_max_keys", question, "partial", "warn",
                        "pages exceed MaxKeys (common prefixes not counted)", evidence,
                        data=data)  # fmt: skip
    return ProbeRow("delimiter_max_keys", question, "no", "fail",
                    "entries lost or repeated across pages", evidence, data=data)  # fmt: skip


def check_pagination(ctx: ProbeContext) -> ProbeRow:
    """ListObjectsV2 beyond 1,000 keys: continuation tokens, order, no duplicates, no loss."""
    question = "ListObjectsV2 pagination beyond 1,000 keys"
    bucket, client = ctx.target.bucket, ctx.client
    count = 1001
    keys = [ctx.scratch.key(f"pages/k{n:05d}") for n in range(count)]
    writer = make_client(
        ctx.target,
        checksum_when_required=bool(ctx.facts.get("checksum_when_required")),
        max_pool_connections=8,
    )
    import time

    start = time.perf_counter()
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda k: writer.put_object(Bucket=bucket, Key=k, Body=b""), keys))
    finally:
        writer.close()
    put_seconds = time.perf_counter() - start
    pages: list[int] = []
    listed: list[str] = []
    started = time.perf_counter()
    paginator = client.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=ctx.scratch.prefix + "pages/"):
        contents = page.get("Contents", [])
        pages.append(len(contents))
        listed.extend(item["Key"] for item in contents)
    list_seconds = time.perf_counter() - started
    ok = listed == sorted(set(listed)) and listed == keys and len(pages) >= 2
    evidence = (
        f"{count} keys written in {put_seconds:.1f} s (8 threads); listed in {list_seconds:.2f} s "
        f"as pages of {pages}; {'sorted, no duplicates, none missing' if ok else 'MISMATCH'}"
    )
    data = {"pages": pages, "put_seconds": put_seconds, "list_seconds": list_seconds}
    if ok:
        return ProbeRow("pagination", question, "yes", "ok", "yes", evidence, data=data)
    return ProbeRow("pagination", question, "no", "fail", "listing incomplete", evidence, data=data)
