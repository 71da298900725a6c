"""Free times of the chosen service: the days first (a row of buttons), then that day's
half-hour slots (paged). A slot taken by someone else meanwhile is told, and the list is
fetched again."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n.messages import N_
from kiosk.journeys.appointment import Booking, SlotView
from kiosk.journeys.problems import JourneyProblem
from screens.choice_list import ChoiceList
from screens.choices import slot_choices
from screens.journey_screen import Action, JourneyScreen
from screens.line_stack import LineStack
from screens.lines import Line
from screens.paging import Pager

DAYS_SHOWN, ELDER_DAYS_SHOWN = 5, 3
PER_PAGE, ELDER_PER_PAGE = 8, 2  # elder: four rows ran off the glass under the day buttons


class ApptSlotsScreen(JourneyScreen):
    title_msgid = N_("Choose a day and time")

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow
        self.slots: list[SlotView] | None = None
        self.day = None
        self.pager = Pager(self, PER_PAGE, ELDER_PER_PAGE)
        self.choices = ChoiceList(self, self._book)
        self.heading = LineStack(self)

    def on_pre_enter(self, *_args: Any) -> None:
        self.problem = None
        self._load()

    def _load(self, problem: str | None = None) -> None:
        self.slots, self.day = None, None
        self.pager.reset()
        service = self.flow.service
        journey = self.flow.journey
        if service is None or journey is None:
            self.refresh()  # the frame and its way back, at least
            return

        def loaded(slots: list[SlotView]) -> None:
            self.slots = slots
            self.day = slots[0].day if slots else None
            self.problem = problem

        self.work(lambda: journey.slots(service.service_id), loaded)

    def _days(self) -> list:
        days = sorted({s.day for s in self.slots or []})
        return days[:ELDER_DAYS_SHOWN if self.app.prefs.elder_mode else DAYS_SHOWN]

    def draw_body(self, box: BoxLayout) -> None:
        theme, room = self.app.theme, self.body_room
        if self.flow.service is not None:
            # at the text's size when too long for one line at the title's (an English name
            # in elder mode ran into the day buttons)
            name = self.heading.show([Line(self.app.translator.pick(self.flow.service.name),
                                           "appt_service_name", "title", em=1.5, shrink=True)],
                                     tight=True)
            box.add_widget(name)
            room -= name.height + box.spacing
        if not self.slots:
            return
        t = self.app.translator
        row = BoxLayout(size_hint_y=None, height=theme.button_height_px, spacing=12)
        for day in self._days():
            row.add_widget(self.button(f"appt_day_{day:%Y%m%d}", t.format_day(day),
                                       lambda d=day: self._pick_day(d), selected=day == self.day))
        box.add_widget(row)
        room -= row.height + box.spacing
        box.add_widget(self.choices.show(
            slot_choices([s for s in self.slots if s.day == self.day], t.ngettext), self.pager,
            cols=1 if self.app.prefs.elder_mode else 2, row_px=theme.button_height_px,
            room=room))

    def actions(self) -> list[Action]:
        _ = self._
        acts: list[Action] = [("back", _("Back"), lambda: self.app.show("appt_services"),
                               False)]
        shown = [s for s in self.slots or [] if s.day == self.day]
        return acts + self.pager.actions(len(shown))

    def _pick_day(self, day) -> None:  # type: ignore[no-untyped-def]
        self.day = day
        self.pager.reset()
        self.refresh()

    def _book(self, slot_id: str) -> None:
        journey = self.flow.journey
        slot = next((s for s in self.slots or () if s.slot_id == slot_id), None)
        if journey is None or slot is None:
            return

        def booked(booking: Booking) -> None:
            self.flow.booking, self.flow.printed = booking, None
            self.app.show("appt_booked")

        def failed(exc: BaseException) -> None:
            if isinstance(exc, JourneyProblem) and exc.code == "journey.appointment.slot_taken":
                self._load(exc.text(self.app.prefs.language))  # fresh slots, and why
            else:
                self.fail(exc)

        self.work(lambda: journey.book(slot.slot_id), booked, failed)
