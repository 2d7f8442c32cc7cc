"""Build the reader test inputs in this folder. Run once; the outputs are committed.

    python tests/data/readers/make_fixtures.py

PDFs are written by hand (no PDF library with a writer for text is installed): a content
stream of Helvetica text lines, which is what word processors produce for simple letters.
The expected texts in out/ are written from the same paragraphs, not from the readers.
"""

from __future__ import annotations

import io
import textwrap
import zipfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"

# --- PDF -------------------------------------------------------------------------------

STATEMENT_PAGE_1 = [
    "Joint Statement on Water Cooperation",
    "The ministers of water of the three riparian states met in Amman on 12 March 2024 "
    "and agreed to establish a permanent technical committee on the shared aquifer, which "
    "will report to them every six months.",
    "The ministers reaffirmed their commitment to the equitable and reasonable use of "
    "shared water resources and to the protection of groundwater from pollution and "
    "over-extraction, in accordance with international law and the principles of good "
    "neighbourliness.",
]
STATEMENT_PAGE_2 = [
    "The committee will hold its first meeting before the end of April.",
    "Issued in Amman, 12 March 2024.",
]
# Where page 1 ends mid-paragraph, the paragraph continues on page 2.
CARRY_OVER = (
    "They also welcomed the offer of technical assistance from the regional centre and "
    "invited it to present a detailed work plan to the committee at its first session."
)
RUNNING_HEADER = "Ministry of Water and Irrigation"


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _wrap(paragraphs: list[str], width: int = 78) -> list[str]:
    lines: list[str] = []
    for paragraph in paragraphs:
        lines.extend(textwrap.wrap(paragraph, width, break_on_hyphens=False))
    return lines


def _content_stream(lines: list[str]) -> bytes:
    parts = [b"BT /F1 11 Tf 14 TL 60 780 Td"]
    for line in lines:
        parts.append(_pdf_string(line) + b" Tj T*")
    parts.append(b"ET")
    return b"\n".join(parts)


def _image_stream() -> tuple[bytes, bytes]:
    """A page that only draws a small grey image: what a scanner produces."""
    pixels = zlib.compress(bytes([128]) * (40 * 40))
    image = (
        b"<< /Type /XObject /Subtype /Image /Width 40 /Height 40 /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n"
        % len(pixels)
        + pixels
        + b"\nendstream"
    )
    return image, b"q 400 0 0 400 100 300 cm /Im1 Do Q"


def build_pdf(pages: list[bytes], image: bytes | None = None) -> bytes:
    """A minimal, valid PDF 1.4 with one Helvetica font and the given page contents."""
    objects: list[bytes] = []
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    font_number = 3 + 2 * len(pages)
    image_ref = f" /XObject << /Im1 {font_number + 1} 0 R >>" if image else ""
    for i, content in enumerate(pages):
        objects.append(
            (
                f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {4 + 2 * i} 0 R "
                f"/Resources << /Font << /F1 {font_number} 0 R >>{image_ref} >> >>"
            ).encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    objects.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    if image:
        objects.append(image)
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    trailer = b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
    out.write(trailer % (len(objects) + 1, xref))
    return out.getvalue()


def statement_pdf() -> bytes:
    # The second paragraph is hyphenated at a line end, as justified text often is.
    page_1 = [RUNNING_HEADER, "", *_wrap(STATEMENT_PAGE_1[:1]), ""]
    page_1 += _wrap(STATEMENT_PAGE_1[1:])
    at = next(i for i, line in enumerate(page_1) if "groundwater" in line)
    before, after = page_1[at].split("groundwater", 1)
    page_1[at : at + 2] = [before + "ground-", "water" + after + " " + page_1[at + 1]]
    carry = _wrap([CARRY_OVER])
    page_1 += [*carry[:1], "", "Page 1 of 2"]
    page_2 = [RUNNING_HEADER, "", *carry[1:], *_wrap(STATEMENT_PAGE_2), "", "Page 2 of 2"]
    return build_pdf([_content_stream(page_1), _content_stream(page_2)])


def expected_statement_text() -> str:
    paragraphs = [*STATEMENT_PAGE_1, CARRY_OVER, *STATEMENT_PAGE_2]
    return "\n".join(paragraphs) + "\n"


def scanned_pdf() -> bytes:
    image, content = _image_stream()
    return build_pdf([content], image=image)


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(statement_pdf())))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def corrupt_pdf() -> bytes:
    """A PDF header followed by garbage: what a failed download leaves behind."""
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Cat" + bytes(range(256)) * 4


