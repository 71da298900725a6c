"""What the frame around every citizen screen says, as plain data (no Kivy): the status line
(hall, date with weekday, time, terminal number, the session's time left) and the numbered
step bar of a multi-step journey. screens/frame.py and frame.kv draw these; tests read them
without a window.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from kiosk.i18n.messages import N_
from kiosk.receipts.layout import CST, day_text

Translate = Callable[..., str]  # Translator.gettext

WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


@dataclass(frozen=True)
class Step:
    """One numbered step of a journey: its words and the screens that belong to it."""

    msgid: str
    screens: tuple[str, ...]


@dataclass(frozen=True)
class StepItem:
    number: int
    words: str
    state: str  # "done", "current" or "todo"


def step_items(steps: Sequence[Step], screen: str, _: Translate) -> list[StepItem]:
    """The bar for `screen`: every step numbered, the current one marked; [] when the screen
    is no step of the journey (a menu, a list the journey starts from elsewhere)."""
    current = next((i for i, step in enumerate(steps) if screen in step.screens), None)
    if current is None:
        return []
    return [StepItem(i + 1, _(step.msgid),
                     "done" if i < current else "current" if i == current else "todo")
            for i, step in enumerate(steps)]


def date_words(now: datetime, language: str, _: Translate) -> str:
    """One date format with its weekday: 2026年12月04日 周五 / Fri 4 Dec 2026."""
    day = now.astimezone(CST).date()
    weekday = _(WEEKDAYS[day.weekday()])
    if language == "zh-CN":
        return f"{day_text(day, language)} {weekday}"
    return f"{weekday} {day_text(day, language)}"


def time_words(now: datetime) -> str:
    """The hall's wall clock to the minute (it changes once a minute)."""
    return f"{now.astimezone(CST):%H:%M}"


def timer_words(seconds_left: float | None, _: Translate) -> str:
    """The session's time left, m:ss; "" with no session (nothing is counting)."""
    if seconds_left is None:
        return ""
    total = max(0, int(seconds_left + 0.5))
    return _("Time left %(time)s", time=f"{total // 60}:{total % 60:02d}")


@dataclass(frozen=True)
class StatusLine:
    hall: str
    terminal: str
    date: str
    time: str
    timer: str

    @classmethod
    def at(cls, now: datetime, *, language: str, hall: str, terminal_id: str,
           seconds_left: float | None, _: Translate) -> StatusLine:
        return cls(hall=hall, terminal=_("Terminal %(id)s", id=terminal_id),
                   date=date_words(now, language, _), time=time_words(now),
                   timer=timer_words(seconds_left, _))
