"""An issued certificate (办理结果) as printed at the terminal: one description, 58 or 80 mm,
and the seam where an A4 printer (CUPS) takes over.

What is on the thermal print, and why:
- the certificate's title, holder (as the platform masks it), the application's receipt
  number, the issuer and the date of issue: what the platform's record says, nothing more
  (the title and issuer in the slip's language; on an English slip the record's Chinese title
  under the English one, as the public verification shows it);
- the verification code (验证码), bold, and a QR of the platform's public verification address
  (`<platform>/verify/<code>`, the contract's verifyCertificate, which needs no credential), so
  anyone handed the paper can check it is genuine and not revoked;
- a "reprint" mark on any print after the first, so a second copy is never taken for the
  original.

The holder is printed masked on the thermal slip: the full name is on the platform's PDF (the
A4 path), and the masked name is exactly what verifyCertificate shows, so what a checker reads on
the slip and on the platform agree.

`CertificatePrinter` is the seam: `ThermalCertificatePrinter` prints this layout on the receipt
printer; `kiosk.receipts.a4_certificate.PageCertificatePrinter` sets `needs_pdf` and prints the
platform's PDF (getCertificateDocument) on the A4 page printer over IPP (the job is named after
its action id, so a retry looks for the job before sending again). The journey asks the printer
it is given and never knows which one it is.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from drivers.printer.document import Cut, Document, Feed, Item, Qr, Rule, Text, paper_for, to_picture
from kiosk.i18n import translator
from kiosk.i18n.messages import N_
from kiosk.journeys.receipt import Outcome, PrinterPort, print_document_detail
from kiosk.config.schema import in_language
from kiosk.receipts.layout import CST, day_text, qr_module, receipt_language, sayer

STRINGS: dict[str, str] = {
    "kind": N_("Certificate printout"),
    "reprint_mark": N_("REPRINT"),
    "holder": N_("Holder: %(holder)s"),
    "receipt_no": N_("Application no.: %(receipt_no)s"),
    "issuer": N_("Issued by: %(issuer)s"),
    "issued": N_("Issued on: %(date)s"),
    "code": N_("Verification code"),
    "scan": N_("Scan to check this certificate"),
    "check_at": N_("Or check the code at %(address)s"),
}
_say = sayer(STRINGS)


@dataclass(frozen=True)
class CertificateSheet:
    """What a printed certificate says; the platform's record plus where to verify it."""

    certificate_id: str
    title: str  # Chinese, as on the platform's record (what a checker of the code reads)
    title_shown: str  # in the slip's language (contract 1.8); the Chinese when it has no other
    holder_masked: str
    receipt_no: str
    issuer: str  # in the slip's language
    issued_at: datetime
    verification_code: str
    verify_url: str  # the QR's content: anyone can open it
    reprint: bool  # printed before: the slip says so
    language: str


def verify_url(platform_base_url: str, verification_code: str) -> str:
    """The contract's public verifyCertificate address for a code."""
    return f"{platform_base_url.rstrip('/')}/verify/{verification_code}"


def _day(t: datetime, lang: str) -> str:
    return day_text((t.astimezone(CST) if t.tzinfo is not None else t).date(), lang)


