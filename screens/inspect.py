"""What a person would see wrong on the glass, found from the widgets actually drawn.

The explorer test (tests/ui/explorer_walk.py) asks for this after every step, through the UI
driver's `/inspect`. Each check reads what Kivy draws, not what a screen meant to draw:

- `clipped`: a label's rendered text (its texture) is larger than its widget, so it spills over
  its neighbours or is cut at the window's edge;
- `overprint`: two labels' rendered texts overlap (a Label draws its texture centred on itself);
- `off_screen`: text drawn partly outside the window;
- `cut`: lines Kivy left out without a mark (a label with `max_lines` or a fixed height and no
  `shorten` drops the lines that do not fit, and draws the rest as if nothing were missing);
- `contrast`: text against the fill drawn behind it below WCAG's 4.5:1 (alpha blended);
- `small_target`: something to touch smaller than 15 mm (MIN_TARGET_PX) either way;
- `overlap`: two things to touch lying over each other (a finger on the overlap presses one
  the eye may not mean: elder mode's second free time ran under Back and Next page, its text
  still in sight above them).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from kivy.core.window import Window
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.uix.layout import Layout
from kivy.uix.widget import Widget

from screens.theme import MIN_TARGET_PX, contrast
from screens.widgets import laid_out_characters

MIN_CONTRAST = 4.5
SLACK_PX = 2.0  # rounding of texture and layout sizes; less than a stroke
Rect = tuple[float, float, float, float]  # x, y, width, height in window coordinates
RGBA = Sequence[float]


@dataclass(frozen=True)
class Problem:
    kind: str
    kid: str | None
    text: str  # the first words of the text concerned, to find it on a screenshot
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def as_next_frame(manager: Widget, roots: Sequence[Widget]) -> None:
    """`roots` as the next frame will draw them, for a look at a screen entered this turn:
    its size (the manager lays it out on the next frame), its layouts, and its title fitted
    (a frame header's `settle`, found by name: screens.frame is not loaded before the first
    frame)."""
    manager.do_layout()
    for root in roots:
        for widget in root.walk():
            if isinstance(widget, Layout):
                widget.do_layout()
    for root in roots:
        for widget in root.walk():
            settle = getattr(widget, "settle", None)
            if callable(settle):
                settle()


def problems(roots: Iterable[Widget], fallback_background: RGBA) -> list[Problem]:
    """Everything wrong with the widgets under `roots`: the screen, or the dialogs over it
    (a screen dimmed under a dialog is not meant to be read)."""
    found: list[Problem] = []
    for root in roots:
        texts: list[tuple[Label, Rect]] = []  # overprint within one root: a dialog lies above
        targets: list[tuple[Widget, Rect]] = []
        for widget in root.walk():
            if not _shown(widget):
                continue
            if isinstance(widget, ButtonBehavior):
                found.extend(_target(widget))
                targets.append((widget, _window_rect(widget)))
            if isinstance(widget, Label) and widget.text.strip():
                widget.texture_update()
                drawn = _text_rect(widget)
                found.extend(_fit(widget, drawn))
                found.extend(_cut(widget))
                found.extend(_contrast(widget, fallback_background))
                texts.append((widget, drawn))
        found.extend(_overprints(texts))
        found.extend(_overlaps(targets))
    return found


def _shown(widget: Widget) -> bool:
    node: Widget | None = widget
    while node is not None and node is not node.parent:
        if getattr(node, "opacity", 1) <= 0:
            return False
        node = node.parent
    return widget.width > 1 and widget.height > 1


def _window_rect(widget: Widget) -> Rect:
    x, y = widget.to_window(widget.x, widget.y)
    return x, y, widget.width, widget.height


def _text_rect(label: Label) -> Rect:
    """Kivy's label rule draws the texture centred on the widget (style.kv: `Label`)."""
    x, y, w, h = _window_rect(label)
    tw, th = label.texture_size
    return x + (w - tw) / 2, y + (h - th) / 2, tw, th


def _words(label: Label) -> str:
    return " ".join(label.text.split())[:24]


def _problem(kind: str, widget: Widget, detail: str) -> Problem:
    text = _words(widget) if isinstance(widget, Label) else ""
    return Problem(kind, getattr(widget, "kid", None), text, detail)


