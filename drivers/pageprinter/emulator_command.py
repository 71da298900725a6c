"""The "print engine" behind the emulated page printer: `ippeveprinter -c` runs it per job.

It prints the job's pages one by one (a pause per page, like a printer's speed), tells
ippeveprinter how far it got (`ATTR: job-impressions-completed=N` on stderr) and, when a fault
is set in the emulator's control file, reports it as the printer's state
(`STATE: +media-empty-error`) and stops there until the fault is cleared — as a real printer
holds a job while its tray is empty. SIGTERM (a cancelled job) ends it where it is. Each job's
outcome is appended to `printed.jsonl`, so tests read back what came out and how much of it.

Run as: emulator_command.py CONTROL_DIR JOB_FILE (the emulator writes a wrapper script that
passes CONTROL_DIR, since ippeveprinter gives a command only the file).
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import time
from pathlib import Path

from drivers.pageprinter.ipp import IppClient, as_list

FAULT_REASONS = ("media-empty-error", "media-jam-error", "cover-open-error")


def page_count(pdf: bytes) -> int:
    """Pages of a PDF: its page objects (good enough for what the kiosk sends)."""
    return max(1, len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf)))


def _control(control_dir: Path) -> dict:
    try:
        return json.loads((control_dir / "control.json").read_text())
    except (OSError, ValueError):
        return {}


def _update_control(control_dir: Path, **changes: object) -> None:
    data = _control(control_dir)
    data.update(changes)
    tmp = control_dir / "control.json.tmp"
    tmp.write_text(json.dumps(data))
    os.replace(tmp, control_dir / "control.json")


def _canceled(job_id: str) -> bool:
    """Cancel-Job reaches a running job only as "processing-to-stop-point": ippeveprinter
    neither kills its command nor skips a job it held for paper, so the engine asks."""
    uri = os.environ.get("IPP_JOB_PRINTER_URI")
    if not uri or not job_id.isdigit():
        return False
    try:
        attrs = IppClient(uri.replace("localhost", "127.0.0.1"), timeout_s=2.0).job_attributes(
            int(job_id), ["job-state-reasons"])
    except OSError:
        return False
    return "processing-to-stop-point" in as_list(attrs.get("job-state-reasons"))


def _say(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def main(argv: list[str]) -> int:
    control_dir, job_file = Path(argv[1]), Path(argv[2])
    if os.environ.get("IPP_JOB_NAME") == "emulator-state":  # no pages: the idle state only
        faults = set(_control(control_dir).get("faults", []))
        for reason in FAULT_REASONS:
            _say(f"STATE: {'+' if reason in faults else '-'}{reason}")
        return 0
    pdf = job_file.read_bytes()
    pages = page_count(pdf)
    job_id = os.environ.get("IPP_JOB_ID", "?")
    done = 0
    record = {"job_id": job_id, "job_name": os.environ.get("IPP_JOB_NAME", ""),
              "file": job_file.name, "pages": pages}

    def finish(outcome: str) -> None:
        with open(control_dir / "printed.jsonl", "a") as out:
            out.write(json.dumps({**record, "printed_pages": done, "outcome": outcome}) + "\n")

    def on_term(_signo: int, _frame: object) -> None:
        finish("canceled")
        sys.exit(1)

    signal.signal(signal.SIGTERM, on_term)
    _say(f"ATTR: job-impressions={pages}")
    for _ in range(pages):
        shown: set[str] = set()
        while True:  # hold the job while a fault is set, as a printer does
            if _canceled(job_id):
                finish("canceled")
                return 1
            control = _control(control_dir)
            if control.get("countdown") == 0:  # the sheets allowed have come out
                _update_control(control_dir, countdown=None, faults=sorted(
                    {*control.get("faults", []), control.get("countdown_fault",
                                                              "media-empty-error")}))
                control = _control(control_dir)
            faults = {f for f in control.get("faults", []) if f in FAULT_REASONS}
            for gone in shown - faults:
                _say(f"STATE: -{gone}")
            for new in faults - shown:
                _say(f"STATE: +{new}")
                _say(f"INFO: stopped: {new}")
            shown = faults
            if not faults:
                break
            time.sleep(0.05)
        time.sleep(float(_control(control_dir).get("page_seconds", 0.2)))
        done += 1
        left = _control(control_dir).get("countdown")
        if isinstance(left, int) and left > 0:
            _update_control(control_dir, countdown=left - 1)
        _say(f"ATTR: job-impressions-completed={done}")
    finish("completed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
