"""Review (确认): everything the citizen is about to send, on their own screen, and what still
stops it; submitting queues it once in the outbox (a second tap is the same application)."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n.messages import N_
from kiosk.journeys.apply import Review
from screens.apply.review_lines import (applicant_line, missing_lines, review_rows, rows_line,
                                        service_line)
from screens.journey_screen import Action, JourneyScreen
from screens.line_stack import LineStack, style_line
from screens.paging import Pager, pages_of_lines

# rows of the form's entries and the materials a page, as they wrap on the glass: a service
# of six fields and five materials ran the two lists over each other and under the buttons,
# and two long entries wrapped to four rows overprinted the step bar in elder mode (both found
# by the explorer)
ROWS, ELDER_ROWS = 6, 2


class ReviewScreen(JourneyScreen):
    title_msgid = N_("Check and submit")

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow
        self.review: Review | None = None
        self.pager = Pager(self, 1, 1)  # over the lines grouped by the rows they take
        self._page_count = 0  # pages of lines as `draw_body` last laid them out
        self.head, self.rest = LineStack(self), LineStack(self)  # around the applicant's row

    def let_go(self) -> None:
        super().let_go()
        self.review = None

    def on_pre_enter(self, *_args: Any) -> None:
        self.problem = None
        self.pager.reset()
        self.refresh()
        self.app.say("review_submit")

    def refresh(self) -> None:
        journey = self.flow.journey
        if journey is not None and journey.service is not None and not self.busy \
                and self.manager is not None and self.manager.current == self.name:
            self.review = journey.review()  # in memory: no I/O
        super().refresh()

    def draw_body(self, box: BoxLayout) -> None:
        """The service; the applicant's row (with the progress-text switch); the rows a page
        at a time in the height the rest leaves (a page never runs into the header's step
        bar); what still stops it."""
        review, journey = self.review, self.flow.journey
        self._page_count = 0
        if review is None or journey is None:
            return
        _ = self._
        elder = self.app.prefs.elder_mode
        service, missing = [service_line(review, elder)], missing_lines(review, _)
        who = self._applicant_row(review)
        others = sum(self.head.heights(service)) + who.height + 16 * 3
        others += sum(h + 16 for h in self.rest.heights(missing))
        fields = {f.name: f for f in journey.form_fields()}
        pages = pages_of_lines(self, review_rows(review, fields, _), self.body_width,
                               self.body_room - others, ELDER_ROWS if elder else ROWS)
        self._page_count = len(pages)
        box.add_widget(self.head.show(service, tight=True))
        box.add_widget(who)
        box.add_widget(self.rest.show([rows_line("\n".join(self.pager.shown(pages))),
                                       *missing]))

    def _applicant_row(self, review: Review) -> BoxLayout:
        """The applicant and the progress-text switch share a row: in elder mode, one above
        the other with the missing note below left the rows less than a row (they ran 6 px
        into the step bar)."""
        theme, _ = self.app.theme, self._
        who = BoxLayout(size_hint_y=None, spacing=20, height=theme.text_px * 1.5)
        applicant = style_line(self, self.label(""), applicant_line(review, _), self.body_width)
        applicant.pos_hint = {"center_y": 0.5}  # level with the switch's words
        who.add_widget(applicant)
        if review.sms_possible:
            who.height = theme.button_height_px
            who.add_widget(self.button(
                "notify_optin", _("Text me about progress: yes") if review.notify_sms
                else _("Text me about progress: no"), self._toggle_sms,
                selected=review.notify_sms))
        return who

    def actions(self) -> list[Action]:
        _ = self._
        acts: list[Action] = [
            ("review_edit_form", _("Change the form"), lambda: self.app.show("form"), False),
            ("review_edit_materials", _("Change the materials"),
             lambda: self.app.show("materials"), False)]
        acts += self.pager.actions(self._page_count)  # drawn just before (`refresh`)
        if self.review is not None and self.review.ok:
            acts.append(("submit", _("Submit"), self._submit, True))
        return acts

    def _toggle_sms(self) -> None:
        journey = self.flow.journey
        if journey is not None and self.review is not None:
            journey.set_notify_sms(not self.review.notify_sms)  # in memory: no I/O
        self.refresh()

    def _submit(self) -> None:
        journey = self.flow.journey
        if journey is None:
            return

        def submitted(receipt: Any) -> None:
            self.flow.receipt = receipt
            self.app.show("receipt")

        self.work(journey.submit, submitted)
