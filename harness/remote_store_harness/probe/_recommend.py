"""Turn probe answers into a ``remote_store`` S3 configuration (YAML and Python) for the target.

Only settings the probe has evidence for are emitted; each deviation from the defaults comes with
a note that names the row that caused it. Credentials are never written out: the YAML refers to
``${AWS_ACCESS_KEY_ID}`` (load with ``resolve_env_vars=True``), the Python reads ``os.environ``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._client import ProbeTarget
from ._model import ProbeRow

__all__ = ["Recommendation", "recommend"]

_KEY_ENV = "AWS_ACCESS_KEY_ID"
_SECRET_ENV = "AWS_SECRET_ACCESS_KEY"


@dataclass(frozen=True)
class Recommendation:
    """Backend options for ``BackendConfig(type="s3", options=...)`` plus the reasons for them."""

    options: dict[str, Any]
    notes: list[str] = field(default_factory=list)

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
        return {"options": self.options, "notes": self.notes}


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
        "endpoint_url": target.endpoint_url,
        "region_name": target.region,
    }
    tls = by_check.get("tls")
    if target.is_tls and tls is not None and tls.verdict == "yes":
        origin = tls.data.get("ca_origin")
        if origin != "certifi (boto3 default)" and tls.data.get("ca_path"):
            options["tls_ca_bundle"] = tls.data["ca_path"]
            notes.append(f"tls_ca_bundle: the chain verifies with the CA from {origin}")
    elif target.is_tls and tls is not None:
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
        target.addressing == "virtual" and virtual_row is not None and virtual_row.verdict == "yes"
    ):
        style = "virtual"
    config_kwargs["s3"] = {"addressing_style": style}
    if target.proxy_url is not None:
        config_kwargs["proxies"] = {"http": target.proxy_url, "https": target.proxy_url}
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
    return Recommendation(options=options, notes=notes)
