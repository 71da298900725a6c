"""The console's words for its own codes (board problems, levels), translated where shown."""

from __future__ import annotations

from kiosk.console.lang import N_, _

PROBLEM_WORDS = {
    "offline": N_("offline"), "out_of_service": N_("out of service"),
    "paper_out": N_("paper out"), "device_error": N_("device error"),
    "outbox_stuck": N_("outbox stuck"), "paper_low": N_("paper low"),
    "degraded": N_("degraded"), "device_attention": N_("device attention"),
    "prints_unknown": N_("prints unknown"), "paper_unknown": N_("paper unknown"),
}
LEVEL_WORDS = {"red": N_("red"), "amber": N_("amber"), "green": N_("green")}


def problem(code: str) -> str:
    """A problem code as staff read it ("paper_out" -> "paper out" / "缺纸")."""
    return _(PROBLEM_WORDS[code]) if code in PROBLEM_WORDS else code.replace("_", " ")


def level(code: str) -> str:
    return _(LEVEL_WORDS[code]) if code in LEVEL_WORDS else code

# The alerts page's titles (the e-mail/webhook payload keeps alert_delivery.TITLES).
ALERT_WORDS = {
    "offline": N_("terminal offline"), "paper_low": N_("paper low"),
    "paper_out": N_("paper out"), "device_needs_staff": N_("device needs staff"),
    "outbox_stuck": N_("outbox stuck"), "audit_mismatch": N_("audit head mismatch"),
    "no_sessions": N_("no citizen sessions in opening hours"),
}


def alert(kind: str) -> str:
    return _(ALERT_WORDS[kind]) if kind in ALERT_WORDS else kind

# The usage page's column titles (the CSV keeps the report's own column names: a program reads
# it; a person reads the page).
COLUMN_WORDS = {
    "kiosk_id": N_("Terminal"), "hour": N_("Hour"), "journey": N_("Journey"),
    "service": N_("Service"), "step": N_("Step"), "sessions": N_("Sessions"),
    "journeys_started": N_("Journeys started"), "completed": N_("Completed"),
    "abandoned": N_("Abandoned"), "failed": N_("Failed"), "prints": N_("Prints"),
    "prints_failed": N_("Prints failed"), "payments": N_("Payments"),
    "paid_fen": N_("Paid (fen)"), "indicator": N_("Indicator"), "name": N_("Name"),
    "ratings": N_("Ratings"), "mean": N_("Mean"),
}


def column(name: str) -> str:
    return _(COLUMN_WORDS[name]) if name in COLUMN_WORDS else name

# Remote commands as the actions page shows them (the stored codes stay as they are).
COMMAND_WORDS = {
    "out_of_service": N_("Out of service"), "in_service": N_("Back in service"),
    "restart": N_("Restart"), "screenshot": N_("Screenshot"),
    "pending": N_("pending"), "executed": N_("executed"), "refused": N_("refused"),
    "revoked": N_("revoked"),
}


def command(code: str) -> str:
    return _(COMMAND_WORDS[code]) if code in COMMAND_WORDS else code
