"""The shared device model: debounced presence, non-blocking actions, actions that never double."""

import threading
import time

import pytest

from drivers.device import (ActionLedger, Device, DeviceState, DeviceStatus, DeviceUnavailable,
                            OutcomeUnknown,
                            EventKind)


class Flaky(Device):
    """A device whose answers the test switches on and off (the model under test, not a mock
    of hardware: real drivers are tested against their emulators)."""

    kind = "test"

    def __init__(self, **kw):
        super().__init__("flaky", poll_interval=0.02, reopen_interval=0.02, **kw)
        self.answering = True
        self.opens = 0
        self.polls = 0
        self.actions: list[str] = []

    def _open(self) -> None:
        if not self.answering:
            raise OSError("not there")
        self.opens += 1

    def _close(self) -> None:
        pass

    def _poll(self) -> DeviceStatus:
        self.polls += 1
        if not self.answering:
            raise TimeoutError("no answer")
        return DeviceStatus(DeviceState.ONLINE)

    def act(self, label: str, action_id: str | None = None, seconds: float = 0.0):
        def work():
            self._require_usable()
            time.sleep(seconds)
            self.actions.append(label)
            return label
        return self._submit(work, action_id)


@pytest.fixture
def device():
    d = Flaky(missed_polls_to_offline=3)
    d.start()
    assert d.wait_for(lambda s: s.state == DeviceState.ONLINE, 2)
    yield d
    d.stop()


def test_one_missed_poll_is_not_an_unplug(device: Flaky) -> None:
    changes = []
    # the starting -> online event may still be on its way when the fixture sees "online"
    device.subscribe(lambda e: changes.append(e) if e.kind == EventKind.STATUS_CHANGED
                     and e.data["previous"]["state"] != "starting" else None)
    device.answering = False
    polls = device.polls
    while device.polls < polls + 2:
        time.sleep(0.005)
    device.answering = True  # back before the third miss
    time.sleep(0.1)
    assert device.status.state == DeviceState.ONLINE
    assert changes == []


def test_gone_after_n_misses_and_back_by_itself(device: Flaky) -> None:
    device.answering = False
    assert device.wait_for(lambda s: s.state == DeviceState.OFFLINE, 2)
    assert device.status.reason == "no_answer"
    opens = device.opens
    device.answering = True
    assert device.wait_for(lambda s: s.state == DeviceState.ONLINE, 2)
    assert device.opens == opens + 1


def test_never_seen_device_is_no_device_not_offline() -> None:
    d = Flaky()
    d.answering = False
    d.start()
    try:
        assert d.wait_for(lambda s: s.state == DeviceState.NO_DEVICE, 2)
    finally:
        d.stop()


def test_actions_return_at_once_even_while_the_device_is_busy(device: Flaky) -> None:
    first = device.act("slow", seconds=0.3)
    started = time.perf_counter()
    second = device.act("next")
    assert time.perf_counter() - started < 0.05
    assert second.result(2) == "next" and first.result(2) == "slow"


def test_a_retried_action_id_acts_once(device: Flaky) -> None:
    a = device.act("print", action_id="job-1")
    b = device.act("print", action_id="job-1")
    assert a is b and a.result(2) == "print"
    assert device.act("print", action_id="job-1").result(2) == "print"
    assert device.actions == ["print"]


def test_a_failed_action_may_be_retried_under_its_id(device: Flaky) -> None:
    device.answering = False
    assert device.wait_for(lambda s: s.state == DeviceState.OFFLINE, 2)
    with pytest.raises(DeviceUnavailable):
        device.act("print", action_id="job-2").result(2)
    device.answering = True
    assert device.wait_for(lambda s: s.state == DeviceState.ONLINE, 2)
    assert device.act("print", action_id="job-2").result(2) == "print"
    assert device.actions == ["print"]


def test_a_broken_subscriber_does_not_stop_the_device(device: Flaky) -> None:
    device.subscribe(lambda e: 1 / 0)
    seen = threading.Event()
    device.subscribe(lambda e: seen.set())
    device.answering = False
    assert seen.wait(2)
    device.answering = True
    assert device.wait_for(lambda s: s.state == DeviceState.ONLINE, 2)


def test_stop_fails_queued_actions_instead_of_leaving_callers_waiting() -> None:
    d = Flaky()
    d.start()
    assert d.wait_for(lambda s: s.usable, 2)
    slow = d.act("slow", seconds=0.2)
    queued = d.act("queued")
    d.stop()
    assert slow.result(1) == "slow"
    with pytest.raises(DeviceUnavailable):
        queued.result(1)
    with pytest.raises(DeviceUnavailable):
        d.act("after").result(1)


def test_ledger_is_bounded() -> None:
    ledger = ActionLedger(capacity=3)
    for i in range(5):
        fut, new = ledger.claim(str(i))
        assert new
        fut.set_result(i)
    assert ledger.claim("4")[1] is False
    assert ledger.claim("0")[1] is True  # forgotten, oldest first


def test_an_action_with_unknown_outcome_is_never_retried_under_its_id(device: Flaky) -> None:
    def sent_then_lost():
        device.actions.append("sent")
        raise OutcomeUnknown("unconfirmed", "sent, no confirmation")

    first = device._submit(sent_then_lost, "job-3")
    with pytest.raises(OutcomeUnknown):
        first.result(2)
    again = device._submit(sent_then_lost, "job-3")
    assert again is first
    assert device.actions == ["sent"]
