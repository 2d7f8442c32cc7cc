"""What every reader returns."""

from __future__ import annotations

from dataclasses import dataclass, field

FORMATS = ("text", "pdf", "docx", "html", "markdown")


@dataclass
class ReadResult:
    # Plain text, one paragraph per line, no blank lines.
    text: str
    # One of FORMATS: the format the bytes really are, not what the extension claimed.
    format: str
    # A PDF without a text layer (a scan): kept and flagged, with text "".
    needs_ocr: bool = False
    # A title the format itself carries (HTML <h1>/<title>, DOCX core title), "" if none.
    title: str = ""
    # Things an admin may want to know that did not stop the import.
    warnings: list[str] = field(default_factory=list)
