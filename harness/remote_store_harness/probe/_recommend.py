"""Turn probe answers into a ``remote_store`` S3 configuration (YAML and Python) for the target.

Only settings the probe has evidence for are emitted; each deviation from the defaults comes with
a note that names the row that caused it. Every NO (or partial) answer also gets one line saying
what it means in ``remote_store`` terms (:data:`CONSEQUENCES`, :attr:`Recommendation.consequences`):
which methods return incomplete results, which guarantee is lost, which option restores it.
Credentials are never written out: the YAML refers to
``${AWS_ACCESS_KEY_ID}`` (load with ``resolve_env_vars=True``), the Python reads ``os.environ``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._client import ProbeTarget
from ._model import ProbeRow

__all__ = ["CONSEQUENCES", "UNSUPPORTED_CONSEQUENCES", "Recommendation", "consequence", "recommend"]

_KEY_ENV = "AWS_ACCESS_KEY_ID"
_SECRET_ENV = "AWS_SECRET_ACCESS_KEY"


@dataclass(frozen=True)
class Recommendation:
    """Backend options for ``BackendConfig(type="s3", options=...)`` plus the reasons for them."""

    options: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    #: One line per NO/partial answer: ``"<check> (<answer>): <what it means for remote_store>"``.
    consequences: list[str] = field(default_factory=list)

    def yaml(self, backend_name: str = "target") -> str:
        """A ``remote_store.ext.yaml.from_yaml(..., resolve_env_vars=True)`` document."""
        options = dict(self.options)
        options["key"] = "${" + _KEY_ENV + "}"
        options["secret"] = "${" + _SECRET_ENV + "}"
        lines = ["backends:", f"  {backend_name}:", "    type: s3", "    options:"]
        lines += _yaml_lines(options, indent=6)
        lines += ["stores:", "  data:", f"    backend: {backend_name}", '    root_path: ""']
        return "\n".join(lines) + "\n"

    def python(self, backend_name: str = "target") -> str:
        """Equivalent Python, reading the credentials from the environment."""
        pad = " " * 16
        body = "".join(f"{pad}{json.dumps(k)}: {_py(v, 16)},\n" for k, v in self.options.items())
        return (
            "import os\n\n"
            "from remote_store import BackendConfig, Registry, RegistryConfig, StoreProfile\n\n"
            "config = RegistryConfig(\n"
            "    backends={\n"
            f"        {json.dumps(backend_name)}: BackendConfig(\n"
            '            type="s3",\n'
            "            options={\n"
            f"{body}"
            f'{pad}"key": os.environ["{_KEY_ENV}"],\n'
            f'{pad}"secret": os.environ["{_SECRET_ENV}"],\n'
            "            },\n"
            "        ),\n"
            "    },\n"
            f'    stores={{"data": StoreProfile(backend={json.dumps(backend_name)})}},\n'
            ")\n"
            "with Registry(config) as registry:\n"
            '    store = registry.get_store("data")\n'
        )

    def to_json(self) -> dict[str, Any]:
        return {"options": self.options, "notes": self.notes, "consequences": self.consequences}


#: What a NO answer of each probe row means for a remote_store user. Every row name a check can
#: answer NO under has one, and every check name (a 405/501 answer turns any check into a NO under
#: its own name); ``tests/cli_run/test_recommend.py`` pins that. ``"<check>:partial"`` overrides
#: the line for a partial answer.
CONSEQUENCES: dict[str, str] = {
    "tls": "every request fails certificate verification: pass the CA that signs the server's "
    "certificate as tls_ca_bundle (or fix the server's chain)",
    "checksums": "the server does not return a correct SHA256 for an explicit checksum: "
    "integrity rests on ETag and size; keep response_checksum_validation=when_required",
    "addressing_path": "path-style requests (addressing_style=path, remote_store's default) do "
    "not reach the bucket: use addressing_style=virtual if virtual-host works, else nothing works",
    "addressing_virtual": "virtual-host names do not reach the bucket: keep "
    "addressing_style=path (the default)",
    "conditional_put": "write(..., overwrite=False) is not atomic: the server ignores "
    "If-None-Match, so with conditional_writes=True an existing object is silently replaced; set "
    "conditional_writes=False (HEAD then PUT: a documented race window between two writers)",
    "conditional_multipart": "large writes (multipart: write_stream, open_atomic) with "
    "overwrite=False are not protected by If-None-Match on CompleteMultipartUpload; set "
    "conditional_writes=False (HEAD before the upload: a documented race window)",
    "if_match": "If-Match is not honoured: a read that seeks reopens the object with If-Match "
    "and could splice bytes of two versions when the object is replaced during the read",
    "if_match:partial": "If-Match is honoured on one operation only; remote_store uses it on "
    "GetObject (a read that seeks reopens with If-Match): if GET ignores it, a read could splice "
    "bytes of two versions of an object replaced during the read",
    "metadata_case": "user-metadata keys come back in an unexpected form: "
    "get_file_info(...).metadata may not equal the metadata that was written",
    "copy_metadata": "copy and move destinations do not carry exactly the source's user "
    "metadata (keys added, dropped or merged by the server)",
    "delimiter_subfolders": "list_folders and iter_children return incomplete results: folders "
    "that hold only subfolders are missing (list_folders with max_depth also misses everything "
    "below them); list_files and get_folder_info use one flat listing and are unaffected",
    "delimiter_max_keys": "a folder with more than one page of children (1,000 files and "
    "subfolders) comes back with folders lost or repeated: list_folders and iter_children "
    "return wrong results for wide folders",
    "delimiter_max_keys:partial": "listings stay complete (S3Backend follows every "
    "continuation token), but a folder with many subfolders comes back in pages larger than "
    "MaxKeys: memory per page is not bounded by it",
    "multipart": "large writes (multipart: write_stream, open_atomic above the part size) store "
    "a wrong object: do not use this server for files that need more than one part",
    "multipart:partial": "aborted multipart uploads stay listed: interrupted large writes leave "
    "their parts stored (and billed); set a lifecycle rule that aborts incomplete uploads",
    "pagination": "listings beyond one page (1,000 keys) lose or repeat keys: list_files, "
    "list_folders, iter_children, glob and get_folder_info return wrong results for large "
    "folders",
    "clock_and_latency": "a small PUT and HEAD failed as unsupported: write, exists and "
    "get_file_info do not work against this server",
    "versioning": "none: versioning is off, so delete removes an object for good (no noncurrent "
    "versions are kept)",
}

#: What an unsupported operation (405/501/NotImplemented) means, where it says more than the
#: check's NO line (``probe._run`` uses it as the row's answer).
UNSUPPORTED_CONSEQUENCES: dict[str, str] = {
    "multipart": "abort unsupported: interrupted multipart uploads will leak their parts; set a "
    "lifecycle rule that aborts incomplete uploads",
}


def consequence(row: ProbeRow) -> str | None:
    """What *row*'s answer means for remote_store, or None when it is not a NO/partial answer."""
    if row.verdict not in ("no", "partial"):
        return None
    operation = row.data.get("unsupported_operation")
    if operation is not None:
        special = UNSUPPORTED_CONSEQUENCES.get(row.check)
        what = special or f"{operation} is not supported, so: {CONSEQUENCES[row.check]}"
        return f"{row.check} ({operation} unsupported): {what}"
    line = CONSEQUENCES.get(f"{row.check}:{row.verdict}") or CONSEQUENCES[row.check]
    return f"{row.check} ({row.answer}): {line}"


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if text == "" or any(c in text for c in ":#{}[],&*!|>'\"%@`") or text.strip() != text:
        return json.dumps(text)
    return text


