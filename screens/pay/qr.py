"""The pay QR, large, with the amount and the seconds left; the platform is asked on a worker
every few seconds and each answer comes back here on the main loop. Cancel ends the wait (the
payment is checked once more, so one made just before the touch still counts). While the
platform cannot be reached the citizen reads so, and the wait goes on."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.graphics.texture import Texture
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image

from kiosk.i18n.messages import N_
from kiosk.journeys.payment import QR_SCREEN_PX, WaitState
from screens import background
from screens.journey_screen import Action, JourneyScreen
from screens.line_stack import LineStack
from screens.pay.qr_lines import qr_lines
from screens.picture import decode_png, texture_of

QR_GAP_PX = 48  # between the words and the code


class PayQrScreen(JourneyScreen):
    title_msgid = N_("Scan to pay")

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow
        self.state: WaitState | None = None
        self.cancelling = False
        self._texture: Texture | None = None
        self._texture_of: str | None = None
        self.lines = LineStack(self)

    def let_go(self) -> None:
        super().let_go()  # the citizen's payment code and its picture
        self.state, self._texture, self._texture_of = None, None, None

    def on_pre_enter(self, *_args: Any) -> None:
        self.problem, self.state, self.cancelling = None, None, False
        self.refresh()
        journey, session = self.flow.journey, self.app.terminal.sessions.current
        if journey is None:
            return

        def alive() -> bool:
            return session is not None and self.app.terminal.sessions.current is session

        def on_update(state: WaitState) -> None:  # on the worker: hop to the main loop
            Clock.schedule_once(lambda _dt: self._update(state) if alive() else None, 0)

        background.run(lambda: journey.wait(on_update), self._ended, self._failed, alive,
                       name="pay-wait")

    def on_leave(self, *_args: Any) -> None:
        """Home or exit while the QR was up: the wait stops (nothing is paid by leaving)."""
        if self.flow.journey is not None:
            self.flow.journey.cancel()
        self._texture = self._texture_of = None

    def _update(self, state: WaitState) -> None:
        self.state = state
        self.app.terminal.sessions.touch()  # paying on a phone is using the terminal
        problem = state.problem
        self.problem = problem.text(self.app.prefs.language) if problem else None
        if self.manager is not None and self.manager.current == self.name:
            self.refresh()

    def _ended(self, state: WaitState) -> None:
        self.flow.end = state
        if self.manager is not None and self.manager.current == self.name:
            self.app.show("pay_result")

    def _failed(self, exc: BaseException) -> None:
        self.fail(exc)
        self.refresh()

    def _qr_texture(self) -> Texture | None:
        view = self.flow.view
        if view is None:
            return None
        if self._texture is None or self._texture_of != view.payment_id:
            pixels = self.flow.qr_pixels or decode_png(view.qr_png)
            self._texture = texture_of(pixels, sharp=True)  # sharp modules
            self._texture_of, self.flow.qr_pixels = view.payment_id, None
        return self._texture

    def draw_body(self, box: BoxLayout) -> None:
        view = self.flow.view
        if view is None:
            return
        # the code beside the words, as tall as the body lets it be (at most QR_SCREEN_PX):
        # below them, elder mode's wrapped lines left it 120 px (3 cm) in English
        side = max(0.0, min(float(QR_SCREEN_PX), self.body_room))
        row = BoxLayout(spacing=QR_GAP_PX)
        # the lines at the top, beside the code's top edge
        row.add_widget(self.lines.show(qr_lines(view, self.state, self.cancelling, self._,
                                                self.app.translator.pick),
                                       width=self.body_width - side - QR_GAP_PX))
        picture = Image(texture=self._qr_texture(), fit_mode="contain", size_hint=(None, None),
                        size=(side, side), pos_hint={"top": 1})
        picture.kid = "pay_qr"
        row.add_widget(picture)
        box.add_widget(row)

    def actions(self) -> list[Action]:
        if self.cancelling:
            return []
        return [("pay_cancel", self._("Cancel payment"), self._cancel, False)]

    def _cancel(self) -> None:
        if self.flow.journey is not None:
            self.cancelling = True
            self.flow.journey.cancel()
            self.refresh()
