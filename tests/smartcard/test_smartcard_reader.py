"""The reader as a citizen and a technician see it, through a real pcscd and vpcd."""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future

import pytest

from drivers.device import DeviceError, DeviceState, DeviceUnavailable, EventKind
from drivers.smartcard.apdu import ResponseApdu, read_binary, select_aid, select_ef, verify_pin
from drivers.smartcard.applet import APPLET_AID, EF_IDENTITY, EF_SOCIAL
from drivers.smartcard.emulator import SAMPLE_CARD
from drivers.smartcard.identity import Identity

pytestmark = pytest.mark.pcscd

ID = SAMPLE_CARD["identity"]["id_number"]


def sw_of(fut: Future[bytes], timeout: float = 2.0) -> int:
    return ResponseApdu.parse(fut.result(timeout)).sw


def online(device, timeout: float = 3.0) -> None:  # type: ignore[no-untyped-def]
    assert device.wait_for(lambda s: s.state == DeviceState.ONLINE, timeout), device.status


def test_inserted_card_announces_its_identity_and_logs_it_masked(emu, make_reader, caplog):
    caplog.set_level(logging.DEBUG)
    device, events = make_reader()
    online(device)
    emu.insert_card()
    event = events.next(EventKind.CARD_INSERTED)
    ident = event.data["identity"]
    assert isinstance(ident, Identity)
    assert (ident.id_number, ident.name, ident.expiry.isoformat()) == (
        ID, "测试用户", "2031-06-30")
    assert event.data["protocol"] == "T=1" and event.data["atr"].startswith("3B88")
    assert event.data["expired"] is False
    assert device.card is not None and device.card.identity == ident
    assert ID not in caplog.text and "测试用户" not in caplog.text
    assert "110105********002X" in caplog.text


def test_removed_card_is_announced(emu, make_reader):
    device, events = make_reader()
    online(device)
    emu.insert_card()
    events.next(EventKind.CARD_INSERTED)
    t = time.monotonic()
    emu.remove_card()
    removed = events.next(EventKind.CARD_REMOVED)
    assert removed.data["reader"] == "Virtual PCD 00 00"
    assert time.monotonic() - t < 1.5
    assert device.card is None


def test_card_already_in_the_reader_at_start_is_announced(emu, make_reader):
    emu.insert_card()
    device, events = make_reader()
    assert events.next(EventKind.CARD_INSERTED).data["identity"].id_number == ID


def test_apdu_exchange_with_status_words(emu, make_reader):
    device, events = make_reader()
    online(device)
    emu.insert_card()
    events.next(EventKind.CARD_INSERTED)
    assert sw_of(device.transmit(select_aid(APPLET_AID))) == 0x9000
    assert sw_of(device.transmit(read_binary(0))) == 0x6986
    assert sw_of(device.transmit(select_ef(0x0999))) == 0x6A82
    assert sw_of(device.transmit(bytes.fromhex("00FF000000"))) == 0x6D00
    assert sw_of(device.transmit(bytes.fromhex("80B0000000"))) == 0x6E00
    assert sw_of(device.transmit(bytes.fromhex("00A4040005F04B"))) == 0x6700
    assert sw_of(device.transmit(select_ef(EF_SOCIAL))) == 0x9000
    assert sw_of(device.transmit(read_binary(0))) == 0x6982
    assert sw_of(device.transmit(verify_pin(b"000000"))) == 0x63C2
    assert sw_of(device.transmit(verify_pin(b"123456"))) == 0x9000
    r = ResponseApdu.parse(device.transmit(read_binary(0)).result(2))
    assert r.sw == 0x6282 and r.data == SAMPLE_CARD["social"].encode()
    assert sw_of(device.transmit(select_ef(EF_IDENTITY))) == 0x9000
    r = ResponseApdu.parse(device.transmit(read_binary(0)).result(2))
    assert Identity.decode(r.data).id_number == ID


