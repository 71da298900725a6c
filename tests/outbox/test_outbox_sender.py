"""The sender against a real HTTP platform on 127.0.0.1: order, backoff, refusals, a thread
that survives bugs, a stop that lets the delivery in flight finish, and notify()."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator

import pytest

from kiosk.client.errors import RequestRefused
from kiosk.outbox import Backoff, Outbox, Sender

from tests.outbox.conftest import ManualClock, citizen_body
from tests.outbox.platform_stub import PlatformStub, Reply, closed_port_url, http_deliver
from tests.support import wait_until


@pytest.fixture
def platform() -> Iterator[PlatformStub]:
    stub = PlatformStub().start()
    yield stub
    stub.stop()


@pytest.fixture
def started() -> Iterator[list[Sender]]:
    senders: list[Sender] = []
    yield senders
    for s in senders:
        s.stop(5)


def enqueue(outbox: Outbox, n: int) -> list[str]:
    return [outbox.enqueue("apply", {"n": i}).idempotency_key for i in range(n)]


# -- one round at a time, on a clock moved by hand -------------------------------------------------

def test_delivers_in_order_under_the_idempotency_key(outbox: Outbox, platform: PlatformStub,
                                                     clock: ManualClock) -> None:
    keys = enqueue(outbox, 3)
    report = Sender(outbox, http_deliver(lambda: platform.url), backoff=Backoff(1, 10),
                    clock=clock).drain_once()
    assert platform.keys() == keys
    assert [json.loads(r.body) for r in platform.received] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert report.delivered == [1, 2, 3] and report.next_attempt_at is None
    assert [i.result for i in outbox.items()] == [{"receipt_no": f"R{n:06d}"} for n in (1, 2, 3)]
    assert all(i.state == "delivered" and not i.has_payload for i in outbox.items())


def test_a_5xx_holds_the_whole_queue_and_backs_off(outbox: Outbox, platform: PlatformStub,
                                                   clock: ManualClock) -> None:
    keys = enqueue(outbox, 2)
    platform.script.extend([Reply(503), Reply(500)])
    sender = Sender(outbox, http_deliver(lambda: platform.url), backoff=Backoff(10, 100),
                    clock=clock)

    report = sender.drain_once()
    assert platform.keys() == keys[:1] and report.failed == [1]
    first = outbox.get(1)
    assert 5 <= first.next_attempt_at - clock() <= 10  # attempt 1: step 10, equal jitter
    assert report.next_attempt_at == first.next_attempt_at
    assert sender.drain_once().failed == [] and len(platform.received) == 1  # not due yet

    clock.now = first.next_attempt_at
    sender.drain_once()
    second = outbox.get(1)
    assert 10 <= second.next_attempt_at - clock() <= 20  # attempt 2: step 20
    assert (second.attempts, second.last_error) == (2, "ServerFault HTTP 500")
    assert platform.keys() == [keys[0]] * 2  # the second item never went ahead

    clock.now = second.next_attempt_at
    assert sender.drain_once().delivered == [1, 2]
    assert platform.keys() == [keys[0]] * 3 + [keys[1]]
    assert len({r.body for r in platform.received[:3]}) == 1  # the same bytes every time


def test_retry_after_from_the_platform_is_honoured(outbox: Outbox, platform: PlatformStub,
                                                   clock: ManualClock) -> None:
    enqueue(outbox, 1)
    platform.script.append(Reply(429, headers={"Retry-After": "120"}))
    Sender(outbox, http_deliver(lambda: platform.url), backoff=Backoff(1, 600),
           clock=clock).drain_once()
    item = outbox.get(1)
    assert 120 <= item.next_attempt_at - clock() <= 121
    assert item.last_error == "ServerFault HTTP 429 retry after 120 s"


def test_connection_refused_backs_off_then_delivers(outbox: Outbox, platform: PlatformStub,
                                                    clock: ManualClock) -> None:
    keys = enqueue(outbox, 2)
    target = {"url": closed_port_url()}
    sender = Sender(outbox, http_deliver(lambda: target["url"]), backoff=Backoff(2, 60),
                    clock=clock)
    report = sender.drain_once()
    item = outbox.get(1)
    assert report.failed == [1] and item.last_error_kind == "PlatformUnreachable"
    assert 1 <= item.next_attempt_at - clock() <= 2
    assert outbox.get(2).attempts == 0

    target["url"] = platform.url  # the network is back
    assert sender.drain_once().delivered == []  # still backing off
    clock.advance(2)
    assert sender.drain_once().delivered == [1, 2]
    assert platform.keys() == keys


def test_a_4xx_sets_the_item_aside_and_the_queue_moves_on(outbox: Outbox,
                                                          platform: PlatformStub,
                                                          clock: ManualClock) -> None:
    keys = enqueue(outbox, 3)
    platform.script.extend([Reply(), Reply(422, {"code": "form.invalid", "detail": "no"})])
    report = Sender(outbox, http_deliver(lambda: platform.url), backoff=Backoff(1, 10),
                    clock=clock).drain_once()
    assert platform.keys() == keys
    assert (report.delivered, report.refused) == ([1, 3], [2])
    refused = outbox.get(2)
    assert (refused.state, refused.has_payload, refused.last_error) == (
        "refused", True, "RequestRefused HTTP 422 code form.invalid")

    outbox.requeue(2)  # staff fixed the cause; same key, same bytes
    assert Sender(outbox, http_deliver(lambda: platform.url), backoff=Backoff(1, 10),
                  clock=clock).drain_once().delivered == [2]
    assert platform.keys()[-1] == keys[1]
    assert platform.received[-1].body == platform.received[1].body


def test_a_malformed_reply_is_retried_under_the_same_key(outbox: Outbox,
                                                         platform: PlatformStub,
                                                         clock: ManualClock) -> None:
    enqueue(outbox, 1)
    platform.script.append(Reply(200, b"<html>proxy error</html>"))
    sender = Sender(outbox, http_deliver(lambda: platform.url), backoff=Backoff(1, 10),
                    clock=clock)
    assert sender.drain_once().failed == [1]
    assert outbox.get(1).last_error_kind == "ResponseMalformed"
    clock.advance(1)
    assert sender.drain_once().delivered == [1]
    assert len(set(platform.keys())) == 1


# -- the thread, on the real clock -----------------------------------------------------------------

def test_thread_delivers_what_is_queued_and_notify_wakes_it(make_outbox, platform: PlatformStub,
                                                           started: list[Sender]) -> None:
    outbox = make_outbox(clock=time.time)
    sender = Sender(outbox, http_deliver(lambda: platform.url), backoff=Backoff(0.05, 0.2),
                    idle_poll_s=60)
    started.append(sender)
    sender.start()
    assert wait_until(lambda: sender.rounds >= 1)  # idle now, for up to 60 s
    t0 = time.monotonic()
    outbox.enqueue("apply", citizen_body())  # the enqueue itself notifies
    assert wait_until(lambda: outbox.stats().delivered == 1, 5)
    assert time.monotonic() - t0 < 2

    # An item requeued by another process (the staff CLI) is seen on notify().
    outbox.enqueue("apply", {"n": 2})
    platform.script.append(Reply(422, {"code": "x"}))
    assert wait_until(lambda: outbox.stats().refused == 1, 5)
    staff = make_outbox(clock=time.time)
    staff.requeue(2)  # outside the kiosk process: no listener fires
    time.sleep(0.2)
    assert outbox.get(2).state == "pending"
    sender.notify()
    assert wait_until(lambda: outbox.get(2).state == "delivered", 5)


def test_thread_backs_off_on_503_then_delivers(make_outbox, platform: PlatformStub,
                                              started: list[Sender]) -> None:
    outbox = make_outbox(clock=time.time)
    keys = enqueue(outbox, 2)
    platform.script.extend([Reply(503), Reply(503)])
    sender = Sender(outbox, http_deliver(lambda: platform.url), backoff=Backoff(0.1, 1),
                    idle_poll_s=60)
    started.append(sender)
    sender.start()
    assert wait_until(lambda: outbox.stats().delivered == 2, 10)
    assert platform.keys() == [keys[0]] * 3 + [keys[1]]
    gaps = [b.at - a.at for a, b in zip(platform.received, platform.received[1:3])]
    assert gaps[0] >= 0.05 - 0.01 and gaps[1] >= 0.1 - 0.01  # half of step 0.1, then of 0.2


def test_an_unexpected_exception_in_deliver_does_not_kill_the_thread(
        make_outbox, platform: PlatformStub, started: list[Sender], caplog) -> None:
    outbox = make_outbox(clock=time.time)
    real = http_deliver(lambda: platform.url)
    calls = []

    def buggy(item, body):
        calls.append(item.id)
        if len(calls) == 1:
            raise KeyError("applicant")  # a bug, not a platform error
        return real(item, body)

    sender = Sender(outbox, buggy, backoff=Backoff(0.05, 0.1), idle_poll_s=60)
    started.append(sender)
    with caplog.at_level(logging.ERROR, logger="kiosk.outbox"):
        sender.start()
        outbox.enqueue("apply", {"n": 1})
        assert wait_until(lambda: outbox.stats().delivered == 1, 5)
    assert sender.alive and calls == [1, 1]
    events = [(h["event"], h["error_kind"]) for h in outbox.history(1)]
    assert events == [("enqueued", None), ("failed", "KeyError"), ("delivered", None)]
    assert "KeyError" in caplog.text and "test_outbox_sender.py" in caplog.text  # where it was


def test_a_failing_round_does_not_kill_the_thread(make_outbox, platform: PlatformStub,
                                                  started: list[Sender], caplog) -> None:
    """Staff discard an item while the platform is refusing it: recording the refusal fails
    (the item is no longer pending); the thread logs it and goes on with the queue."""
    outbox = make_outbox(clock=time.time)
    real = http_deliver(lambda: platform.url)

    def deliver(item, body):
        if item.id == 1:
            outbox.discard(1, "withdrawn at the counter")
            raise RequestRefused("no", status=409, code="conflict")
        return real(item, body)

    sender = Sender(outbox, deliver, backoff=Backoff(0.05, 0.1), idle_poll_s=60)
    started.append(sender)
    with caplog.at_level(logging.ERROR, logger="kiosk.outbox"):
        enqueue(outbox, 2)
        sender.start()
        assert wait_until(lambda: outbox.get(2).state == "delivered", 5)
    assert sender.alive and outbox.get(1).state == "discarded"
    assert "round failed: InvalidTransition" in caplog.text


def test_stop_waits_for_the_delivery_in_flight(make_outbox, platform: PlatformStub,
                                               started: list[Sender]) -> None:
    outbox = make_outbox(clock=time.time)
    enqueue(outbox, 2)
    platform.script.append(Reply(201, hold=True))
    sender = Sender(outbox, http_deliver(lambda: platform.url), backoff=Backoff(0.05, 0.1),
                    idle_poll_s=60)
    started.append(sender)
    sender.start()
    assert platform.in_flight.wait(5)
    stopper = threading.Thread(target=sender.stop, kwargs={"timeout": 10})
    stopper.start()
    time.sleep(0.3)
    assert stopper.is_alive() and sender.alive  # waiting for the platform's answer
    assert outbox.get(1).state == "pending"
    platform.release.set()
    stopper.join(5)
    assert not stopper.is_alive() and not sender.alive
    assert outbox.get(1).state == "delivered"  # the answer was recorded, not lost
    assert outbox.get(2).state == "pending" and len(platform.received) == 1  # and no more sent


def test_restart_after_stop(make_outbox, platform: PlatformStub, started: list[Sender]) -> None:
    outbox = make_outbox(clock=time.time)
    sender = Sender(outbox, http_deliver(lambda: platform.url), backoff=Backoff(0.05, 0.1),
                    idle_poll_s=60)
    started.append(sender)
    sender.start()
    sender.stop()
    sender.start()
    sender.start()  # already running: no second thread
    outbox.enqueue("apply", {"n": 1})
    assert wait_until(lambda: outbox.stats().delivered == 1, 5)
    assert len(outbox._listeners) == 1  # one subscription however often it was started
