"""`kiosk outbox keygen` runs as root (kiosk-keys.service): the attacks a UI user could try on
it, run as the real command, and the key sealed with the real systemd-creds.

The UI user can write `<data_dir>/fleet/applied.toml`; an earlier keygen read it, created the
key at whatever path it named and chowned that to `kiosk` (a unit file under
/etc/systemd/system, rewritable by the UI user). Keys are now made only under the keys
directory (here a temporary one through KIOSK_TEST_KEYS_ROOT), through no symlink, never
chowned or chmod-ed when they exist. systemd-creds uses a temporary host key
(SYSTEMD_CREDENTIAL_SECRET), so this machine's /var/lib/systemd is never touched.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config.loader import DEFAULT_FILE, read_layer, validate_layers
from kiosk.outbox import OutboxKeyError
from kiosk.outbox.from_config import outbox_key
from kiosk.outbox.keygen import KEYS_ROOT_ENV

ROOT = Path(__file__).resolve().parents[2]
needs_creds = pytest.mark.skipif(not shutil.which("systemd-creds"),
                                 reason="systemd-creds missing (Debian package systemd)")
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root")


@pytest.fixture
def box(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary root: <tmp>/etc/kiosk (the keys directory), <tmp>/data, a site file."""
    (tmp_path / "etc/kiosk").mkdir(parents=True)
    (tmp_path / "etc/systemd/system").mkdir(parents=True)
    (tmp_path / "data/fleet").mkdir(parents=True)
    site(tmp_path, tmp_path / "etc/kiosk/outbox.key")
    monkeypatch.setenv(KEYS_ROOT_ENV, str(tmp_path / "etc/kiosk"))
    monkeypatch.setenv("SYSTEMD_CREDENTIAL_SECRET", str(tmp_path / "credential.secret"))
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    return tmp_path


def site(box: Path, key_file: Path) -> Path:
    path = box / "site.toml"
    path.write_text(f'[terminal]\ndata_dir = "{box / "data"}"\n'
                    f'[outbox]\nkey_file = "{key_file}"\n', encoding="utf-8")
    return path


def keygen(box: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk.cli.entry", "--config",
                           str(box / "site.toml"), "outbox", "keygen", *args],
                          capture_output=True, text=True, timeout=60, cwd=ROOT, env=os.environ)


def config(box: Path):  # the site file's view, as keygen and the CLI read it
    return validate_layers([read_layer("default", DEFAULT_FILE),
                            read_layer("site", box / "site.toml")])


def snapshot(path: Path) -> tuple[int, int, int, bytes]:
    info = path.stat(follow_symlinks=False)
    return info.st_uid, info.st_gid, info.st_mode, path.read_bytes()


@needs_root
def test_a_fleet_layer_cannot_name_where_root_writes_the_key(box: Path) -> None:
    """The escalation as it was done: the UI user's fleet layer names a unit file. keygen reads
    the site file only: the key lands where the site says, nothing under systemd."""
    evil = box / "etc/systemd/system/evil.service"
    (box / "data/fleet/applied.toml").write_text(f'[outbox]\nkey_file = "{evil}"\n')
    result = keygen(box, "--owner", "nobody")
    assert result.returncode == 0, result.stderr
    assert not evil.exists() and list((box / "etc/systemd/system").iterdir()) == []
    key = box / "etc/kiosk/outbox.key"
    assert key.stat().st_uid == 65534 and stat.S_IMODE(key.stat().st_mode) == 0o600


def test_a_path_outside_the_keys_directory_is_refused(box: Path) -> None:
    evil = box / "etc/systemd/system/evil.service"
    site(box, evil)
    for args in ((), ("--seal",)):
        result = keygen(box, *args)
        assert result.returncode == 1 and "keys are made only under" in result.stderr
    assert list((box / "etc/systemd/system").iterdir()) == []


@needs_root
@pytest.mark.parametrize("args", [("--owner", "nobody"), ("--seal",)])
def test_a_symlink_planted_at_the_key_path_is_not_followed(box: Path,
                                                           args: tuple[str, ...]) -> None:
    """The target would pass every check if followed (root's, 0600, 32 bytes): the old keygen
    read it as the key and chowned it to the UI user."""
    victim = box / "etc/shadow-like"
    victim.write_bytes(b"s" * 32)
    victim.chmod(0o600)
    name = "outbox.key.cred" if "--seal" in args else "outbox.key"
    link = box / "etc/kiosk" / name
    link.symlink_to(victim)
    before = snapshot(victim)
    result = keygen(box, *args)
    assert result.returncode == 1 and "is a symlink: refused, not followed" in result.stderr
    assert snapshot(victim) == before and link.is_symlink()
    assert sorted(p.name for p in link.parent.iterdir()) == [name]  # no temporary left


