"""Where the S3 servers the harness runs differ from AWS S3: the one table, in code.

Each :class:`Divergence` names a behaviour, what AWS documents (with the API reference page), what
it means for ``remote_store``, which conformance cases it affects, which probe check detects it on
a live service, and which target kinds are known to show it. Three consumers read this table and
nothing else:

* the conformance suite: a case listed here runs on an affected target as
  ``xfail(strict=True)`` with the divergence's reason (``effect="xfail"``: a server fix turns into
  an XPASS failure, so the row gets removed), or skips with it (``effect="skip"``: the outcome is
  a race, not a fixed answer);
* the qualification report (``remote-store-harness run``): probe findings map to the cases they
  explain through :attr:`Divergence.probe_check`;
* ``docs/targets.md``: its divergence table is :func:`markdown_table` verbatim (a test compares).

``targets`` holds target kinds (``moto``, ``rclone``, ...; TLS variants such as ``rclone-tls``
count as their base kind, see :func:`target_kind`). A divergence the harness itself corrects
(e.g. moto's non-atomic conditional multipart completion) is listed for the record with
``corrected_by_harness=True``; it drives no xfail.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Literal

__all__ = [
    "DIVERGENCES",
    "Divergence",
    "by_id",
    "for_case",
    "for_probe_check",
    "for_target",
    "markdown_table",
    "target_kind",
]

Effect = Literal["xfail", "skip"]


@dataclass(frozen=True)
class Divergence:
    """One known difference between a server and AWS S3 (see the module docstring)."""

    id: str
    behaviour: str
    aws: str  # AWS's documented behaviour + API reference name
    consequence: str  # in remote_store terms
    cases: tuple[str, ...]  # conformance test function names (fnmatch patterns, no params)
    probe_check: str | None  # probe check key that detects it
    targets: frozenset[str]  # target kinds known to show it, e.g. {"rclone"}
    #: What remote_store (or the harness) does about it, for the docs table.
    remedy: str = ""
    #: How an affected case runs on an affected target.
    effect: Effect = "xfail"
    #: The harness corrects it on its own target (listed for the record; drives no xfail).
    corrected_by_harness: bool = False

    def matches_case(self, test_name: str) -> bool:
        """Whether conformance function ``test_name`` (``[params]`` are ignored) is affected."""
        name = test_name.partition("[")[0]
        return any(fnmatchcase(name, pattern) for pattern in self.cases)

    @property
    def reason(self) -> str:
        """The xfail/skip reason: the divergence id and what the server does."""
        return f"{self.id}: {self.behaviour}"


DIVERGENCES: tuple[Divergence, ...] = (
    Divergence(
        id="conditional-put-ignored",
        behaviour="PutObject ignores If-None-Match: * and overwrites an existing object",
        aws="PutObject with If-None-Match: * fails with 412 PreconditionFailed when the key "
        "exists (API Reference: PutObject, If-None-Match)",
        consequence="overwrite=False with conditional_writes=True would silently replace the "
        "object; with conditional_writes=False it is a HEAD then a PUT, not race-free",
        cases=("test_racing_*_writers_without_overwrite_have_exactly_one_winner",),
        probe_check="conditional_put",
        targets=frozenset({"rclone"}),
        remedy="the probe detects it and recommends conditional_writes=False; racing writers "
        "are not detected (the race case skips)",
        effect="skip",
    ),
    Divergence(
        id="conditional-multipart-ignored",
        behaviour="CompleteMultipartUpload ignores If-None-Match: *",
        aws="CompleteMultipartUpload with If-None-Match: * fails with 412 PreconditionFailed "
        "when the key exists (API Reference: CompleteMultipartUpload, If-None-Match)",
        consequence="large (multipart) writes with overwrite=False are only as safe as the "
        "HEAD before them",
        cases=(),
        probe_check="conditional_multipart",
        targets=frozenset({"rclone"}),
        remedy="conditional_writes=False (recommended by the probe) checks with HEAD first",
    ),
    Divergence(
        id="conditional-multipart-not-atomic",
        behaviour="conditional CompleteMultipartUpload checks and stores in two steps: racing "
        "completes on one key can all succeed (24 racers gave 15 winners)",
        aws="of concurrent conditional writes to one key exactly one succeeds; the others get "
        "412 PreconditionFailed or 409 ConditionalRequestConflict (API Reference: "
        "CompleteMultipartUpload, If-None-Match)",
        consequence="a race test of overwrite=False through open_atomic could pass or fail for "
        "reasons unrelated to the client",
        cases=(),
        probe_check=None,
        targets=frozenset({"moto"}),
        remedy="the harness's moto application serialises conditional PutObject, "
        "CompleteMultipartUpload and CopyObject per key",
        corrected_by_harness=True,
    ),
    Divergence(
        id="conditional-copy-ignored",
        behaviour="CopyObject ignores If-None-Match: * on the destination (24 racing "
        "conditional copies all succeeded, also under the harness's per-key lock)",
        aws="CopyObject takes If-None-Match for the destination key and fails with 412 "
        "PreconditionFailed when it exists (API Reference: CopyObject, If-None-Match; in "
        "botocore's model)",
        consequence="none today: copy/move with overwrite=False check the destination with HEAD",
        cases=(),
        probe_check=None,
        targets=frozenset({"moto"}),
        remedy="not used by the library (copy and move are HEAD then CopyObject)",
    ),
    Divergence(
        id="chunked-upload-411",
        behaviour="answers 411 Length Required to botocore's aws-chunked uploads with trailing "
        "checksums (Transfer-Encoding: chunked, no Content-Length), which botocore sends over "
        "HTTPS only (rclone's own TLS and behind the harness TLS gateway alike)",
        aws="PutObject and UploadPart accept aws-chunked bodies with trailing checksums "
        "(x-amz-trailer, x-amz-decoded-content-length) (API Reference: PutObject; Signature "
        "Version 4: Transferring payload in multiple chunks)",
        consequence="every write fails unless the client sends checksums only where required",
        cases=(),
        probe_check="checksums",
        targets=frozenset({"rclone"}),
        remedy="the probe recommends config_kwargs request_checksum_calculation="
        '"when_required"; S3Backend names that option in the error it raises on a 411',
    ),
    Divergence(
        id="subfolder-only-prefix-dropped",
        behaviour="a delimiter listing omits folders that hold only subfolders (no "
        "CommonPrefix tree/only-sub/ while tree/only-sub/a/f1 exists): folders are built from "
        "the parents of objects, one level deep",
        aws="ListObjectsV2 with a Delimiter rolls every key up to the first delimiter after the "
        "prefix into one CommonPrefixes entry, whether or not an object sits directly in that "
        "folder (API Reference: ListObjectsV2, CommonPrefixes)",
        consequence="list_folders and iter_children miss folders that hold only subfolders "
        "(list_folders with max_depth also misses the folders below them); list_files and "
        "get_folder_info, which S3Backend answers from one flat listing, are unaffected",
        cases=(
            "test_list_folders_*_a_folder_holding_only_subfolders",
            "test_iter_children_includes_a_folder_holding_only_subfolders",
        ),
        probe_check="delimiter_subfolders",
        targets=frozenset(),
        remedy="none: the probe detects it (delimiter_subfolders) and the run reports the "
        "affected listing cases as server divergences",
    ),
    Divergence(
        id="copy-adds-mtime",
        behaviour="CopyObject adds an mtime user-metadata key to the destination",
        aws="CopyObject with MetadataDirective COPY copies the source's user metadata "
        "unchanged (API Reference: CopyObject, x-amz-metadata-directive)",
        consequence="copy and move destinations carry an extra 'mtime' metadata key",
        cases=("test_user_metadata_is_preserved_on_the_destination",),
        probe_check="copy_metadata",
        targets=frozenset({"rclone"}),
        remedy="none: the key is the server's, the library reports what is stored",
    ),
    Divergence(
        id="copy-replace-merges",
        behaviour="CopyObject with MetadataDirective REPLACE merges the new metadata into the "
        "old instead of replacing it",
        aws="REPLACE stores exactly the metadata given in the request (API Reference: "
        "CopyObject, x-amz-metadata-directive)",
        consequence="none today: remote_store copies with COPY only",
        cases=(),
        probe_check="copy_metadata",
        targets=frozenset({"rclone"}),
        remedy="not used by the library",
    ),
    Divergence(
        id="metadata-key-case",
        behaviour="user-metadata keys come back title-cased (X-Amz-Meta-Owner -> Owner)",
        aws="user-defined metadata keys are stored and returned in lower case (User Guide: "
        "Working with object metadata; API Reference: HeadObject, x-amz-meta-*)",
        consequence="metadata keys would differ in case between servers",
        cases=(),
        probe_check="metadata_case",
        targets=frozenset({"rclone"}),
        remedy="remote_store lower-cases metadata keys on read and write",
    ),
    Divergence(
        id="empty-listing-keycount",
        behaviour="ListObjectsV2 omits KeyCount when nothing matches",
        aws="KeyCount is always present (API Reference: ListObjectsV2, KeyCount)",
        consequence="a client reading KeyCount of an empty listing gets nothing",
        cases=(),
        probe_check=None,
        targets=frozenset({"rclone"}),
        remedy="S3Backend counts Contents when KeyCount is absent",
    ),
    Divergence(
        id="signatures-not-checked",
        behaviour="accepts any secret key: SigV4 signatures are not verified",
        aws="a wrong signature fails with 403 SignatureDoesNotMatch (API Reference: Error "
        "responses, SignatureDoesNotMatch)",
        consequence="wrong-credential paths (PermissionDenied) cannot be exercised",
        cases=(),
        probe_check=None,
        targets=frozenset({"moto"}),
        remedy="run signature-sensitive tests on the rclone target, which checks signatures",
    ),
    Divergence(
        id="long-keys-accepted",
        behaviour="accepts object keys longer than 1,024 bytes",
        aws="keys are at most 1,024 bytes of UTF-8; longer ones fail with 400 KeyTooLongError "
        "(User Guide: Naming Amazon S3 objects; API Reference: Error responses)",
        consequence="a key-length problem shows only on a real service",
        cases=(),
        probe_check=None,
        targets=frozenset({"moto"}),
        remedy="none yet (the library does not check key length)",
    ),
)


def target_kind(name: str) -> str:
    """The base kind of a target name: ``rclone-tls`` counts as ``rclone``."""
    return name.removesuffix("-tls")


def by_id(divergence_id: str) -> Divergence:
    """The divergence called ``divergence_id`` (KeyError if none is)."""
    for divergence in DIVERGENCES:
        if divergence.id == divergence_id:
            return divergence
    raise KeyError(divergence_id)


def for_target(target: str) -> tuple[Divergence, ...]:
    """Divergences known on ``target`` (a kind or a TLS variant of one)."""
    kind = target_kind(target)
    return tuple(d for d in DIVERGENCES if kind in d.targets)


def for_probe_check(check: str) -> tuple[Divergence, ...]:
    """Divergences the probe check ``check`` detects."""
    return tuple(d for d in DIVERGENCES if d.probe_check == check)


def for_case(test_name: str, target: str) -> Divergence | None:
    """The divergence that decides conformance case ``test_name`` on ``target``, if any.

    Divergences the harness corrects never decide a case.
    """
    for divergence in for_target(target):
        if not divergence.corrected_by_harness and divergence.matches_case(test_name):
            return divergence
    return None


_KINDS_IN_DOCS = ("moto", "rclone")


def markdown_table() -> str:
    """The divergence table of ``docs/targets.md`` (one row per divergence)."""
    header = ["Id", "Behaviour", "AWS (documented)", *_KINDS_IN_DOCS, "What remote_store does"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for d in DIVERGENCES:
        shown = [
            ("corrected by the harness" if d.corrected_by_harness else "differs")
            if kind in d.targets
            else "as AWS"
            for kind in _KINDS_IN_DOCS
        ]
        cells = [f"`{d.id}`", d.behaviour, d.aws, *shown, d.remedy]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"
