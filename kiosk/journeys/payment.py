"""The payment journey (缴费) as a service the Kivy screens drive: every decision is here.

    LIST → WAITING (the pay QR on screen, polled) → PAID → receipt printed (→ END)
                                                   → NOT_PAID (timed out, cancelled, expired)
                                                   → UNCONFIRMED (the platform could not say)

The one rule: a payment receipt is printed only for a payment the platform reported `paid`.
Nothing the terminal sees by itself (a citizen saying "I paid", a timeout, an outage) counts.

Waiting: `wait()` polls getPayment every `poll_interval_s` on the caller's worker thread and
reports each round through `on_update` (the screen hops it onto the main loop). It ends when the
platform says paid, expired or cancelled; when the citizen touches cancel (`cancel()`, from any
thread: the poll is checked once more, so a payment made just before the touch still counts);
after `timeout_s` (not paid); or when the platform stayed unreachable for `outage_limit_s`
(UNCONFIRMED: the citizen is told the truth, that the terminal cannot know). A platform that
is down for a while is told to the citizen while polling goes on.

Starting again after a cancel or a timeout opens a new payment (the platform cancels the older
pending one, so only one QR of an application can ever be paid). Each start carries its own
idempotency key, so a double tap on "pay" opens one payment, not two.

Usage (the console's report): opening a fee's pay QR begins a "pay" journey for the
application's service; the platform's `paid` completes it (the receipt is a copy of the
platform's record). Not paid, or unconfirmed, it stays open: the citizen may start again, and
leaving ends it abandoned at not_paid / unconfirmed.

Threading: `payables`, `start`, `wait`, `print_receipt` block; call them from a worker.
Privacy: the list and the payment live in the Session's bag (wiped with it); logs carry the
session id, payment ids and outcomes, never a name or an ID number.
"""

from __future__ import annotations

import datetime as dt
import enum
import io
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import qrcode

from kiosk.api import models as m
from kiosk.audit.recorder import AuditRecorder
from kiosk.client.errors import PlatformError, RequestRefused
from kiosk.client.platform import PlatformClient
from kiosk.config.schema import ReceiptsConfig
from kiosk.events import emit
from kiosk.i18n import translator
from kiosk.i18n.messages import N_
from kiosk.journeys.base import Journey, Words, both_languages, citizens_applications
from kiosk.journeys.problems import JourneyProblem, WrongStep, platform_problem, printer_msgid
from kiosk.journeys.receipt import Outcome, PrinterPort, print_for_citizen
from kiosk.receipts.payment_receipt import PaymentReceiptData, payment_receipt
from kiosk.session import Session

if TYPE_CHECKING:
    from kiosk.terminal import Terminal

log = logging.getLogger(__name__)

PAY_TIMEOUT_S = 180.0  # how long the QR waits for the citizen's phone before "not paid"
POLL_INTERVAL_S = 2.0  # between two getPayment calls
OUTAGE_LIMIT_S = 60.0  # the platform unreachable this long while waiting: stop, unconfirmed
QR_SCREEN_PX = 560  # the pay QR on screen: large, for a phone held at arm's length

WORDS: dict[str, str] = {
    "journey.pay.nothing": N_("You have no fees to pay."),
    "journey.pay.already_paid": N_("This fee has already been paid."),
    "journey.pay.no_fee": N_("This application has no fee to pay."),
    "journey.pay.unknown": N_("This application is no longer in your list. Please start "
                              "again."),
    "journey.pay.timed_out": N_("The payment was not completed in time. You have not been "
                                "charged; you can start again."),
    "journey.pay.cancelled": N_("The payment was cancelled. You have not been charged."),
    "journey.pay.expired": N_("This payment code has expired. You can start again."),
    "journey.pay.unconfirmed": N_("The payment could not be confirmed because the platform "
                                  "cannot be reached. If you have paid, it is recorded by the "
                                  "payment service; please ask staff for a receipt."),
    "journey.pay.outage": N_("The platform cannot be reached right now. Still checking your "
                             "payment…"),
}
_LIST, _PAYMENT, _PAID = "pay.list", "pay.payment", "pay.paid"

