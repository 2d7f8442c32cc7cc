"""Backups: the whole archive to a directory or .tar, and back, checksums verified.

Layout (a directory, or the same inside a .tar / .tar.gz):

    manifest.json   format, version, counts per model, SHA-256 of records.jsonl and of
                    every original file
    records.jsonl   one JSON object per line: users and groups, every archive model
                    (communiqués and their structure, entities and aliases, revisions,
                    tombstones, import batches and items, the audit log, research data), in
                    dependency order, as Django's "jsonl" serializer writes them
    files/<name>    each original and each kept failed upload, under its storage name

The search index is not in the backup: it is rebuilt from the database after a restore
(`search.queue.rebuild`), which is always possible. Password hashes of users are in the
backup: keep backups as private as the database.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import tarfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.core import serializers
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import FileField
from django.utils import timezone

from archive import planner


class WholeTimesEncoder(DjangoJSONEncoder):
    """Django's encoder cuts datetimes and times to milliseconds: a backup keeps them whole,
    so that a record restored is the record exported (its deserializer reads either)."""

    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.time)):
            text = o.isoformat()
            return text[: -len("+00:00")] + "Z" if text.endswith("+00:00") else text
        return super().default(o)


FORMAT = "bayan-archive"
VERSION = 1
MANIFEST = "manifest.json"
RECORDS = "records.jsonl"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The archive cannot be written or restored; the message says why and what to do."""


def backup_models() -> list:
    """Every model a backup holds, parents before children."""
    chosen = [apps.get_model("auth", "Group"), apps.get_model("auth", "User")]
    chosen += [m for m in apps.get_app_config("archive").get_models() if not m._meta.proxy]
    app_list = [
        (apps.get_app_config("auth"), chosen[:2]),
        (apps.get_app_config("archive"), chosen[2:]),
    ]
    return serializers.sort_dependencies(app_list, allow_cycles=True)


def _label(model) -> str:
    return model._meta.label_lower


def _file_fields(model) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if isinstance(f, FileField)]


def _safe_name(name: str) -> str:
    path = PurePosixPath(name)
    if not name or path.is_absolute() or ".." in path.parts or "\\" in name or "\x00" in name:
        raise BackupError(f"The archive names an unsafe path {name!r}; refusing it.")
    return str(path)


# -- Writing ----------------------------------------------------------------------------------


class _Sink:
    """A directory or a tar archive, written member by member."""

    def __init__(self, target: Path):
        self.target = target
        self.tar = None
        name = target.name.lower()
        if name.endswith((".tar", ".tar.gz", ".tgz")):
            if target.exists():
                raise BackupError(f"{target} exists already; choose a new file name.")
            target.parent.mkdir(parents=True, exist_ok=True)
            mode = "w:gz" if name.endswith(("gz", "tgz")) else "w"
            self.tar = tarfile.open(target, mode)  # noqa: SIM115  (closed by close())
        else:
            if target.exists() and any(target.iterdir()):
                raise BackupError(f"{target} is not empty; choose a new or empty directory.")
            target.mkdir(parents=True, exist_ok=True)

    def add(self, name: str, data: bytes) -> None:
        if self.tar is not None:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = int(timezone.now().timestamp())
            self.tar.addfile(info, io.BytesIO(data))
        else:
            path = self.target / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)

    def add_file(self, name: str, source, size: int) -> None:
        if self.tar is not None:
            info = tarfile.TarInfo(name)
            info.size = size
            info.mtime = int(timezone.now().timestamp())
            self.tar.addfile(info, source)
        else:
            path = self.target / name
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as out:
                while chunk := source.read(CHUNK):
                    out.write(chunk)

    def close(self) -> None:
        if self.tar is not None:
            self.tar.close()


def _sha256_of(storage_name: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with default_storage.open(storage_name, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


@dataclass
class Summary:
    counts: Counter = field(default_factory=Counter)
    files: int = 0
    bytes: int = 0
    missing: list[str] = field(default_factory=list)


def export_archive(target: Path) -> Summary:
    """Write every record and original file to `target` (a directory or a .tar file)."""
    summary = Summary()
    sink = _Sink(target)
    records = io.BytesIO()
    file_names: set[str] = set()
    try:
        with transaction.atomic():  # one consistent snapshot where the database allows it
            for model in backup_models():
                queryset = model._default_manager.order_by("pk")
                for obj in queryset.iterator(chunk_size=500):
                    line = serializers.serialize(
                        "jsonl", [obj], use_natural_foreign_keys=True, cls=WholeTimesEncoder
                    )
                    records.write(line.encode("utf-8"))
                    summary.counts[_label(model)] += 1
                    for name in _file_fields(model):
                        value = getattr(obj, name)
                        if value and value.name:
                            file_names.add(value.name)
        data = records.getvalue()
        files = []
        for name in sorted(file_names):
            safe = _safe_name(name)
            if not default_storage.exists(name):
                summary.missing.append(name)
                continue
            sha, size = _sha256_of(name)
            with default_storage.open(name, "rb") as handle:
                sink.add_file(f"files/{safe}", handle, size)
            files.append({"name": safe, "sha256": sha, "size": size})
            summary.files += 1
            summary.bytes += size
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": timezone.now().isoformat(),
            "counts": dict(summary.counts),
            "records": {
                "path": RECORDS,
                "sha256": hashlib.sha256(data).hexdigest(),
                "lines": sum(summary.counts.values()),
            },
            "files": files,
            "missing_files": summary.missing,
        }
        sink.add(RECORDS, data)
        sink.add(MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False).encode("utf-8"))
    finally:
        sink.close()
    return summary