# --- DOCX ------------------------------------------------------------------------------


def statement_docx() -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = "Communiqué on the Ministerial Meeting"
    document.add_heading("Final Communiqué", level=1)
    document.add_paragraph(
        "The Council of Ministers held its regular session on Sunday under the chairmanship "
        "of the Prime Minister."
    )
    document.add_paragraph("The Council approved the following decisions:")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Decision 1"
    table.cell(0, 1).text = "Approval of the draft budget law"
    table.cell(1, 0).text = "Decision 2"
    table.cell(1, 1).text = "Ratification of the transport agreement"
    closing = document.add_paragraph("Government Press Office")
    closing.add_run().add_break()
    closing.add_run("Beirut, 3 June 2024")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


DOCX_EXPECTED = """\
Final Communiqué
The Council of Ministers held its regular session on Sunday under the chairmanship of the Prime Minister.
The Council approved the following decisions:
Decision 1 | Approval of the draft budget law
Decision 2 | Ratification of the transport agreement
Government Press Office
Beirut, 3 June 2024
"""  # noqa: E501

# --- text in many encodings ------------------------------------------------------------

ARABIC = (
    "بيان صحفي صادر عن وزارة الخارجية\n"
    "أكدت الوزارة اليوم دعمها الكامل للحوار بين الأطراف، ودعت إلى وقف فوري لإطلاق النار.\n"
)
FRENCH = (
    "Communiqué de presse du ministère des Affaires étrangères\n"
    "Le ministre a reçu aujourd'hui à Genève son homologue, avec qui il a évoqué la "
    "coopération régionale et les élections prévues à l'été.\n"
)
ENGLISH_QUOTES = (
    "Statement by the Spokesperson\n"
    "The Minister said: “We welcome today’s agreement — it is a ‘historic’ step…”\n"
)
MIXED = "Press statement — بيان صحفي\nThe ministry’s position is unchanged.\n"


def text_fixtures() -> dict[str, bytes]:
    return {
        "arabic_cp1256.txt": ARABIC.replace("\n", "\r\n").encode("cp1256"),
        "french_latin1.txt": FRENCH.encode("latin-1"),
        "english_cp1252.txt": ENGLISH_QUOTES.encode("cp1252"),
        "mixed_utf16le_bom.txt": MIXED.encode("utf-16"),  # Python writes a BOM
        "mixed_utf16be_bom.txt": b"\xfe\xff" + MIXED.encode("utf-16-be"),
        "mixed_utf8_bom.txt": MIXED.encode("utf-8-sig"),
    }


# --- HTML and Markdown -----------------------------------------------------------------

PRESS_RELEASE_HTML = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="windows-1252">
<title>Foreign Minister receives UN envoy | Ministry of Foreign Affairs</title>
<style>body { font-family: sans-serif }</style>
<script>window.dataLayer = [];</script>
</head>
<body>
<div id="cookie-banner" class="cookie-consent">We use cookies to improve your experience.
  <button>Accept all</button> <a href="/privacy">Privacy policy</a></div>
<header class="site-header">
  <a class="logo" href="/">Ministry of Foreign Affairs</a>
  <nav class="main-menu"><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
  <li><a href="/ministry">The Ministry</a></li><li><a href="/contact">Contact us</a></li></ul></nav>
  <form class="search"><input name="q" placeholder="Search"></form>
</header>
<div class="breadcrumb"><a href="/">Home</a> &gt; <a href="/news">News</a> &gt; Statement</div>
<main>
<article class="press-release">
  <header>
    <h1>Foreign Minister receives UN envoy</h1>
    <p class="date"><time datetime="2024-05-14">14 May 2024</time></p>
  </header>
  <p>The Minister of Foreign Affairs received today the Special Envoy of the
  Secretary-General, Mr.&nbsp;Jean Dupré, at the ministry’s headquarters.</p>
  <p>The two sides discussed the latest developments and the efforts to reach a
  <strong>comprehensive ceasefire</strong>, as well as the humanitarian situation.</p>
  <h2>Support for the political process</h2>
  <p>The Minister stressed the country’s full support for the UN-led political process.</p>
  <div class="share-buttons"><a href="#">Facebook</a> <a href="#">X</a> <a href="#">Print</a></div>
  <footer><a href="/tags/un">UN</a> <a href="/tags/diplomacy">Diplomacy</a></footer>
</article>
<aside class="sidebar"><h3>Latest news</h3><ul>
  <li><a href="/n/1">Minister meets ambassador of Japan</a></li>
  <li><a href="/n/2">Statement on the flood victims</a></li>
  <li><a href="/n/3">Ministry announces visa measures</a></li></ul></aside>
