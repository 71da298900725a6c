"""Smart card bench (run by hand): the driver beside raw pyscard on the same pcscd + vpcd card.

    .venv/bin/python bench/smartcard_bench.py [--n 500]

Rows: APDU round trip (driver.transmit().result() vs a bare SCardTransmit on one handle),
card insertion to event (pcscd's own report vs the driver's CARD_INSERTED with the identity
read), and pcscd crash recovery (daemon answering again vs the driver online again).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from drivers.device import DeviceState, EventKind
from drivers.smartcard.apdu import select_aid
from drivers.smartcard.applet import APPLET_AID
from drivers.smartcard.emulator import READER_NAME, SmartCardEmulator
from drivers.smartcard.reader import SmartCardReader


def stats(xs: list[float]) -> tuple[float, float]:
    xs = sorted(xs)
    return statistics.median(xs), xs[int(len(xs) * 0.95) - 1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--inserts", type=int, default=10)
    args = ap.parse_args()
    run_dir = Path(tempfile.mkdtemp(prefix="scbench-"))
    emu = SmartCardEmulator(run_dir, private=None)
    emu.start()
    from smartcard import scard  # after the emulator pointed libpcsclite at its daemon

    rows: list[tuple[str, str, float, float, str, float, float]] = []
    try:
        emu.insert_card()
        apdu = list(select_aid(APPLET_AID))
        hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        hr, handle, proto = scard.SCardConnect(ctx, READER_NAME, scard.SCARD_SHARE_SHARED,
                                               scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1)
        raw: list[float] = []
        for _ in range(args.n):
            t = time.perf_counter()
            hr, resp = scard.SCardTransmit(handle, scard.SCARD_PCI_T1, apdu)
            raw.append(time.perf_counter() - t)
            assert hr == 0 and resp[-2:] == [0x90, 0x00]
        scard.SCardDisconnect(handle, scard.SCARD_LEAVE_CARD)
        scard.SCardReleaseContext(ctx)

        device = SmartCardReader("smartcard", reader=READER_NAME, poll_interval=0.05,
                                 apdu_timeout=3.0)
        inserted: list[float] = []
        device.subscribe(lambda e: inserted.append(time.perf_counter())
                         if e.kind == EventKind.CARD_INSERTED else None)
        device.start()
        assert device.wait_for(lambda s: s.usable, 5)
        deadline = time.monotonic() + 5
        while device.card is None and time.monotonic() < deadline:
            time.sleep(0.01)
        drv: list[float] = []
        for _ in range(args.n):
            t = time.perf_counter()
            resp = device.transmit(bytes(apdu)).result(3)
            drv.append(time.perf_counter() - t)
            assert resp[-2:] == b"\x90\x00"
        rows.append(("APDU round trip (SELECT)", "SCardTransmit", *stats(raw),
                     "driver.transmit", *stats(drv)))

        pcsc_seen: list[float] = []
        event_seen: list[float] = []
        for _ in range(args.inserts):
            emu.remove_card()
            time.sleep(0.1)
            inserted.clear()
            t0 = time.perf_counter()
            emu.insert_card()  # returns once pcscd itself reports the card present
            pcsc_seen.append(time.perf_counter() - t0)
            deadline = time.monotonic() + 5
            while not inserted and time.monotonic() < deadline:
                time.sleep(0.001)
            event_seen.append(inserted[0] - t0)
        rows.append(("card insert -> seen", "pcscd state", *stats(pcsc_seen),
                     "CARD_INSERTED+identity", *stats(event_seen)))

        back_daemon: list[float] = []
        back_driver: list[float] = []
        for _ in range(5):
            emu.daemon.kill()
            assert device.wait_for(lambda s: s.state == DeviceState.OFFLINE, 5)
            t0 = time.perf_counter()
            emu.start_pcscd()
            back_daemon.append(time.perf_counter() - t0)
            assert device.wait_for(lambda s: s.state == DeviceState.ONLINE, 10)
            back_driver.append(time.perf_counter() - t0)
        rows.append(("pcscd crash -> usable", "daemon answers", *stats(back_daemon),
                     "driver online", *stats(back_driver)))
        device.stop()
    finally:
        emu.stop()

    print(f"smart card bench: n={args.n} APDUs, {args.inserts} insertions, 5 pcscd crashes; "
          f"pcscd {'private' if emu.daemon.private else 'system'}")
    print(f"{'what':26} {'baseline':16} {'med ms':>8} {'p95 ms':>8}   {'ours':24} "
          f"{'med ms':>8} {'p95 ms':>8} {'ratio(med)':>10}")
    for what, bname, bmed, bp95, oname, omed, op95 in rows:
        print(f"{what:26} {bname:16} {bmed*1e3:8.3f} {bp95*1e3:8.3f}   {oname:24} "
              f"{omed*1e3:8.3f} {op95*1e3:8.3f} {omed/bmed:10.2f}")


if __name__ == "__main__":
    main()
