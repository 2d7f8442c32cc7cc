"""export_archive and import_archive round-trip everything, and refuse a damaged archive."""

from __future__ import annotations

import hashlib
import json
import shutil
import tarfile

import pytest
from django.contrib.auth.models import User
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from archive import publishing
from archive.audit import acting_as
from archive.backup import backup_models
from archive.ingest.pipeline import ingest_source
from archive.ingest.sources import Source
from archive.models import AuditEntry, Communique, ImportBatch, Tombstone
from search import queue
from tests.pages.factories import CommuniqueFactory, seed_communique

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_background_drain(settings):
    settings.BAYAN_INDEX_IN_BACKGROUND = False


@pytest.fixture
def archive(db):
    editor = User.objects.create_superuser("editor", password="pw-123-long")
    with acting_as(editor):
        seed = seed_communique()
        original = "The original bytes, ﺑﻴﺎﻥ.".encode()
        seed.sha256 = hashlib.sha256(original).hexdigest()
        seed.original.save("soc.txt", ContentFile(original))
        seed.title += " (corrected)"
        seed.save()
        publishing.record_revision(seed, editor, "Corrected")
    batch = ImportBatch.objects.create(label="upload", created_by=editor)
    text = b"Final communique of the council\n\nThe council met in Geneva on 3 May 2021.\n"
    ingest_source(Source("a.txt", text, None), publish=True, batch=batch, user=editor)
    ingest_source(Source("bad.pdf", b"%PDF-1.4 broken", None), batch=batch)
    draft = CommuniqueFactory(draft=True, title="A draft")
    gone = CommuniqueFactory(title="Deleted later")
    gone.delete()
    assert Tombstone.objects.exists() and draft.pk
    queue.drain()
    return seed


def snapshot() -> list[dict]:
    rows = []
    for model in backup_models():
        for obj in model._default_manager.order_by("pk"):
            rows.append(json.loads(serializers.serialize("json", [obj]))[0])
    return rows


def files() -> dict[str, bytes]:
    found = {}
    for c in Communique.objects.exclude(original=""):
        found[c.original.name] = c.original.read()
    for item in ImportBatch.objects.get().items.exclude(original=""):
        found[item.original.name] = item.original.read()
    return found


def wipe(media_dir) -> None:
    """An empty database and no media: what a restore starts from."""
    from django.db import connection

    with connection.cursor() as cursor:
        for model in reversed(backup_models()):
            for m2m in model._meta.local_many_to_many:
                cursor.execute(f"DELETE FROM {m2m.remote_field.through._meta.db_table}")
        for model in reversed(backup_models()):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")
    shutil.rmtree(media_dir, ignore_errors=True)
    queue.rebuild(progress=False)


@pytest.mark.parametrize("name", ["backup", "backup.tar", "backup.tar.gz"])
def test_a_round_trip_restores_every_record_and_file(archive, tmp_path, media_dir, name):
    before, before_files = snapshot(), files()
    assert len(before_files) == 3  # two originals and one failed upload
    kinds = {row["model"] for row in before}
    for label in ["archive.revision", "archive.auditentry", "archive.tombstone", "auth.user"]:
        assert label in kinds
    target = tmp_path / name
    call_command("export_archive", str(target), stdout=open("/dev/null", "w"))  # noqa: SIM115
    wipe(media_dir)
    assert not Communique.objects.exists()

    call_command("import_archive", str(target), stdout=open("/dev/null", "w"))  # noqa: SIM115

    after = [
        r
        for r in snapshot()
        if not (r["model"] == "archive.auditentry" and r["fields"]["action"] == "restored")
    ]
    assert after == before
    assert files() == before_files
    assert AuditEntry.objects.filter(action="restored").count() == 1
    # The index is rebuilt from the database alone: nothing missing, stale or extra.
    assert queue.drift().total == 0
    assert set(queue.indexed_fingerprints()) == set(
        Communique.objects.published().values_list("pk", flat=True)
    )
    # New records after a restore get fresh ids (sequences were reset).
    assert CommuniqueFactory().pk > max(
        r["pk"] for r in before if r["model"] == "archive.communique"
    )


def test_a_corrupted_file_is_refused_and_nothing_is_imported(archive, tmp_path, media_dir):
    target = tmp_path / "backup"
    call_command("export_archive", str(target), stdout=open("/dev/null", "w"))  # noqa: SIM115
    original = next((target / "files").rglob("*.txt"))
    data = bytearray(original.read_bytes())
    data[0] ^= 0xFF
    original.write_bytes(bytes(data))
    wipe(media_dir)
    with pytest.raises(CommandError, match=r"corrupted.*checksum mismatch.*Nothing was imported"):
        call_command("import_archive", str(target))
    assert not Communique.objects.exists() and not AuditEntry.objects.exists()


def test_edited_records_are_refused(archive, tmp_path, media_dir):
    target = tmp_path / "backup"
    call_command("export_archive", str(target), stdout=open("/dev/null", "w"))  # noqa: SIM115
    records = target / "records.jsonl"
    records.write_text(records.read_text().replace("corrected", "forged"))
    wipe(media_dir)
    with pytest.raises(CommandError, match=r"records\.jsonl: checksum mismatch"):
        call_command("import_archive", str(target))


def test_a_missing_file_is_refused(archive, tmp_path, media_dir):
    target = tmp_path / "backup"
    call_command("export_archive", str(target), stdout=open("/dev/null", "w"))  # noqa: SIM115
    next((target / "files").rglob("*.pdf")).unlink()
    wipe(media_dir)
    with pytest.raises(CommandError, match="lacks files/"):
        call_command("import_archive", str(target))


def test_a_path_traversal_in_the_manifest_is_refused(archive, tmp_path, media_dir):
    target = tmp_path / "backup.tar"
    call_command("export_archive", str(target), stdout=open("/dev/null", "w"))  # noqa: SIM115
    with tarfile.open(target) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    manifest["files"][0]["name"] = "../../etc/passwd"
    evil = tmp_path / "evil"
    evil.mkdir()
    (evil / "manifest.json").write_text(json.dumps(manifest))
    with tarfile.open(target) as tar:
        (evil / "records.jsonl").write_bytes(tar.extractfile("records.jsonl").read())
    wipe(media_dir)
    with pytest.raises(CommandError, match="unsafe path"):
        call_command("import_archive", str(evil))


def test_import_refuses_a_database_that_is_not_empty(archive, tmp_path):
    target = tmp_path / "backup"
    call_command("export_archive", str(target), stdout=open("/dev/null", "w"))  # noqa: SIM115
    with pytest.raises(CommandError, match="restores into an empty database"):
        call_command("import_archive", str(target))


def test_export_refuses_to_overwrite(archive, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("export_archive", str(tmp_path / "full"))


def test_times_are_restored_to_the_microsecond(archive, tmp_path, media_dir):
    """Django's JSON encoder cuts times to milliseconds; a restored record keeps every digit
    (a creation time 0.0005 s past the second came back as a different value)."""
    import datetime

    exact = datetime.datetime(2024, 3, 1, 12, 0, 0, 500, tzinfo=datetime.UTC)
    Communique.objects.filter(pk=archive.pk).update(created_at=exact)
    target = tmp_path / "backup"
    call_command("export_archive", str(target), stdout=open("/dev/null", "w"))  # noqa: SIM115
    wipe(media_dir)
    call_command("import_archive", str(target), stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Communique.objects.get(pk=archive.pk).created_at == exact
