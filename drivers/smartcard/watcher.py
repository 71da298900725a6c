r"""Readers and cards as seen by pcscd, watched with SCardGetStatusChange in a loop of our own.

pyscard's CardMonitor/ReaderMonitor die for good when pcscd restarts. This watcher is a step
function instead: each `step()` waits at most `timeout` for a change (the `\\?PnP?\Notification`
pseudo-reader makes reader arrivals wake it too), diffs readers and cards against the previous
step, and on ANY PC/SC error drops its context and establishes a new one on the next step.
It never raises for PC/SC failures; `service_ok` and `last_error` say how the daemon is.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Literal

from smartcard import scard

log = logging.getLogger(__name__)

PNP_READER = "\\\\?PnP?\\Notification"
ChangeKind = Literal["reader_added", "reader_removed", "card_inserted", "card_removed",
                     "service_lost", "service_back"]


def use_pcscd_socket(path: str) -> None:
    """Point this process's PC/SC client at the pcscd whose socket is `path` ("" = the system's).

    libpcsclite reads PCSCLITE_CSOCK_NAME once, at the process's first PC/SC call, so this must
    come before it; a process talks to one pcscd for its whole life.
    """
    if path:
        os.environ["PCSCLITE_CSOCK_NAME"] = path


class PcscError(RuntimeError):
    """A PC/SC call failed; `code` is the SCARD_E_* value (unsigned)."""

    def __init__(self, call: str, code: int):
        self.call, self.code = call, code & 0xFFFFFFFF
        super().__init__(f"{call} failed: 0x{self.code:08X} {pcsc_error_text(code)}")


def pcsc_error_text(code: int) -> str:
    try:
        return str(scard.SCardGetErrorMessage(code)).strip().rstrip(".")
    except Exception:
        return "unknown PC/SC error"


def check(call: str, hresult: int) -> None:
    if hresult != scard.SCARD_S_SUCCESS:
        raise PcscError(call, hresult)


@dataclass(frozen=True, slots=True)
class Change:
    kind: ChangeKind
    reader: str = ""
    atr: bytes = b""
    detail: str = ""


@dataclass(slots=True)
class _ReaderState:
    event_state: int = scard.SCARD_STATE_UNAWARE
    present: bool = False
    atr: bytes = b""


def reader_state(reader: str) -> tuple[int, int] | None:
    """(state flags, event counter) of one reader right now, or None if pcscd or the reader
    is not there. Opens and releases its own context: for emulators and diagnostics."""
    try:
        hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hr != scard.SCARD_S_SUCCESS:
            return None
        try:
            hr, result = scard.SCardGetStatusChange(ctx, 0, [(reader, scard.SCARD_STATE_UNAWARE)])
            if hr != scard.SCARD_S_SUCCESS or not result:
                return None
            state = result[0][1]
            return state & 0xFFFF, _event_count(state)
        finally:
            scard.SCardReleaseContext(ctx)
    except Exception:
        return None


def _event_count(state: int) -> int:
    return (state >> 16) & 0xFFFF


def card_transitions(prev_state: int, prev_present: bool, new_state: int
                     ) -> tuple[bool, list[ChangeKind]]:
    """Pure: what happened to a reader's card between two SCardGetStatusChange answers.

    pcsc-lite counts card events in the upper 16 bits of the state; a moved counter while a
    card is present both times means it was pulled and another (or the same) put in between
    two looks, which must still be announced as a removal then an insertion. A mute card
    (inserted the wrong way round) counts as present: the driver then reports it unreadable.
    """
    present = bool(new_state & scard.SCARD_STATE_PRESENT)
    recount = (prev_state != scard.SCARD_STATE_UNAWARE
               and _event_count(new_state) != _event_count(prev_state))
    kinds: list[ChangeKind] = []
    was = prev_present
    if was and (not present or recount):
        kinds.append("card_removed")
        was = False
    if present and not was:
        kinds.append("card_inserted")
    return present, kinds


class PcscWatcher:
    def __init__(self) -> None:
        self._ctx: int | None = None
        self._readers: dict[str, _ReaderState] = {}
        self._pnp_state = scard.SCARD_STATE_UNAWARE
        self.service_ok = False
        self.last_error: str | None = None
        self._ever_ok = False

    @property
    def readers(self) -> list[str]:
        return list(self._readers)

    def card_present(self, reader: str) -> bool:
        st = self._readers.get(reader)
        return bool(st and st.present)

    def atr(self, reader: str) -> bytes:
        st = self._readers.get(reader)
        return st.atr if st else b""

    def close(self) -> None:
        """Release the context; the next step establishes a new one."""
        ctx, self._ctx = self._ctx, None
        if ctx is not None:
            try:
                scard.SCardReleaseContext(ctx)
            except Exception:  # the daemon may be gone already
                pass

    def step(self, timeout: float) -> list[Change]:
        """Wait up to `timeout` seconds for a change and return what changed, in order."""
        changes: list[Change] = []
        try:
            if self._ctx is None:
                hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
                check("SCardEstablishContext", hr)
                self._ctx = ctx
                self._pnp_state = scard.SCARD_STATE_UNAWARE
            changes += self._sync_readers()
            changes += self._wait(timeout)
        except Exception as exc:  # any failure: start over with a new context next time
            changes += self._lose_service(exc)
            return changes
        if not self.service_ok:
            self.service_ok = True
            self.last_error = None
            if self._ever_ok:
                changes.insert(0, Change("service_back"))
            self._ever_ok = True
        return changes

    # ---- internals ---------------------------------------------------------------------

    def _sync_readers(self) -> list[Change]:
        assert self._ctx is not None
        hr, names = scard.SCardListReaders(self._ctx, [])
        if hr in (scard.SCARD_E_NO_READERS_AVAILABLE,):
            names = []
        else:
            check("SCardListReaders", hr)
        changes: list[Change] = []
        for gone in [r for r in self._readers if r not in names]:
            if self._readers[gone].present:
                changes.append(Change("card_removed", gone))
            del self._readers[gone]
            changes.append(Change("reader_removed", gone))
        for name in names:
            if name not in self._readers:
                self._readers[name] = _ReaderState()
                changes.append(Change("reader_added", name))
        return changes

    def _wait(self, timeout: float) -> list[Change]:
        assert self._ctx is not None
        query = [(PNP_READER, self._pnp_state)]
        query += [(name, st.event_state & ~scard.SCARD_STATE_CHANGED)
                  for name, st in self._readers.items()]
        hr, result = scard.SCardGetStatusChange(self._ctx, int(timeout * 1000), query)
        if hr == scard.SCARD_E_TIMEOUT:
            return []
        if hr == scard.SCARD_E_UNKNOWN_READER:
            return []  # a reader left between list and wait: the next step's list sees it
        check("SCardGetStatusChange", hr)
        changes: list[Change] = []
        for name, event_state, atr in result:
            if name == PNP_READER:
                self._pnp_state = event_state & ~scard.SCARD_STATE_CHANGED
                continue
            st = self._readers.get(name)
            if st is None:
                continue
            log.debug("%s: state %08X -> %08X", name, st.event_state, event_state)
            atr_b = bytes(atr or b"")
            present, kinds = card_transitions(st.event_state, st.present, event_state)
            for kind in kinds:
                changes.append(Change(kind, name, atr_b if kind == "card_inserted" else b""))
            st.present, st.atr, st.event_state = present, atr_b if present else b"", event_state
        return changes

    def _lose_service(self, exc: Exception) -> list[Change]:
        self.close()
        changes: list[Change] = []
        for name, st in self._readers.items():
            if st.present:
                changes.append(Change("card_removed", name, detail="service_lost"))
            changes.append(Change("reader_removed", name, detail="service_lost"))
        self._readers.clear()
        self.last_error = f"{type(exc).__name__}: {exc}"
        if self.service_ok:
            changes.append(Change("service_lost", detail=self.last_error))
        self.service_ok = False
        return changes
