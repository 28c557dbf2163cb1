"""Our S3 clients' response parser answers exactly what botocore's answers, parsing once.

Each case runs the same response through what aiobotocore does with it (the
``before-parse`` handlers, then the endpoint's parser) on two clients of one session: one
with our parser installed, one untouched. The parsed dicts must be equal, key order included,
and so must the status code the handlers leave for the retry logic.
"""

from __future__ import annotations

import asyncio
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("aiobotocore")

from aiobotocore.session import AioSession

from remote_store.backends.s3._parser import install_parser
from remote_store.backends.s3._timestamps import parse_timestamp

NS = ' xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'


def _object(i: int) -> str:
    algorithms = "<ChecksumAlgorithm>CRC32</ChecksumAlgorithm>" * (1 + i % 2)
    restore = "true" if i % 3 else "false"
    return (
        f"<Contents><Key>d/k{i}%20x</Key><LastModified>2026-12-01T10:00:0{i}.000Z</LastModified>"
        f"<ETag>&quot;e{i}&quot;</ETag>{algorithms}<ChecksumType>FULL_OBJECT</ChecksumType>"
        f"<Size>{i}</Size><StorageClass>STANDARD</StorageClass>"
        f"<Owner><DisplayName></DisplayName><ID>id{i}</ID></Owner>"
        f"<RestoreStatus><IsRestoreInProgress>{restore}</IsRestoreInProgress>"
        "<RestoreExpiryDate>Wed, 02 Dec 2026 10:00:00 GMT</RestoreExpiryDate></RestoreStatus>"
        "<NotInTheModel>x</NotInTheModel></Contents>"
    )


LIST_PAGE = (
    f'<?xml version="1.0" encoding="UTF-8"?><ListBucketResult{NS}><Name>b</Name>'
    "<Prefix>d/</Prefix><KeyCount>4</KeyCount><MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter>"
    "<EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>"
    "<ContinuationToken>t0</ContinuationToken><NextContinuationToken>t1</NextContinuationToken>"
    + "".join(_object(i) for i in range(3))
    + "<CommonPrefixes><Prefix>d/a/</Prefix></CommonPrefixes></ListBucketResult>"
)
ONE_OBJECT = f"<ListBucketResult{NS}><KeyCount>1</KeyCount>{_object(1)}</ListBucketResult>"
EMPTY_LIST = (
    f"<ListBucketResult{NS}><Name>b</Name><Prefix>none/</Prefix><KeyCount>0</KeyCount>"
    "<MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>"
)
ERROR_BODY = "<Error><Code>InternalError</Code><Message>We encountered an error.</Message></Error>"

CASES: dict[str, tuple[str, int, dict[str, str], str]] = {
    "listing page": ("ListObjectsV2", 200, {"x-amz-request-charged": "requester"}, LIST_PAGE),
    "listing of one object": ("ListObjectsV2", 200, {}, ONE_OBJECT),
    "empty listing": ("ListObjectsV2", 200, {}, EMPTY_LIST),
    "listing 200 with an error body": ("ListObjectsV2", 200, {}, ERROR_BODY),
    "listing 200 cut short": ("ListObjectsV2", 200, {}, LIST_PAGE[:700]),
    "listing 503": ("ListObjectsV2", 503, {}, ERROR_BODY.replace("InternalError", "SlowDown")),
    "parts": (
        "ListParts",
        200,
        {},
        f"<ListPartsResult{NS}><Bucket>b</Bucket><Key>k</Key><UploadId>u</UploadId>"
        "<PartNumberMarker>0</PartNumberMarker><NextPartNumberMarker>2</NextPartNumberMarker>"
        "<MaxParts>1000</MaxParts><IsTruncated>false</IsTruncated>"
        "<Part><PartNumber>1</PartNumber><LastModified>2026-12-01T10:00:00.000Z</LastModified>"
        "<ETag>&quot;a&quot;</ETag><Size>5242880</Size></Part>"
        "<Part><PartNumber>2</PartNumber><ETag>&quot;b&quot;</ETag><Size>3</Size></Part>"
        "<Initiator><ID>i</ID></Initiator><StorageClass>STANDARD</StorageClass></ListPartsResult>",
    ),
    "delete objects": (
        "DeleteObjects",
        200,
        {},
        f"<DeleteResult{NS}><Deleted><Key>a</Key></Deleted><Deleted><Key>b</Key>"
        "<DeleteMarker>true</DeleteMarker></Deleted><Error><Key>c</Key><Code>AccessDenied</Code>"
        "<Message>Access Denied</Message></Error></DeleteResult>",
    ),
    "tagging": (
        "GetObjectTagging",
        200,
        {"x-amz-version-id": "v1"},
        f"<Tagging{NS}><TagSet><Tag><Key>a</Key><Value>1</Value></Tag>"
        "<Tag><Key>b</Key><Value></Value></Tag></TagSet></Tagging>",
    ),
    "copy": (
        "CopyObject",
        200,
        {"x-amz-version-id": "v2"},
        "<CopyObjectResult><LastModified>2026-12-01T10:00:00.000Z</LastModified>"
        "<ETag>&quot;c&quot;</ETag></CopyObjectResult>",
    ),
    "copy 200 with an error body": ("CopyObject", 200, {}, ERROR_BODY),
    "complete upload": (
        "CompleteMultipartUpload",
        200,
        {"x-amz-server-side-encryption": "AES256"},
        f"<CompleteMultipartUploadResult{NS}><Location>http://h/b/k</Location><Bucket>b</Bucket>"
        "<Key>k</Key><ETag>&quot;d-2&quot;</ETag></CompleteMultipartUploadResult>",
    ),
    "head": (
        "HeadObject",
        200,
        {
            "content-length": "3",
            "last-modified": "Tue, 01 Dec 2026 10:00:00 GMT",
            "etag": '"e"',
            "x-amz-meta-colour": "blue",
        },
        "",
    ),
}