def test_t0_card_gets_t0_and_long_answers_via_get_response(emu, make_reader):
    device, events = make_reader()
    online(device)
    emu.insert_card(card={**SAMPLE_CARD, "protocol": "T0"})
    event = events.next(EventKind.CARD_INSERTED)
    assert event.data["protocol"] == "T=0"
    assert event.data["identity"].id_number == ID
    fci = ResponseApdu.parse(device.transmit(select_aid(APPLET_AID)).result(2))
    assert fci.sw == 0x9000 and fci.data[:2] == b"\x6f\x0c"  # 61xx was followed for us


def test_a_card_without_our_applet_is_announced_without_identity(emu, make_reader):
    device, events = make_reader()
    online(device)
    emu.insert_card(card={"identity": None})
    event = events.next(EventKind.CARD_INSERTED)
    assert event.data["identity"] is None
    assert "6A82" in event.data["identity_error"]


def test_transmit_refuses_without_card_and_bad_apdus(emu, make_reader):
    device, _ = make_reader()
    online(device)
    with pytest.raises(DeviceError) as err:
        device.transmit(select_aid(APPLET_AID)).result(1)
    assert err.value.reason == "no_card"
    with pytest.raises(DeviceError) as err:
        device.transmit(b"\x00\xa4").result(1)
    assert err.value.reason == "bad_apdu"


def test_a_retried_action_id_reaches_the_card_once(emu, make_reader):
    device, events = make_reader()
    online(device)
    emu.insert_card()
    events.next(EventKind.CARD_INSERTED)
    before = emu.card.apdus_answered
    first = device.transmit(select_aid(APPLET_AID), action_id="act-1")
    again = device.transmit(select_aid(APPLET_AID), action_id="act-1")
    assert again is first and sw_of(first) == 0x9000
    assert emu.card.apdus_answered == before + 1


def test_a_mute_card_times_out_clearly_and_the_driver_keeps_working(emu, make_reader):
    device, events = make_reader(apdu_timeout=0.4)
    online(device)
    emu.insert_card()
    events.next(EventKind.CARD_INSERTED)
    emu.mute(True)
    t = time.monotonic()
    with pytest.raises(DeviceError) as err:
        device.transmit(select_aid(APPLET_AID)).result(2)
    elapsed = time.monotonic() - t
    assert err.value.reason == "timeout" and "0.4 s" in str(err.value)
    assert 0.35 < elapsed < 0.8
    with pytest.raises(DeviceError) as err:  # fails at once, does not queue behind the dead one
        device.transmit(select_aid(APPLET_AID)).result(0.2)
    assert err.value.reason == "card_unresponsive"
    assert device.status.state == DeviceState.ONLINE
    emu.remove_card()  # pulling the dead card frees the reader
    events.next(EventKind.CARD_REMOVED)
    emu.insert_card()
    assert events.next(EventKind.CARD_INSERTED).data["identity"].id_number == ID
    assert sw_of(device.transmit(select_aid(APPLET_AID))) == 0x9000


def test_a_card_that_comes_back_to_life_answers_again(emu, make_reader):
    device, events = make_reader(apdu_timeout=0.3)
    online(device)
    emu.insert_card()
    events.next(EventKind.CARD_INSERTED)
    emu.mute(True)
    with pytest.raises(DeviceError):
        device.transmit(select_aid(APPLET_AID)).result(2)
    emu.mute(False)
    deadline = time.monotonic() + 2
    while True:  # the late answer to the timed-out APDU is discarded, then all is normal
        try:
            assert sw_of(device.transmit(select_aid(APPLET_AID))) == 0x9000
            break
        except DeviceError as exc:
            assert exc.reason == "card_unresponsive" and time.monotonic() < deadline
            time.sleep(0.02)