Status = Literal["waiting", "paid", "timed_out", "cancelled", "expired", "unconfirmed"]


class Step(enum.StrEnum):
    LIST = "list"
    WAITING = "waiting"
    PAID = "paid"
    NOT_PAID = "not_paid"
    UNCONFIRMED = "unconfirmed"
    END = "end"



@dataclass(frozen=True)
class Payable:
    """An application of the citizen's with a fee still to pay."""

    receipt_no: str
    service_name: Words
    amount_fen: int
    amount_text: str  # ¥20.00
    submitted_at: dt.datetime


@dataclass(frozen=True)
class PaymentView:
    """The pay QR and what it is for."""

    payment_id: str
    receipt_no: str
    service_name: Words
    amount_fen: int
    amount_text: str
    qr_content: str
    qr_png: bytes  # the code, drawn for the screen
    expires_at: dt.datetime


@dataclass(frozen=True)
class WaitState:
    """One round of waiting, or its end (`final`)."""

    status: Status
    seconds_left: int
    outage: JourneyProblem | None  # the platform cannot be reached (still waiting, or ended)

    @property
    def final(self) -> bool:
        return self.status != "waiting"

    @property
    def problem(self) -> JourneyProblem | None:
        """What to tell the citizen now (None while all is well, and once paid)."""
        if self.status == "waiting":
            return self.outage and _problem("journey.pay.outage")
        if self.status == "paid":
            return None
        return _problem(f"journey.pay.{self.status}")


@dataclass(frozen=True)
class PaymentPrint:
    outcome: Outcome
    reason: str | None
    msgid: str | None  # catalogue words for the citizen when not printed
    receipt: PaymentReceiptData
    action_id: str


def _problem(code: str, detail: str = "") -> JourneyProblem:
    return JourneyProblem(code, msgid=WORDS[code], detail=detail)


