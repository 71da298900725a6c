"""A flatbed/ADF scanner through SANE (python-sane), driven from its own thread.

libsane runs in a worker process (sane_worker: a wedged backend is killed and respawned, not
inherited by the kiosk). Each probe and each job re-initialises SANE there, which is how a
replugged USB scanner is found again and how the emulator's steering (test.conf) reaches the
test backend. A failed job maps to a reason code: paper_jam (sticky until reset(), as a person
must clear it), cover_open, feeder_empty, busy, io_error, timeout. A page is reported only when
it was read to the end; a job that breaks midway raises ScanError carrying the pages that were
complete, so nothing scanned is lost and nothing unscanned is invented.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from typing import Any

from drivers.device import (
    Device,
    DeviceError,
    DeviceState,
    DeviceStatus,
    EventKind,
    new_action_id,
)
from drivers.document import enhance
from drivers.document.page import Page
from drivers.document.sane_worker import SaneWorker, WorkerError, reason_for

log = logging.getLogger(__name__)

__all__ = ["SaneScanner", "ScanError", "reason_for"]

USER_FIXABLE = {"paper_jam", "cover_open"}
STICKY = {"paper_jam"}  # stays until reset(): SANE cannot tell us the jam was cleared


class ScanError(DeviceError):
    """A scan failed; `pages` holds the pages that were completely read before the failure."""

    def __init__(self, reason: str, message: str | None = None,
                 pages: list[Page] | None = None):
        super().__init__(reason, message)
        self.pages = list(pages or [])


class SaneScanner(Device):
    kind = "scanner"

    def __init__(self, name: str = "scanner", *, device: str = "", sane_config_dir: str = "",
                 dpi: int = 200, mode: str = "Gray", poll_interval: float = 5.0,
                 missed_polls_to_offline: int = 3, reopen_interval: float = 2.0,
                 probe_timeout: float = 15.0, page_timeout: float = 60.0):
        super().__init__(name, poll_interval=poll_interval,
                         missed_polls_to_offline=missed_polls_to_offline,
                         reopen_interval=reopen_interval)
        self.device = device
        self.sane_config_dir = sane_config_dir
        self.dpi = dpi
        self.mode = mode
        self.probe_timeout = probe_timeout
        self.page_timeout = page_timeout
        self._worker = SaneWorker(sane_config_dir)
        self._devname: str | None = None
        self._model = ""
        self._sources: list[str] = []
        self._sticky: DeviceStatus | None = None

    @property
    def capabilities(self) -> dict[str, Any]:
        return {"device": self._devname, "model": self._model, "dpi": self.dpi,
                "mode": self.mode, "sources": list(self._sources),
                "adf": self._adf_source() is not None}

    # ---- public actions -----------------------------------------------------------------

    def scan(self, action_id: str | None = None, pages: int = 1, adf: bool | None = None
             ) -> Future[list[Page]]:
        """Scan `pages` pages (0 = everything in the feeder). `adf` defaults to pages != 1.

        Returns at once; the future holds the pages or a ScanError/DeviceUnavailable.
        """
        if pages < 0:
            raise ValueError("pages must be >= 0")
        aid = action_id or new_action_id()
        use_adf = (pages != 1) if adf is None else adf
        return self._submit(lambda: self._do_scan(aid, pages, use_adf), aid)

    # ---- Device -------------------------------------------------------------------------

    def _open(self) -> None:
        self._probe()

    def _close(self) -> None:
        self._worker.close()

    def _poll(self) -> DeviceStatus:
        self._probe()
        if self._sticky is not None:
            return self._sticky
        return DeviceStatus(DeviceState.ONLINE, None, self._model or self._devname)

    def _do_reset(self) -> None:
        self._sticky = None
        super()._do_reset()

    # ---- internals ----------------------------------------------------------------------

    def _probe(self) -> None:
        try:
            info = self._worker.request("probe", self.probe_timeout, device=self.device)
        except WorkerError as exc:
            raise DeviceError(exc.reason, str(exc)) from None
        self._devname, self._model = info["device"], info["model"]
        self._sources = list(info["sources"])

    def _adf_source(self) -> str | None:
        for src in self._sources:
            if any(k in src.lower() for k in ("adf", "feeder", "automatic")):
                return src
        return None

    def _source_for(self, use_adf: bool) -> str | None:
        if use_adf:
            adf = self._adf_source()
            if adf is None:
                raise ScanError("no_feeder", "this scanner has no document feeder")
            return adf
        if self._sources:
            return next((s for s in self._sources if "flatbed" in s.lower()), self._sources[0])
        return None

    def _to_page(self, array: Any) -> Page:
        flat, _angle = enhance.deskew(array)
        if self.mode == "Lineart":
            flat = enhance.binarise(flat if flat.ndim == 2 else enhance.to_gray(flat))
        return Page(flat, "scanner", None, (), self.dpi)

    def _do_scan(self, action_id: str, pages: int, use_adf: bool) -> list[Page]:
        self._require_usable()
        previous = self.status
        self._set_status(DeviceStatus(DeviceState.BUSY, "scanning"))
        wanted = pages if use_adf else 1
        timeout = self.page_timeout * (wanted or 50)
        try:
            arrays = self._worker.request(
                "scan", timeout, device=self._devname or self.device, dpi=self.dpi,
                mode=self.mode, source=self._source_for(use_adf), pages=wanted)
        except ScanError as exc:
            self._after_failure(exc.reason, action_id, 0)
            raise
        except WorkerError as exc:
            done = self._announce([self._to_page(a) for a in exc.pages], action_id)
            self._after_failure(exc.reason, action_id, len(done))
            raise ScanError(exc.reason, str(exc), done) from None
        done = self._announce([self._to_page(a) for a in arrays], action_id)
        self._set_status(previous if previous.state != DeviceState.BUSY
                         else DeviceStatus(DeviceState.ONLINE))
        self._emit(EventKind.JOB_DONE, {"pages": len(done)}, action_id)
        return done

    def _announce(self, pages: list[Page], action_id: str) -> list[Page]:
        for n, page in enumerate(pages, 1):
            self._emit(EventKind.PAGE_CAPTURED, {"page": n, **page.describe()}, action_id)
        return pages

    def _after_failure(self, reason: str, action_id: str, scanned: int) -> None:
        if reason in USER_FIXABLE:
            status = DeviceStatus(DeviceState.USER_ERROR, reason)
            if reason in STICKY:
                self._sticky = status
            self._set_status(status)
        elif reason in ("no_device", "timeout", "worker_died"):
            self._set_status(DeviceStatus(DeviceState.OFFLINE, "no_answer", reason))
            self._safe_close()
        else:
            self._set_status(DeviceStatus(DeviceState.ONLINE))
        self._emit(EventKind.JOB_FAILED, {"reason": reason, "pages_scanned": scanned}, action_id)
