"""``remote-store-harness run``: qualify an S3 target (the embedded moto, or yours) and report.

Without --endpoint every suite runs against the embedded default: moto in every harness
topology (plain HTTP, TLS with the harness CA, forward proxy, virtual-host addressing). With
--endpoint URL --bucket NAME the probe and the conformance suite run against that service
instead, both through --proxy and with --addressing when given. The conformance suite runs its
s3-http id only (the endpoint exactly as given); --harness-topologies adds the harness' own TLS
gateway, forward proxy and virtual-host topologies in front of it. The probe writes only under
one fresh prefix of that bucket (checked empty first) and deletes exactly what it wrote, also on
Ctrl-C; the conformance suite uses one fresh prefix per test in that bucket and never creates
buckets there.

Suites: probe (boto3 only) and conformance (ships in the package) run from any install;
scenarios and bench are the repository's tests/scenarios and benchmarks/ (available when run
from a source checkout, otherwise left out) and always use the embedded moto. The report goes
to --report DIR (default ./harness-report).

--quick (about a minute of run time on an idle 2-core machine) still touches every embedded
topology: the probe on plain HTTP and on TLS+proxy+virtual-host; conformance on memory, s3-http
and s3-tls-proxy-virtual; the scenarios without their Squid, retry-backoff and cache-TTL cases;
the benchmark as flat-vs-traversal listing (request counts asserted) on one tree.

Verdict levels: "passed" (every selected suite ran tests and all passed), "passed with server
divergences" (every failure is a conformance case that a probe finding explains, e.g. the
server's CopyObject adds a metadata key; the report lists each divergence first), "failed" (any
unexplained failure, a suite that was unavailable, broke or executed no test, a probe check that
could not run). --strict makes divergences fail the run. Console, results.json, report.md/html
and the exit status always say the same.

Exit status: 0 passed or passed with server divergences (probe *findings* such as "conditional
writes not honoured" are reported, not failures); 1 failed;
2 bad arguments; 3 endpoint unreachable or TLS failure; 4 bucket missing or access refused;
5 the prefix is not empty; 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO, cast

from ..probe._errors import RunError, UsageError

__all__ = ["DESCRIPTION", "HELP", "NAME", "SUITES", "add_arguments", "main", "run"]

NAME = "run"
HELP = "qualify an S3 target (embedded moto by default) and write a report"
DESCRIPTION = (__doc__ or HELP).split("\n\n", 1)[1]

SUITES = ("conformance", "scenarios", "probe", "bench")
_SECRET_FLAGS = ("--key", "--s3-key", "--secret", "--s3-secret")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    target = parser.add_argument_group("target (default: the embedded moto in every topology)")
    target.add_argument("--endpoint", metavar="URL", help="S3 endpoint to qualify")
    target.add_argument("--bucket", metavar="NAME", help="existing bucket on --endpoint")
    target.add_argument("--ca", metavar="PEM", help="CA bundle that signs the endpoint's chain")
    target.add_argument(
        "--proxy",
        metavar="URL",
        help="HTTP(S) forward proxy for the endpoint (probe and conformance suite)",
    )
    target.add_argument(
        "--addressing",
        choices=("path", "virtual"),
        default="path",
        help="bucket addressing of the endpoint (probe and conformance suite; default path)",
    )
    target.add_argument("--key", metavar="ID", help="access key (default $AWS_ACCESS_KEY_ID)")
    target.add_argument(
        "--secret", metavar="KEY", help="secret key (default $AWS_SECRET_ACCESS_KEY)"
    )
    target.add_argument(
        "--region",
        metavar="NAME",
        default=None,
        help="region (default $AWS_DEFAULT_REGION or us-east-1)",
    )
    target.add_argument(
        "--prefix",
        metavar="PREFIX/",
        help="where the probe writes in --bucket (must be empty; default: a fresh unique prefix)",
    )
    parser.add_argument(
        "--suite",
        default=",".join(SUITES),
        metavar="LIST",
        help=f"comma-separated subset of {','.join(SUITES)} (default: all)",
    )
    parser.add_argument(
        "--report", metavar="DIR", default="harness-report", help="report directory"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a small subset of every suite that still covers every embedded topology (see "
        "above; about a minute)",
    )
    parser.add_argument(
        "--harness-topologies",
        action="store_true",
        help="against --endpoint, also run conformance through the harness' own TLS gateway, "
        "forward proxy and virtual-host addressing in front of it (default: the endpoint "
        "exactly as given)",
    )
    parser.add_argument(
        "--as-configured",
        action="store_true",
        help="run conformance against --endpoint without the probe's recommended options",
    )
    parser.add_argument(
        "--backend-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="S3Backend option for conformance against --endpoint (repeatable; dotted keys for "
        "nested options, e.g. client_options.config_kwargs.request_checksum_calculation="
        "when_required; VALUE is JSON when it parses)",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="S3Backend options (JSON/TOML/YAML mapping) for conformance against --endpoint",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="server divergences (failures a probe finding explains) fail the run too",
    )
    parser.add_argument(
        "--pytest-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="extra argument for the pytest suites (repeatable), e.g. --pytest-arg=-x",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """``remote-store-harness run ARGV`` in-process (tests use this; the console script too)."""
    from ._main import build_parser

    arguments = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(["run", *arguments])
    args.command_argv = ["remote-store-harness", "run", *arguments]
    return run(args)


# --- argument handling ----------------------------------------------------------------------


def _suites(text: str) -> list[str]:
    chosen = [s.strip() for s in text.split(",") if s.strip()]
    unknown = sorted(set(chosen) - set(SUITES))
    if unknown or not chosen:
        raise UsageError(
            f"--suite: unknown {unknown or 'empty list'}; choose from {','.join(SUITES)}"
        )
    return [s for s in SUITES if s in chosen]


def _redacted(argv: Sequence[str]) -> list[str]:
    """The command line as shown: secret flags' values and URL userinfo (``--proxy``) masked."""
    from remote_store._redact import redact_text

    return [redact_text(item) for item in _masked_flags(argv)]


