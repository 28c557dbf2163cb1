"""Probe checks about the transport: TLS trust, addressing styles, clock, latency, versioning.

These answer "how must a client be configured to reach this service at all", as opposed to the
object-semantics checks in ``_probe_checks_obj``.
"""

from __future__ import annotations

import base64
import email.utils
import socket
import ssl
import statistics
import time
from typing import Any
from urllib.parse import unquote, urlsplit

from ._client import (
    Addressing,
    ProbeTarget,
    error_code,
    make_client,
    proxy_origin,
    resolve_ca,
)
from ._model import Level, ProbeContext, ProbeRow

__all__ = [
    "check_addressing",
    "check_clock_and_latency",
    "check_tls",
    "check_versioning",
]


# --- TLS ----------------------------------------------------------------------------------------


def _open_tunnel(target: ProbeTarget, timeout: float) -> socket.socket:
    """A TCP connection to the endpoint, through ``--proxy`` with CONNECT when one was given."""
    endpoint = target.endpoint
    if endpoint.proxy_url is None:
        return socket.create_connection((endpoint.host, endpoint.port), timeout=timeout)
    proxy = urlsplit(endpoint.proxy_url)
    sock = socket.create_connection((proxy.hostname or "", proxy.port or 80), timeout=timeout)
    authority = f"{endpoint.host}:{endpoint.port}"
    lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}"]
    if proxy.username is not None:
        token = f"{unquote(proxy.username)}:{unquote(proxy.password or '')}".encode()
        lines.append("Proxy-Authorization: Basic " + base64.b64encode(token).decode("ascii"))
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    reply = b""
    while b"\r\n\r\n" not in reply and len(reply) < 65536:
        chunk = sock.recv(4096)
        if not chunk:
            break
        reply += chunk
    status_line = reply.split(b"\r\n", 1)[0].decode("latin-1", "replace")
    if " 200" not in status_line:
        sock.close()
        raise OSError(f"proxy refused CONNECT {authority}: {status_line or 'no answer'}")
    return sock


def _handshake(target: ProbeTarget, cafile: str | None) -> tuple[bool, str, dict[str, Any]]:
    """Verify the endpoint's chain and host name against *cafile*; (ok, message, peer facts)."""
    context = ssl.create_default_context(cafile=cafile)
    try:
        with (
            _open_tunnel(target, timeout=5.0) as raw,
            context.wrap_socket(raw, server_hostname=target.endpoint.host) as tls,
        ):
            cert = tls.getpeercert() or {}
            version = tls.version() or "?"
    except ssl.SSLCertVerificationError as exc:
        return False, exc.verify_message or str(exc), {}
    except (ssl.SSLError, OSError) as exc:
        return False, f"{type(exc).__name__}: {exc}", {}
    subject = ", ".join("=".join(pair) for rdn in cert.get("subject", ()) for pair in rdn)
    issuer = ", ".join("=".join(pair) for rdn in cert.get("issuer", ()) for pair in rdn)
    alt_names: Any = cert.get("subjectAltName", ())
    names = [str(entry[1]) for entry in alt_names]
    facts = {
        "subject": subject,
        "issuer": issuer,
        "subject_alt_names": names,
        "not_after": cert.get("notAfter", ""),
        "tls_version": version,
    }
    return True, f"{version}; leaf {subject or '(no subject)'}; issuer {issuer}", facts


def _certifi_path() -> str | None:
    try:
        import certifi
    except ImportError:  # pragma: no cover - botocore depends on certifi
        return None
    return str(certifi.where())


def check_tls(ctx: ProbeContext) -> ProbeRow:
    """Does the chain verify with the CA the user gave (or boto3's default source)?"""
    target = ctx.target
    question = "TLS chain valid with the given CA"
    if not target.endpoint.is_tls:
        return ProbeRow(
            "tls", question, "n/a", "info", "plain HTTP endpoint: no TLS",
            f"endpoint {target.endpoint.url} uses http://; traffic is not encrypted",
        )  # fmt: skip
    source = resolve_ca(target)
    ok, message, facts = _handshake(target, source.path)
    default_ok, default_message, _ = (
        _handshake(target, _certifi_path()) if source.explicit else (ok, message, facts)
    )
    facts.update(ca_origin=source.origin, ca_path=source.path, default_trust_verifies=default_ok)
    via = f" via {proxy_origin(target)}" if target.endpoint.proxy_url else ""
    peer = f"{target.endpoint.host}:{target.endpoint.port}"
    if not ok:
        return ProbeRow(
            "tls", question, "no", "fail",
            f"does not verify with CA from {source.origin}",
            f"handshake with {peer}{via} using {source.path}: {message}",
            data=facts,
        )  # fmt: skip
    needs_bundle = source.origin != "certifi (boto3 default)" and not default_ok
    answer = f"yes, with CA from {source.origin}" + (
        " (required: the certifi bundle alone does not verify it)" if needs_bundle else ""
    )
    evidence = f"handshake with {peer}{via} using {source.path}: {message}"
    if source.explicit:
        evidence += f"; certifi bundle alone: {'verifies' if default_ok else default_message}"
    facts["tls_ca_bundle_required"] = needs_bundle
    return ProbeRow("tls", question, "yes", "ok", answer, evidence, data=facts)


