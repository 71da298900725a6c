"""The progress slip (办件进度单) printed at the end of a progress check, 58 or 80 mm.

Every visit ends with something the citizen can hold: the service, the reference, where the
application stands with the dated steps so far, what to do now (a correction, a fee, a
certificate to collect), and the signed progress QR (kiosk/receipts/progress_qr.py) that any
terminal of the fleet reads to show it again without a card. Personal data only masked, as on
screen: the slip is often left lying in the hall.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from drivers.printer.document import Cut, Document, Feed, Item, Qr, Rule, Text, paper_for
from kiosk.i18n import Translator, translator
from kiosk.i18n.messages import N_
from kiosk.receipts.layout import CST, qr_module, receipt_language, sayer, title_size

STRINGS: dict[str, str] = {
    "title": N_("Application Progress"),
    "receipt_no": N_("Receipt no.: %(reference)s"),
    "outbox_reference": N_("Terminal ref.: %(reference)s"),
    "service": N_("Service: %(service)s"),
    "applicant": N_("Applicant: %(name)s"),
    "status": N_("Status: %(status)s"),
    "due": N_("Done by: %(promised)s"),
    "steps": N_("Steps so far:"),
    "to_do": N_("What to do now:"),
    "scan": N_("Scan the code at any terminal to check progress"),
    "as_of": N_("As of %(time)s"),
    "hotline": N_("Hotline: %(hotline)s"),
}
_say = sayer(STRINGS)
MAX_NOTE_CHARS = 120  # an office's note is for the citizen, but a slip is not a letter


@dataclass(frozen=True)
class SlipStep:
    words: str  # the status in the citizen's language
    at: dt.datetime
    note: str | None


@dataclass(frozen=True)
class ProgressSlipData:
    """What the slip says (what the detail screen shows); no unmasked personal data."""

    reference: str
    final: bool  # `reference` is the platform's receipt number (else the terminal's reference)
    service_name: str
    applicant_masked: str
    status_words: str
    due_date: dt.date | None
    steps: tuple[SlipStep, ...]  # oldest first
    to_do: tuple[str, ...]
    qr_text: str | None  # None: no fleet key, the slip prints without the QR
    printed_at: dt.datetime
    language: str


def _local(moment: dt.datetime) -> str:
    return f"{moment.astimezone(CST):%Y-%m-%d %H:%M}"


def _steps(t: Translator, steps: Sequence[SlipStep]) -> list[Item]:
    items: list[Item] = [Text(_say(t, "steps"), bold=True)]
    for step in steps:
        items.append(Text(f"{_local(step.at)}  {step.words}"))
        if step.note:
            note = step.note if len(step.note) <= MAX_NOTE_CHARS else (
                step.note[:MAX_NOTE_CHARS - 1] + "…")
            items.append(Text(f"  {note}"))
    return items


def progress_slip(data: ProgressSlipData, *, centre_name: str, hotline: str,
                  paper_width_mm: int) -> Document:
    """The slip to print (and to preview: same Document, same picture)."""
    t = translator(receipt_language(data.language))
    paper = paper_for(paper_width_mm)  # refuses widths other than 58/80
    items: list[Item] = [
        Text(centre_name, align="center"),
        Text(_say(t, "title"), size=title_size(_say(t, "title"), paper.dots), bold=True,
             align="center"),
        Rule(),
        Text(_say(t, "receipt_no" if data.final else "outbox_reference",
                  reference=data.reference), bold=True),
        Text(_say(t, "service", service=data.service_name)),
    ]
    if data.applicant_masked:
        items.append(Text(_say(t, "applicant", name=data.applicant_masked)))
    items.append(Text(_say(t, "status", status=data.status_words), bold=True))
    if data.due_date is not None:
        items.append(Text(_say(t, "due", promised=data.due_date.isoformat())))
    items += [Rule(), *_steps(t, data.steps)]
    if data.to_do:
        items += [Rule(), Text(_say(t, "to_do"), bold=True)]
        items += [Text(f"- {line}") for line in data.to_do]
    if data.qr_text is not None:
        items += [Rule(), Text(_say(t, "scan"), align="center"), Feed(1),
                  Qr(data.qr_text, module=qr_module(data.qr_text, paper.dots), ec="M"),
                  Text(data.reference, align="center")]
    items += [Rule(), Text(_say(t, "as_of", time=_local(data.printed_at)), align="center"),
              Text(_say(t, "hotline", hotline=hotline), align="center"), Feed(1), Cut()]
    return Document(tuple(items), title="progress slip")
