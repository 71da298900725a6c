"""The fees the citizen has to pay, one button per application (paged, no scrolling)."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n.messages import N_
from kiosk.journeys.payment import Payable, PaymentView
from screens.choice_list import ChoiceList, Heading
from screens.choices import fee_choices
from screens.journey_screen import Action, JourneyScreen
from screens.paging import Pager
from screens.picture import Pixels, decode_png

PER_PAGE, ELDER_PER_PAGE = 4, 2


class PayDueScreen(JourneyScreen):
    title_msgid = N_("Pay a fee")

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow
        self.due: list[Payable] | None = None
        self.pager = Pager(self, PER_PAGE, ELDER_PER_PAGE)
        self.choices = ChoiceList(self, self._start)

    def on_pre_enter(self, *_args: Any) -> None:
        self.problem, self.due = None, None
        self.pager.reset()
        self.work(lambda: self.flow.make_journey().payables(), self._loaded)

    def _loaded(self, due: list[Payable]) -> None:
        self.due = due

    def draw_body(self, box: BoxLayout) -> None:
        if self.due is None:
            return
        _ = self._
        if not self.due:
            self.empty(box, "pay_nothing", _("You have no fees to pay."),
                       _("A fee is listed here when one of your applications needs one."),
                       self.journey_offers(("view_progress", _("View progress"), "progress")))
            return
        box.add_widget(self.choices.show(
            fee_choices(self.due, _, self.app.translator.format_date,
                        self.app.translator.pick), self.pager,
            Heading(_("Choose the fee to pay:"))))

    def let_go(self) -> None:
        super().let_go()
        self.due = None

    def actions(self) -> list[Action]:
        _ = self._
        acts: list[Action] = [("back", _("Back"), self.app.go_home, False)]
        return acts + self.pager.actions(len(self.due or []))

    def _start(self, receipt_no: str) -> None:
        journey = self.flow.journey
        if journey is None:
            return

        def start() -> tuple[PaymentView, Pixels]:
            view = journey.start(receipt_no)
            return view, decode_png(view.qr_png)  # here, not on the main loop

        def opened(result: tuple[PaymentView, Pixels]) -> None:
            view, pixels = result
            self.flow.view, self.flow.end, self.flow.printed = view, None, None
            self.flow.qr_pixels = pixels
            self.app.show("pay_qr")

        self.work(start, opened)
