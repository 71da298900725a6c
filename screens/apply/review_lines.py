"""What review (确认) says, as plain lines (no Kivy): the service and its fee, the applicant
(masked), the form's entries and the materials a page at a time, and what still stops the
submission. screens/apply/review.py draws them with screens.line_stack around the applicant's
row (which holds the progress-text switch); tests read them without a window."""

from __future__ import annotations

from collections.abc import Mapping

from kiosk.forms import Field
from kiosk.journeys.apply import Review
from screens.apply.field_values import shown_value
from screens.lines import Line, Translate


def service_line(review: Review, elder: bool) -> Line:
    """At the title's size; elder mode's body text is large already (a long English name at
    its title size took two lines the page does not have)."""
    return Line(f"{review.service_name}    {review.fee_text}", "review_service",
                "text" if elder else "title")


def applicant_line(review: Review, _: Translate) -> Line:
    return Line(_("Applicant: %(name)s  %(id)s", name=review.applicant_name,
                  id=review.applicant_id), "review_applicant")


def missing_lines(review: Review, _: Translate) -> list[Line]:
    """What still stops it, if anything."""
    if review.ok:
        return []
    return [Line(_("Some information is still missing: please complete it before "
                   "submitting."), "review_incomplete")]


def review_rows(review: Review, fields: Mapping[str, Field], _: Translate) -> list[str]:
    """The form's entries, then the materials, one row each (a missing one says so)."""
    rows = [f"{e.label}: {shown_value(fields[e.name], e.value, _)}"
            for e in review.entries if e.name in fields]
    for view in review.materials:
        state = _("missing") if view.material_id in review.missing_materials else "✓"
        rows.append(f"{view.name}: {state}")
    return rows


def rows_line(shown: str) -> Line:
    """A page of the rows, at least a line's height each (a long address wraps to more)."""
    return Line(shown, "review_lines", em=1.5 * (shown.count("\n") + 1))