def test_pcscd_crash_takes_reader_offline_debounced_and_it_recovers_by_itself(emu, make_reader):
    device, events = make_reader(poll_interval=0.05, missed_polls_to_offline=4)
    online(device)
    emu.insert_card()
    events.next(EventKind.CARD_INSERTED)
    events.drain()
    emu.daemon.kill()
    removed = events.next(EventKind.CARD_REMOVED)
    assert removed.data["reason"] == "service_lost"
    assert device.wait_for(lambda s: s.state == DeviceState.OFFLINE, 3), device.status
    offline_at = next(e for e in events.items if e.kind == EventKind.STATUS_CHANGED
                      and e.data["status"]["state"] == "offline").at
    assert offline_at - removed.at >= 0.1  # not on the first missed poll
    with pytest.raises(DeviceUnavailable):
        device.transmit(select_aid(APPLET_AID)).result(1)
    emu.start_pcscd()
    online(device, 5)
    # the card still in the reader is read again, and the next card is seen too
    assert events.next(EventKind.CARD_INSERTED, 5).data["identity"].id_number == ID
    emu.remove_card()
    events.next(EventKind.CARD_REMOVED)
    emu.insert_card(card={**SAMPLE_CARD, "identity": {**SAMPLE_CARD["identity"],
                                                       "id_number": "110101199003071234"}})
    assert events.next(EventKind.CARD_INSERTED).data["identity"].id_number == "110101199003071234"
    assert sw_of(device.transmit(select_aid(APPLET_AID))) == 0x9000


def test_a_quick_pcscd_restart_does_not_flap_the_status(emu, make_reader):
    device, events = make_reader(poll_interval=0.05, missed_polls_to_offline=8)
    online(device)
    emu.restart_pcscd()
    time.sleep(0.8)
    states = [e.data["status"]["state"] for e in events.items if e.kind == EventKind.STATUS_CHANGED]
    assert states == ["online"], states
    emu.insert_card()
    assert events.next(EventKind.CARD_INSERTED).data["identity"].id_number == ID


def test_reader_absent_at_start_then_back(emu, make_reader):
    emu.stop_pcscd()
    device, events = make_reader()
    assert device.wait_for(lambda s: s.state == DeviceState.NO_DEVICE, 3), device.status
    emu.start_pcscd()
    online(device, 5)
    emu.insert_card()
    events.next(EventKind.CARD_INSERTED)


def test_pcscd_gone_for_long_then_back(emu, make_reader):
    device, events = make_reader()
    online(device)
    emu.stop_pcscd()
    assert device.wait_for(lambda s: s.state == DeviceState.OFFLINE, 3), device.status
    time.sleep(1.0)  # several reopen attempts fail meanwhile
    assert device.status.state == DeviceState.OFFLINE
    emu.start_pcscd()
    online(device, 5)
    emu.insert_card()
    assert events.next(EventKind.CARD_INSERTED).data["identity"].id_number == ID


def test_a_reader_name_that_matches_nothing_is_no_device(emu, make_reader):
    device, _ = make_reader(reader="Acme CCID")
    assert device.wait_for(lambda s: s.state == DeviceState.NO_DEVICE, 3), device.status
    assert "Acme CCID" in (device.status.detail or "")


def test_empty_reader_setting_takes_the_first_reader(emu, make_reader):
    device, _ = make_reader(reader="")
    online(device)
    assert device.status.detail == "Virtual PCD 00 00"


def test_a_dead_card_at_insertion_is_announced_without_identity(emu, make_reader):
    device, events = make_reader(apdu_timeout=0.3)
    online(device)
    emu.insert_card(mute=True)
    event = events.next(EventKind.CARD_INSERTED, 3)
    assert event.data["identity"] is None and "timeout" in event.data["identity_error"]
    assert event.data["atr"].startswith("3B88")
    assert device.status.state == DeviceState.ONLINE
    emu.remove_card()
    events.next(EventKind.CARD_REMOVED)
    emu.insert_card()
    assert events.next(EventKind.CARD_INSERTED).data["identity"].id_number == ID
