"""Queue order and the item's life: pending -> delivered | refused -> pending | discarded."""

from __future__ import annotations

import pytest

from kiosk.client.errors import RequestRefused, ServerFault
from kiosk.outbox import (DuplicateKey, InvalidTransition, ItemNotFound, Outbox, PayloadGone)

from tests.outbox.conftest import ID_NUMBER, ManualClock

REFUSED = RequestRefused("no", status=422, code="form.invalid")
FAULT = ServerFault("down", status=503)


def fill(outbox: Outbox, n: int) -> list[int]:
    return [outbox.enqueue("apply", {"n": i}).id for i in range(n)]


def test_fifo(outbox: Outbox) -> None:
    ids = fill(outbox, 5)
    sent = []
    while (item := outbox.next_due()) is not None:
        sent.append(item.id)
        outbox.mark_delivered(item.id, {})
    assert sent == ids
    assert [i.id for i in outbox.items()] == ids
    assert [i.id for i in outbox.items(newest_first=True)] == ids[::-1]


def test_head_of_line_waits_and_the_rest_waits_behind_it(outbox: Outbox,
                                                         clock: ManualClock) -> None:
    first, second = fill(outbox, 2)
    outbox.mark_failed(first, FAULT, clock() + 60)
    assert outbox.next_due() is None  # the second is due, but order is kept
    assert outbox.head().id == first
    clock.advance(59)
    assert outbox.next_due() is None
    clock.advance(1)
    assert outbox.next_due().id == first
    failed = outbox.get(first)
    assert (failed.attempts, failed.last_error_kind, failed.last_error) == (
        1, "ServerFault", "ServerFault HTTP 503")
    assert outbox.get(second).attempts == 0


def test_a_clock_set_back_does_not_park_the_queue(outbox: Outbox, clock: ManualClock) -> None:
    (item,) = fill(outbox, 1)
    outbox.mark_failed(item, FAULT, clock() + 600)
    clock.advance(-3600)  # NTP corrected a clock that ran an hour ahead
    assert outbox.next_due().id == item


def test_refused_item_is_set_aside_and_the_queue_moves_on(outbox: Outbox) -> None:
    first, second = fill(outbox, 2)
    outbox.mark_refused(first, REFUSED)
    assert outbox.next_due().id == second
    item = outbox.get(first)
    assert (item.state, item.attempts, item.last_error) == (
        "refused", 1, "RequestRefused HTTP 422 code form.invalid")
    assert outbox.depth() == 1
    assert [i.id for i in outbox.items(["refused"])] == [first]


def test_requeue_a_refused_item(outbox: Outbox, clock: ManualClock) -> None:
    (item,) = fill(outbox, 1)
    outbox.mark_refused(item, REFUSED)
    clock.advance(30)
    woken = []
    outbox.subscribe(lambda: woken.append(1))
    again = outbox.requeue(item)
    assert (again.state, again.attempts, again.next_attempt_at, again.finished_at) == (
        "pending", 1, clock(), None)
    assert woken == [1]
    assert outbox.next_due().id == item
    assert [h["event"] for h in outbox.history(item)] == ["enqueued", "refused", "requeued"]
    assert outbox.history(item)[-1]["detail"] == "was refused"


def test_requeue_a_waiting_item_sends_it_now(outbox: Outbox, clock: ManualClock) -> None:
    (item,) = fill(outbox, 1)
    outbox.mark_failed(item, FAULT, clock() + 600)
    assert outbox.next_due() is None
    outbox.requeue(item)
    assert outbox.next_due().id == item


def test_discard_wipes_and_keeps_a_masked_reason(outbox: Outbox) -> None:
    pending, refused = fill(outbox, 2)
    outbox.mark_refused(refused, REFUSED)
    for item_id in (pending, refused):
        done = outbox.discard(item_id, f"duplicate of  the paper form of\n{ID_NUMBER}")
        assert done.state == "discarded" and not done.has_payload and done.finished_at
        assert ID_NUMBER not in done.note and done.note.startswith("duplicate of the paper")
        with pytest.raises(PayloadGone):
            outbox.body_bytes(item_id)
    assert outbox.depth() == 0


@pytest.mark.parametrize("finished", ["delivered", "discarded"])
def test_finished_items_cannot_be_requeued_or_discarded(outbox: Outbox, finished: str) -> None:
    (item,) = fill(outbox, 1)
    if finished == "delivered":
        outbox.mark_delivered(item, {"receipt_no": "R1"})
    else:
        outbox.discard(item, "test")
    with pytest.raises(InvalidTransition):
        outbox.requeue(item)
    with pytest.raises(InvalidTransition):
        outbox.discard(item, "again")
    with pytest.raises(InvalidTransition):
        outbox.mark_failed(item, FAULT, 0)
    with pytest.raises(InvalidTransition):
        outbox.mark_refused(item, REFUSED)
    assert outbox.get(item).state == finished


