"""Review (确认): everything the citizen is about to send, on their own screen, and what still
stops it; submitting queues it once in the outbox (a second tap is the same application)."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.journeys.apply import Review
from screens.apply.form import shown_value
from kiosk.i18n.messages import N_
from screens.journey_screen import Action, JourneyScreen
from screens.paging import Pager, pages_of_lines
from screens.widgets import fit_to_lines

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
        review = self.review
        journey = self.flow.journey
        self._page_count = 0
        if review is None or journey is None:
            return
        _ = self._
        theme = self.app.theme
        width = self.body_width
        # elder mode's body text is large already: a long English name at its title size took
        # two lines the page does not have
        size = theme.text_px if self.app.prefs.elder_mode else theme.title_px
        service = self.label(f"{review.service_name}    {review.fee_text}", size=size,
                             kid="review_service", height=size * 1.5)
        fit_to_lines(service, width)
        box.add_widget(service)
        # the applicant and the SMS opt-in share a row: in elder mode, one above the other
        # with the missing note below left the lines less than a row (they ran 6 px into the
        # step bar)
        who = BoxLayout(size_hint_y=None, spacing=20, height=theme.text_px * 1.5)
        who.add_widget(self.label(_("Applicant: %(name)s  %(id)s", name=review.applicant_name,
                                    id=review.applicant_id), kid="review_applicant",
                                  height=theme.text_px * 1.5))
        if review.sms_possible:
            who.height = theme.button_height_px
            who.add_widget(self.button(
                "notify_optin", _("Text me about progress: yes") if review.notify_sms
                else _("Text me about progress: no"), self._toggle_sms,
                selected=review.notify_sms))
        box.add_widget(who)
        missing = None
        if not review.ok:
            missing = self.label(_("Some information is still missing: please complete it "
                                   "before submitting."), kid="review_incomplete",
                                 height=theme.text_px * 1.5)
            fit_to_lines(missing, width)
        # the lines get the height the rest of the body leaves (the missing note takes its
        # own first): a page never runs into the header's step bar
        others = service.height + who.height + 16 * 3
        others += (missing.height + 16) if missing is not None else 0
        rows = ELDER_ROWS if self.app.prefs.elder_mode else ROWS
        pages = pages_of_lines(self, self._lines(), width, self.body_room - others, rows)
        self._page_count = len(pages)
        shown = "\n".join(self.pager.shown(pages))
        lines = self.label(shown, kid="review_lines", height=self.lines_height(shown))
        # a long address or an English label wraps: as tall as its wrapped lines
        fit_to_lines(lines, width)
        box.add_widget(lines)
        if missing is not None:
            box.add_widget(missing)
        box.add_widget(BoxLayout())  # what is left of the height stays below the text

    def _lines(self) -> list[str]:
        """The form's entries, then the materials, one line each."""
        review, journey = self.review, self.flow.journey
        if review is None or journey is None:
            return []
        _ = self._
        fields = {f.name: f for f in journey.form_fields()}
        lines = [f"{e.label}: {shown_value(fields[e.name], e.value, _)}"
                 for e in review.entries if e.name in fields]
        for view in review.materials:
            state = _("missing") if view.material_id in review.missing_materials else "✓"
            lines.append(f"{view.name}: {state}")
        return lines

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
