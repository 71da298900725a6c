"""Materials (申请材料): per material, the camera, the scanner, an e-licence that replaces the
paper, or a promise to bring it later (容缺) — only the ways this service and terminal allow."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label

from kiosk.journeys import materials as mat
from kiosk.i18n.messages import N_
from screens.journey_screen import Action, JourneyScreen
from screens.paging import Pager, pages_of_heights
from screens.widgets import fit_to_lines, wrapped_height

PER_PAGE, ELDER_PER_PAGE = 3, 2  # rows a page at most: fewer when their words wrap
ROW_SPACING = 16


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


def no_scanning_note(screen: JourneyScreen) -> Label | None:
    """Said when the terminal has neither camera nor scanner working right now."""
    documents = screen.app.terminal.documents
    if documents.has_camera or documents.has_scanner:
        return None
    return screen.label(screen._("Documents cannot be scanned at this terminal right now."),
                        kid="no_scanning", height=screen.app.theme.text_px * 1.6)


def material_row(screen: JourneyScreen, line: Label, buttons: BoxLayout,
                 width: float) -> BoxLayout:
    """A material's line above its buttons (a row of `buttons.height`), each as tall as its
    words wrap at `width`: for the materials and the supplement screens."""
    theme = screen.app.theme
    fit_to_lines(line, width)
    if buttons.children:
        each = (width - 12 * (len(buttons.children) - 1)) / len(buttons.children)
        tallest = max(wrapped_height(b, each - 20) for b in buttons.children)
        buttons.height = max(theme.button_height_px, tallest + theme.text_px * 0.8)
        for button in buttons.children:
            button.height = buttons.height
    row = BoxLayout(orientation="vertical", spacing=8, size_hint_y=None,
                    height=line.height + 8 + buttons.height)
    row.add_widget(line)
    row.add_widget(buttons)
    return row


class MaterialRowsScreen(JourneyScreen):
    """A screen of materials, a `material_row` each, paged as the body holds them: the apply
    journey's materials and the progress journey's supplement."""

    offers_capture = True  # redrawn when the camera or scanner comes or goes

    def __init__(self, app, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.views: list[mat.MaterialView] = []
        self.pager = Pager(self, 1, 1)  # over the rows grouped as the body holds them
        self._page_count = 0  # pages of rows as `draw_body` last laid them out
        # the material the citizen last acted on: its row grew (a page taken adds a button)
        # and may start another page; the screen comes back on that page
        self._focus: str | None = None
        self._drawn_for: weakref.ref[Any] | None = None  # the journey last drawn (not kept)

    def let_go(self) -> None:
        super().let_go()
        self.views, self._focus = [], None

    def rows_of(self, journey: Any) -> None:
        """Called as the rows are drawn for `journey`: another journey than the last (the
        next citizen's, or a new application) starts on the first page. The last citizen's
        page and focus put the next one's materials on page 2."""
        if journey is None or (self._drawn_for is not None and self._drawn_for() is journey):
            return
        self._drawn_for = weakref.ref(journey)
        self.pager.reset()
        self._focus = None

    def add_rows(self, box: BoxLayout, rows: list[BoxLayout], room: float,
                 note: Label | None) -> None:
        """`rows` (one per view, each as tall as its words) paged as `room` px hold them, at
        most PER_PAGE (ELDER_PER_PAGE in elder mode), on the page of the material last acted
        on; then `note` and, below, what is left of the height."""
        most = ELDER_PER_PAGE if self.app.prefs.elder_mode else PER_PAGE
        pages = pages_of_heights([row.height for row in rows], room, most, ROW_SPACING)
        for number, page in enumerate(pages):
            if any(self.views[i].material_id == self._focus for i in page):
                self.pager.page, self._focus = number, None
        self._page_count = len(pages)
        grid = GridLayout(cols=1, spacing=ROW_SPACING, size_hint_y=None)
        for index in (self.pager.shown(pages) or [[]])[0]:
            grid.add_widget(rows[index])
        grid.height = sum(row.height for row in grid.children) \
            + ROW_SPACING * max(0, len(grid.children) - 1)
        box.add_widget(grid)
        if note is not None:
            box.add_widget(note)
        box.add_widget(BoxLayout())  # what is left of the height stays below


class MaterialsScreen(MaterialRowsScreen):
    title_msgid = N_("Materials")

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow

    def refresh(self) -> None:
        journey = self.flow.journey
        self.rows_of(journey)
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
        width = self.body_width
        note = no_scanning_note(self)
        room = self.body_room - ((note.height + 16) if note is not None else 0)
        # rows as tall as their words wrap, a page as many as the body holds (at most
        # PER_PAGE): "以后补交（2026年12月15日（周二）前）" took 210 px in elder mode's 144 px
        # button, and the next material's line overprinted it
        self.add_rows(box, [self._row(view, width) for view in self.views], room, note)

    def _row(self, view: mat.MaterialView, width: float) -> BoxLayout:
        """One material: its line, then the ways to give it, each as tall as its words."""
        _ = self._
        theme = self.app.theme
        mark = " *" if view.required else ""
        state = "✓ " if view.complete and view.source else ""
        line = self.label(f"{state}{view.name}{mark} — {self._status(view)}",
                          kid=f"mat_{view.material_id}_status", height=theme.text_px * 1.6)
        buttons = BoxLayout(size_hint_y=None, height=theme.button_height_px, spacing=12)
        mid = view.material_id
        add_capture_buttons(self, buttons, self.flow.journey, "mat", view, self._camera)
        if view.elicence is not None and view.source != "elicence":
            buttons.add_widget(self.button(f"mat_{mid}_elicence", _("Use my e-licence"),
                                           lambda m=mid: self._call("use_elicence", m)))
        if view.may_promise and view.source != "promised":
            by = self.app.translator.format_date(self.flow.journey.promise_default())
            buttons.add_widget(self.button(f"mat_{mid}_promise",
                                           _("Hand in later\n(by %(date)s)", date=by),
                                           lambda m=mid: self._call("promise", m)))
        if view.source is not None:  # pages are deleted; a choice is only undone
            words = _("Delete and retake") if view.source == "scan" else _("Undo")
            buttons.add_widget(self.button(f"mat_{mid}_clear", words,
                                           lambda m=mid: self._call("clear_material", m)))
        return material_row(self, line, buttons, width)

    def actions(self) -> list[Action]:
        _ = self._
        acts: list[Action] = [("back", _("Back"), lambda: self.app.show("form"), False)]
        acts += self.pager.actions(self._page_count)  # drawn just before (`refresh`)
        acts.append(("materials_next", _("Next"), self._next, True))
        return acts

    def _call(self, method: str, material_id: str) -> None:
        journey = self.flow.journey
        if journey is None:
            return
        self._focus = material_id
        try:
            getattr(journey, method)(material_id)  # in memory: no I/O
        except Exception as exc:  # a JourneyProblem is the citizen's to read
            self.fail(exc)
        self.refresh()

    def _camera(self, material_id: str) -> None:
        self._focus = material_id
        self.flow.camera_material = material_id
        self.app.show("camera")

    def _next(self) -> None:
        self.app.show("review")
