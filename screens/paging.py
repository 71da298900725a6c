"""A list shown a page at a time: no scrolling on a kiosk (a touch lands where the finger is,
never on a list that moved), and fewer items per page in elder mode."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from kiosk.i18n.messages import N_
from screens.widgets import wrapped_height

T = TypeVar("T")


class Pager:
    def __init__(self, screen: Any, per_page: int, elder_per_page: int) -> None:
        self.screen = screen
        self.per_page_normal, self.per_page_elder = per_page, elder_per_page
        self.page = 0
        self.room_for: int | None = None  # items the body has room for (`fit`)

    @property
    def per_page(self) -> int:
        most = self.per_page_elder if self.screen.app.prefs.elder_mode else self.per_page_normal
        return most if self.room_for is None else max(1, min(most, self.room_for))

    def fit(self, item_px: float, spacing: float, room: float | None = None,
            per_row: int = 1) -> None:
        """No more items a page than `room` (the body's, `screen.body_room`, by default) has
        room for, `per_row` to a row `item_px` tall: a page of four certificates, three lines
        each, ran 12 px into the step bar (found by the explorer). Called before `shown`."""
        room = self.screen.body_room if room is None else room
        self.room_for = int((room + spacing) // (item_px + spacing)) * per_row

    @property
    def offset(self) -> int:
        """The position in the whole list of this page's first item."""
        return self.page * self.per_page

    def reset(self) -> None:
        self.page = 0

    def shown(self, items: Sequence[T]) -> Sequence[T]:
        """This page's items (the page is pulled back if the list got shorter)."""
        per = self.per_page
        self.page = max(0, min(self.page, (len(items) - 1) // per))
        return items[self.offset:][:per]

    def actions(self, count: int, previous: str = N_("Previous page"),
                next_: str = N_("Next page")) -> list[tuple[str, str, Any, bool]]:
        """The previous/next page buttons this list needs (kids page_prev, page_next);
        `previous`/`next_` are msgids when a list names its pages otherwise."""
        _ = self.screen._
        acts = []
        if self.page > 0:
            acts.append(("page_prev", _(previous), lambda: self._turn(-1), False))
        if self.offset + self.per_page < count:
            acts.append(("page_next", _(next_), lambda: self._turn(1), False))
        return acts

    def _turn(self, by: int) -> None:
        self.page += by
        self.screen.refresh()


def pages_of_lines(screen: Any, lines: Sequence[str], width: float, room: float,
                   most_rows: int) -> list[str]:
    """`lines` grouped into pages of at most `most_rows` rows and `room` px as they wrap at
    `width` in the screen's language and size (each line measured alone: a little more than
    together, never less); a line longer than a page has one alone. For a screen whose body
    is the frame's `body_room` less what it shows above and below the lines."""
    probe = screen.label("x")
    row = wrapped_height(probe, width)
    pages: list[list[str]] = []
    used_rows, used_px = most_rows, room
    for line in lines:
        probe.text = line
        wrapped = wrapped_height(probe, width)
        rows = max(1, round(wrapped / row))
        px = max(wrapped, screen.lines_height(line))
        if used_rows + rows > most_rows or used_px + px > room:
            pages.append([])
            used_rows, used_px = 0, 0.0
        pages[-1].append(line)
        used_rows += rows
        used_px += px
    return ["\n".join(page) for page in pages]


def pages_of_heights(heights: Sequence[float], room: float, most: int,
                     spacing: float) -> list[list[int]]:
    """The indexes of rows `heights` px tall grouped into pages of at most `most` rows and
    `room` px with `spacing` between rows; a row taller than a page has one alone. For lists
    whose rows wrap to different heights (a material's name above its buttons)."""
    pages: list[list[int]] = []
    used = room
    for index, height in enumerate(heights):
        if pages and len(pages[-1]) < most and used + spacing + height <= room:
            used += spacing + height
        else:
            pages.append([])
            used = height
        pages[-1].append(index)
    return pages
