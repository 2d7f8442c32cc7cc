"""python manage.py extract PATH --json: what extraction finds in one file, saving nothing."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from archive.ingest.errors import IngestError
from archive.ingest.extract import extract
from archive.ingest.readers import read_document


class Command(BaseCommand):
    help = "Print the structure extracted from one communiqué file, without saving anything."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--json", action="store_true", help="print a JSON object")

    def handle(self, path: str, json: bool, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"{path}: no such file.")
        try:
            document = read_document(
                file.name, file.read_bytes(), timeout=settings.BAYAN_READ_TIMEOUT
            )
        except IngestError as error:
            raise CommandError(str(error)) from None
        found = extract(document.text).as_json()
        if not found["title"] and document.title:
            found["title"] = document.title
        if json:
            self.stdout.write(_dumps(found))
            return
        for key, value in found.items():
            self.stdout.write(f"{key}: {value}")


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
