"""What a booking says, as plain lines (no Kivy): screens/appointment/booked.py draws them with
screens.line_stack; tests read them without a window."""

from __future__ import annotations

from kiosk.journeys.appointment import Booking, SlipOutcome
from screens.lines import Line, Pick, Translate, print_line


def booked_lines(booking: Booking, printed: SlipOutcome | None, elder: bool,
                 language: str, _: Translate, pick: Pick) -> list[Line]:
    """The code big (what the citizen says at the counter), the service, day, time and place,
    then how the slip's printing went (the code to note when it did not print)."""
    booked = _("Your appointment is booked.")
    code = _("Booking code: %(code)s", code=booking.booking_code)
    if elder:  # one line: two left the printer's line no room; the text's size when the
        # lines do not fit (an English hall takes two lines above the printer's word)
        lines = [Line(f"{booked} {code}", "appt_code", "title", em=0, shrink=True)]
    else:
        lines = [Line(booked, "appt_state", "title"), Line(code, "appt_code", "title", em=1.6)]
    lines.append(Line(f"{pick(booking.service_name)}\n{booking.when(language)}\n"
                      f"{pick(booking.hall)}", "appt_details", em=4.5))
    if printed is not None:
        # two lines at elder mode's title size took 210 px of the 169 left under the
        # booking's details: body text, which is large there already
        lines.append(print_line(
            printed, _, kid_prefix="appt_print_", take=_("Please take your slip."),
            note=_("Please note your booking code: %(code)s", code=booking.booking_code),
            size="text" if elder else "title"))
    return lines
