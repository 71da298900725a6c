"""Nothing of the citizen's application can be read from the files: payloads are sealed,
bound to their row, and wiped from the table and the files once no longer needed."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from kiosk.client.errors import RequestRefused
from kiosk.outbox import Outbox, OutboxKeyError, PayloadGone, SealError, Sender
from kiosk.outbox.backoff import Backoff

from tests.outbox.conftest import FORM_VALUE, ID_NUMBER, MOBILE, NAME, citizen_body, files_bytes

SECRETS = [ID_NUMBER.encode(), NAME.encode(), MOBILE.encode(), FORM_VALUE.encode()]


def raw_payload(db: Path, item_id: int) -> bytes:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT payload FROM items WHERE id = ?", (item_id,)).fetchone()[0]
    finally:
        conn.close()


def slices(blob: bytes, count: int = 20, width: int = 48) -> list[bytes]:
    step = max(1, (len(blob) - width) // count)
    return [blob[i:i + width] for i in range(0, len(blob) - width, step)][:count]


def test_citizen_data_is_not_in_the_files(db_path: Path, outbox: Outbox) -> None:
    body = citizen_body(pages=1, page_bytes=3000)
    page = body["attachments"][0]["data"][1000:1060].encode()
    item = outbox.enqueue("apply", body)
    for state in ("open", "closed"):
        data = files_bytes(db_path)
        # Control: what is stored in clear (metadata) is found, so the search itself works.
        assert item.reference.encode() in data and item.idempotency_key.encode() in data, state
        for secret in [*SECRETS, page]:
            assert secret not in data, (state, secret[:8])
        outbox.close()


def test_a_different_key_is_refused_while_payloads_are_held(db_path: Path, key: bytes,
                                                           make_outbox) -> None:
    make_outbox().enqueue("apply", citizen_body())
    other = bytes(32)
    with pytest.raises(OutboxKeyError) as info:
        make_outbox(key=other)
    message = str(info.value)
    assert "does not open" in message and "1 queued item" in message and str(db_path) in message
    assert key.hex() not in message and other.hex() not in message
    # The right key still opens it: the refusal changed nothing.
    assert make_outbox().depth() == 1


def test_a_new_key_is_adopted_when_nothing_is_held(make_outbox, caplog) -> None:
    first = make_outbox()
    item = first.enqueue("apply", citizen_body())
    first.mark_delivered(item.id, {"receipt_no": "R1"})
    first.close()
    new_key = bytes(range(32))
    with caplog.at_level(logging.WARNING, logger="kiosk.outbox"):
        adopted = make_outbox(key=new_key)
    assert "adopting" in caplog.text
    adopted.enqueue("apply", {"n": 2})
    adopted.close()
    with pytest.raises(OutboxKeyError):
        make_outbox()  # the old key is the stranger now


def test_a_key_of_the_wrong_length_is_refused(make_outbox) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        make_outbox(key=b"short")


def test_payload_moved_to_another_row_does_not_open(db_path: Path, outbox: Outbox,
                                                   clock) -> None:
    a = outbox.enqueue("apply", {"applicant": {"id_number": ID_NUMBER}, "who": "a"})
    b = outbox.enqueue("apply", {"who": "b"})
    conn = sqlite3.connect(db_path)
    with conn:  # send a's application under b's key and reference
        conn.execute("UPDATE items SET payload = (SELECT payload FROM items WHERE id = ?) "
                     "WHERE id = ?", (a.id, b.id))
    conn.close()
    assert outbox.open_body(a.id)["who"] == "a"
    with pytest.raises(SealError) as info:
        outbox.body_bytes(b.id)
    assert ID_NUMBER not in str(info.value)

    # The sender sets it aside for staff instead of delivering it (or stopping the queue).
    sent: list[str] = []

    def deliver(item, body):
        sent.append(body["who"])
        return {"receipt_no": item.reference}

    report = Sender(outbox, deliver, backoff=Backoff(1, 2), clock=clock).drain_once()
    assert sent == ["a"] and report.delivered == [a.id] and report.refused == [b.id]
    assert outbox.get(b.id).last_error_kind == "SealError"


def test_a_tampered_payload_does_not_open(db_path: Path, outbox: Outbox) -> None:
    item = outbox.enqueue("apply", {"n": 1})
    blob = bytearray(raw_payload(db_path, item.id))
    blob[-1] ^= 1
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE items SET payload = ? WHERE id = ?", (bytes(blob), item.id))
    conn.close()
    with pytest.raises(SealError):
        outbox.body_bytes(item.id)


@pytest.mark.parametrize("pages", [0, 2], ids=["small", "two-pages"])
@pytest.mark.parametrize("how", ["delivered", "discarded"])
def test_finishing_an_item_wipes_its_ciphertext_from_the_files(db_path: Path, outbox: Outbox,
                                                              pages: int, how: str) -> None:
    keep = outbox.enqueue("apply", {"other": "stays"})
    item = outbox.enqueue("apply", citizen_body(pages=pages))
    sealed = raw_payload(db_path, item.id)
    assert len(sealed) > (200_000 if pages else 100)
    before = files_bytes(db_path)
    present = sum(s in before for s in slices(sealed))
    assert present >= 18  # control: the search finds the sealed bytes while they are held

    if how == "delivered":
        outbox.mark_delivered(item.id, {"receipt_no": "R000001"})
    else:
        outbox.discard(item.id, "citizen withdrew the application")
    after = files_bytes(db_path)
    assert [s for s in slices(sealed) if s in after] == []
    assert raw_payload(db_path, item.id) is None
    finished = outbox.get(item.id)
    assert finished.state == how and not finished.has_payload
    with pytest.raises(PayloadGone):
        outbox.body_bytes(item.id)
    assert outbox.open_body(keep.id) == {"other": "stays"}  # the rest of the queue is intact


def test_refused_item_keeps_its_payload_for_a_requeue(outbox: Outbox) -> None:
    item = outbox.enqueue("apply", citizen_body())
    outbox.mark_refused(item.id, RequestRefused("no", status=422, code="form.invalid"))
    refused = outbox.get(item.id)
    assert refused.state == "refused" and refused.has_payload
    assert outbox.open_body(item.id) == citizen_body()
