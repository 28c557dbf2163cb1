"""The report document model: Markdown, HTML and plain text say the same, HTML escapes, and one
duration format serves the live display and every report."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from remote_store_harness._events import format_duration, format_elapsed
from remote_store_harness.report._document import (
    Bullets,
    Code,
    Document,
    Heading,
    Image,
    Mono,
    Paragraph,
    Strong,
    Table,
    to_html,
    to_markdown,
    to_text,
)

PNG = b"\x89PNG\r\n\x1a\nfake"


def _doc() -> Document:
    return Document("Run <report>", [
        Heading(2, "Verdict & summary"),
        Paragraph(["status: ", Strong("failed"), " by ", Mono("run --quick")]),
        Paragraph("an aside", note=True),
        Bullets(["first <item>", ["second ", Mono("x=1")]]),
        Table(["Case", "Outcome"], [["t::a|b", "passed"], ["<script>alert(1)</script>", "failed"]],
              ["ok", "fail"]),
        Code("backends:\n  target:\n    type: s3 # <yaml>\n", "yaml"),
        Image("Chart one", "chart-1.png", PNG),
    ])  # fmt: skip


class _Text(HTMLParser):
    """The text an HTML page shows, and every tag it opens."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _html_text(page: str) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(page)
    return "".join(parser.text), parser.tags


#: Every piece of text the document holds (what each rendering must show).
_CONTENT = ["Run <report>", "Verdict & summary", "status: ", "failed", "run --quick", "an aside",
            "first <item>", "x=1", "passed", "<script>alert(1)</script>", "type: s3 # <yaml>",
            "Case", "Outcome"]  # fmt: skip


@pytest.mark.parametrize("render", [to_markdown, to_text], ids=["markdown", "text"])
def test_markdown_and_text_show_every_piece_of_content(render: object) -> None:
    rendered = render(_doc())  # type: ignore[operator]
    assert [piece for piece in _CONTENT if piece not in rendered] == []


def test_html_shows_every_piece_of_content_as_text() -> None:
    shown, _tags = _html_text(to_html(_doc()))
    assert [piece for piece in _CONTENT if piece not in shown] == []
    assert "t::a|b" in shown


def test_html_escapes_text_so_no_markup_gets_in() -> None:
    page = to_html(_doc())
    _shown, tags = _html_text(page)
    assert "script" not in tags and "item" not in tags and "report" not in tags
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_html_is_self_contained_with_the_image_embedded() -> None:
    page = to_html(_doc())
    assert "data:image/png;base64,iVBORw0KGgpmYWtl" in page
    assert "chart-1.png" not in page and "<link" not in page


def test_markdown_escapes_table_cells_and_refers_to_images_by_file() -> None:
    md = to_markdown(_doc())
    assert "| t::a\\|b | passed |" in md
    assert "![Chart one](chart-1.png)" in md
    assert "```yaml\nbackends:\n  target:\n    type: s3 # <yaml>\n```" in md
    assert "status: **failed** by `run --quick`" in md and "> an aside" in md


def test_text_aligns_table_columns_and_names_images() -> None:
    text = to_text(_doc())
    rows = [line for line in text.splitlines() if line.startswith(("Case", "t::a", "<script"))]
    assert len({line.index(line.split()[1]) for line in rows}) == 1  # one column start
    assert "[chart: Chart one (chart-1.png)]" in text


def test_text_cuts_cells_at_the_table_width() -> None:
    text = to_text(Document("t", [Table(["A"], [["x" * 30]], text_width=10)]))
    assert "xxxxxxx..." in text and "x" * 11 not in text


def test_html_row_classes_colour_table_rows() -> None:
    assert re.search(r'<tr class="fail"><td>&lt;script', to_html(_doc()))


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.0, "0 ms"), (0.0123, "12.3 ms"), (0.9996, "1 s"), (4.567, "4.57 s"), (12.3, "12.3 s"),
     (600, "10.0 min"), (7200, "2.0 h"), (172800, "2.0 d")],
)  # fmt: skip
def test_durations_are_written_at_a_human_scale(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


@pytest.mark.parametrize(("seconds", "text"), [(61.9, "01:01"), (4503, "75:03")])
def test_the_clock_style_is_minutes_and_seconds_past_the_hour(seconds: float, text: str) -> None:
    assert format_duration(seconds, clock=True) == format_elapsed(seconds) == text
