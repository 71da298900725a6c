"""Rate one application: the overall score (整体满意度), five large choices (非常不满意 … 非常满意)
and the only question asked, so one tap and Send is enough; an optional comment typed on the
app's own keyboard; then send (through the outbox), answer the three other indicators on a page
of their own (screens.evaluate.detail), or skip."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from kiosk.i18n.messages import HOME_TILES
from kiosk.ime.composer import Composer
from kiosk.journeys.evaluation import MAX_COMMENT, SCORE_WORDS, SCORES, Rated
from screens.evaluate.flow import EvaluateFlow
from screens.journey_screen import Action, JourneyScreen
from screens.keyboard import OnScreenKeyboard


class RateScreen(JourneyScreen):
    title_msgid = HOME_TILES["evaluate"]

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow
        self.composer: Composer | None = None  # the comment, while it is being typed

    def on_pre_enter(self, *_args: Any) -> None:
        self.problem, self.composer = None, None
        self.refresh()

    def draw_body(self, box: BoxLayout) -> None:
        target = self.flow.target
        if target is None:
            return
        _ = self._
        theme = self.app.theme
        if self.composer is not None:
            box.add_widget(self.label(_("Your comment (optional)"), size=theme.title_px,
                                      kid="comment_label", height=theme.title_px * 1.5))
            box.add_widget(Widget())  # the keyboard is a sheet at the bottom
            box.add_widget(OnScreenKeyboard(self.app, self.composer, lambda _text: None,
                                            self._commented, on_cancel=self._close_editor))
            return
        box.add_widget(self.label(
            f"{self.app.translator.pick(target.service_name)}\n"
            + _("Application number: %(number)s", number=target.reference),
            kid="rate_target", height=theme.text_px * 3))
        rated: Rated | None = self.flow.rated
        if rated is not None:
            box.add_widget(self.label(_("Thank you for your rating."), size=theme.title_px,
                                      kid="rate_thanks"))
            return
        box.add_widget(self.label(_("How satisfied are you with this service?"),
                                  size=theme.title_px, height=theme.title_px * 1.6))
        # one row of five in every mode, each "5 非常满意" on one line: the choices stay above the
        # comment, never under it (elder mode's two rows ran into the comment button)
        grid = GridLayout(cols=5, spacing=12, size_hint_y=None, height=theme.button_height_px)
        for score in SCORES:
            grid.add_widget(self.button(f"score_{score}", f"{score} {_(SCORE_WORDS[score])}",
                                        lambda s=score: self._score(s),
                                        selected=self.flow.score == score))
        box.add_widget(grid)
        comment = self.flow.comment
        box.add_widget(self.button("comment_edit", comment or _("Add a comment (optional)"),
                                   self._edit, size_hint_y=None, shorten=True,
                                   height=theme.button_height_px))
        box.add_widget(Widget())  # what is left of the height stays below

    def shown_steps(self) -> Sequence[Any]:
        """No step bar while the comment is typed (the keyboard sheet needs the height) nor in
        elder mode (two steps are not worth 1.5× text's room)."""
        if self.composer is not None or self.app.prefs.elder_mode:
            return ()
        return super().shown_steps()

    def actions(self) -> list[Action]:
        _ = self._
        if self.composer is not None:
            return []  # the keyboard sheet has its own Cancel and Done
        if self.flow.rated is not None:
            return [("rate_finish", _("Done"), self.flow.leave, True)]
        acts: list[Action] = [("rate_skip", _("Skip"), self.flow.leave, False)]
        if self.flow.score is not None:
            acts.append(("rate_more", _("More questions"), self._more, False))
            acts.append(("rate_send", _("Send rating"), self._send, True))
        return acts

    def _more(self) -> None:
        self.app.show("evaluate_detail")

    def _score(self, score: int) -> None:
        self.flow.score = score
        self.refresh()

    def _edit(self) -> None:
        self.composer = Composer(max_length=MAX_COMMENT, text=self.flow.comment)
        self.refresh()

    def _commented(self, text: str) -> None:
        self.flow.comment = text.strip()
        self._close_editor()

    def _close_editor(self) -> None:
        self.composer = None
        self.refresh()

    def _send(self) -> None:
        send_rating(self, self.flow)


def send_rating(screen: JourneyScreen, flow: EvaluateFlow) -> None:
    """Queue the flow's rating (the overall score, the indicators answered, the comment) on a
    worker; once queued, the thanks on the rating's own page. A second tap while it is sent
    does nothing (the screen is busy), and the journey refuses a second rating anyway."""
    journey, target, score = flow.journey, flow.target, flow.score
    if journey is None or target is None or score is None:
        return
    comment, indicators = flow.comment, dict(flow.indicators)

    def sent(rated: Rated) -> None:
        flow.rated = rated
        if screen.name != "evaluate_rate":
            screen.app.show("evaluate_rate")

    screen.work(lambda: journey.rate(target, score, comment, indicators), sent)
