"""What a journey tells a screen when it cannot go on: a stable code and words for the citizen.

A screen never sees an exception's text (it may quote a request or the platform's echo of it):
it gets `JourneyProblem.code` (stable, for logic and tests) and `text(language)` (for the
citizen). Every word goes through the gettext catalogue: codes shared with other screens
(platform error kinds, outbox refusals, printer reasons, "place your ID card") use the msgids of
kiosk.i18n.messages; the few words only journeys need are the msgids in WORDS below.
"""

from __future__ import annotations

from kiosk.i18n import translator
from kiosk.i18n.messages import (OUTBOX_REFUSALS, PLATFORM_ERRORS, PRINTER, N_, outbox_refusal,
                                 platform_error_kind)

# code -> msgid (English; translated through the catalogue); codes are `journey.<something>`.
WORDS: dict[str, str] = {
    "journey.no_catalogue": N_("The list of services cannot be loaded right now. Please try "
                               "again later or go to a service counter."),
    "journey.form_incomplete": N_("Some fields of the form are missing or wrong. Please check "
                                  "them."),
    "journey.materials_incomplete": N_("Some required documents are missing: scan them, use an "
                                       "e-licence or promise to hand them in later."),
    "journey.too_many_pages": N_("This document already has the most pages it can take."),
    "journey.not_a_scan": N_("The scan could not be read. Please scan the page again."),
    "journey.no_elicence": N_("You hold no e-licence that can replace this document."),
    "journey.cannot_promise": N_("This document cannot be handed in later; please provide it "
                                 "now."),
    "journey.promise_date": N_("The promised date must be within 90 days from today."),
    "journey.form_unsupported": N_("This service cannot be applied for at this terminal. Please "
                                   "go to a service counter."),
    # placeholders: the promised date (as the language writes dates) and the material's name
    "journey.next.promised": N_("Hand in by %(date)s: %(material)s"),
    # the flatbed failed (drivers.document.scanner's reasons): what the citizen can do
    "journey.scan_failed": N_("The scanner did not scan the page. Please try again, or use the "
                              "camera."),
    "journey.scan_failed.cover_open": N_("The scanner's lid is open. Please close it and scan "
                                         "again."),
    "journey.scan_failed.paper_jam": N_("The scanner has a paper jam. Please use the camera, or "
                                        "call staff."),
    "journey.qr_unavailable": N_("No progress code could be printed; use the reference number "
                                 "to check progress."),
    # holder verification (kiosk.services.holder)
    "holder.wrong_code": N_("The code is not right. Please check the text message and type it "
                            "again."),
    "holder.code_dead": N_("This code can no longer be used. Please ask for a new code."),
    "holder.too_many_codes": N_("No more codes can be sent right now. Please try again later, "
                                "or call staff."),
    "holder.no_mobile": N_("No mobile number is on file for you, so the code cannot be sent. "
                           "Please go to a service counter."),
    "holder.eid_replayed": N_("This e-ID code has already been used. Please show a new code, "
                              "or place your ID card."),
    "holder.pin_wrong": N_("The PIN is not right. Please try again."),
    "holder.pin_blocked": N_("The card has blocked its PIN after too many wrong tries. Please "
                             "use a text message instead, or ask staff."),
    "holder.card_failed": N_("The card could not confirm it is you. Please use a text message "
                             "instead, or ask staff."),
    "holder.factor_unavailable": N_("This cannot be confirmed with the card here. Please use a "
                                    "text message instead."),
}

_IDENTITY_MSGID = "Please place your ID card on the reader"  # already in the catalogue


class WrongStep(RuntimeError):
    """A screen called a journey method its current step does not allow (a bug, not the
    citizen's problem: it is never shown to them)."""


class JourneyProblem(Exception):
    """The journey cannot do what the screen asked; nothing half-done was kept."""

    def __init__(self, code: str, *, msgid: str | None = None, detail: str = "") -> None:
        """`detail` is for logs and staff: English, and never personal data."""
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.msgid = msgid
        self.detail = detail

    def text(self, language: str) -> str:
        """What the citizen reads, in `language` (zh-CN or en)."""
        return words(self.code, language, self.msgid)


def words(code: str, language: str, msgid: str | None = None) -> str:
    """A code's words: the catalogue's translation of `msgid`, else of WORDS[code], else
    generic. Templates (journey.next.promised) come back with their `%(...)s` unfilled."""
    if msgid is not None:
        return translator(language).gettext(msgid)
    table = WORDS.get(code)
    if table is not None:
        return translator(language).gettext(table)
    generic = PLATFORM_ERRORS["malformed"]  # a variable: pybabel must not extract the key
    return translator(language).gettext(generic)


def spoken_msgid(problem: BaseException) -> str | None:
    """The catalogue sentence a JourneyProblem shows, to be spoken too (None: no fixed
    sentence, e.g. a template with a date in it)."""
    if not isinstance(problem, JourneyProblem):
        return None
    msgid = problem.msgid or WORDS.get(problem.code)
    return None if msgid is None or "%(" in msgid else msgid


def platform_problem(error: BaseException, detail: str = "") -> JourneyProblem:
    """platform.unreachable | platform.refused | platform.server_fault | platform.malformed."""
    kind = platform_error_kind(error)
    return JourneyProblem(f"platform.{kind}", msgid=PLATFORM_ERRORS[kind],
                          detail=detail or type(error).__name__)


def outbox_problem(reason: str, detail: str = "") -> JourneyProblem:
    """outbox.queue_full | outbox.disk_full | outbox.storage_failed | outbox.refused."""
    code = reason if reason in OUTBOX_REFUSALS else "refused"
    return JourneyProblem(f"outbox.{code}", msgid=outbox_refusal(reason), detail=detail)


def identity_problem() -> JourneyProblem:
    return JourneyProblem("identity.required", msgid=_IDENTITY_MSGID,
                          detail="the apply journey needs the applicant's identity")


def printer_msgid(outcome: str) -> str | None:
    """The catalogue's words for a print outcome the citizen must hear about."""
    if outcome == "printed":
        return None
    return PRINTER["paper_out"] if outcome == "paper_out" else PRINTER["unavailable"]
