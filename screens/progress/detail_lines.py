"""What one application's page says, as plain lines (no Kivy): its service, number, status and
dates; what the citizen must do; how the progress slip's printing went; the steps with their
notes. screens/progress/detail.py pages and draws them with screens.line_stack; tests read them
without a window."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from kiosk.journeys.progress import ApplicationView, SlipPrint, TimelineStep
from kiosk.receipts.layout import CST
from screens.lines import FormatDate, Line, Translate, print_line

Notice = Literal["todo", "slip"]  # in elder mode, each takes a page before the steps


def head_lines(view: ApplicationView, _: Translate, format_date: FormatDate) -> list[Line]:
    """The service; number and status on one line (in elder mode a line more overran the
    body); the applicant, masked, and the promised date when known."""
    rows = [_("Application number: %(number)s", number=view.reference) + "    "
            + _("Status: %(status)s", status=view.status_words)]
    if view.applicant_masked:
        rows.append(_("Applicant: %(name)s", name=view.applicant_masked))
    if view.due_date is not None:
        rows.append(_("Promised completion: %(date)s", date=format_date(view.due_date)))
    return [Line(view.service_name, "progress_service", "title", em=1.6),
            Line("\n".join(rows), "progress_status", em=1.5 * len(rows))]


def todo_lines(view: ApplicationView) -> list[Line]:
    """What the citizen must do, if anything (the platform's words)."""
    return ([Line("\n".join(view.to_do), "progress_todo", em=None, status="warning")]
            if view.to_do else [])


def slip_lines(printed: SlipPrint | None, _: Translate) -> list[Line]:
    """How the slip's printing went, once known."""
    if printed is None:
        return []
    return [print_line(printed, _, kid_prefix="progress_slip_",
                       take=_("Please take your progress slip."))]


def step_line(step: TimelineStep, index: int, format_date: FormatDate) -> Line:
    at = step.at.astimezone(CST)
    words = f"{format_date(at.date())} {at:%H:%M}  {step.words}"
    if step.note:
        words += f"\n{step.note}"
    return Line(words, f"step_{index}", em=1.5 * (words.count("\n") + 1))


def notices_apart(view: ApplicationView, printed: SlipPrint | None,
                  elder: bool) -> list[Notice]:
    """In elder mode, the notices that take a page each before the steps (beside a step they
    ran over it: the explorer's walk in English found it); none otherwise."""
    if not elder:
        return []
    return ["todo"] * bool(view.to_do) + ["slip"] * (printed is not None)


def page_lines(view: ApplicationView, printed: SlipPrint | None, shown: Sequence[object],
               first: int, apart: bool, _: Translate, format_date: FormatDate) -> list[Line]:
    """A page: the head; the notices (here, unless they are `apart`); then `shown`, this
    page's notices and steps, newest first, the first of them the `first`th step."""
    lines = head_lines(view, _, format_date)
    if not apart:
        lines += todo_lines(view) + slip_lines(printed, _)
    for index, item in enumerate(shown, start=first):
        if item == "todo":
            lines += todo_lines(view)
        elif item == "slip":
            lines += slip_lines(printed, _)
        elif isinstance(item, TimelineStep):
            lines.append(step_line(item, index, format_date))
    return lines
