"""The appointment slip (预约凭条) printed after booking a counter, 58 or 80 mm.

What is on it: the service, the day and time, the hall and counter, the six-digit booking code
(预约码, big: what the citizen says at the counter) and a QR the counter's scanner reads:

    GOVKIOSK:A:1:<appointment_id>:<booking_code>

The code carries only the platform's own identifiers: the counter looks the appointment up at
the platform and checks that both match, so a slip someone invented finds nothing. No name, no
ID number (the holder is on the platform's record; the slip is often left in a pocket).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from drivers.printer.document import Cut, Document, Feed, Item, Qr, Rule, Text, paper_for
from kiosk.i18n import translator
from kiosk.i18n.messages import N_
from kiosk.receipts.layout import CST, day_text, qr_module, receipt_language, sayer, title_size

QR_PREFIX = "GOVKIOSK:A:1:"
_BOOKING_CODE = re.compile(r"^[0-9]{6}$")
_APPOINTMENT_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")

STRINGS: dict[str, str] = {
    "title": N_("Appointment Slip"),
    "code": N_("Booking code"),
    "service": N_("Service: %(service)s"),
    "when": N_("Time: %(when)s"),
    "where": N_("Place: %(hall)s"),
    "scan": N_("Show this code at the counter"),
    "arrive": N_("Please arrive 10 minutes early and bring your ID card."),
    "cancel": N_("To cancel, use any self-service terminal."),
    "hotline": N_("Hotline: %(hotline)s"),
}
_say = sayer(STRINGS)
_WEEKDAYS_ZH = "一二三四五六日"
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class SlipData:
    """What the slip says: the platform's record of a booking."""

    appointment_id: str
    booking_code: str
    service_name: str
    hall: str
    starts_at: datetime
    ends_at: datetime
    language: str


def slip_qr(appointment_id: str, booking_code: str) -> str:
    """The counter's code for a booking (see the module's docstring)."""
    if not _BOOKING_CODE.match(booking_code) or not _APPOINTMENT_ID.match(appointment_id):
        raise ValueError("not a booking the platform could have made")
    return f"{QR_PREFIX}{appointment_id}:{booking_code}"


def when_text(starts_at: datetime, ends_at: datetime, language: str) -> str:
    """The slot as people say it: 2026年11月24日（周二）09:30-10:00 / Tue 24 Nov 2026 09:30-10:00."""
    lang = receipt_language(language)
    start, end = starts_at.astimezone(CST), ends_at.astimezone(CST)
    hours = f"{start:%H:%M}-{end:%H:%M}"
    if lang == "zh-CN":
        return f"{day_text(start.date(), lang)}（周{_WEEKDAYS_ZH[start.weekday()]}）{hours}"
    return f"{_WEEKDAYS_EN[start.weekday()]} {day_text(start.date(), lang)} {hours}"


def appointment_slip(data: SlipData, *, centre_name: str, hotline: str,
                     paper_width_mm: int) -> Document:
    """The slip to print (and to preview: same Document, same picture)."""
    lang = receipt_language(data.language)
    t = translator(lang)
    paper = paper_for(paper_width_mm)  # refuses widths other than 58/80
    qr = slip_qr(data.appointment_id, data.booking_code)
    items: list[Item] = [
        Text(centre_name, align="center"),
        Text(_say(t, "title"), size=title_size(_say(t, "title"), paper.dots), bold=True,
             align="center"),
        Rule(),
        Text(_say(t, "code"), align="center"),
        Text(data.booking_code, size=3, bold=True, align="center"),
        Rule(),
        Text(_say(t, "service", service=data.service_name)),
        Text(_say(t, "when", when=when_text(data.starts_at, data.ends_at, lang)), bold=True),
        Text(_say(t, "where", hall=data.hall)),
        Rule(),
        Text(_say(t, "scan"), align="center"), Feed(1),
        Qr(qr, module=qr_module(qr, paper.dots), ec="M"),
        Text(data.booking_code, align="center"), Feed(1),
        Rule(),
        Text(_say(t, "arrive")),
        Text(_say(t, "cancel")),
        Text(_say(t, "hotline", hotline=hotline), align="center"),
        Feed(1), Cut()]
    return Document(tuple(items), title="appointment slip")
