"""The citizen-facing words for the core's stable codes (refusal reasons, error kinds, device
reasons, form-validation keywords), declared once so that every screen says the same thing.

Values are msgids marked with `N_` (translated later, with a `Translator`); pybabel extracts
them like `_()` calls. Look-ups fall back to a generic message rather than showing a code.
"""

from __future__ import annotations


def N_(msgid: str) -> str:
    """Mark a msgid for extraction without translating it yet."""
    return msgid


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a plural pair for extraction (pybabel keyword `NP_:1,2`); use with ngettext."""
    return singular, plural


# Words the citizen app needs on several screens. A screen may also call `_()` with the same
# msgid directly; listing them here keeps them in the catalogue (pybabel drops msgids that no
# code marks) before the screen that uses them is written.
SCREEN_WORDS: tuple[str, ...] = (
    N_("Government services, 24 hours"),
    N_("Please place your ID card on the reader"),
    N_("Reading your ID card…"),
    N_("Please take your ID card"),
    N_("Exit"),
    N_("Back"),
    N_("Home"),
    N_("Next"),
    N_("Confirm"),
    N_("Cancel"),
    N_("Submit"),
    N_("Language"),
    N_("Switch language"),
    N_("Elder mode"),
    N_("High contrast"),
    N_("Search services"),
    N_("No matching services"),
    N_("Individuals"),
    N_("Businesses"),
    N_("Free of charge"),
    N_("Fee: %(amount)s"),
    N_("Pinyin"),
    N_("Handwriting"),
    N_("Numbers"),
    N_("Delete"),
    N_("Space"),
    N_("Done"),
    N_("Touch the screen to continue"),
    N_("Your session has ended. Please take your ID card and documents."),
    N_("Your application has been received."),
    N_("Your application was saved on this terminal and will be sent as soon as the "
       "connection is back."),
    N_("Your receipt will be sent to your mobile phone by text message."),
    N_("Application number: %(number)s"),
    N_("Print receipt"),
    N_("Please take your receipt."),
    N_("The receipt could not be printed; it will be sent to your mobile phone by text "
       "message."),
)

# Session time-out warning; `n` is the seconds left.
SESSION_COUNTDOWN: tuple[str, str] = NP_(
    "Your session ends in %(n)d second — touch to continue",
    "Your session ends in %(n)d seconds — touch to continue")


# Home screen tiles, in display order: tile id -> label.
HOME_TILES: dict[str, str] = {
    "apply": N_("Apply for a service"),
    "progress": N_("Check progress"),
    "collect": N_("Collect and print certificates"),
    "pay": N_("Pay a fee"),
    "appointment": N_("Book an appointment"),
    "evaluate": N_("Rate our service"),
}

# kiosk.outbox.errors.QueueRefused.reason -> what the citizen is told.
OUTBOX_REFUSALS: dict[str, str] = {
    "queue_full": N_("This terminal cannot take more applications right now. "
                     "Please try again later or go to a service counter."),
    "disk_full": N_("This terminal has run out of storage space. "
                    "Please use another terminal or go to a service counter."),
    "storage_failed": N_("Your application could not be saved on this terminal. "
                         "Please try again or go to a service counter."),
    "refused": N_("Your application cannot be accepted at this terminal right now. "
                  "Please go to a service counter."),
}

# Kind of kiosk.client.errors.PlatformError -> what the citizen is told.
PLATFORM_ERRORS: dict[str, str] = {
    "unreachable": N_("The government service platform cannot be reached right now. "
                      "Please try again later."),
    "refused": N_("The platform did not accept this request. Please ask staff for help."),
    "server_fault": N_("The government service platform is busy. Please try again in a moment."),
    "malformed": N_("Something went wrong. Please try again or ask staff for help."),
}

# Printer DeviceStatus.reason / events -> what the citizen is told.
PRINTER: dict[str, str] = {
    "paper_out": N_("The printer is out of paper. Please ask staff for help."),
    "paper_low": N_("The printer is running low on paper."),
    "unavailable": N_("Printing is not available at this terminal right now."),
    "take_output": N_("Please take your printout."),
}

# Quality codes of a page (drivers.document.quality) -> what the citizen should do.
PAGE_QUALITY: dict[str, str] = {
    "no_page": N_("No page was found. Place the document flat in the marked area."),
    "cut_off": N_("Part of the page is outside the camera's view. Move it towards the centre."),
    "blurry": N_("The picture is blurred. Hold the page still and try again."),
    "glare": N_("Light is reflecting off the page. Tilt it slightly or remove plastic covers."),
    "too_dark": N_("The picture is too dark. Please try again."),
}

# kiosk.services.availability reason codes -> the line on a home tile.
UNAVAILABLE: dict[str, str] = {
    "outside_hours": N_("Closed now: outside opening hours"),
    "identity": N_("Out of order: the ID card reader"),
    "printer": N_("Out of order: the printer"),
    "printer_paper_out": N_("The printer is out of paper"),
    "printer_cover_open": N_("The printer cover is open"),
    "documents": N_("Out of order: document scanning"),
    "platform": N_("Not connected to the platform"),
    "not_offered": N_("Not available at this terminal yet"),
    "starting": N_("Starting up, one moment"),  # a device or the link, just after start
}

# Identity refusals (kiosk.services.identity) -> what the citizen is told.
IDENTITY_REFUSED: dict[str, str] = {
    "card_expired": N_("This ID card has expired."),
    "qr": N_("This code cannot be used here. Please place your ID card instead."),
    "card": N_("The card could not be read. Please place it again."),
    "card_not_authentic": N_("This card could not be verified as genuine. Please use your ID "
                             "card, or ask staff."),
    "replayed": N_("This code has already been used. Please show a new code from your app, or "
                   "place your ID card."),
}


def unavailable_words(reason: str) -> str:
    """The msgid for an availability reason: the exact one, else its role's, else generic."""
    if reason in UNAVAILABLE:
        return UNAVAILABLE[reason]
    if reason.endswith("_starting"):
        return UNAVAILABLE["starting"]
    return UNAVAILABLE.get(reason.split("_", 1)[0], UNAVAILABLE["not_offered"])


