"""Files, folders and zip archives handed to the importer."""

from __future__ import annotations

import io
import shutil
import stat
import zipfile
from pathlib import Path
from random import randbytes

import pytest

from archive.ingest.sources import Source, count_sources, iter_sources, iter_upload

DATA = Path(__file__).resolve().parent.parent / "data" / "readers"
MB = 1024 * 1024


def make_zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def by_name(sources: list[Source]) -> dict[str, Source]:
    return {source.name: source for source in sources}


def errors(sources: list[Source]) -> dict[str, str]:
    return {s.name: s.error.reason for s in sources if s.error is not None}


@pytest.fixture
def batch() -> list[Source]:
    return list(iter_upload("batch.zip", (DATA / "batch.zip").read_bytes()))


# --- zip archives ----------------------------------------------------------------------


def test_zip_members_come_out_with_archive_paths(batch: list[Source]) -> None:
    good = [s.name for s in batch if s.data is not None]
    assert good == ["batch.zip/2023/statement.pdf", "batch.zip/2023/notes.txt",
                    "batch.zip/2024/communique.docx"]  # fmt: skip


def test_zip_member_bytes_are_the_original_file(batch: list[Source]) -> None:
    assert (
        by_name(batch)["batch.zip/2023/statement.pdf"].data == (DATA / "statement.pdf").read_bytes()
    )


def test_zip_member_escaping_the_archive_is_reported_and_skipped(batch: list[Source]) -> None:
    source = by_name(batch)["batch.zip/../../etc/passwd"]
    assert (source.data, source.error.reason) == (None, "unsafe_path")
    assert str(source.error).startswith("batch.zip/../../etc/passwd: ")


def test_damaged_zip_member_is_reported_and_the_rest_go_on(batch: list[Source]) -> None:
    assert errors(batch) == {
        "batch.zip/../../etc/passwd": "unsafe_path",
        "batch.zip/2024/damaged.txt": "corrupt",
    }


def test_zip_skips_macos_junk_and_hidden_files(batch: list[Source]) -> None:
    assert not [s.name for s in batch if "__MACOSX" in s.name or ".DS_Store" in s.name]


@pytest.mark.parametrize(
    "members", [{}, {"__MACOSX/._a.txt": b"junk", ".DS_Store": b"junk", "folder/": b""}]
)
def test_zip_with_nothing_to_read_is_reported_as_empty(members: dict[str, bytes]) -> None:
    sources = list(iter_upload("a.zip", make_zip(members)))
    assert errors(sources) == {"a.zip": "empty"}
    assert "check that it is the right archive" in str(sources[0].error)


def test_absolute_member_path_is_unsafe() -> None:
    sources = list(iter_upload("a.zip", make_zip({"/etc/hosts": b"127.0.0.1 localhost"})))
    assert errors(sources) == {"a.zip/etc/hosts": "unsafe_path"}


def test_symlink_member_is_unsafe() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        link = zipfile.ZipInfo("shadow")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/shadow")
    assert errors(list(iter_upload("a.zip", out.getvalue()))) == {"a.zip/shadow": "unsafe_path"}


def test_zip_bomb_is_stopped_at_the_archive_limit() -> None:
    bomb = make_zip({"zeros.txt": bytes(20 * MB)})
    assert len(bomb) < MB  # tiny on disk, huge when expanded
    sources = list(iter_upload("bomb.zip", bomb, max_archive_bytes=10 * MB))
    assert [(s.name, s.error.reason) for s in sources] == [("bomb.zip", "zip_bomb")]
    assert str(sources[0].error) == (
        "bomb.zip: expands beyond 10 MB; split it into smaller archives"
    )


def test_many_small_members_add_up_to_a_zip_bomb() -> None:
    members = {f"part{i}.txt": bytes(3 * MB) for i in range(5)}
    sources = list(iter_upload("b.zip", make_zip(members), max_archive_bytes=10 * MB))
    assert [s.error.reason for s in sources if s.error] == ["zip_bomb"]
    assert len([s for s in sources if s.data is not None]) == 3


def test_decompressed_bytes_are_counted_not_just_declared_sizes() -> None:
    bomb = bytearray(make_zip({"a.txt": bytes(4 * MB)}))
    # Lie in both headers: claim 100 bytes. zipfile stops at the declared size, so the
    # member cannot grow past it; the lie then shows up as a damaged member.
    for header, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = bomb.index(header) + offset
        bomb[at : at + 4] = (100).to_bytes(4, "little")
    sources = list(iter_upload("liar.zip", bytes(bomb), max_file_bytes=MB))
    assert errors(sources) == {"liar.zip/a.txt": "corrupt"}