@pytest.fixture(scope="module")
def clients() -> Iterator[tuple[Any, Any]]:
    """(ours, botocore's): two clients of one session, one of them given our parser.

    Both parse timestamps with ``parse_timestamp`` (equal to botocore's instants, but
    ``timezone.utc`` where dateutil says ``tzutc()``; tested on its own), so the comparison
    is about the parser alone.
    """
    loop = asyncio.new_event_loop()
    session = AioSession()
    session.get_component("response_parser_factory").set_parser_defaults(
        timestamp_parser=parse_timestamp
    )
    options = {"region_name": "us-east-1", "aws_access_key_id": "a", "aws_secret_access_key": "s"}
    makers = [session.create_client("s3", **options) for _ in range(2)]
    ours, theirs = (loop.run_until_complete(m.__aenter__()) for m in makers)
    install_parser(ours)
    yield ours, theirs
    for maker in makers:
        loop.run_until_complete(maker.__aexit__(None, None, None))
    loop.close()


def through_client(client: Any, case: tuple[str, int, dict[str, str], str]) -> tuple[str, int]:
    """What aiobotocore's endpoint does with one response: before-parse handlers, then parse."""
    operation, status, headers, body = case
    model = client.meta.service_model.operation_model(operation)
    response = {
        "status_code": status,
        "headers": {"x-amz-request-id": "r1", "x-amz-id-2": "h1", **headers},
        "body": body.encode(),
        "context": {"operation_name": operation},
    }

    async def parse() -> Any:
        await client.meta.events.emit(
            f"before-parse.s3.{operation}",
            operation_model=model,
            response_dict=response,
            customized_response_dict={},
        )
        parser = client._endpoint._response_parser_factory.create_parser("rest-xml")
        return await parser.parse(response, model.output_shape)

    parsed = asyncio.new_event_loop().run_until_complete(parse())
    return json.dumps(parsed, default=repr), response["status_code"]


@pytest.mark.parametrize("case", list(CASES))
def test_every_response_parses_exactly_as_botocore_parses_it(
    clients: tuple[Any, Any], case: str
) -> None:
    ours, theirs = clients
    assert through_client(ours, CASES[case]) == through_client(theirs, CASES[case])


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("listing 200 with an error body", 500),
        ("listing 200 cut short", 500),
        ("listing page", 200),
    ],
)
def test_a_200_listing_is_still_checked_for_an_embedded_error(
    clients: tuple[Any, Any], case: str, status: int
) -> None:
    """S3 can answer 200 with an error or a cut body: botocore retries those as a 500."""
    ours, _ = clients
    assert through_client(ours, CASES[case])[1] == status


def test_a_listing_page_is_parsed_as_xml_once(
    clients: tuple[Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []

    class Counting(ET.XMLParser):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            made.append("parser")
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(ET, "XMLParser", Counting)
    ours, theirs = clients
    through_client(theirs, CASES["listing page"])
    assert len(made) == 2  # botocore: its 200-error check, then its parser
    made.clear()
    through_client(ours, CASES["listing page"])
    assert len(made) == 1


def test_installing_twice_changes_nothing(clients: tuple[Any, Any]) -> None:
    ours, _ = clients
    factory = ours._endpoint._response_parser_factory
    install_parser(ours)
    assert ours._endpoint._response_parser_factory is factory
    assert through_client(ours, CASES["listing 200 with an error body"])[1] == 500
