"""The payment journey as the screens drive it, against a real platform (its operator confirms
payments) and a real printer emulator: a receipt only for what the platform said is paid."""

from __future__ import annotations

import base64
import logging
import threading
import uuid
from typing import Any

import pytest

from kiosk.client.platform import PlatformClient
from kiosk.journeys.payment import PaymentJourney, Step, WaitState, WrongStep, qr_png
from kiosk.refplatform import operator
from kiosk.refplatform.store import Store
from kiosk.session import EndReason
from tests.journeys.conftest import APPLICANT, NAME, jpeg
from tests.support import wait_until

FEE_SERVICE = "residence-permit-replacement"  # 居住证补领, ¥20.00
FEE_FEN = 2000


def file_fee_application(client: PlatformClient, id_number: str = APPLICANT,
                         name: str = NAME) -> str:
    """An application of the seed citizen with a fee, filed as a terminal files it."""
    body: dict[str, Any] = {
        "service_id": FEE_SERVICE,
        "applicant": {"id_kind": "resident", "id_number": id_number, "name": name},
        "form": {"reason": "遗失", "residence_address": "上海市徐汇区示例路100弄2号301室",
                 "delivery": "邮寄送达", "postal_address": "上海市徐汇区示例路100弄2号301室",
                 "mobile": "13800000001"},
        "materials": [
            {"material_id": "resident_id", "source": "elicence",
             "elicence_id": "el-0001-resident-id"},
            {"material_id": "photo", "source": "scan",
             "pages": [{"media_type": "image/jpeg",
                        "content": base64.b64encode(jpeg(7)).decode("ascii")}]}],
        "client_reference": "KTEST" + uuid.uuid4().hex[:8].upper()}
    return client.create_application(body, str(uuid.uuid4())).receipt_no


def journey(terminal, session, **options: Any) -> PaymentJourney:
    options.setdefault("poll_interval_s", 0.05)
    options.setdefault("timeout_s", 10.0)
    return PaymentJourney(session, terminal.client, terminal.printer, terminal.config.receipts,
                          "JOURNEY-0001", **options)


def pay_when_opened(terminal, journey: PaymentJourney) -> threading.Thread:
    """The citizen's phone: pays as soon as the QR is up (the platform's operator confirms)."""
    def pay() -> None:
        assert wait_until(lambda: journey.step == Step.WAITING, 10)
        payment_id = operator.list_payments(Store(terminal.platform_db))[0]["payment_id"]
        operator.mark_paid(Store(terminal.platform_db), payment_id)

    thread = threading.Thread(target=pay, daemon=True)
    thread.start()
    return thread


def test_a_citizen_pays_a_fee_and_takes_one_payment_receipt(running, caplog):
    caplog.set_level(logging.INFO, logger="kiosk.events")
    receipt_no = file_fee_application(running.citizen_view())
    session = running.session()
    pay = journey(running, session)

    due = pay.payables()
    assert [(p.receipt_no, p.amount_fen, p.amount_text) for p in due] == [
        (receipt_no, FEE_FEN, "¥20.00")]
    assert due[0].service_name["zh-CN"] == "居住证补领"

    view = pay.start(receipt_no)
    assert pay.step == Step.WAITING and view.amount_fen == FEE_FEN
    assert view.payment_id in view.qr_content and view.qr_png.startswith(b"\x89PNG")
    assert pay.start(receipt_no).payment_id == view.payment_id  # a double tap: the same QR
    with pytest.raises(WrongStep):
        pay.print_receipt()  # nothing is printed for a payment still pending

    updates: list[WaitState] = []
    phone = pay_when_opened(running, pay)
    end = pay.wait(updates.append)
    phone.join(5)
    assert end.status == "paid" and end.problem is None and pay.step == Step.PAID
    assert all(u.status == "waiting" and u.outage is None for u in updates)

    printed = pay.print_receipt()
    assert (printed.outcome, printed.reason) == ("printed", None)
    slip = running.emulator.job_log()[-1]
    text = "\n".join(slip["lines"])
    assert receipt_no in text and "¥20.00" in text and view.payment_id in text
    assert "缴费凭证" in text and slip["cut"]
    assert NAME not in text and APPLICANT not in text
    again = pay.print_receipt()  # a second tap on print: the same job, not a second receipt
    assert again.action_id == printed.action_id and len(running.emulator.jobs()) == 1

    assert pay.payables() == []  # paid: nothing left to pay
    pay.finish()
    running.sessions.end(EndReason.FINISHED)
    usage = [(r.event_id, r.disposition, r.event_fields) for r in caplog.records
             if getattr(r, "event_id", "") in ("payment_complete", "print_job_complete")]
    assert usage == [  # what the console's usage report counts (kiosk.events.forward)
        ("payment_complete", "success", {"session": session.session_id,
                                         "payment": view.payment_id,
                                         "amount_fen": str(FEE_FEN), "reason": "paid"}),
        ("print_job_complete", "success", {"kind": "receipt", "job": printed.action_id}),
        ("print_job_complete", "success", {"kind": "receipt", "job": printed.action_id})]


