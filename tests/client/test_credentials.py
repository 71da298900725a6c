"""The credential file: what a technician sees when it is wrong, and that its content never shows."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kiosk.client import CredentialError, PlatformClient, read_credential
from kiosk.config.schema import KioskConfig, PlatformConfig

SECRET = "Zq8-very-secret-token"


def write(tmp_path: Path, text: str | bytes, mode: int = 0o600) -> Path:
    path = tmp_path / "platform.credential"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    os.chmod(path, mode)
    return path


def refused(path: Path) -> str:
    with pytest.raises(CredentialError) as caught:
        read_credential(path)
    message = str(caught.value)
    assert str(path) in message
    assert SECRET not in message and "Zq8" not in message
    return message


def test_reads_and_strips(tmp_path: Path) -> None:
    assert read_credential(write(tmp_path, f"  {SECRET}\n")) == SECRET


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_refuses_a_file_others_can_read(tmp_path: Path, mode: int) -> None:
    message = refused(write(tmp_path, SECRET, mode))
    assert f"{mode:04o}" in message and "re-enrol" in message


def test_refuses_empty_and_missing_and_not_a_file(tmp_path: Path) -> None:
    assert "empty" in refused(write(tmp_path, " \n\t"))
    assert "no platform credential" in refused(tmp_path / "missing")
    directory = tmp_path / "dir"
    directory.mkdir(mode=0o700)
    refused(directory)


def test_refuses_garbage_without_showing_it(tmp_path: Path) -> None:
    refused(write(tmp_path, f"{SECRET} second-token"))
    refused(write(tmp_path, "é".encode("utf-8") + SECRET.encode()))
    refused(write(tmp_path, "x" * 5000))


def test_a_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo, 0o600)
    refused(fifo)


def test_from_config_reads_the_configured_file(tmp_path: Path) -> None:
    path = write(tmp_path, SECRET, 0o644)
    config = KioskConfig(platform=PlatformConfig(credential_file=str(path),
                                                 base_url="http://127.0.0.1:9/api/v1"))
    with pytest.raises(CredentialError):
        PlatformClient.from_config(config)