def test_member_over_the_file_limit_is_too_large() -> None:
    sources = list(iter_upload("a.zip", make_zip({"big.pdf": bytes(2 * MB)}), max_file_bytes=MB))
    assert errors(sources) == {"a.zip/big.pdf": "too_large"}
    assert "larger than 1 MB" in str(sources[0].error)


def test_too_many_members_are_refused() -> None:
    members = {f"{i}.txt": b"x" for i in range(6)}
    sources = list(iter_upload("a.zip", make_zip(members), max_archive_members=5))
    assert errors(sources) == {"a.zip": "too_large"}


def test_damaged_zip_is_corrupt() -> None:
    damaged = make_zip({"a.txt": b"hello"})[:-30]
    sources = list(iter_upload("batch.zip", damaged))
    assert errors(sources) == {"batch.zip": "corrupt"}


def test_zip_inside_a_zip_is_expanded() -> None:
    inner = make_zip({"a.txt": b"inner statement"})
    sources = list(iter_upload("outer.zip", make_zip({"inner.zip": inner})))
    assert [(s.name, s.data) for s in sources] == [
        ("outer.zip/inner.zip/a.txt", b"inner statement")
    ]


def test_zip_nested_two_levels_deep_is_reported() -> None:
    deepest = make_zip({"a.txt": b"too deep"})
    middle = make_zip({"deep.zip": deepest})
    sources = list(iter_upload("outer.zip", make_zip({"middle.zip": middle})))
    assert errors(sources) == {"outer.zip/middle.zip/deep.zip": "unsupported"}


def test_uploaded_docx_is_a_document_not_an_archive() -> None:
    data = (DATA / "statement.docx").read_bytes()
    assert [(s.name, s.data) for s in iter_upload("c.docx", data)] == [("c.docx", data)]


def test_uploaded_docx_over_the_file_limit_is_too_large() -> None:
    members = {"[Content_Types].xml": b"<Types/>", "word/media/photo.jpg": randbytes(MB)}
    docx_like = make_zip(members, zipfile.ZIP_STORED)
    sources = list(iter_upload("c.docx", docx_like, max_file_bytes=MB // 2))
    assert errors(sources) == {"c.docx": "too_large"}


def test_uploaded_file_over_the_limit_is_too_large() -> None:
    sources = list(iter_upload("scan.pdf", b"%PDF-" + bytes(2 * MB), max_file_bytes=MB))
    assert errors(sources) == {"scan.pdf": "too_large"}


# --- files and folders -----------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "second.txt").write_text("second")
    (tmp_path / "a.txt").write_text("first")
    (tmp_path / ".hidden.txt").write_text("hidden")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("git")
    (tmp_path / "__MACOSX").mkdir()
    (tmp_path / "__MACOSX" / "._a.txt").write_text("junk")
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (tmp_path / "c.zip").write_bytes(make_zip({"z.txt": b"zipped"}))
    return tmp_path


def test_folder_is_walked_in_sorted_order_without_hidden_files(folder: Path) -> None:
    names = [Path(s.name).relative_to(folder).as_posix() for s in iter_sources([folder])]
    assert names == ["a.txt", "c.zip/z.txt", "b/second.txt"]


def test_zip_on_disk_is_expanded(folder: Path) -> None:
    sources = list(iter_sources([folder / "c.zip"]))
    assert [(s.name, s.data) for s in sources] == [(f"{folder / 'c.zip'}/z.txt", b"zipped")]


def test_missing_path_is_reported_and_the_rest_go_on(folder: Path) -> None:
    sources = list(iter_sources(["no/such/file.pdf", folder / "a.txt"]))
    assert errors(sources) == {"no/such/file.pdf": "not_found"}
    assert sources[1].data == b"first"


def test_file_over_the_limit_is_too_large_and_names_the_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-" + bytes(2 * MB))
    [source] = iter_sources([big], max_file_bytes=MB)
    assert source.error.reason == "too_large"
    assert str(source.error) == f"{big}: is larger than 1 MB; split it or compress its images"


def test_count_matches_what_iteration_yields(folder: Path) -> None:
    shutil.copy(DATA / "batch.zip", folder / "batch.zip")
    assert count_sources([folder]) == len(list(iter_sources([folder]))) == 8


def test_count_includes_the_failure_of_an_archive_with_nothing_to_read(folder: Path) -> None:
    (folder / "empty.zip").write_bytes(make_zip({"__MACOSX/._a.txt": b"junk"}))
    assert count_sources([folder]) == len(list(iter_sources([folder]))) == 4
