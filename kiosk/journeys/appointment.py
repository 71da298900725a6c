"""The appointment journey (预约) as a service the Kivy screens drive: every decision is here.

    SERVICES → SLOTS → BOOKED → slip printed (→ END)
    MINE (the citizen's upcoming bookings) → cancel one

A booking is made under an idempotency key kept per slot in the session, so a double tap on a
slot books it once. The slip carries the platform's booking code and a QR the counter scans
(kiosk/receipts/appointment_slip.py); its printer action id is the appointment's, so a retry
never prints a second slip. A slot taken by someone else meanwhile is told as such and the
slots are fetched again.

Cancelling is one call without a key (the contract answers a repeat unchanged): when the
platform cannot be reached the citizen is told and may touch cancel again.

Usage (the console's report): choosing a service begins an "appointment" journey for it, a
booking made completes it (the slip is a copy of what the screen shows: no print, no failure);
touching cancel on a booking begins an "appointment_cancel" journey for its service, completed
when the platform cancelled it.

Threading: everything that talks to the platform or the printer blocks; call it from a
worker. Privacy: slots, bookings and keys live in the Session's bag (wiped with it); logs carry
the session id, service, slot and appointment ids, never a name or an ID number.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kiosk.api import models as m
from kiosk.audit.recorder import AuditRecorder
from kiosk.client.errors import PlatformError, RequestRefused
from kiosk.client.platform import PlatformClient
from kiosk.config.schema import ReceiptsConfig
from kiosk.i18n import translator
from kiosk.i18n.messages import N_
from kiosk.journeys.base import Journey, Words, both_languages
from kiosk.journeys.problems import (JourneyProblem, WrongStep, platform_problem, printer_msgid)
from kiosk.journeys.receipt import Outcome, PrinterPort, print_for_citizen
from kiosk.receipts.layout import CST
from kiosk.receipts.appointment_slip import SlipData, appointment_slip, slip_qr, when_text
from kiosk.session import Session

if TYPE_CHECKING:
    from kiosk.terminal import Terminal

log = logging.getLogger(__name__)

HORIZON_DAYS = 7  # slots offered from today on, calendar days

WORDS: dict[str, str] = {
    "journey.appointment.no_services": N_("No service can be booked at this centre right now."),
    "journey.appointment.no_slots": N_("No free times in the coming days. Please try another "
                                       "service or ask staff."),
    "journey.appointment.slot_taken": N_("This time has just been taken. Please choose "
                                         "another."),
    "journey.appointment.unknown": N_("This booking is no longer in your list. Please start "
                                      "again."),
    "journey.appointment.not_cancellable": N_("This booking can no longer be cancelled: its "
                                              "time has begun or passed."),
}
_SERVICES, _SLOTS, _KEYS = "appointment.services", "appointment.slots", "appointment.keys"
_BOOKED, _MINE = "appointment.booked", "appointment.mine"


class Step(enum.StrEnum):
    SERVICES = "services"
    SLOTS = "slots"
    BOOKED = "booked"
    MINE = "mine"
    END = "end"



@dataclass(frozen=True)
class ServiceChoice:
    service_id: str
    name: Words
    department: Words


@dataclass(frozen=True)
class SlotView:
    slot_id: str
    day: dt.date  # in the hall's time zone
    time_text: str  # 09:30-10:00
    hall: Words  # both languages (contract 1.7), else the Chinese
    remaining: int


@dataclass(frozen=True)
class Booking:
    """One of the citizen's bookings, as the screen and the slip show it."""

    appointment_id: str
    booking_code: str
    service_id: str
    service_name: Words
    hall: Words
    starts_at: dt.datetime
    ends_at: dt.datetime
    cancelled: bool

    def when(self, language: str) -> str:
        """The day and time as people say them in `language`."""
        return when_text(self.starts_at, self.ends_at, language)


@dataclass(frozen=True)
class SlipOutcome:
    outcome: Outcome
    reason: str | None
    msgid: str | None  # catalogue words for the citizen when not printed
    booking: Booking  # the code stays on screen when not printed
    action_id: str


