"""The benchmark report: parsing pytest-benchmark JSON, the listing cost model, Markdown, charts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from remote_store_harness._events import format_duration
from remote_store_harness.cli import main as cli_main
from remote_store_harness.errors import BenchDataError
from remote_store_harness.report._bench_charts import listing_figure
from remote_store_harness.report._bench_data import (
    ListingCase,
    fit_listing,
    listing_tables,
    load_run,
)
from remote_store_harness.report._bench_report import main, operation_ratios, render


def _bench(name: str, extra: dict[str, Any], median: float = 9.0) -> dict[str, Any]:
    return {"name": name, "group": "g", "stats": {"median": median}, "extra_info": extra}


def _listing(strategy: str, latency_ms: float, seconds: float, requests: int, **kw: Any) -> Any:
    extra = {
        "kind": "listing",
        "tree": kw.pop("tree", "wide"),
        "size": "ci",
        "strategy": strategy,
        "shape": "flat",
        "raw": False,
        "latency_ms": latency_ms,
        "objects": kw.pop("objects", 2000),
        "folders": 201,
        "requests": {"ListObjectsV2": requests},
        "requests_total": requests,
        "wall_seconds": seconds,
        "server_seconds": kw.pop("server", 0.1),
        "client_seconds": 0.05,
        "injected_seconds": requests * latency_ms / 1000,
        "listing_mode": kw.pop("mode", "indexed"),
        "concurrency": kw.pop("concurrency", 1),
    }
    extra.update(kw)
    return _bench(f"test_listing[{strategy}-{latency_ms}]", extra)


def _op(operation: str, client: str, seconds: float, requests: dict[str, int]) -> Any:
    return _bench(
        f"test_operation[{operation}-{client}]",
        {
            "kind": "operation",
            "operation": operation,
            "client": client,
            "bytes": 1024,
            "requests": requests,
            "requests_total": sum(requests.values()),
            "wall_seconds": seconds,
            "server_seconds": 0.0,
        },
    )


def _write(tmp_path: Path, benchmarks: list[Any]) -> Path:
    path = tmp_path / "run.json"
    path.write_text(
        json.dumps(
            {
                "machine_info": {"python_version": "3.11.7", "machine": "x86_64"},
                "commit_info": {"id": "0123456789abcdef"},
                "datetime": "2026-01-01T00:00:00",
                "benchmarks": benchmarks,
            }
        )
    )
    return path


def _cases(points: list[tuple[float, float]], requests: int, concurrency: int = 1) -> list[Any]:
    return [
        ListingCase(
            tree="wide", size="ci", strategy="s", shape="traversal", raw=False,
            latency_ms=lat, objects=2000, folders=201, requests={"ListObjectsV2": requests},
            requests_total=requests, seconds=sec, server_seconds=0.2, client_seconds=0.1,
            injected_seconds=0.0, listing_mode="indexed", overlapped=False,
            concurrency=concurrency,
        )
        for lat, sec in points
    ]  # fmt: skip


def test_sequential_strategy_pays_one_round_trip_per_request() -> None:
    fit = fit_listing(_cases([(0, 0.5), (5, 1.5), (20, 4.5)], requests=200))
    assert fit is not None
    assert fit.slope == 200
    assert fit.base_seconds == pytest.approx(0.5)
    assert fit.effective_concurrency == pytest.approx(1)


def test_thread_pool_slope_is_fitted_and_gives_effective_concurrency() -> None:
    # 200 requests, 10 in flight on average: 20 round trips on the critical path.
    points = [(0, 1.0), (5, 1.1), (20, 1.4)]
    fit = fit_listing(_cases(points, requests=200, concurrency=16))
    assert fit is not None
    assert fit.slope == pytest.approx(20)
    assert fit.effective_concurrency == pytest.approx(10)
    assert fit.max_error == pytest.approx(0, abs=1e-9)


def test_thread_pool_slope_never_claims_more_concurrency_than_threads() -> None:
    fit = fit_listing(_cases([(0, 1.0), (20, 1.0)], requests=160, concurrency=16))
    assert fit is not None
    assert fit.slope == pytest.approx(10)  # 160 / 16, not the fitted 0


def test_projection_scales_linearly_with_the_object_count() -> None:
    fit = fit_listing(_cases([(0, 0.5), (20, 4.5)], requests=200))
    assert fit is not None
    assert fit.predict(0.05, 2_000_000) == pytest.approx(1000 * (0.5 + 200 * 0.05))


def test_stock_listing_mode_takes_server_time_out_of_the_base() -> None:
    fit = fit_listing(_cases([(0, 0.5), (20, 4.5)], requests=200), subtract_server=True)
    assert fit is not None
    assert fit.base_seconds == pytest.approx(0.3)


def test_fit_refuses_cases_of_different_strategies() -> None:
    a, b = _cases([(0, 1.0), (5, 1.0)], requests=2)
    b = ListingCase(**{**b.__dict__, "strategy": "other"})
    with pytest.raises(ValueError):
        fit_listing([a, b])


def test_timing_is_the_measured_call_not_the_whole_round(tmp_path: Path) -> None:
    run = load_run(_write(tmp_path, [_listing("store-recursive", 0, 0.25, 2)]))
    assert run.listing[0].seconds == 0.25  # wall_seconds, not stats.median (9.0)


def test_timing_falls_back_to_pytest_benchmark_median(tmp_path: Path) -> None:
    case = _listing("store-recursive", 0, 0.25, 2)
    del case["extra_info"]["wall_seconds"]
    run = load_run(_write(tmp_path, [case]))
    assert run.listing[0].seconds == 9.0


def test_operation_ratio_is_ours_over_raw(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            _op("delete", "store", 0.004, {"HeadObject": 1, "DeleteObject": 1}),
            _op("delete", "boto3", 0.002, {"DeleteObject": 1}),
            _op("delete", "s3fs", 0.008, {"DeleteObject": 1}),
        ],
    )
    ratios = operation_ratios(load_run(path).operations)
    assert ratios["delete"]["boto3"] == {"seconds": pytest.approx(2.0), "requests": 2.0}
    assert ratios["delete"]["s3fs"]["seconds"] == pytest.approx(0.5)


def test_report_tabulates_requests_and_seconds_per_strategy_and_latency(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            _listing("store-recursive", 0, 0.3, 2),
            _listing("store-recursive", 20, 0.34, 2),
            _listing("store-traversal-seq", 0, 2.0, 201),
            _listing("store-traversal-seq", 20, 6.0, 201),
        ],
    )
    report = render(load_run(path), tmp_path / "out", charts=False)
    text = report.read_text()
    assert "| strategy | requests | time @ 0 ms | time @ 20 ms |" in text
    assert "| `store-recursive` | 2 | 300 ms | 340 ms |" in text
    assert "| `store-traversal-seq` | 201 | 2 s | 6 s |" in text
    assert "| `store-traversal-seq` | x100.5 | x6.7 | x17.6 |" in text  # ratio to the flat stream
    assert "indexed listing" in text
    assert "## Cost model" in text


def test_report_says_server_time_is_subtracted_on_stock_moto(tmp_path: Path) -> None:
    path = _write(tmp_path, [_listing("store-recursive", 0, 0.3, 2, mode="stock")])
    text = render(load_run(path), tmp_path / "out", charts=False).read_text()
    assert "**subtracts** the measured server time" in text


def test_report_flags_a_stream_that_missed_the_memory_goal(tmp_path: Path) -> None:
    stream = _bench(
        "test_streaming[write]",
        {
            "kind": "stream",
            "operation": "open_atomic write",
            "bytes": 1024**3,
            "requests": {"UploadPart": 128},
            "wall_seconds": 10.0,
            "peak_rss_growth_bytes": 100 * 1024**2,
            "rss_goal_bytes": 64 * 1024**2,
        },
    )
    text = render(load_run(_write(tmp_path, [stream])), tmp_path / "o", charts=False).read_text()
    assert (
        "| open_atomic write | 1024 MiB | 10 s | 102 | 128 UploadPart | 100.0 MiB | **no** |"
        in (text)
    )


def test_charts_are_written_as_png(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    path = _write(
        tmp_path,
        [
            _listing("store-recursive", 0, 0.3, 2),
            _listing("store-recursive", 20, 0.34, 2),
            _op("exists hit", "store", 0.004, {"HeadObject": 1}),
            _op("exists hit", "boto3", 0.002, {"HeadObject": 1}),
        ],
    )
    out = tmp_path / "results"
    text = render(load_run(path), out).read_text()
    for name in ("listing-wide.png", "operations-ratio.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"]({name})" in text


def test_cli_subcommand_writes_the_report(tmp_path: Path) -> None:
    path = _write(tmp_path, [_listing("store-recursive", 0, 0.3, 2)])
    out = tmp_path / "results"
    assert cli_main(["bench-report", str(path), "--out", str(out), "--no-charts"]) == 0
    assert (out / "report.md").is_file()
    assert not list(out.glob("*.png"))


def test_json_without_benchmark_cases_exits_2_with_a_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, [_bench("test_other", {"something": 1})])
    assert main([str(path), "--out", str(tmp_path / "o")]) == 2
    assert "no remote-store benchmark cases" in capsys.readouterr().err


def test_file_that_is_not_pytest_benchmark_json_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"hello": 1}')
    with pytest.raises(BenchDataError, match="not pytest-benchmark JSON"):
        load_run(path)


def test_bad_projection_arguments_exit_2(tmp_path: Path) -> None:
    path = _write(tmp_path, [_listing("store-recursive", 0, 0.3, 2)])
    assert main([str(path), "--out", str(tmp_path / "o"), "--rtt-ms", "fast"]) == 2


def test_operations_table_shows_requests_seconds_and_ratios(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            _op("delete", "store", 0.004, {"HeadObject": 1, "DeleteObject": 1}),
            _op("delete", "boto3", 0.002, {"DeleteObject": 1}),
        ],
    )
    text = render(load_run(path), tmp_path / "o", charts=False).read_text()
    assert (
        "| delete | 1 DeleteObject, 1 HeadObject | 1 DeleteObject | 4 ms | 2 ms | 2.00 | 2.00 |"
    ) in text
    assert "peer" not in text


def test_peer_results_get_their_own_columns(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            _op("exists hit", "store", 0.002, {"HeadObject": 1}),
            _op("exists hit", "peer", 0.004, {"HeadObject": 1, "ListObjectsV2": 1}),
        ],
    )
    text = render(load_run(path), tmp_path / "o", charts=False).read_text()
    assert "remote-store 0.33.0 (peer)" in text
    assert (
        "| exists hit | 1 HeadObject | 1 HeadObject, 1 ListObjectsV2 | 2 ms | 4 ms "
        "| 0.50 | 0.50 |" in text
    )


def _two_strategies() -> list[Any]:
    return [
        _listing("store-recursive", 0, 0.3, 2),
        _listing("store-recursive", 20, 0.34, 2),
        _listing("store-traversal-seq", 0, 2.0, 201),
        _listing("store-traversal-seq", 20, 6.0, 201),
    ]


def test_listing_chart_draws_the_numbers_of_the_listing_table(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    run = load_run(_write(tmp_path, _two_strategies()))
    [table] = listing_tables(run.listing)
    bars, lines = listing_figure(table).axes
    names = [label.get_text() for label in bars.get_xticklabels()]
    drawn_requests = dict(zip(names, (p.get_height() for p in bars.patches), strict=True))
    drawn_seconds = {
        str(line.get_label()): dict(zip(line.get_xdata(), line.get_ydata(), strict=True))
        for line in lines.get_lines()
    }
    assert set(drawn_requests) == set(drawn_seconds) == {"store-recursive", "store-traversal-seq"}
    text = render(run, tmp_path / "o", charts=False).read_text()
    for strategy, requests in drawn_requests.items():
        seconds = [format_duration(drawn_seconds[strategy][lat]) for lat in (0, 20)]
        assert f"| `{strategy}` | {requests:.0f} | {' | '.join(seconds)} |" in text


def test_listing_table_ratios_are_the_strategy_over_the_flat_stream(tmp_path: Path) -> None:
    [table] = listing_tables(load_run(_write(tmp_path, _two_strategies())).listing)
    assert table.request_ratio("store-traversal-seq") == pytest.approx(100.5)
    assert table.seconds_ratio("store-traversal-seq", 20) == pytest.approx(6.0 / 0.34)
    assert table.seconds_ratio("store-traversal-seq", 50) is None
