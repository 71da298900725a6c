"""A list shown a page at a time: no scrolling on a kiosk (a touch lands where the finger is,
never on a list that moved), and fewer items per page in elder mode."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from kiosk.i18n.messages import N_

T = TypeVar("T")


class Pager:
    def __init__(self, screen: Any, per_page: int, elder_per_page: int) -> None:
        self.screen = screen
        self.per_page_normal, self.per_page_elder = per_page, elder_per_page
        self.page = 0

    @property
    def per_page(self) -> int:
        return self.per_page_elder if self.screen.app.prefs.elder_mode else self.per_page_normal

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
