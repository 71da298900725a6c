"""The certificate as it will come out of the printer, then printing it. It says the truth when
the paper runs out (nothing is recorded, the job is kept, and "print again" after staff reload
the paper prints it whole, once) and when the print could not be recorded yet."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image

from kiosk.i18n.messages import N_
from kiosk.journeys.collect import CollectOutcome, Preview
from screens.collect.preview_lines import preview_lines, skeleton_lines
from screens.journey_screen import Action, JourneyScreen
from screens.line_stack import LineStack
from screens.picture import Pixels, decode_png, texture_of


class CollectPreviewScreen(JourneyScreen):
    title_msgid = N_("Check your certificate, then print it")

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow
        self._texture_of: bytes | None = None
        self._texture: Any = None
        self._decoded: tuple[bytes, Pixels] | None = None  # by the worker, not yet uploaded
        self.lines = LineStack(self, spacing=12)

    def on_pre_enter(self, *_args: Any) -> None:
        """On at once with what the list said; the preview (a rendered sheet) fills in."""
        self.problem = None
        journey, choosing = self.flow.journey, self.flow.choosing
        if self.flow.preview is not None or journey is None or choosing is None:
            self.refresh()
            return
        certificate, reason = choosing

        def choose() -> tuple[Preview, Pixels]:
            preview = journey.choose(certificate.certificate_id, reason)
            return preview, decode_png(preview.png)  # here, not on the main loop

        def previewed(result: tuple[Preview, Pixels]) -> None:
            preview, pixels = result
            self.flow.preview, self.flow.printed, self.flow.choosing = preview, None, None
            self._decoded = (preview.png, pixels)

        self.work(choose, previewed)

    def on_leave(self, *_args: Any) -> None:
        # the citizen's certificate goes with them
        self._texture_of = self._texture = self._decoded = None

    def _picture(self, png: bytes) -> Any:
        if self._texture_of is not png:
            decoded = self._decoded
            pixels = decoded[1] if decoded is not None and decoded[0] is png else decode_png(png)
            self._texture, self._texture_of, self._decoded = texture_of(pixels), png, None
        return self._texture

    def draw_body(self, box: BoxLayout) -> None:
        """The picture, and beside it the lines (in elder mode the lines alone: what the
        certificate says, as large text)."""
        preview, t = self.flow.preview, self.app.translator
        if preview is None:
            if self.flow.choosing is not None:
                loading = self._("Preparing the preview of your certificate…")
                box.add_widget(self.lines.show(skeleton_lines(
                    self.flow.choosing[0], loading if self.busy else None, self._,
                    t.format_date, t.pick)))
            return
        elder = self.app.prefs.elder_mode
        row = BoxLayout(spacing=20)
        width = self.body_width
        if not elder:
            picture = Image(fit_mode="contain")
            picture.texture = self._picture(preview.png)
            picture.kid = "certificate_preview"
            row.add_widget(picture)
            width = (width - row.spacing) / 2
        row.add_widget(self.lines.show(preview_lines(
            preview.certificate, preview.paper, self.flow.printed, self.app.prefs.language,
            elder, self._, t.format_date, t.pick), width=width))
        box.add_widget(row)

    def actions(self) -> list[Action]:
        _ = self._
        printed = self.flow.printed
        back: Action = ("back", _("Back"), lambda: self.app.show("collect_list"), False)
        if self.flow.preview is None:
            return [back]  # nothing to print until the citizen has seen it
        if printed is None:
            return [back, ("print_certificate", _("Print"), self._print, True)]
        acts: list[Action] = []
        if printed.problem is not None:
            acts.append(("print_again", _("Try again"), self._print, False))
        acts.append(("finish", _("Done"), self._finish, True))
        return acts

    def _print(self) -> None:
        journey = self.flow.journey
        if journey is None:
            return

        def printed(outcome: CollectOutcome) -> None:
            self.flow.printed = outcome

        self.work(journey.print_certificate, printed)

    def _finish(self) -> None:
        journey = self.flow.journey
        if journey is not None:
            journey.finish()
        self.flow.forget()
        self.app.go_home()
