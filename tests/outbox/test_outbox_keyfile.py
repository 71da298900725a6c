"""The key file: made once, 0600, never beside the data it protects, never loose."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from kiosk.outbox import OutboxKeyError, load_or_create_key


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    return d


def test_created_0600_in_private_directories_and_then_reused(tmp_path: Path,
                                                            data_dir: Path) -> None:
    path = tmp_path / "etc" / "kiosk" / "outbox.key"
    key = load_or_create_key(path, data_dir)
    assert len(key) == 32 and key != bytes(32)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert load_or_create_key(path, data_dir) == key
    assert [p.name for p in path.parent.iterdir()] == ["outbox.key"]  # no temporary left


def test_created_0600_whatever_the_umask(tmp_path: Path, data_dir: Path) -> None:
    old = os.umask(0)
    try:
        path = tmp_path / "keys" / "outbox.key"
        load_or_create_key(path, data_dir)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_refused_inside_the_data_dir(data_dir: Path) -> None:
    with pytest.raises(OutboxKeyError, match="inside the data directory"):
        load_or_create_key(data_dir / "outbox.key", data_dir)
    with pytest.raises(OutboxKeyError, match="inside the data directory"):
        load_or_create_key(data_dir / "sub" / "outbox.key", data_dir)
    assert list(data_dir.iterdir()) == []  # refused before anything was written


def test_refused_inside_the_data_dir_through_a_symlink(tmp_path: Path, data_dir: Path) -> None:
    (tmp_path / "keys").symlink_to(data_dir)
    with pytest.raises(OutboxKeyError, match="resolves to"):
        load_or_create_key(tmp_path / "keys" / "outbox.key", data_dir)


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660, 0o620])
def test_refused_when_group_or_others_have_access(tmp_path: Path, data_dir: Path,
                                                  mode: int) -> None:
    path = tmp_path / "outbox.key"
    path.write_bytes(os.urandom(32))
    path.chmod(mode)
    with pytest.raises(OutboxKeyError) as info:
        load_or_create_key(path, data_dir)
    assert f"{mode:04o}" in str(info.value)
    assert stat.S_IMODE(path.stat().st_mode) == mode  # refused, not quietly "fixed"


@pytest.mark.parametrize("size", [0, 16, 31, 33, 64])
def test_refused_when_the_length_is_wrong(tmp_path: Path, data_dir: Path, size: int) -> None:
    path = tmp_path / "outbox.key"
    content = os.urandom(size)
    path.write_bytes(content)
    path.chmod(0o600)
    with pytest.raises(OutboxKeyError, match=f"holds {size} bytes"):
        load_or_create_key(path, data_dir)
    assert path.read_bytes() == content  # a wrong key file is never overwritten


def test_refused_when_not_a_regular_file(tmp_path: Path, data_dir: Path) -> None:
    directory = tmp_path / "dir.key"
    directory.mkdir(mode=0o700)
    with pytest.raises(OutboxKeyError, match="not a regular file"):
        load_or_create_key(directory, data_dir)
    fifo = tmp_path / "fifo.key"
    os.mkfifo(fifo, 0o600)
    with pytest.raises(OutboxKeyError, match="not a regular file"):  # and it does not hang
        load_or_create_key(fifo, data_dir)
    dangling = tmp_path / "dangling.key"
    dangling.symlink_to(tmp_path / "nowhere")
    with pytest.raises(OutboxKeyError, match="dangling symlink"):
        load_or_create_key(dangling, data_dir)


def test_the_key_is_never_in_an_error_message(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "outbox.key"
    key = load_or_create_key(path, data_dir)
    path.chmod(0o644)
    with pytest.raises(OutboxKeyError) as info:
        load_or_create_key(path, data_dir)
    assert key.hex() not in str(info.value) and repr(key) not in str(info.value)


@pytest.mark.parametrize("round_", range(10))
def test_starting_twice_at_once_ends_with_one_key(tmp_path: Path, data_dir: Path,
                                                  round_: int) -> None:
    """Eight starts race for a missing key: one key wins, nobody fails (a start that lost the
    race once reported the winner's fresh file as a "dangling symlink")."""
    path = tmp_path / "keys" / "outbox.key"
    keys: list[bytes] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def start() -> None:
        barrier.wait()
        try:
            keys.append(load_or_create_key(path, data_dir))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert errors == []
    assert len(keys) == 8 and len(set(keys)) == 1
    assert path.read_bytes() == keys[0]