def _masked_flags(argv: Sequence[str]) -> list[str]:
    out: list[str] = []
    hide_next = False
    for item in argv:
        if hide_next:
            out.append("***")
            hide_next = False
        elif item in _SECRET_FLAGS:
            out.append(item)
            hide_next = True
        elif any(item.startswith(flag + "=") for flag in _SECRET_FLAGS):
            out.append(item.split("=", 1)[0] + "=***")
        else:
            out.append(item)
    return out


def _external_target(args: argparse.Namespace) -> Any:
    from ..endpoint import Credentials, Endpoint
    from ..probe._client import ProbeTarget, validate_target

    if not args.bucket:
        raise UsageError("--endpoint needs --bucket NAME (an existing bucket the run may write to)")
    key = args.key or os.environ.get("AWS_ACCESS_KEY_ID")
    secret = args.secret or os.environ.get("AWS_SECRET_ACCESS_KEY")
    if not key or not secret:
        raise UsageError(
            "no credentials: pass --key/--secret or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
        )
    from remote_store._redact import has_userinfo, register_secret

    # Masked in the console, the reports and the JSON from now on (a proxy: its userinfo only).
    for credential in (key, secret):
        register_secret(credential)
    if args.proxy and has_userinfo(args.proxy):
        register_secret(args.proxy)
    credentials = Credentials(
        key,
        secret,
        region=args.region or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
        session_token=os.environ.get("AWS_SESSION_TOKEN") if not args.key else None,
    )
    endpoint = Endpoint(
        url=args.endpoint.rstrip("/"),
        credentials=credentials,
        ca_path=os.path.abspath(args.ca) if args.ca else None,
        proxy_url=args.proxy,
        addressing=args.addressing,
    )
    target = ProbeTarget(endpoint, bucket=args.bucket, label="external")
    validate_target(target)
    return target


