"""One application: its number, service, status, what the citizen must do now, and the
timeline of its steps with dates (newest first, a page at a time). Its own applications (by
card) may be supplemented here and rated; one found by a receipt code is shown masked only.
Either way the visit can end with the same on paper: the progress slip."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n.messages import N_
from kiosk.journeys.progress import ApplicationView, SlipPrint
from screens.journey_screen import Action, JourneyScreen
from screens.line_stack import LineStack
from screens.progress.detail_lines import Notice, notices_apart, page_lines
from screens.paging import Pager

STEPS_PER_PAGE, ELDER_STEPS_PER_PAGE = 2, 1  # each with its note: more overran the body


class ProgressDetailScreen(JourneyScreen):
    title_msgid = N_("Application progress")

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow
        self.view: ApplicationView | None = None
        self.printed: SlipPrint | None = None
        self.pager = Pager(self, STEPS_PER_PAGE, ELDER_STEPS_PER_PAGE)
        self.lines = LineStack(self)

    def let_go(self) -> None:
        super().let_go()
        self.view, self.printed = None, None

    def on_pre_enter(self, *_args: Any) -> None:
        self.problem, self.view, self.printed = None, None, None
        self.pager.reset()
        code = self.flow.code
        if code is not None:
            self.flow.code = None
            self.work(lambda: self.flow.make_journey().by_receipt_code(code), self._found)
        else:
            self.refresh()

    def _found(self, view: ApplicationView) -> None:
        self.flow.reference = view.reference

    def refresh(self) -> None:
        journey = self.flow.journey
        if not self.busy and journey is not None and self.flow.reference is not None:
            self.view = journey.view(self.flow.reference)  # the current language; no I/O
        super().refresh()

    def draw_body(self, box: BoxLayout) -> None:
        view = self.view
        if view is None:
            return
        notices = self._notices_apart(view)
        shown = self.pager.shown([*notices, *reversed(view.steps)])
        box.add_widget(self.lines.show(page_lines(
            view, self.printed, shown, self.pager.offset - len(notices), bool(notices),
            self._, self.app.translator.format_date)))

    def _notices_apart(self, view: ApplicationView) -> list[Notice]:
        return notices_apart(view, self.printed, self.app.prefs.elder_mode)

    def _pages(self, view: ApplicationView) -> int:
        """Items the pager turns through: the steps, and in elder mode the notices' page."""
        return len(view.steps) + len(self._notices_apart(view))

    def actions(self) -> list[Action]:
        _ = self._
        own_list = self.flow.applications is not None
        acts: list[Action] = [("back", _("Back"), (lambda: self.app.show("progress_list"))
                               if own_list else self.app.go_home, False)]
        view = self.view
        if view is None:
            return acts
        acts += self.pager.actions(self._pages(view), N_("Newer steps"), N_("Earlier steps"))
        if self.app.prefs.elder_mode and self.pager.page > 0:
            return acts  # five buttons ran off the glass at 1.5x: the rest are on the first page
        if view.receipt_no is not None and own_list and "evaluate_rate" in \
                self.app.manager.screen_names:
            acts.append(("rate_offer", _("Rate this service"), self._rate, False))
        if self.app.terminal.printer is not None and (
                self.printed is None or self.printed.outcome != "printed"):
            acts.append(("progress_print", _("Print progress slip"), self._print, False))
        if view.can_supplement:
            acts.append(("progress_supplement", _("Hand in documents"), self._supplement, True))
        return acts

    def _print(self) -> None:
        journey, view = self.flow.journey, self.view
        if journey is None or view is None:
            return
        reference = view.reference

        def printed(outcome: SlipPrint) -> None:
            self.printed = outcome
            notices = self._notices_apart(view)
            if notices:  # the outcome has a page of its own: show it
                self.pager.page = notices.index("slip") // self.pager.per_page
            if outcome.outcome == "paper_out":
                self.app.say("printer_out_of_paper")

        self.work(lambda: journey.print_slip(reference), printed)

    def _rate(self) -> None:
        from screens.evaluate import offer

        view = self.view
        if view is not None:
            # the name as this screen has it: in the language on the glass now
            offer(self.app, view.reference, {self.app.prefs.language: view.service_name},
                  then=lambda: self.app.show("progress_detail"), service_id=view.service_id)

    def _supplement(self) -> None:
        journey, view = self.flow.journey, self.view
        if journey is None or view is None or view.receipt_no is None:
            return
        receipt_no = view.receipt_no

        def started(_views: Any) -> None:
            self.flow.supplemented = None
            self.app.show("progress_supplement")

        self.work(lambda: journey.start_supplement(receipt_no), started)