def test_timeout_ends_not_paid_and_prints_nothing(running):
    receipt_no = file_fee_application(running.citizen_view())
    pay = journey(running, running.session(), timeout_s=0.4)
    pay.payables()
    first = pay.start(receipt_no)
    end = pay.wait()
    assert end.status == "timed_out" and pay.step == Step.NOT_PAID
    assert end.problem is not None and end.problem.code == "journey.pay.timed_out"
    assert "not" in end.problem.text("en")
    with pytest.raises(WrongStep):
        pay.print_receipt()
    assert running.emulator.job_log() == []
    # starting again opens a new payment; the platform cancels the old QR
    second = pay.start(receipt_no)
    assert second.payment_id != first.payment_id
    statuses = {p["payment_id"]: p["status"]
                for p in operator.list_payments(Store(running.platform_db))}
    assert statuses == {first.payment_id: "cancelled", second.payment_id: "pending"}


def test_cancel_ends_the_wait_at_once_unless_the_platform_says_paid(running):
    receipt_no = file_fee_application(running.citizen_view())
    pay = journey(running, running.session(), poll_interval_s=5.0)
    pay.payables()
    pay.start(receipt_no)
    threading.Timer(0.2, pay.cancel).start()
    end = pay.wait()
    assert end.status == "cancelled" and pay.step == Step.NOT_PAID
    assert running.emulator.job_log() == []

    # paid on the phone just before the touch on cancel: the last check sees it, it counts
    view = pay.start(receipt_no)
    operator.mark_paid(Store(running.platform_db), view.payment_id)
    pay.cancel()
    assert pay.wait().status == "paid"
    assert pay.print_receipt().outcome == "printed"


def test_platform_down_while_polling_is_told_and_polling_goes_on(running):
    receipt_no = file_fee_application(running.citizen_view())
    pay = journey(running, running.session(), outage_limit_s=30.0)
    pay.payables()
    view = pay.start(receipt_no)
    updates: list[WaitState] = []

    def on_update(state: WaitState) -> None:
        updates.append(state)
        if len(updates) == 2:
            running.platform_down()
        if sum(1 for u in updates if u.outage) == 3:  # the citizen was told; it comes back
            operator.mark_paid(Store(running.platform_db), view.payment_id)
            running.platform_up()

    end = pay.wait(on_update)
    told = [u for u in updates if u.outage is not None]
    assert told and told[0].problem.code == "journey.pay.outage"
    assert told[0].outage.code == "platform.unreachable"
    assert end.status == "paid"
    assert pay.print_receipt().outcome == "printed"


def test_platform_down_to_the_end_is_unconfirmed_and_never_printed(running):
    receipt_no = file_fee_application(running.citizen_view())
    pay = journey(running, running.session(), outage_limit_s=0.5)
    pay.payables()
    view = pay.start(receipt_no)
    running.platform_down()
    operator.mark_paid(Store(running.platform_db), view.payment_id)  # paid, but unseen
    end = pay.wait()
    assert end.status == "unconfirmed" and pay.step == Step.UNCONFIRMED
    assert end.problem.code == "journey.pay.unconfirmed"
    with pytest.raises(WrongStep):
        pay.print_receipt()
    assert running.emulator.job_log() == []


def test_platform_down_before_the_qr_says_so_and_opens_nothing(running):
    receipt_no = file_fee_application(running.citizen_view())
    pay = journey(running, running.session())
    pay.payables()
    running.platform_down()
    with pytest.raises(Exception) as caught:
        pay.start(receipt_no)
    assert getattr(caught.value, "code", None) == "platform.unreachable"
    assert pay.step == Step.LIST
    running.platform_up()
    assert operator.list_payments(Store(running.platform_db)) == []


def test_the_screen_qr_decodes_to_the_platform_code():
    import io

    import zxingcpp
    from PIL import Image

    text = "https://pay.example.gov.cn/pay?payment_id=P123&amount_fen=2000"
    image = Image.open(io.BytesIO(qr_png(text)))
    assert image.width >= 400
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [text]
