"""`python -m kiosk.fleet.supervise [--restart-delay S] -- COMMAND...`: start COMMAND again
when it exits, as systemd's `Restart=always` does on a real terminal (the demo has no systemd).

The app exits with RESTART_EXIT_CODE to take a new fleet layer, or dies of a bad one; both are
started again. Exit 0 is a deliberate stop and ends the supervisor too. SIGTERM and SIGINT are
passed to the child and end the supervisor with the child's code. More than `--burst` starts
within `--burst-window` seconds means something is wrong beyond a restart: give up.
"""

from __future__ import annotations

import argparse
import collections
import signal
import subprocess
import sys
import time

RESTART_EXIT_CODE = 75  # EX_TEMPFAIL: "start me again" (kiosk.fleet.service uses it)


def supervise(command: list[str], *, restart_delay_s: float = 0.5, burst: int = 10,
              burst_window_s: float = 60.0) -> int:
    stopping = False
    child: subprocess.Popen[bytes] | None = None

    def forward(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGTERM, signal.SIGINT)}
    starts: collections.deque[float] = collections.deque(maxlen=burst)
    try:
        while True:
            starts.append(time.monotonic())
            child = subprocess.Popen(command)
            code = child.wait()
            if stopping or code == 0:
                return 128 - code if code < 0 else code  # killed by a signal: 128 + its number
            if len(starts) == burst and time.monotonic() - starts[0] < burst_window_s:
                _say(f"exit code {code}; {burst} starts in "
                     f"{time.monotonic() - starts[0]:.0f} s; giving up")
                return 1
            why = "to take a new configuration" if code == RESTART_EXIT_CODE else "after a crash"
            _say(f"exit code {code}; starting again {why}")
            time.sleep(restart_delay_s)
            if stopping:
                return 128 - code if code < 0 else code
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _say(line: str) -> None:
    """To stderr, where the demo's log (or the journal) has the app's own lines."""
    print(f"supervise: {line}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.fleet.supervise")
    parser.add_argument("--restart-delay", type=float, default=0.5)
    parser.add_argument("--burst", type=int, default=10)
    parser.add_argument("--burst-window", type=float, default=60.0)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to supervise after --")
    return supervise(command, restart_delay_s=args.restart_delay, burst=args.burst,
                     burst_window_s=args.burst_window)


if __name__ == "__main__":
    sys.exit(main())
