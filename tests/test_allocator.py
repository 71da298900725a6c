"""The app's glibc settings (kiosk.allocator, issue 16): a camera frame's worth of memory,
freed, goes back to the system instead of staying resident, as it did with glibc's own
settings once a first frame had been freed. Each case in a fresh Python process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FRAME = 1920 * 1080 * 3  # one 1080p BGR frame

CHILD = f"""
import json, sys
sys.path.insert(0, {str(ROOT)!r})
from kiosk.allocator import limit_retained_memory
def rss_mb():
    with open("/proc/self/status") as status:
        return next(int(l.split()[1]) for l in status if l.startswith("VmRSS")) / 1024
done = limit_retained_memory() if sys.argv[1] == "tuned" else {{}}
for _ in range(3):  # the first free raises glibc's own threshold; later frames then stay
    frame = bytearray({FRAME})
    frame[::4096] = b"x" * len(frame[::4096])  # resident, as a decoded frame is
    before_free = rss_mb()
    del frame
    after_free = rss_mb()
print(json.dumps({{"set": done, "kept_mb": after_free - (before_free - {FRAME} / 2**20)}}))
"""


def run(mode: str) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_ARENA_MAX")}
    out = subprocess.run([sys.executable, "-c", CHILD, mode], capture_output=True, text=True,
                         env=env, check=True, timeout=60)
    return json.loads(out.stdout)


def test_a_freed_frame_leaves_the_process_only_with_the_apps_settings() -> None:
    plain, tuned = run("plain"), run("tuned")
    assert tuned["set"] == {"MALLOC_MMAP_THRESHOLD_": 256 * 1024, "MALLOC_ARENA_MAX": 2}
    assert tuned["kept_mb"] < 1.0, tuned
    assert plain["kept_mb"] > 5.0, plain  # glibc alone keeps the frame: what we measured


def test_the_app_sets_them_before_anything_else() -> None:
    source = (ROOT / "screens" / "__main__.py").read_text(encoding="utf-8")
    body = source.split("def main(", 1)[1]
    assert body.index("limit_retained_memory()") < body.index("load_layers(")