# -- Reading ----------------------------------------------------------------------------------


class _Source:
    """A directory or a tar archive, read member by member, never extracted."""

    def __init__(self, path: Path):
        self.path = path
        self.tar = None
        if path.is_file():
            try:
                self.tar = tarfile.open(path, "r:*")  # noqa: SIM115  (closed by close())
            except tarfile.TarError as error:
                raise BackupError(f"{path} is not a readable .tar archive: {error}") from None
            self.members = {
                m.name: m for m in self.tar.getmembers() if m.isfile()
            }  # links, devices and directories are never followed
        elif not path.is_dir():
            raise BackupError(f"{path} does not exist.")

    def open(self, name: str):
        name = _safe_name(name)
        if self.tar is not None:
            member = self.members.get(name)
            if member is None:
                raise BackupError(f"The archive lacks {name}.")
            return self.tar.extractfile(member)
        path = self.path / name
        if path.is_symlink() or not path.is_file():
            raise BackupError(f"The archive lacks {name}.")
        return path.open("rb")

    def read(self, name: str) -> bytes:
        with self.open(name) as handle:
            return handle.read()

    def sha256(self, name: str) -> tuple[str, int]:
        digest, size = hashlib.sha256(), 0
        with self.open(name) as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
        return digest.hexdigest(), size

    def close(self) -> None:
        if self.tar is not None:
            self.tar.close()


def verify(source: _Source) -> dict:
    """The manifest, once every checksum in it matched; BackupError listing what did not."""
    try:
        manifest = json.loads(source.read(MANIFEST))
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupError(
            f"The manifest is not valid JSON ({error}); the archive is damaged."
        ) from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(
            f"Not a Bayan archive of a known version (format={manifest.get('format')!r}, "
            f"version={manifest.get('version')!r})."
        )
    problems = []
    records = manifest["records"]
    sha, _ = source.sha256(records["path"])
    if sha != records["sha256"]:
        problems.append(f"{records['path']}: checksum mismatch")
    for entry in manifest["files"]:
        name = f"files/{_safe_name(entry['name'])}"
        try:
            sha, size = source.sha256(name)
        except BackupError as error:
            problems.append(str(error))
            continue
        if sha != entry["sha256"] or size != entry["size"]:
            problems.append(f"{name}: checksum mismatch")
    if problems:
        shown = "; ".join(problems[:10]) + (
            f"; and {len(problems) - 10} more" if len(problems) > 10 else ""
        )
        raise BackupError(
            f"The archive is corrupted ({len(problems)} problem(s)): {shown}. "
            "Nothing was imported; use another copy of the backup."
        )
    return manifest


def _lines(data: bytes) -> Iterator[str]:
    for line in data.decode("utf-8").splitlines():
        if line.strip():
            yield line


def import_archive(path: Path, *, rebuild_index: bool = True) -> Summary:
    """Restore an archive into an empty database; every checksum is verified first."""
    from archive.models import AuditEntry, Communique, Organization
    from search import queue
    from search.models import IndexTask

    for model in (Communique, Organization, AuditEntry):
        if model.objects.exists():
            raise BackupError(
                f"The database already holds {model._meta.verbose_name_plural}: import_archive "
                "restores into an empty database (a fresh DATABASE_URL, then manage.py migrate)."
            )
    source = _Source(path)
    summary = Summary()
    try:
        manifest = verify(source)
        data = source.read(manifest["records"]["path"])
        models = set()
        with transaction.atomic(), queue.deferred():
            deferred = []
            for line in _lines(data):
                for obj in serializers.deserialize("jsonl", line, handle_forward_references=True):
                    obj.save()
                    if obj.deferred_fields:
                        deferred.append(obj)
                    models.add(type(obj.object))
                    summary.counts[_label(type(obj.object))] += 1
            for obj in deferred:
                obj.save_deferred_fields()
            _reset_sequences(models)
            for entry in manifest["files"]:
                name = _safe_name(entry["name"])
                blob = source.read(f"files/{name}")
                if hashlib.sha256(blob).hexdigest() != entry["sha256"]:
                    raise BackupError(f"files/{name} changed while being read.")
                if default_storage.exists(name):
                    default_storage.delete(name)
                stored = default_storage.save(name, io.BytesIO(blob))
                if stored != name:
                    raise BackupError(f"Could not store {name} under its own name.")
                summary.files += 1
                summary.bytes += len(blob)
            expected = Counter(manifest["counts"])
            if Counter(summary.counts) != expected:
                raise BackupError(
                    f"Record counts differ from the manifest: {dict(summary.counts)} "
                    f"!= {dict(expected)}."
                )
            IndexTask.objects.all().delete()  # the rebuild below indexes everything
            AuditEntry.objects.create(
                actor_label="manage.py import_archive",
                action=AuditEntry.Action.RESTORED,
                object_type="archive",
                object_id="",
                object_repr=f"Restored from {path.name}"[:300],
                detail={"counts": dict(summary.counts), "files": summary.files},
            )
    finally:
        source.close()
    planner.refresh()  # restored records send no signal that would
    if rebuild_index:
        queue.rebuild(progress=False)
    return summary


def _reset_sequences(models) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
