"""The three other 好差评 indicators (服务效率 / 服务水平 / 服务态度) on a page of their own, after
the overall score: each a row of five choices with the national words, every one optional.
"Send rating" sends what was answered with the overall score; "Skip" sends the overall score
alone (it was given already: skipping the extra questions must not lose it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kivy.core.text import Label as CoreLabel
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.i18n.messages import HOME_TILES
from kiosk.journeys.evaluation import INDICATORS, SCORE_WORDS, SCORES
from screens.evaluate.rate import send_rating
from screens.journey_screen import Action, JourneyScreen


def _text_width(text: str, size: int) -> int:
    """How wide `text` is drawn in bold at `size` px, on one line."""
    label = CoreLabel(text=text, font_size=size, bold=True)
    label.refresh()
    return int(label.texture.size[0])


class RateDetailScreen(JourneyScreen):
    title_msgid = HOME_TILES["evaluate"]

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow

    def draw_body(self, box: BoxLayout) -> None:
        if self.flow.target is None or self.flow.score is None:
            return
        _ = self._
        theme = self.app.theme
        box.add_widget(self.label(_("Optional: rate three more things, or touch Skip to send "
                                    "your overall rating alone."),
                                  kid="detail_hint", height=theme.text_px * 2.6))
        chosen = self.flow.indicators
        names = {name: _(msgid) for name, msgid in INDICATORS.items()}
        # the questions in a column at the left of their choices (three rows fit in elder mode
        # too), as wide as the widest question: the choices keep the rest, on one line in zh
        column = max(_text_width(words, theme.text_px) for words in names.values())
        for name, words in names.items():
            row = BoxLayout(spacing=12, size_hint_y=None, height=theme.button_height_px)
            row.add_widget(self.label(words, kid=f"{name}_label", bold=True,
                                      size_hint_x=None, width=column + theme.text_px))
            for score in SCORES:
                row.add_widget(self.button(f"{name}_{score}",
                                           f"{score} {_(SCORE_WORDS[score])}",
                                           lambda n=name, s=score: self._choose(n, s),
                                           selected=chosen.get(name) == score))
            box.add_widget(row)
        box.add_widget(Widget())  # what is left of the height stays below

    def shown_steps(self) -> Sequence[Any]:
        """No step bar in elder mode: three rows of choices at 1.5× need the height."""
        return () if self.app.prefs.elder_mode else super().shown_steps()

    def actions(self) -> list[Action]:
        _ = self._
        return [("detail_skip", _("Skip"), self._skip, False),
                ("detail_send", _("Send rating"), self._send, True)]

    def _choose(self, name: str, score: int) -> None:
        self.flow.indicators[name] = score
        self.refresh()

    def _skip(self) -> None:
        self.flow.indicators.clear()
        self._send()

    def _send(self) -> None:
        send_rating(self, self.flow)
