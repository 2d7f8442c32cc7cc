"""Where uploaded statements come from: files, folders and .zip archives.

Archives are read member by member in memory and never extracted to disk, so a member
named "../../etc/passwd" cannot write anywhere; such names are still reported, because
they are a sign of a hostile or broken archive. Every problem becomes a Source carrying
an IngestError, and the rest of the batch goes on.
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from archive.ingest.errors import IngestError
from archive.ingest.readers.sniff import is_office_package, is_zip

MB = 1024 * 1024
_SKIPPED_NAMES = frozenset({"__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini"})
_CHUNK = 64 * 1024


@dataclass
class Source:
    name: str  # display name: the path as given, or "batch.zip/2023/statement.pdf"
    data: bytes | None
    error: IngestError | None  # exactly one of data / error is set


@dataclass
class _Limits:
    max_file_bytes: int = 25 * MB
    max_archive_bytes: int = 500 * MB
    max_archive_members: int = 10000


class _Budget:
    """Bytes still allowed out of one top-level archive, nested archives included."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def take(self, count: int) -> bool:
        self.used += count
        return self.used <= self.limit


def _megabytes(count: int) -> str:
    return f"{count / MB:g} MB"


def _failed(name: str, reason: str, detail: str) -> Source:
    return Source(name, None, IngestError(name, reason, detail))


def _too_large(name: str, limit: int) -> Source:
    return _failed(
        name, "too_large", f"is larger than {_megabytes(limit)}; split it or compress its images"
    )


def _is_skipped(part: str) -> bool:
    # Hidden files, macOS resource forks and Office lock files ("~$report.docx").
    return part in _SKIPPED_NAMES or part.startswith((".", "~$"))


def _is_hidden_member(member: str) -> bool:
    parts = PurePosixPath(member.replace("\\", "/")).parts
    return any(_is_skipped(part) for part in parts if part != "..")


def _is_archive(names: list[str]) -> bool:
    return not is_office_package(names)


def _unsafe_member_name(info: zipfile.ZipInfo) -> bool:
    name = info.orig_filename.replace("\\", "/")
    parts = PurePosixPath(name).parts
    is_symlink = stat.S_ISLNK(info.external_attr >> 16)
    return (
        name.startswith("/")
        or (len(name) > 1 and name[1] == ":")  # "C:/Windows/..."
        or ".." in parts
        or "\x00" in name
        or is_symlink
    )


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes | None:
    """The member's bytes, or None once more than ``limit`` bytes came out.

    The declared size was checked already, but it is only what the archive claims: count
    what decompression really produces.
    """
    out = io.BytesIO()
    with archive.open(info) as member:
        while chunk := member.read(_CHUNK):
            out.write(chunk)
            if out.tell() > limit:
                return None
    return out.getvalue()


def _iter_archive(
    name: str, file: IO[bytes] | str, limits: _Limits, budget: _Budget, depth: int
) -> Iterator[Source]:
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError):
        yield _failed(name, "corrupt", "the zip archive is damaged; create it again and re-upload")
        return
    with archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        if not any(_unsafe_member_name(i) or not _is_hidden_member(i.filename) for i in infos):
            # Otherwise the archive would vanish from the batch without a word.
            yield _failed(
                name,
                "empty",
                "holds no files to read (only folders or hidden files); "
                "check that it is the right archive",
            )
            return
        if len(infos) > limits.max_archive_members:
            yield _failed(
                name,
                "too_large",
                f"holds {len(infos)} files, more than the {limits.max_archive_members} allowed; "
                "split it into smaller archives",
            )
            return
        for info in infos:
            member_name = f"{name}/{info.filename.lstrip('/')}"
            # Checked before the hidden-file rule: ".." would otherwise pass as hidden.
            if _unsafe_member_name(info):
                yield _failed(
                    member_name,
                    "unsafe_path",
                    "this archive member points outside the archive and was skipped; "
                    "check where the archive came from",
                )
                continue
            if _is_hidden_member(info.filename):
                continue
            if info.flag_bits & 0x1:
                yield _failed(
                    member_name,
                    "unsupported",
                    "is password-protected inside the zip; add it without a password",
                )
                continue
            if not budget.take(info.file_size):
                yield _zip_bomb(name, budget.limit)
                return
            if info.file_size > limits.max_file_bytes:
                yield _too_large(member_name, limits.max_file_bytes)
                continue
            try:
                data = _read_member(archive, info, limits.max_file_bytes)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
                # Bad CRC, truncated data, an unknown compression method.
                yield _failed(
                    member_name,
                    "corrupt",
                    "this archive member is damaged and was skipped; "
                    "create the archive again and re-upload",
                )
                continue
            if data is None:
                yield _too_large(member_name, limits.max_file_bytes)
                continue
            # The declared size was charged already; charge any excess actually produced.
            if not budget.take(len(data) - info.file_size):
                yield _zip_bomb(name, budget.limit)
                return
            yield from _expand(member_name, data, limits, budget, depth + 1)