def _yaml_lines(mapping: Mapping[str, Any], indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for key, value in mapping.items():
        if isinstance(value, Mapping):
            lines.append(f"{pad}{key}:")
            lines += _yaml_lines(value, indent + 2)
        else:
            lines.append(f"{pad}{key}: {_scalar(value)}")
    return lines


def _py(value: Any, indent: int) -> str:
    if isinstance(value, Mapping):
        pad = " " * (indent + 4)
        inner = ",\n".join(f"{pad}{json.dumps(k)}: {_py(v, indent + 4)}" for k, v in value.items())
        return "{\n" + inner + ",\n" + " " * indent + "}"
    if isinstance(value, bool):
        return "True" if value else "False"
    if value is None:
        return "None"
    return json.dumps(value) if isinstance(value, str) else repr(value)


def recommend(target: ProbeTarget, rows: Sequence[ProbeRow]) -> Recommendation:
    """Options for the target from the answers in *rows* (missing rows keep the defaults)."""
    by_check = {row.check: row for row in rows}
    notes: list[str] = []
    options: dict[str, Any] = {
        "bucket": target.bucket,
        "endpoint_url": target.endpoint.url,
        "region_name": target.endpoint.region,
    }
    tls = by_check.get("tls")
    if target.endpoint.is_tls and tls is not None and tls.verdict == "yes":
        origin = tls.data.get("ca_origin")
        if origin != "certifi (boto3 default)" and tls.data.get("ca_path"):
            options["tls_ca_bundle"] = tls.data["ca_path"]
            notes.append(f"tls_ca_bundle: the chain verifies with the CA from {origin}")
    elif target.endpoint.is_tls and tls is not None:
        notes.append("TLS does not verify: fix the CA bundle before using this target")

    conditional = by_check.get("conditional_put")
    multipart = by_check.get("conditional_multipart")
    if conditional is not None and conditional.verdict != "yes":
        options["conditional_writes"] = False
        notes.append(
            "conditional_writes=False: If-None-Match is not honoured on PUT "
            "(overwrite=False falls back to HEAD-then-PUT, which has a race window)"
        )
    elif multipart is not None and multipart.verdict != "yes":
        options["conditional_writes"] = False
        notes.append(
            "conditional_writes=False: If-None-Match works on PUT but not on "
            "CompleteMultipartUpload, so large no-overwrite writes would not be protected"
        )

    config_kwargs: dict[str, Any] = {}
    path_row, virtual_row = by_check.get("addressing_path"), by_check.get("addressing_virtual")
    style = "path"
    if path_row is not None and path_row.verdict != "yes" and virtual_row is not None:
        if virtual_row.verdict == "yes":
            style = "virtual"
            notes.append("addressing_style=virtual: path-style requests failed")
    elif (
        target.endpoint.addressing == "virtual"
        and virtual_row is not None
        and virtual_row.verdict == "yes"
    ):
        style = "virtual"
    config_kwargs["s3"] = {"addressing_style": style}
    proxy_url = target.endpoint.proxy_url
    if proxy_url is not None:
        config_kwargs["proxies"] = {"http": proxy_url, "https": proxy_url}
        notes.append("proxies: the target was reached through --proxy")
    checksums = by_check.get("checksums")
    if checksums is not None and not checksums.data.get("default_checksum_accepted", True):
        config_kwargs["request_checksum_calculation"] = "when_required"
        config_kwargs["response_checksum_validation"] = "when_required"
        notes.append("request_checksum_calculation=when_required: default CRC32 PUT was refused")
    options["client_options"] = {"config_kwargs": config_kwargs}

    clock = by_check.get("clock_skew")
    if clock is not None and clock.level in ("warn", "fail"):
        notes.append(f"fix the clock: {clock.answer}")
    versioning = by_check.get("versioning")
    if versioning is not None and versioning.level == "warn":
        notes.append("bucket versioning is on: deletes keep noncurrent versions")
    consequences = [line for line in map(consequence, rows) if line is not None]
    if checksums is not None and not checksums.data.get("default_checksum_accepted", True):
        consequences.append(
            "checksums (default CRC32 refused): every write with botocore's default checksums "
            "fails (e.g. HTTP 411 to aws-chunked uploads); set "
            'request_checksum_calculation="when_required" (recommended above)'
        )
    return Recommendation(options=options, notes=notes, consequences=consequences)