def _check_args(args: argparse.Namespace) -> None:
    if args.endpoint is None:
        given = [
            flag
            for flag, value in (
                ("--bucket", args.bucket), ("--ca", args.ca), ("--proxy", args.proxy),
                ("--key", args.key), ("--secret", args.secret), ("--prefix", args.prefix),
                ("--harness-topologies", args.harness_topologies),
            )
            if value
        ]  # fmt: skip
        if given:
            raise UsageError(f"{', '.join(given)} only make sense with --endpoint URL")
    if args.prefix is not None and (not args.prefix.endswith("/") or args.prefix.startswith("/")):
        raise UsageError(f"--prefix must be relative and end with '/', got {args.prefix!r}")


# --- signals and output ---------------------------------------------------------------------


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM behaves like Ctrl-C, so that cleanup (``finally`` blocks) runs for both."""

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _progress_stream() -> TextIO:
    """A private duplicate of stdout (pytest's fd-level capture cannot swallow it), redacted."""
    sys.stdout.flush()
    try:
        raw: TextIO = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1, encoding="utf-8")
    except (OSError, ValueError, AttributeError):  # stdout without a descriptor (tests)
        raw = sys.stdout
    return cast(TextIO, _RedactingStream(raw))


class _RedactingStream:
    """Console text through the library's redaction: a proxy password never reaches stdout."""

    def __init__(self, raw: TextIO) -> None:
        self._raw = raw

    def write(self, text: str) -> int:
        from remote_store._redact import redact_text

        return self._raw.write(redact_text(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


# --- the run --------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    """Entry point of the subcommand; returns the exit status (see the module docstring)."""
    from ..targets import TargetError
    from ..topology import TopologyError

    try:
        return _run(args)
    except RunError as exc:
        return _fail(str(exc), exc.exit_code)
    except (TargetError, TopologyError) as exc:
        return _fail(f"the embedded target could not start: {exc}", 1)
    except ModuleNotFoundError as exc:
        from ._extras import missing_extra_message

        return _fail(missing_extra_message(exc), 1)
    except KeyboardInterrupt:
        print("remote-store-harness run: interrupted", file=sys.stderr)
        return 130


def _fail(message: str, code: int) -> int:
    sys.stdout.flush()
    from remote_store._redact import redact_text

    text = redact_text(" ".join(message.split()))
    print(f"remote-store-harness run: error: {text}", file=sys.stderr)
    return code


def _run(args: argparse.Namespace) -> int:
    from ..report._run_report import (
        RunRecord,
        collect_versions,
        recommendations_text,
        summary_text,
        write_report,
    )
    from ._progress import Progress

    started = time.perf_counter()
    command = _redacted(
        getattr(args, "command_argv", None) or ["remote-store-harness", *sys.argv[1:]]
    )
    suites = _suites(args.suite)
    _check_args(args)
    external = _external_target(args) if args.endpoint is not None else None
    report_dir = Path(args.report).resolve()
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(
            f"--report {args.report}: cannot create directory ({exc.strerror})"
        ) from None
    if external is not None:
        from ..probe._client import preflight

        preflight(external)  # fail in a second, with one line, before anything is written

    stream = _progress_stream()
    progress = Progress(stream)
    record = RunRecord(
        command=command,
        started_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        mode="external" if external is not None else "embedded",
        quick=bool(args.quick),
        versions=collect_versions(),
    )
    if external is not None:
        record.target = {
            "endpoint_url": external.endpoint.url, "bucket": external.bucket,
            "ca": external.endpoint.ca_path, "proxy": external.endpoint.proxy_url is not None,
            "addressing": external.endpoint.addressing, "region": external.endpoint.region,
        }  # fmt: skip
    progress.note(f"remote-store-harness run: {record.mode} target; suites {','.join(suites)}")
    aborted = ""
    try:
        with _sigterm_as_interrupt():
            _run_suites(args, suites, external, record, progress, report_dir)
    except KeyboardInterrupt:
        record.status = "interrupted"
        record.notes.append("interrupted (Ctrl-C/SIGTERM): results are partial; cleanup ran")
    except Exception as exc:
        aborted = f"the run stopped early: {type(exc).__name__}: {exc}"
        raise
    finally:
        record.wall_seconds = time.perf_counter() - started
        if record.status != "interrupted":
            from ..suites._verdict import FAILED, decide

            record.verdict = decide(record.suites, record.probes, strict=bool(args.strict))
            if aborted:
                record.verdict.reasons.append(" ".join(aborted.split())[:500])
                record.verdict.status = FAILED
            record.status = record.verdict.status
        paths = write_report(record, report_dir)
        stream.write("\n" + summary_text(record) + "\n")
        recommended = recommendations_text(record)
        stream.write("\n" + recommended if recommended else "")
        stream.write(f"\nReport: {paths['md']} | {paths['html']} | {paths['json']}\n")
        stream.flush()
        if stream is not sys.stdout:
            stream.close()
    if record.status == "interrupted":
        raise KeyboardInterrupt
    return int(record.verdict.exit_code)


#: Suites that only make sense on the embedded target, with the reason shown in the report.
_EMBEDDED_ONLY = {
    "bench": "benchmarks run on the embedded moto only (the probe measures the target's latency)",
    "scenarios": "scenarios exercise client environments (CA variables, proxies, caches) on "
    "harness topologies and create their own buckets; run them without --endpoint",
}


def _run_suites(
    args: argparse.Namespace,
    suites: list[str],
    external: Any,
    record: Any,
    progress: Any,
    report_dir: Path,
) -> None:
    from ..suites._runner import PACKAGED_SUITES, SuiteResult, locate_suites

    if "probe" in suites:
        if external is None:
            record.notes.append(
                "embedded target: no recommended remote_store config (its ports and CA exist "
                "only during the run); run with --endpoint to get one for your service"
            )
        if external is not None:
            from ..probe._run import run_probe

            record.probes.append(
                run_probe(external, quick=args.quick, prefix=args.prefix, progress=progress)
            )
        else:
            _probe_embedded(args, record, progress)
    pytest_suites = [s for s in suites if s != "probe"]
    if not pytest_suites:
        return
    root = locate_suites()
    for name in pytest_suites:
        if root is None and name not in PACKAGED_SUITES:
            # Asked for by name it fails the run; in the default set it is left out of it.
            status = "unavailable" if args.suite != ",".join(SUITES) else "not-applicable"
            record.suites.append(SuiteResult(
                name, status,
                note=f"the {name} suite ships with the source tree: run from a clone "
                     "(git clone ... && pip install -e '.[dev]')",
            ))  # fmt: skip
            progress.note(f"[{name}] unavailable: not run from a source checkout")
            continue
        if external is not None and name in _EMBEDDED_ONLY:
            # Asked for by name it cannot run (the run fails); in the default set it does not
            # apply to an external target and is left out of the verdict.
            status = "unavailable" if args.suite != ",".join(SUITES) else "not-applicable"
            record.suites.append(SuiteResult(name, status, note=_EMBEDDED_ONLY[name]))
            progress.note(f"[{name}] not run against --endpoint: {_EMBEDDED_ONLY[name]}")
            continue
        result = _run_pytest(name, root, args, external, progress, report_dir, record)
        record.suites.append(result)
        _collect_artifacts(name, record, report_dir)
        if result.status == "interrupted":
            raise KeyboardInterrupt


def _run_pytest(
    name: str,
    root: Path | None,
    args: argparse.Namespace,
    external: Any,
    progress: Any,
    report_dir: Path,
    record: Any,
) -> Any:
    from ..suites._quick import QUICK
    from ..suites._runner import run_pytest_suite

    extra: list[str] = ["-q"]
    environ: dict[str, str] = {}
    files: tuple[str, ...] = ()
    if args.quick and name in QUICK:
        selection = QUICK[name]
        files = selection.files
        if name == "conformance" and external is not None:
            extra += ["-m", "not slow"]  # the backend ids against --endpoint: see below
        else:
            extra += selection.args
            record.notes.append(f"--quick {name}: {selection.covers}")
            progress.note(f"[{name}] --quick: {selection.covers}")
    if name == "scenarios":
        environ["SCENARIO_MATRIX_PATH"] = str(report_dir / "scenario-matrix.json")
    if name == "bench":
        extra += ["--benchmark-json", str(report_dir / "bench.json")]
    secrets: list[str] = []
    if external is not None and name == "conformance":
        extra += ["-k", _external_ids(args, record)]
        extra += external.endpoint.pytest_args(bucket=external.bucket)
        secrets += external.endpoint.secret_values()
        extra += _conformance_options(args, record)
    extra = _merge_keywords([*extra, *args.pytest_arg])
    result = run_pytest_suite(
        name, root, extra, log_path=report_dir / f"pytest-{name}.log", progress=progress,
        environ=environ, files=files,
    )  # fmt: skip
    result.args = ["***" if a in secrets else a for a in result.args]
    return result


def _external_ids(args: argparse.Namespace, record: Any) -> str:
    """The ``-k`` selection of conformance ids against --endpoint, noted in the report.

    By default only ``s3-http``: the endpoint exactly as the user gave it (with their --proxy,
    --ca and --addressing). ``--harness-topologies`` adds the ids that put the harness' own TLS
    gateway, forward proxy and virtual-host addressing in front of it; a failure there can be
    the harness' and not the endpoint's, so they are opt-in.
    """
    from ..suites.conformance.backends.s3 import HARNESS_TOPOLOGY_IDS

    if not args.harness_topologies:
        return "s3-http"
    record.notes.append(
        "--harness-topologies: conformance also ran through the harness' own topologies in "
        f"front of the endpoint ({', '.join(HARNESS_TOPOLOGY_IDS[1:])})"
    )
    return " or ".join(HARNESS_TOPOLOGY_IDS)


#: Recommended options that describe the endpoint itself (the conformance run gets those from
#: the endpoint flags already).
_ENDPOINT_KEYS = frozenset({"bucket", "endpoint_url", "region_name", "tls_ca_bundle"})


def _flatten(options: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, value in options.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out += _flatten(value, dotted + ".")
        else:
            out.append((dotted, value))
    return out


def _conformance_options(args: argparse.Namespace, record: Any) -> list[str]:
    """``--s3-option`` arguments for conformance against --endpoint, recorded in the report.

    By default the probe's recommended options apply (so the suite tests the endpoint the way
    the probe says to configure it); ``--as-configured`` leaves them out; ``--backend-option``
    and ``--config`` add the user's own, which win.
    """
    import json

    chosen: dict[str, Any] = {}
    mode = "as-configured"
    recommended = next(
        (p.recommendation for p in record.probes if p.recommendation is not None), None
    )
    if not args.as_configured and recommended is not None:
        mode = "recommended by the probe"
        for key, value in _flatten(dict(recommended.options)):
            if key.partition(".")[0] not in _ENDPOINT_KEYS and key not in ("key", "secret"):
                chosen[key] = value
    elif not args.as_configured:
        mode = "as-configured (the probe did not run, so there is no recommendation)"
    if args.config:
        for key, value in _flatten(_read_config_file(args.config)):
            chosen[key] = value
    for text in args.backend_option:
        key, sep, raw = text.partition("=")
        if not sep or not key:
            raise UsageError(f"--backend-option expects KEY=VALUE, got {text!r}")
        try:
            chosen[key] = json.loads(raw)
        except ValueError:
            chosen[key] = raw
    if args.backend_option or args.config:
        mode += " + user options"
    record.conformance_options = {"mode": mode, "options": chosen}
    out: list[str] = []
    for key, value in chosen.items():
        out += ["--s3-option", f"{key}={json.dumps(value)}"]
    return out


def _read_config_file(path: str) -> dict[str, Any]:
    """S3Backend options from a JSON/TOML/YAML file (a mapping, or one with an ``options`` key)."""
    import json

    text = Path(path).read_text(encoding="utf-8")
    data: Any
    if path.endswith(".toml"):
        import tomllib

        data = tomllib.loads(text)
    elif path.endswith((".yaml", ".yml")):
        import yaml

        data = yaml.safe_load(text)
    else:
        data = json.loads(text)
    if isinstance(data, dict) and isinstance(data.get("options"), dict):
        data = data["options"]
    if not isinstance(data, dict):
        raise UsageError(f"--config {path}: expected a mapping of S3Backend options")
    return data


def _merge_keywords(argv: Sequence[str]) -> list[str]:
    """Every ``-k EXPR`` of *argv* joined with ``and`` into one (pytest keeps only the last, so a
    user's ``--pytest-arg=-k`` would otherwise drop the run's own selection, e.g. ``s3-http``)."""
    rest: list[str] = []
    keywords: list[str] = []
    items = iter(argv)
    for item in items:
        if item == "-k":
            keywords.append(next(items, ""))
        elif item.startswith("-k") and not item.startswith("--"):
            keywords.append(item[2:])
        else:
            rest.append(item)
    if keywords:
        rest += ["-k", " and ".join(f"({k})" for k in keywords)]
    return rest


def _collect_artifacts(name: str, record: Any, report_dir: Path) -> None:
    import json

    files = {"scenarios": "scenario-matrix.json", "bench": "bench.json"}
    if name not in files:
        return
    path = report_dir / files[name]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record.notes.append(f"{name}: no {files[name]} was written")
        return
    if name == "scenarios":
        record.scenario_matrix = data
    else:
        record.bench = data


def _embedded_specs(quick: bool) -> list[Any]:
    from ..topology import TopologySpec

    specs = [
        TopologySpec(),
        TopologySpec(tls=True, proxy="forward", addressing="virtual"),
    ]
    if not quick:
        specs.append(TopologySpec(tls=True, proxy="forward", proxy_auth=True, addressing="path"))
    return specs


#: How the embedded probes name their CA and proxy (no --ca / --proxy was given).
_EMBEDDED_CA = "the harness CA (embedded target)"
_EMBEDDED_PROXY = "the harness forward proxy"


def _probe_embedded(args: argparse.Namespace, record: Any, progress: Any) -> None:
    """Probe the embedded moto through each topology (one moto process shared by all)."""
    from ..probe._client import ProbeTarget
    from ..probe._run import run_probe
    from ..targets import MotoProcessTarget
    from ..topology import start_topology

    target = MotoProcessTarget().start()
    try:
        for index, spec in enumerate(_embedded_specs(args.quick)):
            bucket = f"harness-probe-{index}-{os.getpid()}"
            topology = start_topology(spec, target=target)
            try:
                topology.create_bucket(bucket)
                probe_target = ProbeTarget(
                    topology.endpoint, bucket=bucket, label=spec.label(), use_env_proxy=False,
                    ca_label=_EMBEDDED_CA, proxy_label=_EMBEDDED_PROXY,
                )  # fmt: skip
                report = run_probe(probe_target, quick=args.quick, progress=progress)
                # The embedded target's ports and CA file exist only during the run: a config
                # pointing at them would be wrong the moment the run ends, so none is given.
                report.recommendation = None
                record.probes.append(report)
            finally:
                topology.delete_bucket(bucket)
                topology.stop()
    finally:
        target.stop()
