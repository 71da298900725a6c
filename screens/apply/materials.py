"""Materials (申请材料): per material, the camera, the scanner, an e-licence that replaces the
paper, or a promise to bring it later (容缺) — only the ways this service and terminal allow."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout

from kiosk.journeys import materials as mat
from kiosk.i18n.messages import N_
from screens.journey_screen import Action, JourneyScreen
from screens.paging import Pager

PER_PAGE, ELDER_PER_PAGE = 3, 2


def scan_into(screen: JourneyScreen, journey: Any, material_id: str) -> None:
    """One page from the flatbed into `journey`'s material, on a worker: kept only when it is
    good, otherwise the citizen is told what to fix (the apply and supplement screens)."""
    documents = screen.app.terminal.documents

    def scan() -> Any:
        page = documents.scan()
        if page.ok:
            journey.add_page(material_id, page.jpeg)
        return page

    def scanned(page: Any) -> None:
        if not page.ok:
            screen.problem = screen.app.quality_words(page.issues)

    screen.work(scan, scanned)


def add_capture_buttons(screen: JourneyScreen, buttons: BoxLayout, journey: Any, prefix: str,
                        view: mat.MaterialView, camera: Callable[[str], None]) -> None:
    """The camera and scanner buttons of one material, where the terminal has them and the
    material takes more pages (kids `<prefix>_<material>_camera|scanner`; the apply and
    supplement screens)."""
    if view.pages >= view.pages_max:
        return
    _ = screen._
    documents = screen.app.terminal.documents
    mid = view.material_id
    if documents.has_camera:
        buttons.add_widget(screen.button(f"{prefix}_{mid}_camera", _("Camera"),
                                         lambda: camera(mid)))
    if documents.has_scanner:
        buttons.add_widget(screen.button(
            f"{prefix}_{mid}_scanner", _("Scanner"),
            lambda: scan_into(screen, journey, mid) if journey is not None else None))


def add_no_scanning_note(screen: JourneyScreen, box: BoxLayout) -> None:
    """Said when the terminal has neither camera nor scanner working right now."""
    documents = screen.app.terminal.documents
    if not (documents.has_camera or documents.has_scanner):
        box.add_widget(screen.label(screen._("Documents cannot be scanned at this terminal "
                                             "right now."), kid="no_scanning",
                                    height=screen.app.theme.text_px * 1.6))


class MaterialsScreen(JourneyScreen):
    title_msgid = N_("Materials")

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow
        self.views: list[mat.MaterialView] = []
        self.pager = Pager(self, PER_PAGE, ELDER_PER_PAGE)

    def refresh(self) -> None:
        journey = self.flow.journey
        if journey is not None and journey.service is not None and not self.busy:
            self.views = journey.materials()  # in memory: no I/O
        super().refresh()

    def _status(self, view: mat.MaterialView) -> str:
        _ = self._
        if view.source == "elicence":
            return _("The e-licence will be used")
        if view.source == "promised" and view.promised_by is not None:
            return _("To be handed in by %(date)s",
                     date=self.app.translator.format_date(view.promised_by))
        if view.pages:
            return self.app.translator.ngettext("%(n)d page taken", "%(n)d pages taken",
                                                view.pages, n=view.pages)
        return _("Not given yet") if view.required else _("Optional")

    def draw_body(self, box: BoxLayout) -> None:
        _ = self._
        theme = self.app.theme
        shown = self.pager.shown(self.views)
        grid = GridLayout(cols=1, spacing=16)
        for view in shown:
            row = BoxLayout(orientation="vertical", spacing=8)
            mark = " *" if view.required else ""
            state = "✓ " if view.complete and view.source else ""
            row.add_widget(self.label(f"{state}{view.name}{mark} — {self._status(view)}",
                                      kid=f"mat_{view.material_id}_status",
                                      height=theme.text_px * 1.6))
            buttons = BoxLayout(size_hint_y=None, height=theme.button_height_px, spacing=12)
            mid = view.material_id
            add_capture_buttons(self, buttons, self.flow.journey, "mat", view, self._camera)
            if view.elicence is not None and view.source != "elicence":
                buttons.add_widget(self.button(f"mat_{mid}_elicence", _("Use my e-licence"),
                                               lambda m=mid: self._call("use_elicence", m)))
            if view.may_promise and view.source != "promised":
                by = self.app.translator.format_date(self.flow.journey.promise_default())
                buttons.add_widget(self.button(f"mat_{mid}_promise",
                                               _("Hand in later (by %(date)s)", date=by),
                                               lambda m=mid: self._call("promise", m)))
            if view.source is not None:  # pages are deleted; a choice is only undone
                words = _("Delete and retake") if view.source == "scan" else _("Undo")
                buttons.add_widget(self.button(f"mat_{mid}_clear", words,
                                               lambda m=mid: self._call("clear_material", m)))
            row.add_widget(buttons)
            grid.add_widget(row)
        box.add_widget(grid)
        add_no_scanning_note(self, box)

    def actions(self) -> list[Action]:
        _ = self._
        acts: list[Action] = [("back", _("Back"), lambda: self.app.show("form"), False)]
        acts += self.pager.actions(len(self.views))
        acts.append(("materials_next", _("Next"), self._next, True))
        return acts

    def _call(self, method: str, material_id: str) -> None:
        journey = self.flow.journey
        if journey is None:
            return
        try:
            getattr(journey, method)(material_id)  # in memory: no I/O
        except Exception as exc:  # a JourneyProblem is the citizen's to read
            self.fail(exc)
        self.refresh()

    def _camera(self, material_id: str) -> None:
        self.flow.camera_material = material_id
        self.app.show("camera")

    def _next(self) -> None:
        self.app.show("review")