def test_a_symlinked_directory_on_the_way_is_refused(box: Path) -> None:
    elsewhere = box / "elsewhere"
    elsewhere.mkdir()
    (box / "etc/kiosk/sub").symlink_to(elsewhere)
    site(box, box / "etc/kiosk/sub/outbox.key")
    result = keygen(box)
    assert result.returncode == 1 and "keys are made only under" in result.stderr
    inside = box / "etc/kiosk/real"  # even a link that stays inside: the next swap may not
    inside.mkdir()
    (box / "etc/kiosk/sub").unlink()
    (box / "etc/kiosk/sub").symlink_to(inside)
    result = keygen(box)
    assert result.returncode == 1 and "goes through a symlink" in result.stderr
    assert list(elsewhere.iterdir()) == [] and list(inside.iterdir()) == []


@needs_root
def test_an_existing_key_is_checked_never_chmod_or_chown(box: Path) -> None:
    key = box / "etc/kiosk/outbox.key"
    key.write_bytes(b"k" * 32)
    key.chmod(0o644)
    result = keygen(box)
    assert result.returncode == 1 and "group or others may read it" in result.stderr
    assert stat.S_IMODE(key.stat().st_mode) == 0o644
    key.chmod(0o600)
    os.chown(key, 65534, -1)
    result = keygen(box, "--owner", "root")
    assert result.returncode == 1 and "owned by uid 65534" in result.stderr
    assert key.stat().st_uid == 65534
    assert keygen(box, "--owner", "nobody").returncode == 0  # its rightful owner: checked, ok


@needs_creds
def test_sealed_with_systemd_creds_and_read_back_one_way(box: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """No clear key on disk; root's CLI unseals it; the UI gets it from systemd's
    $CREDENTIALS_DIRECTORY; a sealed file from another machine does not open."""
    setup = subprocess.run(["systemd-creds", "setup"], capture_output=True, timeout=30)
    assert setup.returncode == 0, setup.stderr
    first = keygen(box, "--seal")
    assert first.returncode == 0 and "created (sealed, 0600)" in first.stdout, first.stderr
    sealed = box / "etc/kiosk/outbox.key.cred"
    assert [p.name for p in sealed.parent.iterdir()] == ["outbox.key.cred"]
    info = sealed.stat()
    assert (stat.S_IMODE(info.st_mode), info.st_uid) == (0o600, os.geteuid())
    key = outbox_key(config(box), create=False)
    assert len(key) == 32 and key not in sealed.read_bytes()
    assert "already there, checked" in keygen(box, "--seal").stdout
    assert sealed.stat().st_mtime_ns == info.st_mtime_ns

    creds = box / "creds"  # what LoadCredentialEncrypted= gives the UI (ramfs, 0400)
    creds.mkdir(mode=0o700)
    decrypted = subprocess.run(["systemd-creds", "decrypt", "--name=outbox.key", str(sealed),
                                str(creds / "outbox.key")], capture_output=True, timeout=30)
    assert decrypted.returncode == 0, decrypted.stderr
    (creds / "outbox.key").chmod(0o400)
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    assert outbox_key(config(box), create=False) == key
    (creds / "outbox.key").unlink()
    with pytest.raises(OutboxKeyError, match="is missing"):  # never a fresh clear key instead
        outbox_key(config(box), create=True)
    assert not (box / "etc/kiosk/outbox.key").exists()

    monkeypatch.delenv("CREDENTIALS_DIRECTORY")
    monkeypatch.setenv("SYSTEMD_CREDENTIAL_SECRET", str(box / "other-machine.secret"))
    subprocess.run(["systemd-creds", "setup"], capture_output=True, timeout=30, check=True)
    with pytest.raises(OutboxKeyError, match="systemd-creds decrypt failed"):
        outbox_key(config(box), create=False)
    copied = keygen(box, "--seal")
    assert copied.returncode == 1 and "decrypt failed" in copied.stderr


@needs_creds
def test_a_clear_key_of_an_earlier_install_is_sealed_then_removed(box: Path) -> None:
    """Its queue stays readable: the sealed key is the old key."""
    subprocess.run(["systemd-creds", "setup"], capture_output=True, timeout=30, check=True)
    clear = box / "etc/kiosk/outbox.key"
    clear.write_bytes(os.urandom(32))
    clear.chmod(0o600)
    old = clear.read_bytes()
    result = keygen(box, "--seal")
    assert result.returncode == 0 and "sealed the existing clear key" in result.stdout
    assert not clear.exists()
    assert outbox_key(config(box), create=False) == old