def qr_png(text: str, size_px: int = QR_SCREEN_PX) -> bytes:
    """A QR code as a PNG for the screen (black on white, with its quiet zone)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(text.encode("utf-8"))
    code.make(fit=True)
    box = max(1, size_px // (code.modules_count + 8))
    code.box_size = box
    image = code.make_image(fill_color="black", back_color="white").get_image()
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


class PaymentJourney(Journey[Step]):
    """One citizen paying the fees of their applications."""

    name = "pay"

    def __init__(self, session: Session, client: PlatformClient, printer: PrinterPort,
                 receipts_config: ReceiptsConfig, kiosk_id: str, *,
                 timeout_s: float = PAY_TIMEOUT_S, poll_interval_s: float = POLL_INTERVAL_S,
                 outage_limit_s: float = OUTAGE_LIMIT_S, print_timeout_s: float = 60.0,
                 paper_width_mm: int | None = None, audit: AuditRecorder | None = None) -> None:
        super().__init__(session, Step.LIST)
        self._client = client
        self._printer = printer
        self._receipts = receipts_config
        self._kiosk_id = kiosk_id
        self.timeout_s = timeout_s
        self.poll_interval_s = poll_interval_s
        self.outage_limit_s = outage_limit_s
        self._print_timeout_s = print_timeout_s
        paper = getattr(printer, "paper", None)
        self._paper_width_mm = paper_width_mm or getattr(paper, "width_mm", 80)
        self._audit = audit or AuditRecorder(None)
        self._cancel = threading.Event()
        self._last: WaitState | None = None
        self._generation = 0  # one per payment opened: an older wait never ends a newer one
        log.info("session %s: payment journey started", session.session_id)

    @property
    def last(self) -> WaitState | None:
        """How the last wait ended (or stands)."""
        return self._last

    # ---- what there is to pay --------------------------------------------------------------

    def payables(self) -> list[Payable]:
        """The citizen's applications with a fee not yet paid, newest first. Blocking."""
        with self._lock:
            self._require(Step.LIST, Step.WAITING, Step.NOT_PAID, Step.UNCONFIRMED, Step.PAID)
            self._cancel.set()  # back to the list: a wait still running ends, not paid
            found = citizens_applications(self._session, self._client)
            due = [a for a in found if a.fee_fen > 0 and not a.paid and a.status != "rejected"]
            due.sort(key=lambda a: a.submitted_at, reverse=True)
            self._session.put(_LIST, {a.receipt_no: a for a in due})
            self._go(Step.LIST)
            log.info("session %s: %d fee(s) to pay", self._session.session_id, len(due))
            return [self._payable(a) for a in due]

    def _payable(self, a: m.Application) -> Payable:
        return Payable(a.receipt_no, both_languages(a.service_name), a.fee_fen,
                       translator(self.language).format_fen(a.fee_fen), a.submitted_at)

    # ---- the pay QR ------------------------------------------------------------------------

    def start(self, receipt_no: str) -> PaymentView:
        """Open a payment of the application's fee and draw its QR. A second call while the
        same payment is waiting shows the same QR. Blocking: call from a worker."""
        with self._lock:
            current: m.Payment | None = self._session.get(_PAYMENT)
            if self._step == Step.WAITING and current is not None \
                    and current.receipt_no == receipt_no:
                return self._view(current)
            self._require(Step.LIST, Step.NOT_PAID, Step.UNCONFIRMED)
            listed: dict[str, m.Application] = self._session.get(_LIST) or {}
            application = listed.get(receipt_no)
            if application is None:
                raise _problem("journey.pay.unknown", "receipt not in the listed ones")
            self._began(application.service_id)
            key = str(uuid.uuid4())  # one per start: a retry of this call replays it
            try:
                payment = self._platform().create_payment(receipt_no, key)
            except RequestRefused as exc:
                if exc.code in ("already_paid", "no_fee"):
                    listed.pop(receipt_no, None)
                    raise _problem(f"journey.pay.{exc.code}", exc.code) from None
                raise platform_problem(exc, "createPayment refused") from None
            except PlatformError as exc:
                raise platform_problem(exc, "createPayment failed") from None
            self._session.put(_PAYMENT, payment)
            self._session.pop(_PAID)
            self._cancel.clear()
            self._generation += 1
            self._last = None
            self._go(Step.WAITING)
            self._audit.citizen(self._session.session_id, "payment.opened",
                                payment=payment.payment_id, amount_fen=payment.amount_fen)
            log.info("session %s: payment %s opened", self._session.session_id,
                     payment.payment_id)
            return self._view(payment)

    def _view(self, payment: m.Payment) -> PaymentView:
        listed: dict[str, m.Application] = self._session.get(_LIST) or {}
        application = listed.get(payment.receipt_no)
        name = (self._payable(application).service_name if application
                else both_languages(None, payment.receipt_no))
        t = translator(self.language)
        return PaymentView(payment.payment_id, payment.receipt_no, name, payment.amount_fen,
                           t.format_fen(payment.amount_fen), payment.qr_content,
                           qr_png(payment.qr_content), payment.expires_at)

    def cancel(self) -> None:
        """The citizen touched cancel: `wait()` checks once more and ends. Any thread."""
        self._cancel.set()

    def wait(self, on_update: Callable[[WaitState], None] | None = None) -> WaitState:
        """Poll the payment until it is paid or the wait ends (see the module's docstring);
        `on_update` hears every round on this thread. Blocking: call from a worker."""
        self._require(Step.WAITING)
        payment: m.Payment = self._session.get(_PAYMENT)
        generation = self._generation
        deadline = time.monotonic() + self.timeout_s
        down_since: float | None = None
        while True:
            if generation != self._generation:  # another payment was opened meanwhile
                return WaitState("cancelled", 0, None)
            outage: JourneyProblem | None = None
            try:
                seen = self._platform().get_payment(payment.payment_id)
                down_since = None
            except PlatformError as exc:
                outage = platform_problem(exc, "getPayment failed")
                now = time.monotonic()
                down_since = down_since if down_since is not None else now
                log.warning("session %s: payment %s not checked: %s", self._session.session_id,
                            payment.payment_id, outage.code)
                seen = None
            left = max(0, round(deadline - time.monotonic()))
            if seen is not None and seen.status == "paid":
                return self._end(payment, WaitState("paid", left, None), Step.PAID, seen)
            if seen is not None and seen.status in ("expired", "cancelled"):
                status: Status = "expired" if seen.status == "expired" else "cancelled"
                return self._end(payment, WaitState(status, left, None), Step.NOT_PAID)
            if outage is not None and down_since is not None and (
                    time.monotonic() - down_since >= self.outage_limit_s
                    or self._cancel.is_set() or left <= 0):
                return self._end(payment, WaitState("unconfirmed", left, outage),
                                 Step.UNCONFIRMED)
            if self._cancel.is_set():
                return self._end(payment, WaitState("cancelled", left, None), Step.NOT_PAID)
            if left <= 0:
                return self._end(payment, WaitState("timed_out", 0, None), Step.NOT_PAID)
            state = WaitState("waiting", left, outage)
            self._last = state
            if on_update is not None:
                on_update(state)
            self._cancel.wait(min(self.poll_interval_s, max(0.0, deadline - time.monotonic())))

    def _end(self, payment: m.Payment, state: WaitState, step: Step,
             paid: m.Payment | None = None) -> WaitState:
        with self._lock:
            if self._step != Step.WAITING or self._session.get(_PAYMENT) is not payment:
                # left for the list, finished (the session ended) or another payment opened
                return state
            if paid is not None:
                self._session.put(_PAID, paid)  # the platform's word: the only proof we print
            self._last = state
            self._go(step)
            if paid is not None:
                self._completed()
            self._audit.citizen(self._session.session_id, "payment.ended",
                                payment=payment.payment_id, status=state.status)
            log.info("session %s: payment %s %s", self._session.session_id, payment.payment_id,
                     state.status)
            emit("payment_complete", "success" if state.status == "paid" else (
                "failure" if state.status == "expired" else "cancelled"),
                 session=self._session.session_id, payment=payment.payment_id,
                 amount_fen=payment.amount_fen, reason=state.status)
            return state

    # ---- the receipt -----------------------------------------------------------------------

    def receipt(self) -> PaymentReceiptData:
        """What the payment receipt says: only for a payment the platform reported paid."""
        paid: m.Payment | None = self._session.get(_PAID)
        if self._step not in (Step.PAID, Step.END) or paid is None or paid.status != "paid" \
                or paid.paid_at is None:
            raise WrongStep("no payment the platform confirmed")
        listed: dict[str, m.Application] = self._session.get(_LIST) or {}
        application = listed.get(paid.receipt_no)
        name = (translator(self.language).pick(self._payable(application).service_name)
                if application else "")
        return PaymentReceiptData(paid.payment_id, paid.receipt_no, name, paid.amount_fen,
                                  paid.paid_at, self._kiosk_id, self.language)

    def print_receipt(self) -> PaymentPrint:
        """Print the payment receipt; "printed" only when the printer confirmed the job. Every
        attempt for one payment has the same action id, so it never prints twice.
        Blocking (waits for the printer): call from a worker."""
        with self._lock:
            self._require(Step.PAID)
            data = self.receipt()
            action_id = f"payment-receipt-{data.payment_id}"
            document = payment_receipt(data, centre_name=self._receipts.centre(data.language),
                                       hotline=self._receipts.hotline,
                                       paper_width_mm=self._paper_width_mm)
            outcome, reason = print_for_citizen(
                self._printer, document, action_id, self._print_timeout_s, audit=self._audit,
                session_id=self._session.session_id, action="payment_receipt.print",
                payment=data.payment_id)
            return PaymentPrint(outcome, reason, printer_msgid(outcome), data, action_id)

    def finish(self) -> None:
        """The citizen is done: the list and the payment leave the session now."""
        with self._lock:
            self._cancel.set()
            self._abandon()
            for key in (_LIST, _PAYMENT, _PAID):
                self._session.pop(key)
            self._go(Step.END)


def payment_journey(terminal: Terminal, session: Session) -> PaymentJourney:
    """A payment journey for `session` on this terminal's receipt printer."""
    if terminal.link is None or terminal.printer is None:
        raise RuntimeError("payment needs the platform link and a printer")
    config = terminal.config
    return PaymentJourney(session, terminal.link.client, terminal.printer, config.receipts,
                          config.platform.kiosk_id or config.terminal.id, audit=terminal.audit)
