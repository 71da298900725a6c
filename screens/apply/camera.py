"""The document camera: a live preview with the page's outline; the page is taken by itself
when it lies still (or by the button), checked for blur, glare and cut-off edges, and handed to
the journey only when it is good — otherwise the citizen is told what to fix and retakes it.

The preview is redrawn on the main loop from the latest frame the document service's worker
prepared (downscaled, RGBA): only the texture upload happens here; capturing and encoding run
on the camera's thread or a worker.
"""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.graphics import Color, Line
from kivy.graphics.texture import Texture
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image

from kiosk.services.documents import QUALITY_CODES, CapturedPage
from kiosk.i18n.messages import N_
from screens.journey_screen import Action, JourneyScreen

PREVIEW_FPS = 8  # how often we look for a new frame; only a new one is drawn
PREVIEW_SIZE = (960, 540)


class CameraScreen(JourneyScreen):
    """Serves any flow whose `journey` has `materials()` and `add_page(material_id, jpeg)` and
    which names the material in `camera_material`; `back_to` is where "Done" leads."""

    title_msgid = N_("Place the page under the camera")
    back_to = "materials"
    keeps_problem_room = True  # "page taken" comes with the camera, not with a tap

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow
        self.image: Image | None = None
        self._texture: Texture | None = None
        self._outline: Line | None = None
        self._event = None
        self._unsubscribe = None
        self._shown_at = 0.0
        self.taken = 0

    def on_pre_enter(self, *_args: Any) -> None:
        self.problem, self.taken = None, 0
        self.app.say("place_page")
        documents = self.app.terminal.documents
        self._unsubscribe = documents.subscribe(
            lambda page: Clock.schedule_once(lambda _dt: self._auto(page), 0))
        documents.want_pages(True)
        documents.watch_preview(True)
        self._event = Clock.schedule_interval(self._draw_preview, 1 / PREVIEW_FPS)
        self.refresh()

    def on_leave(self, *_args: Any) -> None:
        documents = self.app.terminal.documents
        documents.want_pages(False)
        documents.watch_preview(False)
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._event is not None:
            self._event.cancel()
            self._event = None
        self._texture = None  # the last frame of this citizen's page goes with the screen
        if self.image is not None:
            self.image.texture = None

    def _view(self) -> Any:
        journey = self.flow.journey
        if journey is None or self.flow.camera_material is None:
            return None
        return next((v for v in journey.materials()
                     if v.material_id == self.flow.camera_material), None)

    def draw_body(self, box: BoxLayout) -> None:
        view = self._view()
        theme = self.app.theme
        if view is not None:
            box.add_widget(self.label(self._("%(material)s: page %(n)d of at most %(max)d",
                                             material=view.name, n=view.pages + 1,
                                             max=view.pages_max),
                                      kid="camera_material", height=theme.text_px * 1.6))
        # A moderate size, at most PREVIEW_SIZE: every new camera frame redraws these pixels
        # on the main loop (and on a software-rendered panel the cost grows with the area
        # drawn); less when the body has less (a problem's line appeared: a fixed height
        # pushed the material's line onto the step bar)
        self.image = Image(fit_mode="contain", size_hint=(None, 1), width=PREVIEW_SIZE[0],
                           size_hint_max_y=PREVIEW_SIZE[1], pos_hint={"center_x": 0.5})
        self.image.kid = "preview"
        with self.image.canvas.after:
            Color(*theme.accent)
            self._outline = Line(points=[], width=3, close=True)
        self._shown_at = 0.0  # a new Image: draw the next frame even if it is not newer
        if self._texture is not None:
            self.image.texture = self._texture
        box.add_widget(self.image)

    def actions(self) -> list[Action]:
        _ = self._
        return [("camera_done", _("Done"), lambda: self.app.show(self.back_to), False),
                ("capture", _("Take the picture"), self._capture, True)]

    def _draw_preview(self, _dt: float) -> None:
        """Upload the camera's frame only when it is a new one (the camera polls slower than
        we look), small and RGBA: the format GL takes without converting on the CPU."""
        frame = self.app.terminal.documents.preview()
        if frame is None or self.image is None or frame.at == self._shown_at:
            return
        self._shown_at = frame.at
        h, w = frame.rgba.shape[:2]
        if self._texture is None or self._texture.size != (w, h):
            self._texture = Texture.create(size=(w, h), colorfmt="rgba")
            self._texture.flip_vertical()
            self.image.texture = self._texture
        self._texture.blit_buffer(memoryview(frame.rgba).cast("B"), colorfmt="rgba",
                                  bufferfmt="ubyte")
        self.image.canvas.ask_update()
        self._draw_outline(frame.outline, w, h)

    def _draw_outline(self, outline: Any, w: int, h: int) -> None:
        if self._outline is None or self.image is None:
            return
        if not outline:
            self._outline.points = []
            return
        shown_w, shown_h = self.image.norm_image_size
        left = self.image.center_x - shown_w / 2
        bottom = self.image.center_y - shown_h / 2
        points: list[float] = []
        for x, y in outline:
            points += [left + x / w * shown_w, bottom + (h - y) / h * shown_h]
        self._outline.points = points

    def _auto(self, page: CapturedPage) -> None:
        if self.manager is None or self.manager.current != self.name or self.busy:
            return
        self._take(lambda: page)

    def _capture(self) -> None:
        self._take(self.app.terminal.documents.capture)

    def _take(self, get_page) -> None:  # type: ignore[no-untyped-def]
        journey = self.flow.journey
        material_id = self.flow.camera_material
        if journey is None or material_id is None:
            return

        def take() -> CapturedPage:
            page = get_page()
            if page.ok:
                journey.add_page(material_id, page.jpeg)
            return page

        def taken(page: CapturedPage) -> None:
            if not page.ok:
                self.problem = self.app.quality_words(page.issues)
                self.app.say(f"page_{page.issues[0]}" if page.issues[0] in QUALITY_CODES
                             else "page_unclear")
                return
            self.taken += 1
            self.app.say("page_taken")
            view = self._view()
            if view is not None and view.pages >= view.pages_max:
                self.app.show(self.back_to)
            else:
                self.problem = self._("Page taken. Turn the page or place the next one.")

        self.work(take, taken)