</main>
<footer class="site-footer"><p>© 2024 Ministry of Foreign Affairs. All rights reserved.</p>
  <ul class="social"><li><a href="#">Facebook</a></li><li><a href="#">YouTube</a></li></ul>
</footer>
<script src="/js/app.js"></script>
</body>
</html>
"""
PRESS_RELEASE_EXPECTED = """\
Foreign Minister receives UN envoy
14 May 2024
The Minister of Foreign Affairs received today the Special Envoy of the Secretary-General, Mr. Jean Dupré, at the ministry’s headquarters.
The two sides discussed the latest developments and the efforts to reach a comprehensive ceasefire, as well as the humanitarian situation.
Support for the political process
The Minister stressed the country’s full support for the UN-led political process.
"""  # noqa: E501

# An old-style page: no <article> or <main>, layout tables and divs with ids.
PLAIN_DIV_HTML = """\
<html><head><title>Bulletin</title></head><body>
<div id="top-menu"><a href="/">Accueil</a> | <a href="/actu">Actualités</a></div>
<div id="left-col"><a href="/a">Archives</a><br><a href="/b">Liens</a></div>
<div id="contenu">
<p>Le Conseil des ministres s'est réuni mercredi sous la présidence du chef de l'État.</p>
<p>Il a adopté un projet de loi relatif à la protection des données personnelles et
examiné la situation sécuritaire dans le pays.</p>
<p>Le Conseil a également approuvé la nomination de trois ambassadeurs.</p>
</div>
<div id="footer">Service de presse — Tous droits réservés</div>
</body></html>
"""

STATEMENT_MARKDOWN = """\
---
title: Statement on the Election Results
date: 2024-06-02
---

# Statement on the Election Results

The Electoral Commission **announces** the final results of the
parliamentary elections held on [1 June](https://example.org/elections).

## Turnout

- Registered voters: 4,112,000
- Votes cast: 2,560,000

Complaints may be filed until *5 June*.
"""
MARKDOWN_EXPECTED = """\
Statement on the Election Results
The Electoral Commission announces the final results of the parliamentary elections held on 1 June.
Turnout
Registered voters: 4,112,000
Votes cast: 2,560,000
Complaints may be filed until 5 June.
"""

# --- zip -------------------------------------------------------------------------------


def batch_zip() -> bytes:
    """Good files, one member escaping the archive and one damaged member."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("2023/statement.pdf", statement_pdf(), zipfile.ZIP_DEFLATED)
        archive.writestr("2023/notes.txt", "Notes on the 2023 statements.\n")
        archive.writestr("2024/communique.docx", statement_docx(), zipfile.ZIP_DEFLATED)
        archive.writestr("../../etc/passwd", "root:x:0:0:root:/root:/bin/bash\n")
        archive.writestr("__MACOSX/2023/._statement.pdf", b"\x00\x05\x16\x07")
        archive.writestr("2024/.DS_Store", b"\x00\x00\x00\x01Bud1")
        archive.writestr("2024/damaged.txt", "This member will fail its checksum.\n" * 20)
    data = bytearray(out.getvalue())
    # Flip one byte inside the stored (uncompressed) body of damaged.txt.
    marker = data.index(b"This member will fail")
    data[marker] ^= 0x20
    return bytes(data)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    files: dict[str, bytes] = {
        "statement.pdf": statement_pdf(),
        "scanned.pdf": scanned_pdf(),
        "encrypted.pdf": encrypted_pdf(),
        "corrupt.pdf": corrupt_pdf(),
        "statement.docx": statement_docx(),
        "press_release.html": PRESS_RELEASE_HTML.encode("cp1252"),
        "bulletin.html": PLAIN_DIV_HTML.encode("utf-8"),
        "election.md": STATEMENT_MARKDOWN.encode("utf-8"),
        "batch.zip": batch_zip(),
        **text_fixtures(),
    }
    for name, data in files.items():
        (HERE / name).write_bytes(data)
    expected = {
        "statement.pdf": expected_statement_text(),
        "statement.docx": DOCX_EXPECTED,
        "press_release.html": PRESS_RELEASE_EXPECTED,
        "election.md": MARKDOWN_EXPECTED,
        "arabic_cp1256.txt": ARABIC,
        "french_latin1.txt": FRENCH,
        "english_cp1252.txt": ENGLISH_QUOTES,
        "mixed_utf16le_bom.txt": MIXED,
    }
    for name, text in expected.items():
        (OUT / f"{name}.txt").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
