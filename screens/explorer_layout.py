"""What the explorer counts as the glass moving while only time passed (no Kivy here: the
rule is tested on its own)."""

from __future__ import annotations

from typing import Any

PROBLEM_KIDS = frozenset({"problem", "call_staff_problem"})


def _keyed(layout: list[list[Any]]) -> dict[tuple[str, int], list[Any]]:
    """The widgets that have a kid, by (kid, n-th of that kid), to their rectangles."""
    seen: dict[str, int] = {}
    keyed = {}
    for name, *rect in layout:
        if not name.startswith("<"):  # a widget without a kid is named <its type>
            n = seen[name] = seen.get(name, -1) + 1
            keyed[(name, n)] = rect
    return keyed


def layout_moves(before: list[list[Any]], after: list[list[Any]], keeps_problem_room: bool
                 ) -> list[str]:
    """What moved, appeared or went while only time passed. A tree redrawn the same is no
    move (a widget in another's place: where things are is what counts); a problem line that
    comes by itself in the room its screen keeps for it moves nothing (the camera's "page
    taken"), so it is compared by the widgets with kids, the problem's aside."""
    old, new = _keyed(before), _keyed(after)
    if old.keys() == new.keys():
        moved = [f"{a[0]} {a[1:]} -> {b[1:]}" for a, b in zip(before, after) if a[1:] != b[1:]]
        return moved[:4] or ([] if len(before) == len(after) else ["widgets added or removed"])
    changed = [f"{key[0]} {old[key]} -> {new[key]}" for key in old.keys() & new.keys()
               if old[key] != new[key]]
    came = {key[0] for key in old.keys() ^ new.keys()}
    if not (keeps_problem_room and came <= PROBLEM_KIDS):
        changed.append(f"widgets added or removed: {sorted(came)}")
    return changed[:4]
