"""One document model for every report: built once, rendered as Markdown, HTML or plain text.

The run report (``report.md``, ``report.html``, the console summary) and the benchmark report
build a :class:`Document` of blocks (headings, paragraphs, bullet lists, tables, code blocks,
images); the three renderers only choose the syntax. So the files and the console cannot tell
different stories: a number, a verdict line or a table row exists once, in the document.

Renderer contracts: :func:`to_html` escapes every piece of text and embeds images as base64 PNG
(one self-contained file, no links or scripts); :func:`to_markdown` escapes table cells (``|``,
newlines) and refers to images by file name; :func:`to_text` draws aligned plain tables (cells
cut at the table's ``text_width``), prints code verbatim (to be copied) and names images
instead of drawing them.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "CSS",
    "Block",
    "Bullets",
    "Code",
    "Document",
    "Heading",
    "Image",
    "Inline",
    "Line",
    "Mono",
    "Paragraph",
    "Strong",
    "Table",
    "plain_table",
    "to_html",
    "to_markdown",
    "to_text",
]


@dataclass(frozen=True)
class Mono:
    """Inline code (a command, an option, a path)."""

    text: str


@dataclass(frozen=True)
class Strong:
    """Inline emphasis (a verdict)."""

    text: str


Inline = str | Mono | Strong
#: A run of inline text: one string, or pieces to concatenate.
Line = Inline | Sequence[Inline]


def _pieces(line: Line) -> tuple[Inline, ...]:
    if isinstance(line, str | Mono | Strong):
        return (line,)
    return tuple(line)


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    """Text; ``note`` marks an aside (quoted in Markdown, italic in HTML)."""

    parts: Line
    note: bool = False


@dataclass(frozen=True)
class Bullets:
    items: Sequence[Line]


@dataclass(frozen=True)
class Table:
    """Rows of cells under a header; ``row_classes`` colour HTML rows (ok/warn/fail/info)."""

    header: Sequence[str]
    rows: Sequence[Sequence[Inline]]
    row_classes: Sequence[str] | None = None
    #: Plain-text renderings cut longer cells to this many characters.
    text_width: int = 60


@dataclass(frozen=True)
class Code:
    """A block of code or configuration (YAML, Python), shown verbatim."""

    text: str
    language: str = ""


@dataclass(frozen=True)
class Image:
    """A chart: ``file`` is where Markdown finds it, ``png`` what HTML embeds (either may be
    missing: Markdown then omits it, HTML refers to ``file``)."""

    title: str
    file: str | None = None
    png: bytes | None = None


Block = Heading | Paragraph | Bullets | Table | Code | Image


@dataclass
class Document:
    title: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> Document:
        self.blocks.extend(blocks)
        return self

    def extend(self, blocks: Iterable[Block]) -> Document:
        self.blocks.extend(blocks)
        return self


Format = Literal["md", "html", "text"]


#: Inline marks: (Markdown delimiter, HTML tag).
_MARKS: dict[type, tuple[str, str]] = {Mono: ("`", "code"), Strong: ("**", "b")}


def _inline(line: Line, fmt: Format) -> str:
    out = []
    for piece in _pieces(line):
        if isinstance(piece, str):
            out.append(html.escape(piece) if fmt == "html" else piece)
            continue
        delimiter, tag = _MARKS[type(piece)]
        if fmt == "md":
            out.append(f"{delimiter}{piece.text}{delimiter}")
        elif fmt == "html":
            out.append(f"<{tag}>{html.escape(piece.text)}</{tag}>")
        else:
            out.append(piece.text)
    return "".join(out)


# --- Markdown ----------------------------------------------------------------------------------


def _md_cell(cell: Inline) -> str:
    return _inline(cell, "md").replace("|", "\\|").replace("\n", " ")


def _md_block(block: Block) -> str | None:
    if isinstance(block, Heading):
        return f"{'#' * block.level} {block.text}"
    if isinstance(block, Paragraph):
        text = _inline(block.parts, "md")
        return "\n".join(f"> {x}" for x in text.splitlines()) if block.note else text
    if isinstance(block, Bullets):
        return "\n".join(f"- {_inline(item, 'md')}" for item in block.items) or None
    if isinstance(block, Table):
        lines = ["| " + " | ".join(_md_cell(h) for h in block.header) + " |"]
        lines.append("|" + "|".join("---" for _ in block.header) + "|")
        lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows]
        return "\n".join(lines)
    if isinstance(block, Code):
        return f"```{block.language}\n{block.text.rstrip()}\n```"
    return f"![{block.title}]({block.file})" if block.file else None


def to_markdown(doc: Document) -> str:
    parts = [f"# {doc.title}"] + [x for x in map(_md_block, doc.blocks) if x is not None]
    return "\n\n".join(parts) + "\n"


# --- HTML --------------------------------------------------------------------------------------

CSS = (
    "body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px}"
    "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;"
    "vertical-align:top;font-size:13px}th{background:#f0f0f0}pre{background:#f7f7f7;padding:1em;"
    "overflow:auto}.ok{background:#e8f5e9}.warn{background:#fff8e1}.fail{background:#ffebee}"
    ".info{background:#e3f2fd}"
)


def _html_block(block: Block) -> str:
    e = html.escape
    if isinstance(block, Heading):
        return f"<h{block.level}>{e(block.text)}</h{block.level}>"
    if isinstance(block, Paragraph):
        text = _inline(block.parts, "html")
        return f"<p><i>{text}</i></p>" if block.note else f"<p>{text}</p>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{_inline(i, 'html')}</li>" for i in block.items) + "</ul>"
    if isinstance(block, Table):
        head = "".join(f"<th>{e(h)}</th>" for h in block.header)
        body = []
        for index, row in enumerate(block.rows):
            cls = f' class="{e(block.row_classes[index])}"' if block.row_classes else ""
            cells = "".join(f"<td>{_inline(c, 'html')}</td>" for c in row)
            body.append(f"<tr{cls}>{cells}</tr>")
        return f"<table><tr>{head}</tr>{''.join(body)}</table>"
    if isinstance(block, Code):
        return f"<pre>{e(block.text)}</pre>"
    if block.png is not None:
        source = "data:image/png;base64," + base64.b64encode(block.png).decode("ascii")
    else:
        source = e(block.file or "")
    return f"<h3>{e(block.title)}</h3><img alt='{e(block.title)}' src='{source}'>"


def to_html(doc: Document) -> str:
    head = (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(doc.title)}</title><style>{CSS}</style></head><body>"
    )
    body = [f"<h1>{html.escape(doc.title)}</h1>", *map(_html_block, doc.blocks)]
    return "\n".join([head, *body, "</body></html>"]) + "\n"


# --- plain text --------------------------------------------------------------------------------


def plain_table(header: Sequence[str], rows: Sequence[Sequence[str]], width: int = 60) -> str:
    cut = [[c if len(c) <= width else c[: width - 3] + "..." for c in row] for row in rows]
    sizes = [max(len(x) for x in column) for column in zip(header, *cut, strict=False)]
    lines = ["  ".join(h.ljust(s) for h, s in zip(header, sizes, strict=True))]
    lines.append("  ".join("-" * s for s in sizes))
    lines += ["  ".join(c.ljust(s) for c, s in zip(row, sizes, strict=True)) for row in cut]
    return "\n".join(line.rstrip() for line in lines)


def _text_block(block: Block) -> str:
    if isinstance(block, Heading):
        return f"{block.text}\n{('=' if block.level <= 2 else '-') * len(block.text)}"
    if isinstance(block, Paragraph):
        return _inline(block.parts, "text")
    if isinstance(block, Bullets):
        return "\n".join(f"- {_inline(item, 'text')}" for item in block.items)
    if isinstance(block, Table):
        rows = [[_inline(c, "text") for c in row] for row in block.rows]
        return plain_table(list(block.header), rows, block.text_width)
    if isinstance(block, Code):
        return block.text.rstrip()  # verbatim: the console's YAML and Python are copied from it
    return f"[chart: {block.title}{f' ({block.file})' if block.file else ''}]"


def to_text(doc: Document, *, title: bool = True) -> str:
    parts = [x for x in map(_text_block, doc.blocks) if x]
    if title:
        parts.insert(0, f"{doc.title}\n{'=' * len(doc.title)}")
    return "\n\n".join(parts)
