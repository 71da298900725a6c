"""Issue 20 item 3: the outbox's files cannot grow (a full disk) just when the sender records
that the platform took an application. The sender must back off and deliver once, not re-send
the application every couple of seconds. A real child kiosk, a real EFBIG from the kernel
(RLIMIT_FSIZE), the reference platform behind a counting proxy."""

from __future__ import annotations

import json
import subprocess
import sys

import tomli_w
import tomllib

from tests.delivery.chaos_proxy import ChaosProxy
from tests.delivery.drill import ROOT, Drill

HOLD_S = 5.0


def test_a_full_disk_while_recording_a_delivery_backs_off_and_sends_once(drill: Drill) -> None:
    drill.platform_up()
    proxy = ChaosProxy(drill.platform_url)
    try:
        site = drill.kiosk("full-disk", base_url=proxy.url)
        settings = tomllib.loads(site.read_text(encoding="utf-8"))
        settings["outbox"].update(backoff_initial_s=0.5, backoff_max_s=8.0)
        site.write_text(tomli_w.dumps(settings), encoding="utf-8")
        run = subprocess.run([sys.executable, "-m", "tests.delivery.full_disk_worker",
                              str(site), str(drill.body_path), "--hold", str(HOLD_S)],
                             cwd=ROOT, capture_output=True, text=True, timeout=90)
        assert run.returncode == 0, run.stderr[-3000:]
        summary = json.loads(run.stdout.strip().splitlines()[-1])
        sends = proxy.seen["pass"]
    finally:
        proxy.close()
    assert summary["state"] == "delivered", summary
    assert sends == 1, f"the application went to the platform {sends} times in {HOLD_S} s"
    # backoff: 0.5, 1, 2, 4 s ... -> a handful of tries in 5 s, not one every 0.5 s
    assert 1 <= summary["storage_failures"] <= 5, summary
    assert run.stderr.count("ERROR") == 0, run.stderr[-3000:]
    filed = [a for a in drill.applications()]
    assert len(filed) == 1
