"""Reading files, folders and stdin into RawDocuments; errors are yielded, never raised."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from incitewatch.errors import InputError
from incitewatch.ingest.files import describe_size, iter_raw_documents, too_large_reason
from incitewatch.types import RawDocument
from tests.shared_paths import SEEDS

LIMIT = 5_000_000


def read_all(*paths: str | Path, max_bytes: int = LIMIT, stdin: io.BytesIO | None = None) -> list[object]:
    return list(iter_raw_documents(list(paths), max_bytes=max_bytes, stdin=stdin))


def names(results: list[object]) -> list[str]:
    """File names of documents, ``!name`` for errors, in order."""
    out = []
    for item in results:
        if isinstance(item, RawDocument):
            out.append(item.uri.rsplit("/", 1)[-1])
        else:
            assert isinstance(item, InputError)
            out.append("!" + Path(item.input_name).name)
    return out


def test_a_file_is_read_byte_for_byte_with_its_uri_and_media_type(tmp_path: Path) -> None:
    data = "Statement from the ministry\r\n\xe9t\xe9".encode("latin-1") + b"\xff\x00"
    path = tmp_path / "report.HTML"
    path.write_bytes(data)
    (doc,) = read_all(path)
    assert isinstance(doc, RawDocument)
    assert doc.data == data
    assert doc.uri == path.absolute().as_uri()
    assert (doc.source, doc.media_type) == ("file", "text/html")


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("a.txt", "text/plain"),
        ("a.htm", "text/html"),
        ("a.md", "text/markdown"),
        ("a.jsonl", "application/x-ndjson"),
        ("a.csv", "text/csv"),
        ("a.json", "application/json"),
        ("a.bin", None),
        ("noext", None),
    ],
)
def test_media_type_comes_from_the_extension(tmp_path: Path, name: str, media_type: str | None) -> None:
    (tmp_path / name).write_text("x")
    (doc,) = read_all(tmp_path / name)
    assert isinstance(doc, RawDocument) and doc.media_type == media_type


def test_folders_are_walked_recursively_in_name_order_skipping_hidden(tmp_path: Path) -> None:
    for relative in (
        "b.txt",
        "a.txt",
        "sub/c.txt",
        "sub/deeper/d.txt",
        ".hidden.txt",
        ".git/config",
        "sub/.e.txt",
    ):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(relative)
    assert names(read_all(tmp_path)) == ["a.txt", "b.txt", "c.txt", "d.txt"]


def test_an_explicitly_named_hidden_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".notes.txt").write_text("kept")
    assert names(read_all(tmp_path / ".notes.txt")) == [".notes.txt"]


def test_a_missing_file_is_reported_and_the_rest_still_read(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text("fine")
    results = read_all(tmp_path / "gone.txt", tmp_path / "ok.txt")
    assert names(results) == ["!gone.txt", "ok.txt"]
    error = results[0]
    assert isinstance(error, InputError)
    assert error.reason == "no such file"
    assert str(error) == f"{tmp_path / 'gone.txt'}: no such file"


def test_an_oversized_file_is_refused_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(52_400_000)  # sparse: costs no disk
    (tmp_path / "small.txt").write_text("small")
    real_open = Path.open

    def guarded_open(self: Path, *args: object, **kwargs: object) -> object:
        assert self.name != "big.txt", "the oversized file must not be opened"
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", guarded_open)
    results = read_all(tmp_path)
    assert names(results) == ["!big.txt", "small.txt"]
    assert isinstance(results[0], InputError)
    assert results[0].reason == "too large (52.4 MB > 5 MB limit)"


def test_a_file_exactly_at_the_limit_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "edge.txt").write_bytes(b"x" * 100)
    assert isinstance(read_all(tmp_path / "edge.txt", max_bytes=100)[0], RawDocument)
    (error,) = read_all(tmp_path / "edge.txt", max_bytes=99)
    assert isinstance(error, InputError) and error.reason == "too large (100 bytes > 99 bytes limit)"


def test_sizes_are_described_readably() -> None:
    assert describe_size(850) == "850 bytes"
    assert describe_size(12_500) == "12.5 kB"
    assert describe_size(5_000_000) == "5 MB"
    assert too_large_reason(5_000_001, 5_000_000) == "too large (5000001 bytes > 5000000 bytes limit)"


def test_stdin_is_read_with_a_dash() -> None:
    (doc,) = read_all("-", stdin=io.BytesIO(b"piped text"))
    assert isinstance(doc, RawDocument)
    assert (doc.data, doc.source, doc.uri, doc.media_type) == (b"piped text", "stdin", "stdin:", None)


def test_oversized_stdin_is_refused() -> None:
    (error,) = read_all("-", max_bytes=4, stdin=io.BytesIO(b"too long"))
    assert isinstance(error, InputError) and error.input_name == "stdin" and "too large" in error.reason


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_special_files_are_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    (error,) = read_all(tmp_path / "pipe")
    assert isinstance(error, InputError) and error.reason == "not a regular file or folder"


def test_symlink_loops_inside_a_folder_are_not_followed(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    assert names(read_all(tmp_path)) == ["a.txt"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores file permissions")
def test_unreadable_folders_and_files_are_reported(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "inside.txt").write_text("x")
    secret = tmp_path / "secret.txt"
    secret.write_text("x")
    locked.chmod(0)
    secret.chmod(0)
    try:
        results = read_all(locked, secret)
    finally:
        locked.chmod(0o700)
        secret.chmod(0o600)
    assert names(results) == ["!locked", "!secret.txt"]
    assert all(isinstance(r, InputError) and "permission denied" in r.reason for r in results)


def test_an_unlistable_folder_inside_a_walk_does_not_stop_it(tmp_path: Path) -> None:
    """Simulated with a file replaced by a dangling symlink: the walk reports it and carries on."""
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "b.txt").symlink_to(tmp_path / "nowhere.txt")
    (tmp_path / "c.txt").write_text("c")
    assert names(read_all(tmp_path)) == ["a.txt", "!b.txt", "c.txt"]


def test_the_seed_folder_is_read_exactly(tmp_path: Path) -> None:
    seeds = SEEDS
    if not seeds.is_dir():
        pytest.skip("seed reports not available")
    results = read_all(seeds)
    expected = sorted(path for path in seeds.iterdir() if not path.name.startswith("."))
    assert [r.data for r in results if isinstance(r, RawDocument)] == [p.read_bytes() for p in expected]
