"""Each kind of outbox item reaches the platform as the contract says, in order, through the real
client and a real reference platform; what cannot be sent is set aside with its reason."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

from kiosk.client import PlatformClient
from kiosk.config import load_config
from kiosk.delivery import APPLICATION, EVALUATION, KIOSK_EVENTS, SUPPLEMENT, Delivery
from kiosk.session.platform_citizen import GRANT_FIELD
from kiosk.outbox import Backoff, Outbox, Sender, open_outbox
from tests.delivery.bodies import scanned_page
from tests.delivery.drill import Drill


@pytest.fixture
def kiosk(drill: Drill):
    drill.platform_up()
    config = load_config(drill.kiosk("kiosk"))
    outbox = open_outbox(config)
    client = PlatformClient.from_config(config, retries=0)
    sender = Sender(outbox, Delivery(client, outbox), backoff=Backoff(0.05, 0.3))
    yield outbox, sender, client.for_citizen(drill.citizen_token)  # reads, as the citizen
    client.close()
    outbox.close()


def _event() -> dict:
    return {"event_id": str(uuid.uuid4()), "at": datetime.now(timezone.utc).isoformat(),
            "kind": "printer.paper_low", "severity": "warning", "detail": {"printer": "printer"}}


def test_application_then_its_evaluation_and_promised_material(kiosk, drill: Drill) -> None:
    outbox, sender, client = kiosk
    application = outbox.enqueue(APPLICATION, drill.body)
    # Queued before the receipt number is known: they name the application by its reference.
    evaluation = outbox.enqueue(EVALUATION, {GRANT_FIELD: drill.grant, "application_reference": application.reference,
                                        "score": 5, "comment": "很方便"})
    report = sender.drain_once()
    assert report.delivered == [application.id, evaluation.id]
    receipt_no = outbox.get(application.id).result["receipt_no"]
    assert outbox.get(evaluation.id).result["receipt_no"] == receipt_no
    filed = client.get_application(receipt_no)
    assert filed.client_reference == application.reference
    assert [m.received for m in filed.promised_materials] == [False]

    promised = filed.promised_materials[0].material_id
    supplement = outbox.enqueue(SUPPLEMENT, {
        GRANT_FIELD: drill.grant, "receipt_no": receipt_no, "note": "补交体检证明",
        "materials": [{"material_id": promised, "source": "scan", "pages": [scanned_page(7)]}]})
    assert sender.drain_once().delivered == [supplement.id]
    assert all(m.received for m in client.get_application(receipt_no).promised_materials)


def test_a_second_rating_of_an_application_is_done_with_not_set_aside(kiosk,
                                                                      drill: Drill) -> None:
    outbox, sender, _ = kiosk
    application = outbox.enqueue(APPLICATION, drill.body)
    first = outbox.enqueue(EVALUATION, {GRANT_FIELD: drill.grant, "application_reference": application.reference,
                                        "score": 5})
    second = outbox.enqueue(EVALUATION, {GRANT_FIELD: drill.grant, "application_reference": application.reference,
                                        "score": 2})  # rated again, on another visit
    report = sender.drain_once()
    assert report.delivered == [application.id, first.id, second.id] and report.refused == []
    assert "evaluation_id" in outbox.get(first.id).result
    assert outbox.get(second.id).result["already_evaluated"] is True


def test_events_are_sent_and_a_repeat_counts_as_duplicate(kiosk) -> None:
    outbox, sender, _ = kiosk
    event = _event()
    first = outbox.enqueue(KIOSK_EVENTS, {"events": [event, _event()]})
    again = outbox.enqueue(KIOSK_EVENTS, {"events": [event]})
    assert sender.drain_once().delivered == [first.id, again.id]
    assert outbox.get(first.id).result == {"accepted": 2, "duplicates": 0}
    assert outbox.get(again.id).result == {"accepted": 0, "duplicates": 1}


def test_refused_items_are_set_aside_with_their_reason_and_the_queue_moves_on(
        kiosk, drill: Drill) -> None:
    outbox, sender, _ = kiosk
    broken = outbox.enqueue(APPLICATION, {**drill.body, "form": {"mobile": "not a number"}})
    orphan = outbox.enqueue(EVALUATION, {GRANT_FIELD: drill.grant,
                                         "application_reference": broken.reference, "score": 4})
    unknown = outbox.enqueue("telegram", {"text": "kind this kiosk does not send"})
    fine = outbox.enqueue(APPLICATION, drill.body)
    report = sender.drain_once()
    assert report.refused == [broken.id, orphan.id, unknown.id]
    assert report.delivered == [fine.id]
    reasons = {item.id: item.last_error for item in outbox.items(["refused"])}
    assert "HTTP 422" in reasons[broken.id] and "form_invalid" in reasons[broken.id]
    assert "application_not_delivered" in reasons[orphan.id]
    assert "unknown_kind" in reasons[unknown.id]
    # Kept for staff, payload and all: a requeue after the fix sends the same request.
    assert outbox.get(broken.id).has_payload


def test_nothing_personal_in_what_the_outbox_records(kiosk, drill: Drill, caplog) -> None:
    outbox, sender, _ = kiosk
    caplog.set_level("DEBUG")
    outbox.enqueue(APPLICATION, {**drill.body, "form": {"mobile": "not a number"}})
    outbox.enqueue(APPLICATION, drill.body)
    sender.drain_once()
    id_number = drill.body["applicant"]["id_number"]
    name = drill.body["applicant"]["name"]
    recorded = " ".join(str(item) for item in outbox.items(limit=100))
    recorded += " ".join(str(outbox.history(item.id)) for item in outbox.items(limit=100))
    assert "outbox item" in caplog.text
    for secret in (id_number, name, drill.grant):
        assert secret not in caplog.text and secret not in recorded


def test_an_outbox_item_for_a_dead_kiosk_version_is_not_lost(kiosk: tuple[Outbox, Sender, object]
                                                             ) -> None:
    """A refused item is not retried on its own, but staff can requeue it after a fix."""
    outbox, sender, _ = kiosk
    item = outbox.enqueue("telegram", {"text": "x"})
    assert sender.drain_once().refused == [item.id]
    assert outbox.requeue(item.id).state == "pending"
    assert sender.drain_once().refused == [item.id]
    assert outbox.get(item.id).attempts == 2