# --- addressing ---------------------------------------------------------------------------------


def check_addressing(ctx: ProbeContext, style: Addressing) -> ProbeRow:
    """Does a ListObjectsV2 with *style* addressing reach the bucket (and which URL was used)?"""
    target = ctx.target
    check = f"addressing_{style}"
    question = f"{'Path' if style == 'path' else 'Virtual-host'}-style addressing supported"
    client = make_client(
        target,
        addressing=style,
        fast_fail=True,
        checksum_when_required=bool(ctx.facts.get("checksum_when_required")),
    )
    urls: list[str] = []
    client.meta.events.register("before-send.s3", lambda request, **_: urls.append(request.url))
    try:
        client.list_objects_v2(Bucket=target.bucket, Prefix=ctx.scratch.prefix, MaxKeys=1)
    except Exception as exc:  # any failure is the answer "no", with the reason as evidence
        code, status = error_code(exc)
        reason = f"HTTP {status} {code}" if status else f"{type(exc).__name__}: {exc}"
        sent = urls[-1] if urls else "(no request sent)"
        return ProbeRow(
            check, question, "no", "warn" if style == "virtual" else "fail",
            "no", f"ListObjectsV2 {sent} -> {reason}", data={"url": sent},
        )  # fmt: skip
    finally:
        client.close()
    sent = urls[-1] if urls else ""
    host = urlsplit(sent).hostname or ""
    used_virtual = host.startswith(target.bucket + ".")
    if style == "virtual" and not used_virtual:
        return ProbeRow(
            check, question, "n/a", "info",
            "not applicable: clients fall back to path-style for this endpoint",
            f"botocore sent {sent} (an IP-literal endpoint cannot carry the bucket in its name)",
            data={"url": sent},
        )  # fmt: skip
    return ProbeRow(
        check, question, "yes", "ok", "yes", f"ListObjectsV2 {sent} -> 200", data={"url": sent}
    )


# --- clock and latency --------------------------------------------------------------------------


def check_clock_and_latency(ctx: ProbeContext) -> tuple[ProbeRow, ProbeRow]:
    """Round-trip latency of HeadObject, and the server clock (``Date``) against ours."""
    client = ctx.client
    bucket = ctx.target.bucket
    key = ctx.scratch.key("latency/object")
    client.put_object(Bucket=bucket, Key=key, Body=b"latency probe")
    samples_ms: list[float] = []
    skews: list[float] = []
    for _ in range(10 if ctx.quick else 30):
        before_wall = time.time()
        start = time.perf_counter()
        response = client.head_object(Bucket=bucket, Key=key)
        samples_ms.append((time.perf_counter() - start) * 1000.0)
        after_wall = time.time()
        date = response["ResponseMetadata"]["HTTPHeaders"].get("date")
        if date:
            server = email.utils.parsedate_to_datetime(date).timestamp()
            # Date has 1 s resolution and is truncated: compare with the middle of its second.
            skews.append(server + 0.5 - (before_wall + after_wall) / 2.0)
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    median = statistics.median(ordered)
    latency = ProbeRow(
        "latency", "Round-trip latency (HeadObject, keep-alive)", "yes", "info",
        f"median {median:.1f} ms, p95 {p95:.1f} ms",
        f"{len(ordered)} sequential HeadObject calls on one client; min {ordered[0]:.1f} ms, "
        f"max {ordered[-1]:.1f} ms",
        data={"samples_ms": [round(s, 3) for s in samples_ms], "median_ms": median, "p95_ms": p95},
    )  # fmt: skip
    question = "Clock skew against the server's Date header"
    if not skews:
        clock = ProbeRow("clock_skew", question, "n/a", "warn", "server sent no Date header", "")
        return clock, latency
    skew = statistics.median(skews)
    level: Level = "ok" if abs(skew) < 60 else ("warn" if abs(skew) < 600 else "fail")
    clock = ProbeRow(
        "clock_skew", question, "yes", level,
        f"{skew:+.1f} s (server minus local, +/- 0.5 s)",
        f"median over {len(skews)} responses; SigV4 rejects requests more than 15 min off",
        data={"skew_seconds": skew},
    )  # fmt: skip
    return clock, latency


# --- versioning ---------------------------------------------------------------------------------


def check_versioning(ctx: ProbeContext) -> ProbeRow:
    """Versioned buckets keep deleted objects as noncurrent versions: cleanup cannot free them."""
    question = "Bucket versioning"
    try:
        status = ctx.client.get_bucket_versioning(Bucket=ctx.target.bucket).get("Status")
    except Exception as exc:  # not all services implement GetBucketVersioning
        code, http = error_code(exc)
        return ProbeRow(
            "versioning", question, "n/a", "info", "unknown",
            f"GetBucketVersioning -> {f'HTTP {http} {code}' if http else exc}",
        )  # fmt: skip
    if status == "Enabled":
        return ProbeRow(
            "versioning", question, "yes", "warn", "enabled",
            "deletes leave noncurrent versions and delete markers (also of this probe's objects)",
            data={"status": status},
        )  # fmt: skip
    return ProbeRow(
        "versioning", question, "no", "info", (status or "never enabled").lower(),
        f"GetBucketVersioning Status={status!r}", data={"status": status},
    )  # fmt: skip
