"""The request and proxy logs: thread-safe, secret-free, with marks that survive clear()."""

from __future__ import annotations

import threading

from remote_store_harness import ProxyLog, ProxyRecord, RequestLog, RequestRecord
from remote_store_harness.observe._requestlog import select_headers


def _record(log: RequestLog, operation: str = "GetObject", status: int = 200) -> RequestRecord:
    record = RequestRecord(
        seq=log.next_seq(), started_at=0.0, method="GET", host="h", path="/b/k", query="",
        operation=operation, status=status,
    )  # fmt: skip
    log.append(record)
    return record


def test_since_mark_returns_only_later_requests() -> None:
    log = RequestLog()
    _record(log)
    mark = log.mark()
    later = _record(log, "HeadObject")
    assert log.since(mark) == [later]


def test_clear_keeps_sequence_numbers_increasing() -> None:
    log = RequestLog()
    first = _record(log)
    log.clear()
    second = _record(log)
    assert len(log) == 1 and second.seq > first.seq


def test_count_and_operations_filter_records() -> None:
    log = RequestLog()
    _record(log, "GetObject")
    _record(log, "GetObject", status=404)
    _record(log, "PutObject")
    assert log.count(operation="GetObject") == 2
    assert log.count(status=404) == 1
    assert log.operations() == {"GetObject": 2, "PutObject": 1}


def test_concurrent_appends_lose_nothing() -> None:
    log = RequestLog()
    threads = [
        threading.Thread(target=lambda: [_record(log) for _ in range(500)]) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(log) == 4000
    assert len({r.seq for r in log.records()}) == 4000


def test_subscribers_see_new_records_until_unsubscribed() -> None:
    log = RequestLog()
    seen: list[RequestRecord] = []
    unsubscribe = log.subscribe(seen.append)
    first = _record(log)
    unsubscribe()
    _record(log)
    assert seen == [first]


def test_selected_headers_exclude_authorization_and_lower_case_names() -> None:
    headers = select_headers(
        [("Authorization", "AWS4-HMAC-SHA256 Credential=secret"), ("If-None-Match", "*"),
         ("Content-Length", "3"), ("X-Custom", "no")]
    )  # fmt: skip
    assert dict(headers) == {"if-none-match": "*", "content-length": "3"}


def test_proxy_log_counts_by_method() -> None:
    log = ProxyLog()
    for method in ("CONNECT", "GET", "CONNECT"):
        log.append(ProxyRecord(log.next_seq(), 0.0, method, "s3.test:443", None, 200, False))
    assert log.methods() == {"CONNECT": 2, "GET": 1}
    assert log.count(method="CONNECT", target="s3.test:443") == 2
