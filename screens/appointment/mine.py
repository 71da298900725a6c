"""The citizen's bookings still to come, each with a cancel button that asks once more before
it cancels (a cancelled time may be taken by someone else at once)."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n.messages import N_
from kiosk.journeys.appointment import Booking
from screens.journey_screen import Action, JourneyScreen

PER_PAGE, ELDER_PER_PAGE = 4, 2


class ApptMineScreen(JourneyScreen):
    title_msgid = N_("My appointments")

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow
        self.bookings: list[Booking] | None = None
        self.cancelled: set[str] = set()
        self.confirming: str | None = None
        self.page = 0

    def let_go(self) -> None:
        super().let_go()
        self.bookings, self.cancelled, self.confirming = None, set(), None

    def on_pre_enter(self, *_args: Any) -> None:
        self.problem, self.bookings, self.confirming, self.page = None, None, None, 0
        self.cancelled = set()
        self.work(lambda: self.flow.make_journey().mine(), self._loaded)

    def _loaded(self, bookings: list[Booking]) -> None:
        self.bookings = bookings

    def _per_page(self) -> int:
        return ELDER_PER_PAGE if self.app.prefs.elder_mode else PER_PAGE

    def draw_body(self, box: BoxLayout) -> None:
        if self.bookings is None:
            return
        _ = self._
        theme = self.app.theme
        if not self.bookings:
            self.empty(box, "appt_none", _("You have no upcoming appointments."),
                       _("Book a time at a counter, and you will not have to wait in line."),
                       [("appt_book", _("Book an appointment"),
                         lambda: self.app.show("appt_services"))])
            return
        per = self._per_page()
        for booking in self.bookings[self.page * per:][:per]:
            row = BoxLayout(size_hint_y=None, height=theme.button_height_px * 1.5, spacing=16)
            text = (f"{self.app.translator.pick(booking.service_name)}\n"
                    f"{booking.when(self.app.prefs.language)}    "
                    + _("Booking code: %(code)s", code=booking.booking_code))
            row.add_widget(self.label(text, kid=f"appt_row_{booking.appointment_id}"))
            aid = booking.appointment_id
            if aid in self.cancelled:
                row.add_widget(self.label(_("Cancelled"), kid=f"appt_cancelled_{aid}",
                                          size_hint_x=0.35))
            elif self.confirming == aid:
                row.add_widget(self.button(f"appt_confirm_{aid}", _("Confirm cancellation"),
                                           lambda a=aid: self._cancel(a), role="danger",
                                           size_hint_x=0.35))
            else:
                row.add_widget(self.button(f"appt_cancel_{aid}", _("Cancel"),
                                           lambda a=aid: self._confirm(a), size_hint_x=0.35))
            box.add_widget(row)
        box.add_widget(BoxLayout())

    def actions(self) -> list[Action]:
        _ = self._
        acts: list[Action] = [("back", _("Back"), lambda: self.app.show("appt_menu"), False)]
        if self.page > 0:
            acts.append(("page_prev", _("Previous page"), self._prev, False))
        if self.bookings and (self.page + 1) * self._per_page() < len(self.bookings):
            acts.append(("page_next", _("Next page"), self._next, False))
        return acts

    def _prev(self) -> None:
        self.page, self.confirming = self.page - 1, None
        self.refresh()

    def _next(self) -> None:
        self.page, self.confirming = self.page + 1, None
        self.refresh()

    def _confirm(self, appointment_id: str) -> None:
        self.confirming = appointment_id
        self.refresh()

    def _cancel(self, appointment_id: str) -> None:
        journey = self.flow.journey
        if journey is None:
            return

        def cancelled(_booking: Booking) -> None:
            self.cancelled.add(appointment_id)
            self.confirming = None

        self.work(lambda: journey.cancel(appointment_id), cancelled)
