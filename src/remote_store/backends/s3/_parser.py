"""The response parser of our S3 clients: botocore's output, with less client CPU per listing.

A ``ListObjectsV2`` page of 1,000 objects cost botocore's REST-XML parser about three quarters
of the client CPU of a listing (measured on 20,000 objects), for three reasons, each removed
here without changing one value of the parsed response:

* **Two XML parses of every 200 body.** botocore's ``before-parse.s3.*`` handler
  (``_handle_200_error``) parses each body to see whether S3 embedded an error in a 200
  answer, then the parser parses it again. For ``ListObjectsV2`` the check moves into the
  parser and runs on the one tree it builds anyway; every other operation keeps botocore's
  handler as it is.
* **Generic structure walking.** For every ``<Contents>`` element botocore recomputes each
  member's XML name, strips namespaces with a regular expression and dispatches every scalar
  through ``getattr`` and a decorator. Here a plain structure (no XML attributes, no header or
  status-code members, no tagged union, not an exception) is walked from a plan computed once
  per shape; anything else, and every value that is not a single scalar element, goes through
  botocore's own code.
* **``dateutil`` timestamps**: see :mod:`._timestamps`.

The parser is installed on each client's endpoint (never on botocore's classes or a session),
so a user's own boto3/aiobotocore clients keep botocore's parser. If aiobotocore's layout is
not the known one, nothing is replaced and botocore's own behaviour stays in place.
``tests/unit/test_s3_parser.py`` pins that the output equals botocore's on the same bodies.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from typing import Any

from ._timestamps import parse_timestamp

__all__ = ["install_parser"]

_log = logging.getLogger("remote_store.backends.s3")

#: Output shapes whose 200-with-an-error check the parser does on its own tree.
_CHECKED_IN_PARSER = frozenset({"ListObjectsV2Output"})

#: One body member of a plain structure: (member name, XML name, scalar kind, member shape).
#: The kind is ``"string"`` (the text itself), another scalar type name, or ``None`` (a list,
#: structure or map: botocore's own handler).
_Step = tuple[str, str, str | None, Any]
_SCALARS = frozenset(
    {"string", "character", "integer", "long", "float", "double", "boolean", "timestamp", "blob"}
)

_PLANS: weakref.WeakKeyDictionary[Any, list[_Step] | None] = weakref.WeakKeyDictionary()


def _boolean(text: str) -> bool:
    return text == "true"


def _parser_class() -> type[Any]:
    from aiobotocore.parsers import AioRestXMLParser
    from botocore.handlers import ETree, XMLParseError

    class ListingParser(AioRestXMLParser):  # type: ignore[misc]
        """``AioRestXMLParser`` with one XML parse per response and planned structure walks."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._tree: Any = None
            self._tags: dict[str, str] = {}
            self._plans: dict[Any, list[_Step] | None] = {}
            self._scalars: dict[str, Callable[[str], Any]] = {
                "integer": int,
                "long": int,
                "float": float,
                "double": float,
                "boolean": _boolean,
                "timestamp": self._timestamp_parser,
                "blob": self._blob_parser,
            }

        async def parse(self, response: dict[str, Any], shape: Any) -> Any:
            if (
                shape is not None
                and shape.name in _CHECKED_IN_PARSER
                and response.get("status_code") == 200
                and response.get("body")
            ):
                # What botocore's _handle_200_error decides, on the tree parsed once.
                try:
                    parser = ETree.XMLParser(target=ETree.TreeBuilder(), encoding="utf-8")
                    parser.feed(response["body"])
                    root = parser.close()
                except XMLParseError:
                    root = None
                if root is None or root.tag == "Error":
                    response["status_code"] = 500
                    _log.debug("Error found for response with 200 status code")
                else:
                    self._tree = root
            return await super().parse(response, shape)

        def _initial_body_parse(self, xml_string: Any) -> Any:
            tree, self._tree = self._tree, None
            if tree is not None:
                return tree
            return super()._initial_body_parse(xml_string)

        def _plan(self, shape: Any) -> list[_Step] | None:
            try:
                return self._plans[shape]  # this response's shapes: a plain dict lookup
            except KeyError:
                pass
            try:
                plan = _PLANS[shape]
            except KeyError:
                plan = _PLANS[shape] = self._build_plan(shape)
            self._plans[shape] = plan
            return plan

        def _build_plan(self, shape: Any) -> list[_Step] | None:
            if shape.metadata.get("exception", False) or shape.is_tagged_union:
                return None
            plan: list[_Step] = []
            for name, member in shape.members.items():
                serialization = member.serialization
                if serialization.get("xmlAttribute"):
                    return None
                if serialization.get("location") in self.KNOWN_LOCATIONS or serialization.get(
                    "eventheader"
                ):
                    continue  # parsed from the headers or the status line, as botocore does
                kind = member.type_name
                if kind == "character":
                    kind = "string"
                plan.append(
                    (
                        name,
                        self._member_key_name(member, name),
                        kind if kind in _SCALARS else None,
                        member,
                    )
                )
            return plan

        def _handle_structure(self, shape: Any, node: Any) -> Any:
            plan = self._plan(shape)
            if plan is None or isinstance(node, list):
                return super()._handle_structure(shape, node)
            tags = self._tags
            children: dict[str, Any] = {}
            for item in node:
                raw = item.tag
                tag = tags.get(raw)
                if tag is None:
                    tag = tags[raw] = self._node_tag(item)
                seen = children.get(tag)
                if seen is None:
                    children[tag] = item
                elif isinstance(seen, list):
                    seen.append(item)
                else:
                    children[tag] = [seen, item]
            scalars = self._scalars
            parsed: dict[str, Any] = {}
            for name, xml_name, kind, member in plan:
                child = children.get(xml_name)
                if child is None:
                    continue
                if kind is None or isinstance(child, list):
                    parsed[name] = self._parse_shape(member, child)
                    continue
                text = child.text
                if text is None:
                    text = ""  # <Foo></Foo> is "", as in botocore
                parsed[name] = text if kind == "string" else scalars[kind](text)
            return parsed

    return ListingParser


