"""What the app lends the console's remote actions (kiosk/remote): whether someone is at the
screen, a restart between sessions, a screenshot taken on the main thread, and word that the
terminal went out of (or back into) service, handed to the main loop so that the attract loop
changes without a touch.

The screenshot is the window as drawn (dialogs included), like the UI driver's; it is taken
only when no citizen session is open at that very frame, checked on the main thread, so a
citizen who touched the screen after the remote thread looked is never photographed.
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

from kivy.clock import Clock
from kivy.core.window import Window

from kiosk.remote.service import SCREENSHOT_TIMEOUT_S, ScreenshotRefused
from kiosk.remote.wiring import RemoteHooks


def install(app) -> None:  # type: ignore[no-untyped-def]
    """Fill the terminal's hooks; called in build(), before the terminal starts."""
    app.terminal.remote_hooks = RemoteHooks(
        busy=lambda: app.terminal.sessions.current is not None or app.staff_present,
        restart=lambda: Clock.schedule_once(
            lambda _dt: app.restart_between_sessions("remote command"), 0),
        screenshot=lambda: screenshot(app),
        service_changed=lambda: Clock.schedule_once(lambda _dt: app.service_changed(), 0))


def screenshot(app) -> bytes:  # type: ignore[no-untyped-def]
    """From the remote thread: the PNG, or ScreenshotRefused if someone is at the screen."""
    done = threading.Event()
    box: dict[str, object] = {}
    run_dir = Path(app.kiosk_config.terminal.run_dir)

    def take(_dt: float) -> None:
        try:
            if app.terminal.sessions.current is not None or app.staff_present:
                box["refused"] = True
                return
            run_dir.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix="remote-", suffix=".png", dir=run_dir)
            os.close(fd)
            try:
                written = Window.screenshot(name=name)  # appends a counter to the name
                box["png"] = Path(written).read_bytes()
                os.unlink(written)
            finally:
                os.unlink(name)
        except Exception as exc:  # told to the remote thread, which reports it
            box["error"] = exc
        finally:
            done.set()

    Clock.schedule_once(take, 0)
    if not done.wait(SCREENSHOT_TIMEOUT_S):
        raise TimeoutError("the main loop did not take the screenshot")
    if box.get("refused"):
        raise ScreenshotRefused()
    if "error" in box:
        raise OSError(f"screenshot failed: {type(box['error']).__name__}")
    return box["png"]  # type: ignore[return-value]
