"""glibc's allocator set so that camera frames go back to the system when freed (issue 16).

By default glibc serves a block of 128 KiB or more with its own mmap, but it raises that
threshold to the size of the largest such block freed (up to 32 MiB): after the first 1080p
frame (6 MB) was freed, every later frame, decoder buffer and texture of that size came from
the heap, whose holes are kept. And each thread that allocates may get an arena of its own
(up to 8 per core), each keeping its own freed memory. Measured at home on the simulated
terminal: 380 MB as glibc sets itself, 357 MB with both settings below.

Called first thing by `python -m screens`, so the terminal in the hall (systemd's
kiosk-ui.service runs that command), the demo, the UI tests and `bench/ui_bench.py` all run
with the same allocator. An environment variable set by hand (MALLOC_MMAP_THRESHOLD_,
MALLOC_ARENA_MAX) wins, so an experiment needs no code change.
"""

from __future__ import annotations

import ctypes
import logging
import os

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3  # from glibc's malloc.h
M_ARENA_MAX = -8
MMAP_THRESHOLD = 256 * 1024  # a fixed threshold also turns glibc's raising of it off
ARENA_MAX = 2  # the main loop's and one shared by the devices', workers' and decoders' threads


def _glibc_version() -> str:
    try:
        return os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (ValueError, OSError):
        return ""


def limit_retained_memory() -> dict[str, int]:
    """Set the two glibc options (before any thread allocates); what was set, by name."""
    # glibc names itself; the running process already holds it, so no search for the file
    # (ctypes.util.find_library runs ldconfig, and its imports took 20 ms of the first frame)
    if not hasattr(os, "confstr") or not _glibc_version():
        return {}  # not glibc (musl, macOS): nothing to set
    libc = ctypes.CDLL(None)
    if not hasattr(libc, "mallopt"):
        return {}
    done: dict[str, int] = {}
    for option, env, value in ((M_MMAP_THRESHOLD, "MALLOC_MMAP_THRESHOLD_", MMAP_THRESHOLD),
                               (M_ARENA_MAX, "MALLOC_ARENA_MAX", ARENA_MAX)):
        if env in os.environ:
            continue  # set by hand: glibc read it at start
        if libc.mallopt(ctypes.c_int(option), ctypes.c_int(value)) == 1:
            done[env] = value
        else:
            log.warning("allocator: mallopt(%s) refused", env)
    return done