def _check_200_error_elsewhere(operation_model: Any, response_dict: Any, **kwargs: Any) -> None:
    """botocore's ``_handle_200_error`` for every output the parser does not check itself."""
    output = operation_model.output_shape
    if output is not None and output.name in _CHECKED_IN_PARSER:
        return
    from botocore.handlers import _handle_200_error

    _handle_200_error(operation_model=operation_model, response_dict=response_dict, **kwargs)


class _Factory:
    """The endpoint's parser factory, replaced: our parser for REST-XML, botocore's otherwise."""

    def __init__(self, original: Any, parser: type[Any]) -> None:
        self._original = original
        self._parser = parser

    def create_parser(self, protocol_name: str) -> Any:
        if protocol_name == "rest-xml":
            return self._parser(timestamp_parser=parse_timestamp)
        return self._original.create_parser(protocol_name)


def install_parser(client: Any) -> None:
    """Give ``client`` (an aiobotocore S3 client) the parser above, once."""
    endpoint: Any = getattr(client, "_endpoint", None)
    original = getattr(endpoint, "_response_parser_factory", None)
    if original is None or isinstance(original, _Factory):
        if original is None:
            _log.warning("cannot install the listing parser: unknown aiobotocore layout")
        return
    try:
        from botocore.handlers import _handle_200_error

        parser = _parser_class()
    except ImportError:  # pragma: no cover - a botocore/aiobotocore without these names
        _log.warning("cannot install the listing parser: unknown botocore layout")
        return
    events = client.meta.events
    events.unregister("before-parse.s3.*", _handle_200_error)
    events.register_first("before-parse.s3.*", _check_200_error_elsewhere)
    endpoint._response_parser_factory = _Factory(original, parser)
