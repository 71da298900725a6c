"""The hidden staff side (issue 6): the four-corner gesture, the staff card and its PIN, and
the admin screen.

`install(app)` builds the AdminService over the app's terminal, adds the two screens (no home
tile: citizens never see a way in) and sets `app.admin_entry`, which the app feeds every
touch-down from `KioskApp._on_any_touch`.
"""

from __future__ import annotations

import logging
from typing import Any

from kivy.clock import Clock
from kivy.core.window import Window

from kiosk.session import EndReason
from screens.admin.frame import ADMIN_SCREENS
from screens.admin.gesture import CornerGesture

log = logging.getLogger(__name__)


class AdminEntry:
    """Watches every touch for the gesture; opens the staff sign-in when it is made."""

    def __init__(self, app, service) -> None:
        self.app, self.service = app, service
        self.gesture = CornerGesture(lambda: (Window.width, Window.height))

    def on_touch(self, *args: Any) -> None:
        """`Window.on_touch_down` arguments: (window, touch)."""
        touch = args[-1] if args else None
        if touch is None or self.app.manager.current in ADMIN_SCREENS:
            return
        if not self.gesture.feed(touch.x, touch.y):
            return
        self.service.entry_requested()
        if not self.service.configured:
            log.info("admin gesture made, but no staff issuer root or no card reader is "
                     "configured: nothing opens")
            return
        # A citizen's session is ended (and wiped) first: staff never see a citizen's data.
        # The app hears of it on its next frame and goes to the attract loop; the staff
        # sign-in is shown after that, in the same frame.
        self.app.terminal.sessions.end(EndReason.ADMIN)
        Clock.schedule_once(lambda _dt: self.app.show("admin_pin"), 0)


def install(app) -> None:  # type: ignore[no-untyped-def]
    from kiosk.admin.service import AdminService
    from screens.admin.panel import AdminPanelScreen
    from screens.admin.pin_pad import PinPadScreen

    service = AdminService(app.terminal, getattr(app, "loaded_config", None))
    app.admin = service
    # The heartbeat tells the platform whether the terminal is out of service, and its last error.
    app.terminal.out_of_service = service.is_out_of_service
    app.terminal.last_error = service.last_error_text
    app.manager.add_widget(PinPadScreen(app, service, name="admin_pin"))
    app.manager.add_widget(AdminPanelScreen(app, service, name="admin"))
    app.admin_entry = AdminEntry(app, service)