def certificate_document(sheet: CertificateSheet, *, centre_name: str,
                         paper_width_mm: int) -> Document:
    """The certificate to print (and to preview: same Document, same picture)."""
    lang = receipt_language(sheet.language)
    t = translator(lang)
    paper = paper_for(paper_width_mm)  # refuses widths other than 58/80
    if not sheet.verification_code or not sheet.verify_url.endswith(sheet.verification_code):
        raise ValueError("the QR must lead to this certificate's verification code")
    items: list[Item] = [Text(centre_name, align="center"),
                         Text(_say(t, "kind"), align="center"),
                         Text(sheet.title_shown, size=2, bold=True, align="center")]
    if sheet.title_shown != sheet.title:  # the record's name too: what verification shows
        items.append(Text(sheet.title, align="center"))
    if sheet.reprint:
        items.append(Text(_say(t, "reprint_mark"), size=2, bold=True, align="center"))
    address = sheet.verify_url[: -len(sheet.verification_code)].rstrip("/")
    items += [Rule(),
              Text(_say(t, "holder", holder=sheet.holder_masked)),
              Text(_say(t, "receipt_no", receipt_no=sheet.receipt_no)),
              Text(_say(t, "issuer", issuer=sheet.issuer)),
              Text(_say(t, "issued", date=_day(sheet.issued_at, lang))),
              Rule(),
              Text(_say(t, "code"), align="center"),
              Text(sheet.verification_code, bold=True, align="center"),
              Feed(1),
              Qr(sheet.verify_url, module=qr_module(sheet.verify_url, paper.dots), ec="M"),
              Text(_say(t, "scan"), align="center"),
              Rule(),
              Text(_say(t, "check_at", address=address)),
              Feed(1), Cut()]
    return Document(tuple(items), title="certificate")


# A preview is made while the citizen waits and drawn once: zlib's fastest level, never
# PIL's `optimize` (which tries every strategy: ~70 % of a slip preview's time for ~10 % bytes)
PREVIEW_PNG = {"format": "PNG", "compress_level": 1}


def preview_png(document: Document, paper_width_mm: int) -> bytes:
    """The document as the paper will show it (the printer emulator's renderer), as PNG."""
    out = io.BytesIO()
    to_picture(document, paper_for(paper_width_mm)).save(out, **PREVIEW_PNG)
    return out.getvalue()


class CertificatePrinter(Protocol):
    """Where certificates are printed. `print` is blocking (call from a worker) and reports
    "printed" only when the printer confirmed the whole job; the same `action_id` must never
    come out twice."""

    needs_pdf: bool  # True: `print` wants the platform's PDF of the certificate
    paper: str  # "a4" or "slip": the preview tells the citizen which

    def preview(self, sheet: CertificateSheet) -> bytes:
        """A PNG of what will come out."""
        ...

    def print(self, sheet: CertificateSheet, pdf: Path | None, action_id: str,
              timeout_s: float) -> tuple[Outcome, str | None]:
        """(outcome, reason): printed | paper_out | failed."""
        ...

    def print_detail(self, sheet: CertificateSheet, pdf: Path | None, action_id: str,
                     timeout_s: float) -> tuple[Outcome, str | None, bool]:
        """`print` plus whether a failure leaves the outcome unknown (it may have printed)."""
        ...


class ThermalCertificatePrinter:
    """Certificates on the receipt printer (58 or 80 mm), in this module's layout."""

    needs_pdf = False
    paper = "slip"

    def __init__(self, printer: PrinterPort, *, centre_name: str, centre_name_en: str = "",
                 paper_width_mm: int | None = None) -> None:
        self._printer = printer
        self._centre_names = centre_name, centre_name_en
        paper = getattr(printer, "paper", None)
        self.paper_width_mm = paper_width_mm or getattr(paper, "width_mm", 80)

    def document(self, sheet: CertificateSheet) -> Document:
        return certificate_document(
            sheet, centre_name=in_language(sheet.language, *self._centre_names),
            paper_width_mm=self.paper_width_mm)

    def preview(self, sheet: CertificateSheet) -> bytes:
        return preview_png(self.document(sheet), self.paper_width_mm)

    def print(self, sheet: CertificateSheet, pdf: Path | None, action_id: str,
              timeout_s: float) -> tuple[Outcome, str | None]:
        outcome, reason, _ = self.print_detail(sheet, pdf, action_id, timeout_s)
        return outcome, reason

    def print_detail(self, sheet: CertificateSheet, pdf: Path | None, action_id: str,
                     timeout_s: float) -> tuple[Outcome, str | None, bool]:
        return print_document_detail(self._printer, self.document(sheet), action_id,
                                     timeout_s)
