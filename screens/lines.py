"""A screen's lines of text as plain data (no Kivy): what a guide, a payment's result or a
booking says, each line with its size, the least room it takes and, for a line that reports how
something went, its status. screens/line_stack.py draws them; tests read them without a window.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

Translate = Callable[..., str]  # Translator.gettext
Plural = Callable[..., str]  # Translator.ngettext: the form for a count
FormatDate = Callable[..., str]  # Translator.format_date
Pick = Callable[[Mapping[str, str]], str]  # Translator.pick: a contract Localized's text
Status = Literal["success", "warning", "error"]
Size = Literal["text", "title"]
STATUS_ICONS: dict[Status, str] = {"success": "done", "warning": "warning", "error": "error"}


@dataclass(frozen=True)
class Line:
    """Plain words, never markup (a "[" in a platform's name is text).

    `em`: the least height in its own font sizes (1.5 holds one line, 0 is just its words); it
    grows to the lines its words wrap to; None: it shares the height the other lines leave.
    `shrink`: a title too long for one line at the title's size takes the text's (a long
    English name, a printer's word beside 呼叫工作人员 in elder mode), so the page keeps its room;
    so does it when the screen's lines together are taller than the body (a booking's code
    above an English hall's two lines and the printer's word, in elder mode). `status`: drawn
    with its icon and colour, never the colour alone. `staff`: the words ask the citizen to ask
    staff (a printer out of paper), so the button that calls them stands beside it, as beside a
    problem line."""

    words: str
    kid: str | None = None
    size: Size = "text"
    em: float | None = 1.5
    status: Status | None = None
    shrink: bool = False
    staff: bool = False


class Printed(Protocol):
    """How a print went, as each journey reports it (receipt, slip, payment receipt)."""

    @property
    def outcome(self) -> str: ...

    @property
    def msgid(self) -> str | None: ...  # catalogue words for the citizen when not printed


def print_line(printed: Printed, _: Translate, *, kid_prefix: str, take: str,
               note: str | None = None, size: Size = "title", em: float | None = None
               ) -> Line:
    """What happened at the printer, truthfully: `take` when it printed; otherwise the
    printer's problem in the citizen's words (and `note`, what to write down instead)."""
    kid = f"{kid_prefix}{printed.outcome}"
    if printed.outcome == "printed":
        return Line(take, kid, size, em=em, status="success", shrink=True)
    problem = _(printed.msgid) if printed.msgid else ""
    words = problem if note is None else f"{problem}\n{note}"
    return Line(words, kid, size, em=em, status="warning", shrink=True, staff=True)
