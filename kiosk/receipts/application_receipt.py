"""The application receipt (受理回执) as printed at the end of the apply journey, 58 or 80 mm.

What is on it, and why:
- the receipt number (受理号) or, while the platform is unreachable, the terminal's outbox
  reference under a bold "待发送 / WILL BE SENT" mark and a line saying what that means;
- service, submission time, the promised completion (a date once the platform accepted it;
  while pending only "N working days after acceptance", since acceptance has not happened);
- the progress QR (kiosk/receipts/progress_qr.py) with the reference printed under it, so a
  counter clerk can type it when the code is torn;
- what happens next, the centre and its hotline.

No personal data at all: no name, no ID number, not even masked. The slip is often left in the
tray or thrown away, and the reference plus the QR is all a look-up needs (issue 5 shows the
application with personal data masked); a masked name would help nobody identify the slip.

Layout is per language, not translated word by word: the Chinese receipt is all Chinese, the
English one all English, with dates written the way each reader expects. The words are msgids
in STRINGS below, translated through the gettext catalogue (kiosk/locale).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from drivers.printer.document import Cut, Document, Feed, Item, Qr, Rule, Text, paper_for
from kiosk.i18n import Translator, translator
from kiosk.i18n.messages import N_, NP_
from kiosk.receipts.layout import CST, day_text, qr_module, receipt_language, sayer
from kiosk.receipts.progress_qr import claimed_ref

# What the receipt says: key -> msgid, translated through the gettext catalogue (both layouts
# have every key by construction). Labels carry their value as a placeholder, so each language
# decides where the value goes and what separates it ("受理编号：" / "Receipt no.: ").
STRINGS: dict[str, str | tuple[str, str]] = {
    "title": N_("Application Receipt"),
    "pending_mark": N_("WILL BE SENT"),
    "pending_note": N_("Will be sent: this is the terminal's reference. The application is "
                       "submitted automatically once the network is back; you can then "
                       "check its progress with this code."),
    "receipt_no": N_("Receipt no.: %(reference)s"),
    "outbox_reference": N_("Terminal ref.: %(reference)s"),
    "service": N_("Service: %(service)s"),
    "submitted": N_("Submitted: %(time)s"),
    "promised": N_("Done by: %(promised)s"),
    "promised_date_days": NP_("%(date)s (%(n)d working day)", "%(date)s (%(n)d working days)"),
    "promised_days_final": NP_("within %(n)d working day", "within %(n)d working days"),
    "promised_days_pending": NP_("within %(n)d working day of acceptance",
                                 "within %(n)d working days of acceptance"),
    "on_the_spot": N_("Done on the spot"),  # 即办件: not "within 0 working days"
    "on_acceptance": N_("Done as soon as it is accepted"),  # 即办件 while not yet sent
    "scan": N_("Scan the code to check progress"),
    "next_steps": N_("What happens next:"),
    "hotline": N_("Hotline: %(hotline)s"),
    "keep": N_("Please keep this receipt"),
}
_say = sayer(STRINGS)
# The receipt writes dates its own way (2026年11月23日 zero-padded / 23 Nov 2026), not
# Translator.format_date's (2026年11月23日 unpadded): a formatting table, not words.
def _moment(t: datetime, lang: str) -> str:
    if t.tzinfo is not None:
        t = t.astimezone(CST)
    return f"{day_text(t.date(), lang)} {t:%H:%M}"


def _promised(t: Translator, lang: str, final: bool, on: date | None,
              days: int | None) -> str | None:
    """The receipt's line on when it will be done, if the platform said."""
    if days is not None and days < 0:
        raise ValueError("promised_days must not be negative")
    if days == 0:
        return _say(t, "on_the_spot" if final else "on_acceptance")
    if final and on is not None:
        text = day_text(on, lang)
        if days is None:
            return _say(t, "promised", promised=text)
        return _say(t, "promised", promised=_say(t, "promised_date_days", date=text, n=days))
    if days is not None:
        key = "promised_days_final" if final else "promised_days_pending"
        return _say(t, "promised", promised=_say(t, key, n=days))
    return None


def application_receipt(*, language: str, service_name: str, reference: str,
                        reference_is_final: bool, submitted_at: datetime,
                        promised_date: date | None, promised_days: int | None,
                        qr_text: str | None, next_steps: Sequence[str], centre_name: str, hotline: str,
                        paper_width_mm: int) -> Document:
    """The receipt to print (and to show on screen: same Document, same picture).

    `qr_text=None` (the terminal has no fleet QR key): no code and no "scan" line; the
    reference, printed bold, is what the citizen quotes."""
    lang = receipt_language(language)
    t = translator(lang)
    paper = paper_for(paper_width_mm)  # refuses widths other than 58/80
    if not reference:
        raise ValueError("a receipt needs a reference")
    if qr_text == "":
        raise ValueError("an empty progress QR: pass None for a receipt without one")
    if qr_text is not None and claimed_ref(qr_text) not in (None, reference):
        # a QR for another application would show a stranger's file to whoever scans it
        raise ValueError("the progress QR does not carry this receipt's reference")
    label = "receipt_no" if reference_is_final else "outbox_reference"
    items: list[Item] = [Text(centre_name, align="center"),
                         Text(_say(t, "title"), size=2, bold=True, align="center")]
    if not reference_is_final:
        items.append(Text(_say(t, "pending_mark"), size=2, bold=True, align="center"))
    items += [Rule(), Text(_say(t, label, reference=reference), bold=True),
              Text(_say(t, "service", service=service_name)),
              Text(_say(t, "submitted", time=_moment(submitted_at, lang)))]
    promised = _promised(t, lang, reference_is_final, promised_date, promised_days)
    if promised:
        items.append(Text(promised))
    items.append(Rule())
    if not reference_is_final:
        items += [Text(_say(t, "pending_note"), bold=True), Rule()]
    if qr_text is not None:
        items += [Text(_say(t, "scan"), align="center"), Feed(1),
                  Qr(qr_text, module=qr_module(qr_text, paper.dots), ec="M"),
                  Text(reference, align="center"), Feed(1)]
    if next_steps:
        items += [Rule(), Text(_say(t, "next_steps"), bold=True)]
        items += [Text(f"{n}. {step}") for n, step in enumerate(next_steps, 1)]
    items += [Rule(), Text(_say(t, "hotline", hotline=hotline), align="center"),
              Text(_say(t, "keep"), align="center"), Feed(1), Cut()]
    return Document(tuple(items), title="application receipt")