def _zip_bomb(name: str, limit: int) -> Source:
    return _failed(
        name, "zip_bomb", f"expands beyond {_megabytes(limit)}; split it into smaller archives"
    )


def _expand(
    name: str, data: bytes, limits: _Limits, budget: _Budget, depth: int
) -> Iterator[Source]:
    """Yield the file itself, or the members of a zip archive (one level of nesting)."""
    if is_zip(data):
        names = _archive_names(data)
        if names is None and PurePosixPath(name).suffix.lower() == ".zip":
            yield _failed(name, "corrupt", "the zip archive is damaged; create it again")
            return
        if names is not None:
            if depth >= 2:
                yield _failed(
                    name,
                    "unsupported",
                    "is a zip inside a zip inside a zip; unpack the inner archives and re-upload",
                )
                return
            yield from _iter_archive(name, io.BytesIO(data), limits, budget, depth)
            return
    yield Source(name, data, None)


def iter_upload(
    name: str,
    data: bytes,
    *,
    max_file_bytes: int = 25 * MB,
    max_archive_bytes: int = 500 * MB,
    max_archive_members: int = 10000,
) -> Iterator[Source]:
    """One uploaded file: the file itself, or the members of a zip archive."""
    limits = _Limits(max_file_bytes, max_archive_bytes, max_archive_members)
    # An archive may be bigger than one file may be; a .docx (also a zip) may not.
    limit = max_archive_bytes if _archive_names(data) is not None else max_file_bytes
    if len(data) > limit:
        yield _too_large(name, limit)
        return
    yield from _expand(name, data, limits, _Budget(max_archive_bytes), depth=0)


def _walk(folder: Path) -> Iterator[Path]:
    """Files under ``folder`` in sorted order, hidden files and folders skipped."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not _is_skipped(d))
        for file in sorted(files):
            if not _is_skipped(file):
                yield Path(root) / file


def _archive_names(data: bytes) -> list[str] | None:
    """Member names if ``data`` is a readable zip archive of files (not a .docx)."""
    if not is_zip(data):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    return names if _is_archive(names) else None


def _zip_names(path: Path) -> list[str] | None:
    """Member names if ``path`` is a zip archive of files (not a .docx), else None."""
    with path.open("rb") as file:
        if not is_zip(file.read(4)):
            return None
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    return names if _is_archive(names) else None


def _iter_file(path: Path, name: str, limits: _Limits) -> Iterator[Source]:
    try:
        size = path.stat().st_size
        names = _zip_names(path)
        if names is not None:
            # Read from disk member by member; the archive itself may be large.
            if size > limits.max_archive_bytes:
                yield _too_large(name, limits.max_archive_bytes)
                return
            budget = _Budget(limits.max_archive_bytes)
            yield from _iter_archive(name, str(path), limits, budget, depth=0)
            return
        if size > limits.max_file_bytes:
            yield _too_large(name, limits.max_file_bytes)
            return
        data = path.read_bytes()
    except OSError as exc:
        yield _failed(name, "not_found", f"could not be opened ({exc.strerror or exc})")
        return
    yield from _expand(name, data, limits, _Budget(limits.max_archive_bytes), depth=0)


def iter_sources(
    paths: Iterable[str | Path],
    *,
    max_file_bytes: int = 25 * MB,
    max_archive_bytes: int = 500 * MB,
    max_archive_members: int = 10000,
) -> Iterator[Source]:
    """Every file under the given files and folders, zip archives expanded."""
    limits = _Limits(max_file_bytes, max_archive_bytes, max_archive_members)
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for file in _walk(path):
                yield from _iter_file(file, str(file), limits)
        elif path.exists():
            yield from _iter_file(path, str(given), limits)
        else:
            yield _failed(str(given), "not_found", "does not exist; check the path")


def count_sources(paths: Iterable[str | Path]) -> int:
    """How many Sources iter_sources will roughly yield, for a progress bar.

    Zip members are counted from the archive's directory without reading them; a zip
    nested in a zip counts as one.
    """
    total = 0
    for given in paths:
        path = Path(given)
        files = list(_walk(path)) if path.is_dir() else [path]
        for file in files:
            try:
                names = _zip_names(file)
            except OSError:
                names = None
            if names is None:
                total += 1
            else:
                # An archive with nothing to read still yields its own failure.
                total += max(
                    1,
                    sum(
                        1
                        for member in names
                        if not member.endswith("/") and not _is_hidden_member(member)
                    ),
                )
    return total
