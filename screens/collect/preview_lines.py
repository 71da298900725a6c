"""What the certificate's preview says beside its picture, as plain lines (no Kivy): its name,
in elder mode what it says instead of how it looks, which printer it comes out of, and how the
print went. screens/collect/preview.py draws them with screens.line_stack; tests read them
without a window."""

from __future__ import annotations


from kiosk.i18n.messages import N_, PRINTER
from kiosk.journeys.collect import CertificateView, CollectOutcome
from screens.lines import FormatDate, Line, Pick, Translate


# which printer the certificate comes out of: the citizen looks at the right slot
PAPER_WORDS = {"a4": N_("Prints on A4 paper from the page printer"),
               "slip": N_("Prints on the receipt slip")}


def skeleton_lines(certificate: CertificateView, loading: str | None, _: Translate,
                   format_date: FormatDate, pick: Pick) -> list[Line]:
    """While the sheet is rendered: the name and date the list gave, and that it is coming."""
    lines = [Line(pick(certificate.title), "certificate_title", "title"),
             Line(_("Issued on: %(date)s", date=format_date(certificate.issued_at.date())),
                  "certificate_date", em=1.6)]
    return lines + ([Line(loading, "preview_loading", em=None)] if loading is not None else [])


def preview_lines(certificate: CertificateView, paper: str, printed: CollectOutcome | None,
                  language: str, elder: bool, _: Translate, format_date: FormatDate,
                  pick: Pick) -> list[Line]:
    """The name; in elder mode what the certificate says (the printer's picture is ~4 mm text
    on the glass); which printer (not in elder mode once printed: no room); the outcome."""
    lines = [Line(pick(certificate.title), "certificate_title", "title")]
    if elder:
        lines += [Line(_("Issued by: %(issuer)s", issuer=pick(certificate.issuer)),
                       "certificate_issuer", em=1.6),
                  Line(_("Issued on: %(date)s", date=format_date(certificate.issued_at.date())),
                       "certificate_date", em=1.6),
                  Line(_("Receipt no.: %(reference)s", reference=certificate.receipt_no),
                       "certificate_receipt", em=1.6)]
    if printed is None or not elder:
        words = PAPER_WORDS.get(paper, PAPER_WORDS["slip"])  # a variable: not extracted
        lines.append(Line(_(words), f"collect_paper_{paper}", em=0))  # under the name
    if printed is not None:
        lines.append(outcome_line(printed, language, _))
    return lines


def outcome_line(printed: CollectOutcome, language: str, _: Translate) -> Line:
    """Printed and recorded; printed but not recorded yet; or the printer's problem."""
    problem = printed.problem
    if problem is None:
        take = PRINTER["take_output"]  # a variable: pybabel must not extract the key
        return Line(_(take), "collect_printed", "title", em=1.6, status="success", shrink=True)
    if printed.outcome == "printed":  # printed; the platform is told later, or staff record it
        return Line(problem.text(language), "collect_not_recorded", "title", em=None,
                    status="error", shrink=True)
    return Line(problem.text(language), f"collect_{printed.outcome}", "title", em=None,
                status="error", shrink=True, staff=True)
