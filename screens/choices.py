"""What the citizen's lists offer, as plain data (no Kivy): one choice per certificate to
print, fee to pay, application to rate or to follow, service to book, free time, reason for
a reprint, or option of a form's field. screens/choice_list.py and choice_list.kv draw them,
a page at a time, on buttons kept from one refresh to the next; tests read them without a
window.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kiosk.forms import Field
from kiosk.journeys.appointment import ServiceChoice, SlotView
from kiosk.journeys.collect import REPRINT_REASONS, CertificateView
from kiosk.journeys.evaluation import RateTarget
from kiosk.journeys.payment import Payable
from kiosk.journeys.progress import ApplicationView
from screens.lines import FormatDate, Pick, Plural, Translate


@dataclass(frozen=True)
class Choice:
    """One button of a list: the item it stands for (`key`), its lines (plain text, never
    markup: a "[" in a platform's name is text) and whether it is the likely next step
    (drawn as the primary action; the others as secondary)."""

    kid: str
    key: str
    lines: tuple[str, ...]
    primary: bool = False
    detail: str = ""  # a smaller line under the lines (a service's department)
    selected: bool = False  # what the field holds now (drawn with its ✓)

    @property
    def words(self) -> str:
        return "\n".join(self.lines)


def certificate_choices(found: Sequence[CertificateView], _: Translate,
                        format_date: FormatDate, pick: Pick) -> list[Choice]:
    """A certificate to print leads (primary); one printed before asks for a reason first."""
    return [Choice(f"cert_{c.certificate_id}", c.certificate_id,
                   (pick(c.title), _("Issued on: %(date)s", date=format_date(c.issued_at.date())),
                    _("Printed before: a reprint needs a reason") if c.collected
                    else _("Ready to print")),
                   primary=not c.collected)
            for c in found]


def fee_choices(due: Sequence[Payable], _: Translate, format_date: FormatDate,
                pick: Pick) -> list[Choice]:
    return [Choice(f"pay_{p.receipt_no}", p.receipt_no,
                   (f"{pick(p.service_name)}    {p.amount_text}",
                    _("Application number: %(number)s", number=p.receipt_no) + "    "
                    + format_date(p.submitted_at.date())))
            for p in due]


def rate_choices(found: Sequence[RateTarget], _: Translate,
                 format_date: FormatDate, pick: Pick) -> list[Choice]:
    choices = []
    for target in found:
        lines = [pick(target.service_name),
                 _("Application number: %(number)s", number=target.reference)]
        if target.submitted_at is not None:
            lines.append(_("Submitted: %(date)s", date=format_date(target.submitted_at.date())))
        choices.append(Choice(f"rate_{target.reference}", target.reference, tuple(lines)))
    return choices


def application_choices(found: Sequence[ApplicationView], _: Translate,
                        format_date: FormatDate) -> list[Choice]:
    """The name, then the number, where it stands and when; one that waits for the citizen
    (a correction to hand in) leads."""
    return [Choice(f"app_{a.reference}", a.reference,
                   (a.service_name,
                    " · ".join((_("Application number: %(number)s", number=a.reference),
                                a.status_words,
                                _("Submitted: %(date)s",
                                  date=format_date(a.submitted_at.date()))))),
                   primary=bool(a.to_do))
            for a in found]


def bookable_choices(services: Sequence[ServiceChoice], pick: Pick) -> list[Choice]:
    """A service to book at a counter: its name, its department beneath (smaller)."""
    return [Choice(f"appt_service_{s.service_id}", s.service_id, (pick(s.name),),
                   detail=pick(s.department))
            for s in services]


def slot_choices(slots: Sequence[SlotView], ngettext: Plural) -> list[Choice]:
    """A day's free times: when, and how many places are left."""
    return [Choice(f"appt_slot_{slot.slot_id}", slot.slot_id,
                   (slot.time_text + "  " + ngettext("%(n)d place left", "%(n)d places left",
                                                     slot.remaining),))
            for slot in slots]


def reason_choices(_: Translate) -> list[Choice]:
    """Why a certificate printed before is needed again (the platform records the reason)."""
    return [Choice(f"reason_{code}", code, (_(msgid),)) for code, msgid in REPRINT_REASONS.items()]


def option_choices(field: Field, chosen: Sequence[object]) -> list[Choice]:
    """A form field's options in the citizen's language; those in `chosen` drawn selected
    (one for a choice, any number for a multiple choice). The key is the option's place."""
    return [Choice(f"opt_{field.name}_{i}", str(i), (words,), selected=option in chosen)
            for i, (option, words) in enumerate(field.options)]


def listed_words(service: Mapping[str, Any], language: str) -> tuple[str, str]:
    """A catalogue entry's name and department in `language` (zh-CN when it has none)."""
    lang = "en" if language == "en" else "zh-CN"
    return (service["name"].get(lang) or service["name"]["zh-CN"],
            service["department"].get(lang) or service["department"]["zh-CN"])