def quality_words(code: str) -> str:
    return PAGE_QUALITY.get(code, PAGE_QUALITY["no_page"])


# JSON Schema keyword that failed -> message under the form field. Placeholders are the
# keyword's value (minimum, maximum) or, for lengths, `n` (these go through ngettext).
VALIDATION: dict[str, str] = {
    "required": N_("This field is required."),
    "pattern": N_("Please check the format of this field."),
    "format:date": N_("Please enter a valid date (YYYY-MM-DD)."),
    "format:email": N_("Please enter a valid email address."),
    "minimum": N_("Must be at least %(minimum)s."),
    "maximum": N_("Must be at most %(maximum)s."),
    "enum": N_("Please choose one of the options."),
    "invalid": N_("Please check this field."),
}
VALIDATION_LENGTH: dict[str, tuple[str, str]] = {
    "too_long": NP_("At most %(n)d character.", "At most %(n)d characters."),
    "too_short": NP_("At least %(n)d character.", "At least %(n)d characters."),
}


def platform_error_kind(error: BaseException) -> str:
    """The key of PLATFORM_ERRORS for an exception (unknown failures count as malformed)."""
    # here, not at the top: kiosk.client brings the platform client (0.2 s), which the attract
    # loop's first frame does without
    from kiosk.client.errors import (PlatformError, PlatformUnreachable, RequestRefused,
                                     ResponseMalformed, ServerFault)

    for cls, kind in ((PlatformUnreachable, "unreachable"), (RequestRefused, "refused"),
                      (ServerFault, "server_fault"), (ResponseMalformed, "malformed")):
        if isinstance(error, cls):
            return kind
    return "unreachable" if isinstance(error, PlatformError) else "malformed"


def outbox_refusal(reason: str) -> str:
    """The msgid for a QueueRefused.reason (unknown reasons get the generic refusal)."""
    return OUTBOX_REFUSALS.get(reason, OUTBOX_REFUSALS["refused"])


def validation(keyword: str) -> str:
    """The msgid for a failed JSON Schema keyword ("format:date", "required", ...)."""
    return VALIDATION.get(keyword, VALIDATION["invalid"])
