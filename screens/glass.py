"""What every frame costs on the glass, kept small (issue 16: main-loop stalls).

Kivy redraws the whole window whenever anything on it changes (the session timer does every
second), and under Mesa's software GL a frame costs what its pixels cost: every quad drawn,
every pixel tested. These are the app's ways of drawing the same picture for less.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from kivy.graphics import BorderImage, Callback, Color, InstructionGroup, Rectangle
from kivy.graphics.opengl import GL_BLEND, glDisable, glEnable
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, ObjectProperty
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.uix.screenmanager import ScreenManager


class WindowScreenManager(ScreenManager):
    """A ScreenManager that fills the window and does not clip to itself.

    Kivy's ScreenManager clips its screens with the stencil buffer: a window-sized quad written
    into the stencil before the screen and another after it, and a stencil test on every pixel
    drawn between them. The manager is the window here and its transition is none, so the clip
    cut nothing the window's own edge does not; it cost a seventh of home's frame (CPU 90 → 77 ms
    a frame on a loaded box; tests/ui/test_glass.py)."""


Builder.load_string("""
<-WindowScreenManager>:
""")


def census(canvas: Any) -> dict[str, Any]:
    """What drawing `canvas` (the window's, say) costs: its instructions by kind, the pixels its
    quads cover (rectangles and 9-patches: a software-rendered frame pays for each, transparent
    ones too), the largest of them and the textures they bind. For the UI driver's /canvas and the frame tests."""
    kinds: Counter[str] = Counter()
    covered, largest, textures, stencil = 0, 0, set(), 0
    for ins in _instructions(canvas):
        name = type(ins).__name__
        kinds[name] += 1
        if name.startswith("Stencil"):
            stencil += 1
        if isinstance(ins, (Rectangle, BorderImage)):
            w, h = ins.size
            area = round(max(0.0, w) * max(0.0, h))
            covered, largest = covered + area, max(largest, area)
            if ins.texture is not None:
                textures.add(ins.texture.id)
    return {"instructions": dict(sorted(kinds.items())), "count": sum(kinds.values()),
            "quad_px": covered, "largest_quad_px": largest, "textures": len(textures), "stencil": stencil}


def _instructions(group: Any) -> Iterator[Any]:
    for ins in group.children:
        yield ins
        if isinstance(ins, InstructionGroup):
            yield from _instructions(ins)


def draw_fill_opaque(button: Any) -> None:
    """Draw `button`'s fill (an InkButton's `fill`) without blending while the fill is opaque:
    blended or not, an opaque fill leaves the same pixels, and under software GL a blended
    pixel costs about a fifth more (it reads the pixel beneath). Tiles and bars are most of
    home's quads."""
    canvas, fill = button.canvas, button.fill
    opaque = (lambda *_a: glDisable(GL_BLEND) if button.background_color[3] >= 1.0 else None)
    canvas.insert(canvas.indexof(fill) + 1, Callback(lambda *_a: glEnable(GL_BLEND)))
    canvas.insert(0, Callback(opaque))


class InkOnly:
    """A Label (or Button) that draws only the part of its text's texture that has ink.

    Kivy draws a label's whole texture, and a wrapped or fixed-size label's texture is as wide
    as the label: a tile's "申请办理" under its icon is a 562×134 quad, most of it transparent,
    and a transparent pixel costs a blended pixel (six tiles' texts were a fifth of home's
    frame). A transparent pixel leaves the pixel beneath as it was, so drawing the inked box
    alone, at the same place, gives the same picture. The box is found once per new text
    (`trim_ink: False` where a label's text changes every second and the label is small)."""

    ink_texture = ObjectProperty(None, allownone=True)
    ink_pos = ListProperty([0, 0])
    ink_size = ListProperty([0, 0])
    trim_ink = BooleanProperty(True)

    def __init__(self, **kwargs: Any) -> None:
        self._ink_box: tuple[int, int, int, int] | None = None
        super().__init__(**kwargs)
        self.fbind("texture", self._new_ink)
        self.fbind("trim_ink", self._new_ink)
        self.fbind("center", self._place_ink)
        self.fbind("texture_size", self._place_ink)
        self._new_ink()

    def _draw_ink(self) -> None:
        """The inked box's quad, on the canvas after whatever the widget draws beneath it."""
        with self.canvas:
            Color(1, 1, 1, 1)
            self._ink_rect = Rectangle(texture=self.ink_texture, pos=self.ink_pos,
                                       size=self.ink_size)
        for name in ("ink_texture", "ink_pos", "ink_size"):
            self.fbind(name, self._show_ink)

    def _show_ink(self, *_args: Any) -> None:
        ink = self._ink_rect
        ink.texture, ink.pos, ink.size = self.ink_texture, self.ink_pos, self.ink_size

    def _new_ink(self, *_args: Any) -> None:
        texture = self.texture
        self._ink_box = None
        if texture is not None:
            width, height = texture.size
            self._ink_box = (_inked(self) if self.trim_ink else None) or (0, 0, width, height)
        self._place_ink()

    def _place_ink(self, *_args: Any) -> None:
        texture, box = self.texture, self._ink_box
        if texture is None or box is None:
            self.ink_texture, self.ink_size = None, [0, 0]
            return
        x, y, w, h = box
        left = int(self.center_x - self.texture_size[0] / 2.0)  # where Kivy's Label rule puts it
        bottom = int(self.center_y - self.texture_size[1] / 2.0)
        self.ink_texture = texture if (w, h) == tuple(texture.size) \
            else texture.get_region(x, y, w, h)
        self.ink_pos, self.ink_size = [left + x, bottom + y], [w, h]


def _inked(label: Any) -> tuple[int, int, int, int] | None:
    """(x, y, width, height) of a box holding every line of `label`'s text, y from the bottom as
    drawn, with a margin for glyphs that overhang their advance; None for the whole texture.
    From the lines Kivy's markup renderer placed (MarkupLabel keeps each line's x, y from the
    top, width and height), so nothing is read back from the texture."""
    texture, core = label.texture, label._label
    if not label.markup or not hasattr(core, "_cached_lines"):
        return None  # Kivy's plain renderer keeps no line positions
    texture.bind()  # the text is rendered for real (lines placed) when its texture is bound
    lines = [line for line in core._cached_lines if line.w > 0 and line.h > 0]
    if not lines:
        return None
    width, height = texture.size
    margin = max(4, round(max(line.h for line in lines) / 4))
    left = max(0, min(line.x for line in lines) - margin)
    right = min(width, max(line.x + line.w for line in lines) + margin)
    top = max(0, min(line.y for line in lines) - margin)
    bottom = min(height, max(line.y + line.h for line in lines) + margin)
    if right <= left or bottom <= top:
        return None
    return int(left), int(height - bottom), int(right - left), int(bottom - top)


class InkLabel(InkOnly, Label):
    """A Label that draws the inked part of its text (canvas made here, see InkButton)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._draw_ink()


class InkButton(InkOnly, Button):
    """Kivy's Button drawn as a flat fill of its `background_color` and the inked part of its
    text. Every button of the app is flat (no background image), so the fill is one rectangle,
    and the canvas is made here rather than by a kv rule: the rule's bound expressions
    (images by state, border, source) were a third of a button's making (0.97 → 0.59 ms each;
    a list screen makes twenty or more on each refresh, issue 16)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        with self.canvas:
            self._fill_colour = Color(*self.background_color)
            self.fill = Rectangle(pos=self.pos, size=self.size)
        self._draw_ink()
        self.fbind("pos", self._place_fill)
        self.fbind("size", self._place_fill)
        self.fbind("background_color", self._paint_fill)

    def _place_fill(self, *_args: Any) -> None:
        self.fill.pos, self.fill.size = self.pos, self.size

    def _paint_fill(self, *_args: Any) -> None:
        self._fill_colour.rgba = self.background_color


# no rule of Label's or Button's (style.kv) applies: their canvases are made above
Builder.load_string("""
<-InkLabel>:
<-InkButton>:
""")
