"""From uploaded bytes to a draft (or published) communiqué: the path every upload takes.

The admin upload, `import_communiques` and the demo data all call `ingest_source`, so a
file is read, checked and stored the same way whichever door it came in by.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from archive import publishing
from archive.ingest import store
from archive.ingest.errors import IngestError
from archive.ingest.extract import extract
from archive.ingest.readers import read_document
from archive.ingest.sources import Source
from archive.models import Communique, ImportBatch, ImportItem

log = logging.getLogger(__name__)
Outcome = ImportItem.Outcome


@dataclass
class Result:
    name: str
    outcome: str
    message: str = ""
    communique: Communique | None = None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def ingest_source(
    source: Source,
    *,
    user=None,
    publish: bool = False,
    batch: ImportBatch | None = None,
    source_url: str = "",
) -> Result:
    """Import one file; never raises for bad input: the Result says what happened and why."""
    if source.error is not None:
        result = Result(source.name, Outcome.FAILED, str(source.error))
    else:
        result = _ingest_bytes(source.name, source.data, user, publish, source_url)
    if batch is not None:
        _record(batch, source, result)
    return result


def _ingest_bytes(name: str, data: bytes, user, publish: bool, source_url: str) -> Result:
    digest = sha256(data)
    existing = Communique.objects.filter(sha256=digest).first()
    if existing is not None:
        return _duplicate(name, existing)
    try:
        document = read_document(name, data, timeout=settings.BAYAN_READ_TIMEOUT)
    except IngestError as error:
        return Result(name, Outcome.FAILED, str(error))

    extraction = extract(document.text)
    if not extraction.title:
        extraction.title = document.title or PurePosixPath(name).stem.replace("_", " ")
    communique = Communique(
        sha256=digest,
        original_name=PurePosixPath(name).name[:300],
        original_format=document.format,
        needs_ocr=document.needs_ocr,
        added_by=user if getattr(user, "is_authenticated", False) else None,
        source_url=source_url,
    )
    try:
        with transaction.atomic():
            communique.original.save(PurePosixPath(name).name, ContentFile(data), save=False)
            store.fill(communique, extraction)
            if publish and not document.needs_ocr:
                publishing.publish(communique, user if communique.added_by else None)
    except IntegrityError:
        # Another worker stored the same bytes a moment ago: point to its record.
        _discard_file(communique)
        existing = Communique.objects.filter(sha256=digest).first()
        if existing is None:
            raise
        return _duplicate(name, existing)
    except Exception:
        _discard_file(communique)
        raise
    message = "Imported"
    if document.needs_ocr:
        message = "Imported as a draft that needs OCR: the PDF has no text layer"
    notes = list(document.warnings)
    if extraction.read_chars:
        notes.append(
            f"the whole text is kept, but its structure was read from the first "
            f"{extraction.read_chars:,} characters of {len(document.text):,}: review the rest"
        )
    if notes:
        message += " (" + "; ".join(notes) + ")"
    return Result(name, Outcome.IMPORTED, message, communique)


def _duplicate(name: str, existing: Communique) -> Result:
    return Result(
        name,
        Outcome.DUPLICATE,
        f"Same file as “{existing.title}” ({existing.public_id}), already in the archive",
        existing,
    )


def _discard_file(communique: Communique) -> None:
    # The transaction rolled back: nothing may point to the stored file any more.
    if communique.original:
        communique.original.storage.delete(communique.original.name)


def _record(batch: ImportBatch, source: Source, result: Result) -> None:
    item = ImportItem(
        batch=batch,
        name=result.name[:500],
        outcome=result.outcome,
        message=result.message,
        communique=result.communique,
    )
    if result.outcome == Outcome.FAILED and source.data:
        # Keep what failed, byte for byte: the admin can download it, fix it, retry.
        item.sha256 = sha256(source.data)
        item.original.save(
            PurePosixPath(source.name).name or "upload", ContentFile(source.data), save=False
        )
    item.save()


# -- Interrupted imports ----------------------------------------------------------------------


def interrupted_batch(label: str) -> ImportBatch | None:
    """The latest batch with this label that never finished (its process was killed)."""
    return (
        ImportBatch.objects.filter(label=label, finished_at__isnull=True)
        .order_by("-created_at", "-pk")
        .first()
    )


def done_names(batch: ImportBatch) -> set[str]:
    """Files the batch has an outcome for: a resumed run skips them."""
    return set(batch.items.values_list("name", flat=True))


def interruption_report(batch: ImportBatch) -> str:
    done = batch.items.count()
    return (
        f"Batch {batch.pk} ({batch.label}) was interrupted after {done} of {batch.total} files "
        f"(started {batch.created_at:%Y-%m-%d %H:%M} UTC); resuming it: the {done} files "
        "already done are skipped, and a file whose record was stored just before the "
        "interruption is recognised by its checksum (a duplicate, never a second record)."
    )
