"""The emulators' pseudo-terminal: an unplug never closes a number under a read in flight. Closed
under a read, the number went to the next open() anywhere in the process and the read went on
in that file: a fleet test's default.toml lost its first bytes to the printer emulator's reader
(it read as invalid TOML, or as a file without its `[fleet]` table)."""

from __future__ import annotations

import threading
from pathlib import Path

from drivers.emulation.pty_link import PtyLink


def test_a_file_opened_after_an_unplug_is_never_read_by_the_link(tmp_path: Path) -> None:
    link = PtyLink(tmp_path / "tty")
    link.open()
    stop = threading.Event()

    def reader() -> None:  # what an emulator's serving thread does
        while not stop.is_set():
            link.read(0.0005)

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    victim = tmp_path / "victim.toml"
    payload = b"x" * 3000
    victim.write_bytes(payload)
    damaged = 0
    try:
        for _ in range(3000):  # before the fix, about 1 in 100 reads came back short
            link.close()
            with victim.open("rb") as fh:
                damaged += fh.read() != payload
            link.open()
    finally:
        stop.set()
        thread.join(5)
        link.close()
    assert damaged == 0
    assert not (tmp_path / "tty").exists()  # the unplug still takes the name away
