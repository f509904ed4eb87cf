"""Durable writes: the target holds the old content or the new, never a mix."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from dprkwatch import durable


def test_write_bytes_replaces_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "file.bin"
    durable.write_bytes(target, b"one")
    durable.write_bytes(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["file.bin"]


def test_failed_block_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    target.write_text("old")
    with pytest.raises(RuntimeError), durable.replacing(target) as tmp:
        tmp.write_text("half of the new")
        raise RuntimeError("writer crashed")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_secret_files_are_private_from_the_start(tmp_path: Path) -> None:
    target = tmp_path / "key"
    durable.write_text(target, "secret\n", mode=0o600)
    assert target.read_text() == "secret\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_sha256_file(tmp_path: Path) -> None:
    path = tmp_path / "x"
    path.write_bytes(b"abc")
    digest, size = durable.sha256_file(path)
    assert size == 3
    assert digest == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_locked_makes_a_second_holder_wait(tmp_path: Path) -> None:
    """Two holders (two open files, as two processes would have) take turns."""
    import threading

    lock = tmp_path / "folder" / ".lock"
    order: list[str] = []
    held = threading.Event()

    def first() -> None:
        with durable.locked(lock):
            order.append("first in")
            held.set()
            threading.Event().wait(0.3)
            order.append("first out")

    t = threading.Thread(target=first)
    t.start()
    held.wait(5)
    with durable.locked(lock):
        order.append("second in")
    t.join()
    assert order == ["first in", "first out", "second in"]


def test_the_holder_is_named_in_place(tmp_path: Path) -> None:
    """Each turn writes the holder's pid over the last one without changing the file's size
    (no truncation, which ext4 answers with a flush); older, longer content is replaced."""
    import os

    lock = tmp_path / ".lock"
    lock.write_text("an older holder's longer record\n")
    with durable.locked(lock):
        assert durable.lock_holder(lock) == os.getpid()
    size = lock.stat().st_size
    record = lock.read_bytes()
    for _ in range(3):
        with durable.locked(lock):
            pass
    assert lock.stat().st_size == size and lock.read_bytes() == record
    assert record.strip() == str(os.getpid()).encode()
