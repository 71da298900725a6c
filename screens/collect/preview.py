"""The certificate as it will come out of the printer, then printing it. It says the truth when
the paper runs out (nothing is recorded, the job is kept, and "print again" after staff reload
the paper prints it whole, once) and when the print could not be recorded yet."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image

from kiosk.i18n.messages import N_, PRINTER
from kiosk.journeys.collect import CollectOutcome, Preview
from screens.journey_screen import Action, JourneyScreen
from screens.picture import Pixels, decode_png, texture_of


# which printer the certificate comes out of: the citizen looks at the right slot
PAPER_WORDS = {"a4": N_("Prints on A4 paper from the page printer"),
               "slip": N_("Prints on the receipt slip")}


class CollectPreviewScreen(JourneyScreen):
    title_msgid = N_("Check your certificate, then print it")

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow
        self._texture_of: bytes | None = None
        self._texture: Any = None
        self._decoded: tuple[bytes, Pixels] | None = None  # by the worker, not yet uploaded

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
        preview = self.flow.preview
        if preview is None:
            self._draw_skeleton(box)
            return
        _ = self._
        theme = self.app.theme
        row = BoxLayout(spacing=20)
        side = BoxLayout(orientation="vertical", spacing=12)
        certificate = preview.certificate
        side.add_widget(self.label(certificate.title, size=theme.title_px,
                                   kid="certificate_title", height=theme.title_px * 1.5))
        if self.app.prefs.elder_mode:
            # the printer's picture is ~4 mm text on the glass: in elder mode the certificate
            # is read out as large screen text instead (what it says, not how it looks)
            t = self.app.translator
            for kid, words in (
                    ("certificate_issuer", _("Issued by: %(issuer)s", issuer=certificate.issuer)),
                    ("certificate_date", _("Issued on: %(date)s",
                                           date=t.format_date(certificate.issued_at.date()))),
                    ("certificate_receipt", _("Receipt no.: %(reference)s",
                                              reference=certificate.receipt_no))):
                side.add_widget(self.label(words, kid=kid, height=theme.text_px * 1.6))
        else:
            picture = Image(fit_mode="contain")
            picture.texture = self._picture(preview.png)
            picture.kid = "certificate_preview"
            row.add_widget(picture)
        paper = PAPER_WORDS.get(preview.paper, PAPER_WORDS["slip"])  # a variable: not extracted
        printed = self.flow.printed
        if printed is None or not self.app.prefs.elder_mode:  # elder: no room beside it
            side.add_widget(self.label(_(paper), kid=f"collect_paper_{preview.paper}"))
        if printed is not None:
            side.add_widget(self._outcome(printed))
        row.add_widget(side)
        box.add_widget(row)

    def _draw_skeleton(self, box: BoxLayout) -> None:
        """While the sheet is rendered: the certificate's name and date from the list, and
        where its picture will be."""
        if self.flow.choosing is None:
            return
        certificate, theme, _ = self.flow.choosing[0], self.app.theme, self._
        side = BoxLayout(orientation="vertical", spacing=12)
        side.add_widget(self.label(certificate.title, size=theme.title_px,
                                   kid="certificate_title", height=theme.title_px * 1.5))
        side.add_widget(self.label(_("Issued on: %(date)s", date=self.app.translator.format_date(
            certificate.issued_at.date())), kid="certificate_date", height=theme.text_px * 1.6))
        if self.busy:
            side.add_widget(self.label(_("Preparing the preview of your certificate…"),
                                       kid="preview_loading"))
        box.add_widget(side)

    def _outcome(self, printed: CollectOutcome):  # type: ignore[no-untyped-def]
        problem = printed.problem
        language = self.app.prefs.language
        if problem is None:
            take = PRINTER["take_output"]  # a variable: pybabel must not extract the key
            words, kid = self._(take), "collect_printed"
        elif printed.outcome == "printed":
            words, kid = problem.text(language), "collect_not_recorded"
        else:
            words, kid = problem.text(language), f"collect_{printed.outcome}"
        return self.status("success" if problem is None else "error", words, kid=kid,
                           size=self.app.theme.title_px,
                           height=self.app.theme.title_px * 1.6 if problem is None else None)

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