def _fit(label: Label, drawn: Rect) -> list[Problem]:
    found = []
    _x, _y, w, h = _window_rect(label)
    tw, th = drawn[2], drawn[3]
    if tw > w + SLACK_PX or th > h + SLACK_PX:
        found.append(_problem("clipped", label, f"text {tw:.0f}×{th:.0f} px in a "
                                                f"{w:.0f}×{h:.0f} px widget"))
    x, y = drawn[0], drawn[1]
    if x < -SLACK_PX or y < -SLACK_PX or x + tw > Window.width + SLACK_PX \
            or y + th > Window.height + SLACK_PX:
        found.append(_problem("off_screen", label, f"text at ({x:.0f}, {y:.0f}) {tw:.0f}×{th:.0f}"
                                                   f" in a {Window.width}×{Window.height} window"))
    return found


def _cut(label: Label) -> list[Problem]:
    if label.shorten or not (label.max_lines or label.text_size[1] is not None):
        return []
    shown, whole = laid_out_characters(label)
    if shown >= whole:
        return []
    return [_problem("cut", label, f"{shown} of {whole} characters laid out "
                                   f"(max_lines {label.max_lines}, {label.height:.0f} px high)")]


def _target(widget: Widget) -> list[Problem]:
    if min(widget.width, widget.height) + SLACK_PX < MIN_TARGET_PX:
        return [_problem("small_target", widget, f"{widget.width:.0f}×{widget.height:.0f} px, "
                                                 f"at least {MIN_TARGET_PX} px each way")]
    return []


def background_behind(widget: Widget, fallback: RGBA) -> tuple[float, ...]:
    """The fill drawn under `widget`: its own or its nearest ancestor's (a flat-coloured
    Button, or a box painted by screens.widgets.paint_background), else the screen's."""
    node: Widget | None = widget
    while node is not None and node is not node.parent:
        if isinstance(node, Button) and _flat(node):
            return tuple(node.background_color)
        painted = getattr(node, "_bg_colour", None)
        if painted is not None:
            return tuple(painted.rgba)
        node = node.parent
    return tuple(fallback)


def _flat(button: Button) -> bool:
    """A button drawn as a flat fill of its background_color (no image behind the text)."""
    image = button.background_disabled_normal if button.disabled else button.background_normal
    return image == ""


def _blend(top: RGBA, under: RGBA) -> tuple[float, float, float, float]:
    a = top[3] if len(top) > 3 else 1.0
    return (*(a * t + (1 - a) * u for t, u in zip(top[:3], under[:3], strict=True)), 1.0)


def _contrast(label: Label, fallback: RGBA) -> list[Problem]:
    fill = background_behind(label, fallback)
    under = _blend(fill, fallback)
    ink = label.disabled_color if label.disabled else label.color
    ratio = contrast(_blend(ink, under), under)
    if ratio + 1e-6 < MIN_CONTRAST:
        return [_problem("contrast", label, f"{ratio:.2f}:1 (text {_hex(ink)} on {_hex(under)})")]
    return []


def _hex(rgba: RGBA) -> str:
    return "#" + "".join(f"{round(c * 255):02x}" for c in rgba[:3])


def _overprints(texts: list[tuple[Label, Rect]]) -> list[Problem]:
    return [_problem("overprint", a, f"over {getattr(b, 'kid', None)!r} ({_words(b)!r}) "
                                     f"by {w:.0f}×{h:.0f} px")
            for a, b, w, h in _overlapping(texts)]


def _overlaps(targets: list[tuple[Widget, Rect]]) -> list[Problem]:
    return [_problem("overlap", a, f"under or over {getattr(b, 'kid', None)!r} "
                                   f"by {w:.0f}×{h:.0f} px")
            for a, b, w, h in _overlapping(targets)]


def _overlapping(drawn: Sequence[tuple[Widget, Rect]]
                 ) -> Iterator[tuple[Widget, Widget, float, float]]:
    """Each pair of unrelated widgets whose rectangles overlap by more than the slack either
    way, with the overlap's width and height."""
    for i, (a, ra) in enumerate(drawn):
        for b, rb in drawn[i + 1:]:
            if _related(a, b):
                continue
            w = min(ra[0] + ra[2], rb[0] + rb[2]) - max(ra[0], rb[0])
            h = min(ra[1] + ra[3], rb[1] + rb[3]) - max(ra[1], rb[1])
            if w > SLACK_PX and h > SLACK_PX:
                yield a, b, w, h


def _related(a: Widget, b: Widget) -> bool:
    """One inside the other (a label on a tile): drawn one above the other on purpose."""
    return _inside(a, b) or _inside(b, a)


def _inside(widget: Widget, ancestor: Widget) -> bool:
    node: Widget | None = widget.parent
    while node is not None and node is not node.parent:
        if node is ancestor:
            return True
        node = node.parent
    return False