def test_failure_and_refusal_need_a_pending_item(outbox: Outbox) -> None:
    (item,) = fill(outbox, 1)
    outbox.mark_refused(item, REFUSED)
    with pytest.raises(InvalidTransition):
        outbox.mark_failed(item, FAULT, 0)
    with pytest.raises(InvalidTransition):
        outbox.mark_refused(item, REFUSED)


def test_delivered_wins_over_a_discard_made_while_on_the_wire(outbox: Outbox) -> None:
    (item,) = fill(outbox, 1)
    outbox.discard(item, "staff gave up")
    outbox.mark_delivered(item, {"receipt_no": "R9"})
    done = outbox.get(item)
    assert (done.state, done.result) == ("delivered", {"receipt_no": "R9"})
    assert outbox.history(item)[-1]["detail"] == "was discarded"
    outbox.mark_delivered(item, {"receipt_no": "R10"})  # a second report changes nothing
    assert outbox.get(item).result == {"receipt_no": "R9"}


def test_only_short_scalars_of_the_result_are_kept(outbox: Outbox) -> None:
    (item,) = fill(outbox, 1)
    outbox.mark_delivered(item, {"receipt_no": "R1", "status": "accepted", "ok": True,
                                 "echo": {"id_number": ID_NUMBER}, "long": "x" * 500,
                                 "nan": float("nan")})
    assert outbox.get(item).result == {"receipt_no": "R1", "status": "accepted", "ok": True}


def test_duplicate_idempotency_key(outbox: Outbox) -> None:
    outbox.enqueue("apply", {"n": 1}, idempotency_key="order-key-0000000001")
    with pytest.raises(DuplicateKey):
        outbox.enqueue("apply", {"n": 2}, idempotency_key="order-key-0000000001")
    (item,) = outbox.items()
    outbox.mark_delivered(item.id, {})
    with pytest.raises(DuplicateKey):  # already sent: the platform has it
        outbox.enqueue("apply", {"n": 3}, idempotency_key="order-key-0000000001")
    assert len(outbox.items()) == 1 and outbox.stats().delivered == 1


@pytest.mark.parametrize("kind, body, idem, error", [
    ("Apply!", {}, None, ValueError),
    ("apply", {}, "short", ValueError),
    ("apply", {}, "has space in it", ValueError),
    ("apply", ["not", "a", "dict"], None, TypeError),
    ("apply", {"x": float("nan")}, None, TypeError),
    ("apply", {"x": object()}, None, TypeError),
])
def test_bad_input_stores_nothing(outbox: Outbox, kind, body, idem, error) -> None:
    with pytest.raises(error):
        outbox.enqueue(kind, body, idempotency_key=idem)
    assert outbox.items() == []


def test_lookups(outbox: Outbox) -> None:
    item = outbox.enqueue("apply", {"n": 1})
    assert len(item.reference) == 9 and item.reference[0] == "K"
    assert not set(item.reference[1:]) & set("ILOU")
    assert outbox.find(f"  {item.reference.lower()} ").id == item.id
    with pytest.raises(ItemNotFound):
        outbox.get(999)
    with pytest.raises(ItemNotFound):
        outbox.find("K00000000")
    with pytest.raises(ItemNotFound):
        outbox.requeue(999)
    with pytest.raises(ValueError):
        outbox.items(["lost"])


def test_stats(outbox: Outbox, clock: ManualClock) -> None:
    a, b, c, d = fill(outbox, 4)
    outbox.mark_delivered(a, {})
    outbox.mark_refused(b, REFUSED)
    outbox.discard(c, "test")
    clock.advance(5)
    outbox.mark_failed(d, FAULT, clock() + 10)
    s = outbox.stats()
    assert (s.pending, s.refused, s.delivered, s.discarded) == (1, 1, 1, 1)
    assert s.next_attempt_at == clock() + 10 and s.oldest_pending_at == clock() - 5
    assert (s.last_error_kind, s.last_error_item) == ("ServerFault", d)
    assert s.pending_payload_bytes == len(b'{"n":3}') and s.free_bytes > 0


def test_prune_forgets_finished_items_only(outbox: Outbox, clock: ManualClock) -> None:
    a, b, c, d = fill(outbox, 4)
    outbox.mark_delivered(a, {})
    outbox.discard(b, "test")
    outbox.mark_refused(c, REFUSED)
    clock.advance(10)
    assert outbox.prune(before=clock() - 20) == 0
    assert outbox.prune(before=clock()) == 2
    assert [i.id for i in outbox.items()] == [c, d]
    assert outbox.history(a) == []
    assert fill(outbox, 1)[0] > d  # ids are never reused: they order the queue


def test_find_by_key(outbox: Outbox) -> None:
    item = outbox.enqueue("apply", {"n": 1}, idempotency_key="find-by-key-000000001")
    assert outbox.find_by_key("find-by-key-000000001").id == item.id
    with pytest.raises(ItemNotFound):
        outbox.find_by_key("find-by-key-000000002")
