"""A project-local SANE configuration (never /etc) and the process-wide rule that comes with it.

libsane reads SANE_CONFIG_DIR once, at the first sane_init() of the process, and caches the
search path for the life of the process (verified: changing it before a later init has no
effect). So the variable must be set before the first init, and a second, different directory
in the same process is refused with a clear error instead of being silently ignored.

The scanner driver keeps libsane out of the kiosk process altogether (sane_worker sets
SANE_CONFIG_DIR in its worker); `activate` is for code that uses python-sane in-process
(the benchmark's bare baseline). The `test` backend (a virtual scanner) reads its test.conf at
every sane_init(); this module writes that file, so steering (a jam, an empty feeder, an open
cover, a crawl) reaches the scanner at the worker's next SANE re-initialisation.
"""

from __future__ import annotations

import ctypes
import os
import signal
import threading
from pathlib import Path

ENV = "SANE_CONFIG_DIR"

READ_STATUS = {  # steering name -> the test backend's read-status-code
    "ok": "Default",
    "jammed": "SANE_STATUS_JAMMED",
    "no_docs": "SANE_STATUS_NO_DOCS",
    "cover_open": "SANE_STATUS_COVER_OPEN",
    "io_error": "SANE_STATUS_IO_ERROR",
    "busy": "SANE_STATUS_DEVICE_BUSY",
}

TEST_CONF = """\
# Written by drivers/document/sane_env.py: SANE's virtual test scanner for emulation.
number_of_devices 1
mode Gray
depth 8
hand-scanner false
three-pass false
three-pass-order RGB
resolution_min 1.0
resolution_max 1200.0
resolution_quant 1.0
resolution 50.0
test-picture "{picture}"
invert-endianess false
read-limit {delay}
read-limit-size 16384
read-delay {delay}
read-delay-duration {delay_us}
read-status-code "{status}"
fuzzy-parameters false
ppl-loss 0
non-blocking false
select-fd false
enable-test-options false
geometry_min 0.0
geometry_max 200.0
geometry_quant 1.0
tl_x 0.0
tl_y 0.0
br_x 200.0
br_y 200.0
"""


class SaneEnvError(RuntimeError):
    """SANE was already initialised in this process with another configuration directory."""


_lock = threading.Lock()
_activated: str | None = None


def write_test_config(config_dir: Path, status: str = "ok", picture: str = "Grid",
                      delay_us: int = 0) -> Path:
    """Create `config_dir` with dll.conf = test and a test.conf; returns the directory.

    `delay_us` > 0 makes the backend pause that long per buffer (a slow or hung scanner)."""
    if status not in READ_STATUS:
        raise ValueError(f"unknown scanner condition {status!r}; one of {sorted(READ_STATUS)}")
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "dll.conf").write_text("test\n", encoding="ascii")
    tmp = config_dir / "test.conf.tmp"
    delay = min(max(int(delay_us), 1000), 200000)  # the backend's allowed range
    tmp.write_text(TEST_CONF.format(status=READ_STATUS[status], picture=picture,
                                    delay="true" if delay_us > 0 else "false", delay_us=delay),
                   encoding="ascii")
    os.replace(tmp, config_dir / "test.conf")  # atomic: a reader never sees half a file
    return config_dir


def activate(config_dir: str | os.PathLike[str] | None) -> None:
    """Point this process's SANE at `config_dir` (or the system default when empty/None).

    Call before the first sane.init(). Idempotent for the same directory; refuses a different
    one once SANE has been set up, because libsane would silently keep the first.
    """
    global _activated
    wanted = str(Path(config_dir).resolve()) if config_dir else ""
    with _lock:
        if _activated is None:
            if wanted:
                os.environ[ENV] = wanted
            _activated = wanted
            return
        if _activated != wanted:
            raise SaneEnvError(
                f"SANE is already set up in this process with config dir {_activated or '(system)'!r};"
                f" it cannot switch to {wanted or '(system)'!r} (libsane reads it once)")


def activated() -> str | None:
    return _activated


def _libc_signal() -> object | None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.signal
    except (OSError, AttributeError):
        return None
    fn.restype = ctypes.c_void_p
    fn.argtypes = [ctypes.c_int, ctypes.c_void_p]
    return fn


_signal = _libc_signal()
SIG_IGN = 1


def keep_sigpipe_ignored() -> bool:
    """Put SIGPIPE back to "ignore" after a SANE scan; returns True if it had been reset.

    Verified here: after a scan through the test backend, SIGPIPE's disposition is SIG_DFL
    (sanei_thread restores the *default* when its reader ends, not what was there). Python
    ignores SIGPIPE and relies on EPIPE, so from then on any write to a closed socket or pipe
    anywhere in the kiosk process (a camera stream, a printer, an HTTP client) would kill the
    whole process. Python's signal.signal() only works on the main thread and this runs on the
    driver thread, so libc's signal() is called directly (dispositions are process-wide).
    """
    if _signal is None or not hasattr(signal, "SIGPIPE"):
        return False
    previous = _signal(int(signal.SIGPIPE), SIG_IGN)  # type: ignore[operator]
    return previous != SIG_IGN
