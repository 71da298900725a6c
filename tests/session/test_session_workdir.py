"""The per-session directory: private, wiped with zeros before unlinking, swept after a crash."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from kiosk.session import workdir as workdir_mod
from kiosk.session.workdir import SessionWorkdir, sessions_dir_of, sweep_stale


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_private_random_directory_and_files(tmp_path: Path) -> None:
    sessions = tmp_path / "run" / "sessions"
    a, b = SessionWorkdir(sessions), SessionWorkdir(sessions)
    assert a.path != b.path and a.path.parent == sessions
    assert mode(sessions) == 0o700 and mode(a.path) == 0o700
    p = a.write(b"page one", ".jpg", stem="scan")
    assert p.parent == a.path and p.read_bytes() == b"page one" and mode(p) == 0o600
    with pytest.raises(ValueError):
        a.write(b"x", "/../../etc/passwd")
    with pytest.raises(ValueError):
        a.write(b"x", ".jpg", stem="../x")


def test_sessions_dir_defaults_under_the_run_dir(tmp_path: Path) -> None:
    assert sessions_dir_of("", "/run/kiosk") == Path("/run/kiosk/sessions")
    assert sessions_dir_of(str(tmp_path), "/run/kiosk") == tmp_path


def test_wipe_overwrites_with_zeros_then_removes_everything(tmp_path: Path, monkeypatch) -> None:
    wd = SessionWorkdir(tmp_path)
    big = os.urandom(3 * 1024 * 1024 + 17)
    files = [wd.write(b"secret page", ".jpg"), wd.write(big, ".pdf"), wd.write(b"", ".txt")]
    nested = wd.path / "frames" / "deeper"
    nested.mkdir(parents=True)
    (nested / "frame.raw").write_bytes(b"camera frame")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    outside.write_bytes(b"not the session's")
    (wd.path / "link").symlink_to(outside)
    (wd.path / "dirlink").symlink_to(tmp_path.parent)

    seen: dict[str, bytes] = {}
    real_unlink = os.unlink

    def spy_unlink(path, *a, **kw):  # what each file held at the moment it was unlinked
        if os.path.isfile(path) and not os.path.islink(path):
            seen[os.path.basename(path)] = Path(path).read_bytes()
        return real_unlink(path, *a, **kw)

    monkeypatch.setattr(workdir_mod.os, "unlink", spy_unlink)
    assert wd.wipe() is True
    assert not wd.path.exists() and list(tmp_path.iterdir()) == []
    assert set(seen) == {f.name for f in files} | {"frame.raw"}
    assert all(content == bytes(len(content)) for content in seen.values())
    assert len(seen[files[1].name]) == len(big)
    assert outside.read_bytes() == b"not the session's"  # links are removed, not followed
    assert tmp_path.parent.exists()
    with pytest.raises(RuntimeError):
        wd.write(b"late", ".jpg")


def test_sweep_removes_only_session_directories(tmp_path: Path) -> None:
    left = [SessionWorkdir(tmp_path) for _ in range(3)]
    for wd in left:
        wd.write(b"left by a crash", ".jpg")
    (tmp_path / "keep.txt").write_text("not ours")
    (tmp_path / "session-notours").mkdir()
    assert sweep_stale(tmp_path) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt", "session-notours"]
    assert sweep_stale(tmp_path / "missing") == 0
