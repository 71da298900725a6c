"""Handing in the materials an application awaits (补正 / 容缺), page by page from the
document camera (or the scanner), then once through the outbox; the citizen is told whether
the service centre has them already or they will be sent."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n.messages import N_
from kiosk.journeys import materials as mat
from kiosk.journeys.progress import SupplementOutcome
from screens.apply.camera import CameraScreen
from screens.apply.materials import (MaterialRowsScreen, add_capture_buttons, material_row,
                                     no_scanning_note)
from screens.journey_screen import Action
from screens.widgets import fit_to_lines


class SupplementCameraScreen(CameraScreen):
    """The apply journey's camera, filling the supplement's materials."""

    back_to = "progress_supplement"


class SupplementScreen(MaterialRowsScreen):
    title_msgid = N_("Hand in documents")

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow

    def refresh(self) -> None:
        journey = self.flow.journey
        self.rows_of(journey)
        if journey is not None and not self.busy and self.flow.supplemented is None:
            try:
                self.views = journey.materials()  # in memory: no I/O
            except RuntimeError:  # nothing started (the session moved on)
                self.views = []
        super().refresh()

    def draw_body(self, box: BoxLayout) -> None:
        _ = self._
        theme = self.app.theme
        done: SupplementOutcome | None = self.flow.supplemented
        if done is not None:
            words = (_("Your documents have been handed in.") if done.delivered else
                     _("Your documents were saved on this terminal and will be sent as soon "
                       "as the connection is back."))
            box.add_widget(self.label(words + "\n" + _("Reference: %(number)s",
                                                       number=done.reference),
                                      size=theme.title_px, kid="supplement_done"))
            return
        width = self.body_width
        prompt = self.label(_("Scan the documents the service centre asked for."),
                            kid="supplement_prompt", height=theme.text_px * 1.8)
        fit_to_lines(prompt, width)
        box.add_widget(prompt)
        note = no_scanning_note(self)
        room = self.body_room - prompt.height - box.spacing \
            - ((note.height + box.spacing) if note is not None else 0)
        # rows as tall as their words wrap, a page as many as the body holds, as on the apply
        # journey's materials screen: paged by count, two rows in elder mode shared out a body
        # too short for them and ran 6 px into each other
        self.add_rows(box, [self._row(view, width) for view in self.views], room, note)

    def _row(self, view: mat.MaterialView, width: float) -> BoxLayout:
        """One material: its name and the pages taken, then the ways to give it."""
        _ = self._
        taken = self.app.translator.ngettext("%(n)d page taken", "%(n)d pages taken",
                                             view.pages, n=view.pages)
        line = self.label(f"{view.name} — {taken}", kid=f"sup_{view.material_id}",
                          height=self.app.theme.text_px * 1.6)
        buttons = BoxLayout(size_hint_y=None, height=self.app.theme.button_height_px, spacing=12)
        mid = view.material_id
        add_capture_buttons(self, buttons, self.flow.journey, "sup", view, self._camera)
        if view.pages:
            buttons.add_widget(self.button(f"sup_{mid}_clear", _("Delete and retake"),
                                           lambda m=mid: self._clear(m)))
        return material_row(self, line, buttons, width)

    def actions(self) -> list[Action]:
        _ = self._
        if self.flow.supplemented is not None:
            return [("sup_done", _("Done"), self._done, True)]
        acts: list[Action] = [("back", _("Back"), self._done, False)]
        acts += self.pager.actions(self._page_count)  # drawn just before (`refresh`)
        if any(v.pages for v in self.views):
            acts.append(("sup_submit", _("Hand in"), self._submit, True))
        return acts

    def _camera(self, material_id: str) -> None:
        self._focus = material_id
        self.flow.camera_material = material_id
        self.app.show("progress_camera")

    def _clear(self, material_id: str) -> None:
        self._focus = material_id
        if self.flow.journey is not None:
            self.flow.journey.clear_material(material_id)
        self.refresh()

    def _submit(self) -> None:
        journey = self.flow.journey
        if journey is None:
            return

        def handed(outcome: SupplementOutcome) -> None:
            self.flow.supplemented = outcome

        self.work(journey.submit_supplement, handed)

    def _done(self) -> None:
        """Leave: the pages of an abandoned supplement go with the session's wipe."""
        if self.flow.journey is not None:
            self.flow.journey.end_supplement()
        self.flow.supplemented = None
        self.pager.reset()
        self._focus = None
        self.app.show("progress_detail")
