"""Card placed -> parsed card latency of the ID card driver, against the wire-time floor.

Run by hand: `.venv/bin/python bench/idcard_bench.py [--reads 30] [--baud 115200]`.
Everything runs over a real pty against the emulator, which paces its replies at the baud
rate, so the wire time is real. Three rows, measured in the same run:
  floor      bytes of FIND + SELECT + READ (commands and replies) x 10 bits / baud
  plain      pyserial + the frame codec, one synchronous FIND/SELECT/READ/parse, no driver
  driver     IdCardReader (its own thread, polling FIND every poll interval): from place_card
             to the CARD_INSERTED event, and the read itself (FIND seen -> card parsed)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import serial

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from drivers.device import EventKind  # noqa: E402
from drivers.idcard import frame  # noqa: E402
from drivers.idcard.card import parse_base_info  # noqa: E402
from drivers.idcard.emulator import IdCardEmulator  # noqa: E402
from drivers.idcard.frame import Command  # noqa: E402
from drivers.idcard.reader import IdCardReader  # noqa: E402

CMD = 10  # bytes of each command frame
FIND_REPLY, SELECT_REPLY, READ_REPLY = 15, 19, 1295


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def plain_reads(emu: IdCardEmulator, n: int, baud: int) -> list[float]:
    ser = serial.Serial(str(emu.link.link_path), baud, timeout=0.05)
    decoder = frame.FrameDecoder()

    def transact(command: Command) -> frame.Reply:
        ser.write(frame.build_command(command))
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            for item in decoder.feed(ser.read(max(1, ser.in_waiting))):
                if isinstance(item, bytes):
                    return frame.parse_reply_body(item)
        raise TimeoutError(command.name)

    out = []
    try:
        for _ in range(n):
            emu.place_card(path="resident")
            t0 = time.perf_counter()
            assert transact(Command.FIND_CARD).sw3 == 0x9F
            transact(Command.SELECT_CARD).raise_for_status()
            card = parse_base_info(transact(Command.READ_BASE).raise_for_status().data)
            out.append(time.perf_counter() - t0)
            card.wipe()
            emu.remove_card()
    finally:
        ser.close()
    return out


def driver_reads(emu: IdCardEmulator, n: int, baud: int, poll: float
                 ) -> tuple[list[float], list[float]]:
    reader = IdCardReader(port=str(emu.link.link_path), baudrate=baud, poll_interval=poll,
                          read_timeout=1.0)
    inserted, removed = threading.Event(), threading.Event()
    stamp: list[float] = []

    def on_event(event) -> None:
        if event.kind is EventKind.CARD_INSERTED:
            stamp.append(time.perf_counter())
            inserted.set()
        elif event.kind is EventKind.CARD_REMOVED:
            removed.set()

    reader.subscribe(on_event)
    reader.start()
    placed_to_event, read_only = [], []
    try:
        if not reader.wait_for(lambda s: s.usable, 5):
            raise RuntimeError(f"reader did not come online: {reader.status}")
        for i in range(n):
            inserted.clear()
            removed.clear()
            time.sleep(poll * ((i * 7919) % 100) / 100)  # place at varied phases of the poll
            emu.place_card(path="resident")
            if not inserted.wait(5):
                raise RuntimeError("no CARD_INSERTED")
            placed_to_event.append(stamp[-1] - (emu.placed_at or 0))
            read_only.append(reader.last_read_s or 0)
            emu.remove_card()
            if not removed.wait(5):
                raise RuntimeError("no CARD_REMOVED")
    finally:
        reader.stop()
    return placed_to_event, read_only


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reads", type=int, default=30)
    ap.add_argument("--baud", type=int, default=115200)
    ap.add_argument("--polls", default="0.3,0.05", help="poll intervals to measure (s)")
    args = ap.parse_args()
    bit = 10 / args.baud
    floor_read = (CMD + SELECT_REPLY + CMD + READ_REPLY) * bit  # SELECT + READ exchanges
    floor_all = floor_read + (CMD + FIND_REPLY) * bit  # + the FIND that saw the card
    floor_reply = READ_REPLY * bit
    rows: list[tuple[str, float, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        emu = IdCardEmulator(Path(tmp), baudrate=args.baud)
        emu.start()
        try:
            plain = plain_reads(emu, args.reads, args.baud)
            rows.append(("plain pyserial FIND+SELECT+READ+parse", statistics.median(plain),
                         pct(plain, 0.95), floor_all))
            for poll in (float(p) for p in args.polls.split(",")):
                placed, read = driver_reads(emu, args.reads, args.baud, poll)
                rows.append((f"driver read (FIND seen->parsed), poll {poll:g}s",
                             statistics.median(read), pct(read, 0.95), floor_read))
                rows.append((f"driver placed->event, poll {poll:g}s", statistics.median(placed),
                             pct(placed, 0.95), floor_all))
                rows.append((f"  floor + mean poll wait ({poll / 2 * 1000:.0f} ms)",
                             floor_all + poll / 2, floor_all + poll * 0.95, floor_all))
        finally:
            emu.stop()
    print(f"ID card read latency, {args.reads} reads, {args.baud} baud 8N1, over a pty")
    print(f"wire floor: READ reply alone {floor_reply * 1000:.1f} ms; SELECT+READ "
          f"{floor_read * 1000:.1f} ms; FIND+SELECT+READ {floor_all * 1000:.1f} ms")
    print(f"{'what':<46}{'median ms':>10}{'p95 ms':>9}{'floor ms':>10}{'median/floor':>14}")
    for name, med, p95, floor in rows:
        print(f"{name:<46}{med * 1000:>10.1f}{p95 * 1000:>9.1f}{floor * 1000:>10.1f}"
              f"{med / floor:>14.2f}")


if __name__ == "__main__":
    main()
