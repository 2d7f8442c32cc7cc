"""Word .docx files (python-docx). Runs inside the reading child process."""

from __future__ import annotations

import io

import docx
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from lxml import etree

from archive.ingest.errors import IngestError
from archive.ingest.readers.paragraphs import normalize, to_text
from archive.ingest.readers.result import ReadResult

_P, _TBL, _TR, _TC = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
# Wrappers whose children are ordinary body content: content controls (common in
# letterhead templates), custom XML and tracked-change insertions.
_WRAPPERS = frozenset({qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml"), qn("w:ins")})
_NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
}
# Text boxes: Word stores each twice (DrawingML and a VML fallback); read only the first.
_TEXT_BOX_PARAGRAPHS = etree.XPath(
    ".//w:txbxContent[not(ancestor::mc:Fallback)]//w:p", namespaces=_NS
)


def _paragraph_lines(element: etree._Element) -> list[str]:
    # python-docx gives <w:br/> as "\n" and <w:tab/> as "\t"; a break is a new line.
    lines = normalize(Paragraph(element, None).text).split("\n")
    for box_paragraph in _TEXT_BOX_PARAGRAPHS(element):
        lines.extend(normalize(Paragraph(box_paragraph, None).text).split("\n"))
    return lines


def _table_lines(table: etree._Element) -> list[str]:
    """One line per row, cells separated by " | "; nested tables follow their row."""
    lines: list[str] = []
    for row in table.iterchildren(_TR):
        cells: list[str] = []
        nested: list[str] = []
        for cell in row.iterchildren(_TC):
            text: list[str] = []
            for child in cell.iterchildren():
                if child.tag == _TBL:
                    nested.extend(_table_lines(child))
                else:
                    text.extend(_block_lines(child))
            cells.append(" ".join(line for line in text if line.strip()))
        lines.append(" | ".join(cell for cell in cells if cell))
        lines.extend(nested)
    return lines


def _block_lines(element: etree._Element) -> list[str]:
    if element.tag == _P:
        return _paragraph_lines(element)
    if element.tag == _TBL:
        return _table_lines(element)
    if element.tag in _WRAPPERS:
        return [line for child in element.iterchildren() for line in _block_lines(child)]
    return []


def read_docx(filename: str, data: bytes) -> ReadResult:
    try:
        document = docx.Document(io.BytesIO(data))
    except MemoryError:
        raise
    except Exception as exc:  # BadZipFile, KeyError, ValueError, XML errors ...
        raise IngestError(
            filename,
            "corrupt",
            "the file is not a readable Word document (.docx); open it in Word or LibreOffice, "
            "save it again as .docx or PDF and re-upload",
        ) from exc
    lines = _block_lines_of_body(document)
    title = " ".join((document.core_properties.title or "").split())
    return ReadResult(text=to_text(lines), format="docx", title=title)


def _block_lines_of_body(document: docx.document.Document) -> list[str]:
    body = document.element.body
    return [line for child in body.iterchildren() for line in _block_lines(child)]
