"""The progress display: plain lines off a terminal, one rewritten status line on a terminal."""

from __future__ import annotations

import io

from remote_store_harness.cli._progress import Progress


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_plain_mode_prints_one_line_per_case_with_counts_and_elapsed_time() -> None:
    stream, clock = io.StringIO(), _Clock()
    progress = Progress(stream, tty=False, clock=clock)
    progress.suite_started("conformance", 2)
    clock.now += 65
    progress.case_finished("conformance", "test_a[memory]", "passed", 0.5)
    progress.case_finished("conformance", "test_b[s3-http]", "failed", 1.25, "boom")
    lines = stream.getvalue().splitlines()
    assert lines == [
        "[conformance] started: 2 cases",
        "[conformance 1/2 01:05] PASS test_a[memory] (0.50s)",
        "[conformance 2/2 01:05] FAIL test_b[s3-http] (1.25s) -- boom",
    ]


def test_plain_mode_never_writes_control_characters() -> None:
    stream = io.StringIO()
    progress = Progress(stream, tty=False)
    progress.suite_started("probe", None)
    progress.case_finished("probe", "question", "yes", 0.1)
    progress.suite_finished("probe")
    assert "\r" not in stream.getvalue() and "\x1b" not in stream.getvalue()


def test_suite_summary_line_carries_the_counts() -> None:
    stream, clock = io.StringIO(), _Clock()
    progress = Progress(stream, tty=False, clock=clock)
    progress.suite_started("scenarios", 3)
    for outcome in ("passed", "passed", "skipped"):
        progress.case_finished("scenarios", "t", outcome, 0.0)
    clock.now += 3
    progress.suite_finished("scenarios")
    assert stream.getvalue().splitlines()[-1] == (
        "[scenarios] finished in 00:03: 2 passed, 1 skipped"
    )


def test_tty_mode_rewrites_a_status_line_and_keeps_failures() -> None:
    stream = io.StringIO()
    progress = Progress(stream, tty=True)
    progress.suite_started("conformance", 2)
    progress.case_finished("conformance", "test_ok", "passed", 0.1)
    progress.case_finished("conformance", "test_bad", "failed", 0.1, "why")
    text = stream.getvalue()
    assert "\r\x1b[2K[conformance] 1/2 1 passed" in text
    assert "  FAIL test_bad: why\n" in text
    assert "PASS test_ok" not in text  # passing cases only ever appear on the status line


def test_collection_errors_before_the_count_belong_to_the_new_suite() -> None:
    stream = io.StringIO()
    progress = Progress(stream, tty=False)
    progress.suite_started("scenarios", 5)
    progress.case_finished("scenarios", "t", "passed", 0.0)
    progress.suite_started("bench", None)
    progress.case_finished("bench", "benchmarks/broken.py", "error", 0.0, "import failed")
    progress.suite_collected("bench", 2)
    progress.case_finished("bench", "benchmarks/ok.py::t", "passed", 0.0)
    lines = stream.getvalue().splitlines()
    assert lines[-3].startswith("[bench 1 ")  # total not known yet
    assert lines[-2] == "[bench] collected 2 cases"
    assert lines[-1].startswith("[bench 2/3 ")
