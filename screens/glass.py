"""What every frame costs on the glass, kept small (issue 16: main-loop stalls).

Kivy redraws the whole window whenever anything on it changes (the session timer does every
second), and under Mesa's software GL a frame costs what its pixels cost: every quad drawn,
every pixel tested. These are the app's ways of drawing the same picture for less.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from kivy.graphics import BorderImage, InstructionGroup, Rectangle
from kivy.lang import Builder
from kivy.uix.screenmanager import ScreenManager


class WindowScreenManager(ScreenManager):
    """A ScreenManager that fills the window and does not clip to itself.

    Kivy's ScreenManager clips its screens with the stencil buffer: a window-sized quad written
    into the stencil before the screen and another after it, and a stencil test on every pixel
    drawn between them. The manager is the window here and its transition is none, so the clip
    cut nothing the window's own edge does not; it cost about a fifth of home's frame
    (bench/ui_bench.py stall; tests/ui/test_glass.py)."""


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