def _problem(code: str, detail: str = "") -> JourneyProblem:
    return JourneyProblem(code, msgid=WORDS[code], detail=detail)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class AppointmentJourney(Journey[Step]):
    """One citizen booking (or cancelling) a counter appointment."""

    name = "appointment"

    def __init__(self, session: Session, client: PlatformClient, printer: PrinterPort | None,
                 receipts_config: ReceiptsConfig, *, horizon_days: int = HORIZON_DAYS,
                 clock: Callable[[], dt.datetime] = _utc_now, print_timeout_s: float = 60.0,
                 paper_width_mm: int | None = None, audit: AuditRecorder | None = None) -> None:
        super().__init__(session, Step.SERVICES)
        self._client = client
        self._printer = printer
        self._receipts = receipts_config
        self._horizon_days = horizon_days
        self._clock = clock
        self._print_timeout_s = print_timeout_s
        paper = getattr(printer, "paper", None)
        self._paper_width_mm = paper_width_mm or getattr(paper, "width_mm", 80)
        self._audit = audit or AuditRecorder(None)
        self._service_id: str | None = None
        log.info("session %s: appointment journey started", session.session_id)

    def _names(self) -> dict[str, m.ServiceSummary]:
        """Every service of the catalogue by id (fetched once per journey; no personal data)."""
        known: dict[str, m.ServiceSummary] | None = self._session.get(_SERVICES)
        if known is None:
            try:
                known = {s.service_id: s for s in self._client.list_services()}
            except PlatformError as exc:
                raise platform_problem(exc, "listServices failed") from None
            self._session.put(_SERVICES, known)
        return known

    def _name(self, service_id: str) -> Words:
        summary = (self._session.get(_SERVICES) or {}).get(service_id)
        return both_languages(None, service_id) if summary is None else both_languages(summary.name)

    # ---- booking ---------------------------------------------------------------------------

    def services(self) -> list[ServiceChoice]:
        """The services that can be booked at a counter. Blocking."""
        with self._lock:
            found = [ServiceChoice(s.service_id, both_languages(s.name),
                                   both_languages(s.department))
                     for s in self._names().values() if s.appointment]
            if not found:
                raise _problem("journey.appointment.no_services")
            self._go(Step.SERVICES)
            return found

    def slots(self, service_id: str) -> list[SlotView]:
        """Free slots of the service from now to `horizon_days` on, earliest first.
        Blocking: call from a worker."""
        with self._lock:
            self._identity()
            self._began(service_id)
            today = self._clock().astimezone(CST).date()
            try:
                found = self._client.list_slots(service_id, today,
                                                today + dt.timedelta(days=self._horizon_days))
            except PlatformError as exc:
                raise platform_problem(exc, "listSlots failed") from None
            free = [s for s in found if s.remaining > 0]
            self._session.put(_SLOTS, {s.slot_id: s for s in free})
            self._service_id = service_id
            self._go(Step.SLOTS)
            if not free:
                raise _problem("journey.appointment.no_slots", f"none for {service_id}")
            return [self._slot_view(s) for s in free]

    def _slot_view(self, s: m.Slot) -> SlotView:
        start = s.starts_at.astimezone(CST)
        return SlotView(s.slot_id, start.date(),
                        f"{start:%H:%M}-{s.ends_at.astimezone(CST):%H:%M}",
                        both_languages(s.hall_words, s.hall), s.remaining)

    def book(self, slot_id: str) -> Booking:
        """Book the slot for the identified citizen. A repeat for the same slot answers the
        same booking. Blocking: call from a worker."""
        with self._lock:
            if self._step == Step.BOOKED:
                booked: m.Appointment | None = self._session.get(_BOOKED)
                if booked is not None and booked.slot.slot_id == slot_id:
                    return self._booking(booked)
            if self._step not in (Step.SLOTS, Step.BOOKED):
                raise WrongStep(f"not allowed at step {self._step}")
            slots: dict[str, m.Slot] = self._session.get(_SLOTS) or {}
            slot = slots.get(slot_id)
            if slot is None:
                raise WrongStep("not one of the slots shown")
            identity = self._identity()
            keys: dict[str, str] = self._session.get(_KEYS) or {}
            key = keys.setdefault(slot_id, str(uuid.uuid4()))
            self._session.put(_KEYS, keys)
            body = {"slot_id": slot_id, "service_id": slot.service_id,
                    "applicant": identity.applicant(None)}
            try:
                appointment = self._platform().book_appointment(body, key)
            except RequestRefused as exc:
                if exc.code in ("slot_full", "slot_past"):
                    slots.pop(slot_id, None)
                    raise _problem("journey.appointment.slot_taken", exc.code) from None
                raise platform_problem(exc, "bookAppointment refused") from None
            except PlatformError as exc:
                raise platform_problem(exc, "bookAppointment failed") from None
            self._session.put(_BOOKED, appointment)
            self._go(Step.BOOKED)
            self._completed()
            self._audit.citizen(self._session.session_id, "appointment.booked",
                                appointment=appointment.appointment_id, slot=slot_id,
                                service=slot.service_id)
            log.info("session %s: booked %s (%s)", self._session.session_id,
                     appointment.appointment_id, slot_id)
            return self._booking(appointment)

    def _booking(self, a: m.Appointment) -> Booking:
        return Booking(a.appointment_id, a.booking_code, a.service_id, self._name(a.service_id),
                       both_languages(a.slot.hall_words, a.slot.hall), a.slot.starts_at,
                       a.slot.ends_at, a.status == "cancelled")

    def print_slip(self) -> SlipOutcome:
        """Print the slip of the booking just made; "printed" only when the printer confirmed
        the job, and never twice for one booking. Blocking: call from a worker."""
        with self._lock:
            if self._step != Step.BOOKED:
                raise WrongStep("nothing booked")
            appointment: m.Appointment = self._session.get(_BOOKED)
            booking = self._booking(appointment)
            pick = translator(self.language).pick
            data = SlipData(appointment.appointment_id, appointment.booking_code,
                            pick(booking.service_name), pick(booking.hall),
                            appointment.slot.starts_at, appointment.slot.ends_at, self.language)
            action_id = f"appointment-slip-{appointment.appointment_id}"
            document = appointment_slip(data, centre_name=self._receipts.centre(data.language),
                                        hotline=self._receipts.hotline,
                                        paper_width_mm=self._paper_width_mm)
            # booking needs no printer: without one, the code stays on screen
            outcome, reason = print_for_citizen(
                self._printer, document, action_id, self._print_timeout_s, audit=self._audit,
                session_id=self._session.session_id, action="appointment_slip.print",
                appointment=appointment.appointment_id)
            return SlipOutcome(outcome, reason, printer_msgid(outcome), booking, action_id)

    def slip_qr(self) -> str:
        """The counter's code of the booking just made (what the slip carries)."""
        appointment: m.Appointment | None = self._session.get(_BOOKED)
        if appointment is None:
            raise WrongStep("nothing booked")
        return slip_qr(appointment.appointment_id, appointment.booking_code)

    # ---- the citizen's bookings --------------------------------------------------------------

    def mine(self) -> list[Booking]:
        """The citizen's bookings still to come (booked, not begun), earliest first. Blocking."""
        with self._lock:
            identity = self._identity()
            self._names()
            try:
                found = self._platform().query_appointments(identity.id_number)
            except PlatformError as exc:
                raise platform_problem(exc, "queryAppointments failed") from None
            now = self._clock()
            upcoming = [a for a in found if a.status == "booked" and a.slot.starts_at > now]
            self._session.put(_MINE, {a.appointment_id: a for a in upcoming})
            self._go(Step.MINE)
            return [self._booking(a) for a in upcoming]

    def cancel(self, appointment_id: str) -> Booking:
        """Cancel one of the bookings `mine()` listed. Blocking: call from a worker."""
        with self._lock:
            listed: dict[str, m.Appointment] = self._session.get(_MINE) or {}
            if appointment_id not in listed:
                raise _problem("journey.appointment.unknown", "not in the listed bookings")
            self._began(listed[appointment_id].service_id, journey="appointment_cancel")
            try:
                cancelled = self._platform().cancel_appointment(appointment_id)
            except RequestRefused as exc:
                if exc.code == "appointment_not_cancellable":
                    raise _problem("journey.appointment.not_cancellable", exc.code) from None
                raise platform_problem(exc, "cancelAppointment refused") from None
            except PlatformError as exc:
                raise platform_problem(exc, "cancelAppointment failed") from None
            listed.pop(appointment_id, None)
            self._completed()
            self._audit.citizen(self._session.session_id, "appointment.cancelled",
                                appointment=appointment_id)
            log.info("session %s: cancelled %s", self._session.session_id, appointment_id)
            return self._booking(cancelled)

    def finish(self) -> None:
        """The citizen is done: slots, bookings and keys leave the session now."""
        with self._lock:
            self._abandon()
            for key in (_SERVICES, _SLOTS, _KEYS, _BOOKED, _MINE):
                self._session.pop(key)
            self._service_id = None
            self._go(Step.END)


def appointment_journey(terminal: Terminal, session: Session) -> AppointmentJourney:
    """An appointment journey for `session` (the slip on the receipt printer, if any)."""
    if terminal.link is None:
        raise RuntimeError("appointment needs the platform link")
    return AppointmentJourney(session, terminal.link.client, terminal.printer,
                              terminal.config.receipts, audit=terminal.audit)
