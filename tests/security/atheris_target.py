"""Coverage-guided fuzzing with atheris (optional): python tests/security/atheris_target.py
TARGET -atheris_runs=N. Targets: query (search.query.parse), html, markdown, text (readers).
Any exception other than the documented ones is a crash, reported by atheris.
"""

from __future__ import annotations

import contextlib
import os
import sys

import atheris
import bs4  # noqa: F401  (third-party parsers: imported before, so not instrumented: fast)
import charset_normalizer  # noqa: F401
import django
import lxml  # noqa: F401
import markdown  # noqa: F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

with atheris.instrument_imports(include=["archive", "search"]):
    from archive.ingest.errors import IngestError
    from archive.ingest.readers.html import read_html
    from archive.ingest.readers.markdown import read_markdown
    from archive.ingest.readers.text import read_text
    from search.query import QueryError, parse

TARGET = sys.argv.pop(1)
READERS = {"html": read_html, "markdown": read_markdown, "text": read_text}


def one_input(data: bytes) -> None:
    if TARGET == "query":
        text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data))
        with contextlib.suppress(QueryError):
            parse(text)
        return
    with contextlib.suppress(IngestError):
        READERS[TARGET]("fuzz", data)


atheris.Setup(sys.argv, one_input)
atheris.Fuzz()
