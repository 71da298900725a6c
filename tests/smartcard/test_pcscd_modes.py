"""The emulator's own pcscd stays private under a run folder too deep for a unix socket: a
fallback to the shared system daemon let one test's pcscd come and go under another's card
(the README demo, deep in xdist's temp folders, once waited 20 s for a card pcscd never saw)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from drivers.smartcard.pcscd import UNIX_PATH_MAX, PcscDaemon

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None,
                                reason="a private pcscd needs root (unshare --mount)")


def test_a_deep_run_folder_keeps_its_pcscd_private_with_a_short_socket(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 60) / ("e" * 40)
    assert len(os.fsencode(deep / "pcscd" / "pcscd.comm")) >= UNIX_PATH_MAX
    daemon = PcscDaemon(deep, private=None)
    assert daemon.private
    assert len(os.fsencode(daemon.socket_path)) < UNIX_PATH_MAX
    short_dir = daemon.ipc_dir
    daemon.start()
    try:
        assert daemon.is_running() and not daemon.reused
        daemon.restart()  # the socket's folder survives a restart
        assert daemon.is_running() and daemon.ipc_dir == short_dir
    finally:
        daemon.stop()
    assert not short_dir.exists()  # nothing left behind in /tmp


def test_a_shallow_run_folder_keeps_its_socket_inside(tmp_path: Path) -> None:
    daemon = PcscDaemon(tmp_path / "s", private=None)
    assert daemon.ipc_dir == tmp_path / "s" / "pcscd"
