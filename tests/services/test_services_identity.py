"""The identity service against the ID card and serial QR emulators on ptys: what a citizen
does at the reader and what the screens hear."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from drivers.device import EventKind
from kiosk.services import IdentityService, load_eid_public_key
from kiosk.session import EndReason, SessionManager, make_eid_qr
from kiosk.session.qr_identity import make_appointment_qr
from tests.services.conftest import AUTHORITY, GRACE_S, PUBLIC_RAW, Heard
from tests.support import EventRecorder, wait_until

RESIDENT_ID, RESIDENT_NAME = "110101199003071233", "测试样例"
OTHER_ID, OTHER_NAME = "650102195211300049", "演示阿依古丽"


def leftovers(sessions: SessionManager) -> list[Path]:
    d = Path(sessions.sessions_dir)
    return sorted(d.iterdir()) if d.exists() else []


def eid(key: Ed25519PrivateKey = AUTHORITY, number: str = "110101199003071233",
        name: str = "电子样例") -> str:
    return make_eid_qr(key, id_kind="resident", id_number=number, name=name)


def test_placing_a_card_starts_a_session_with_its_masked_identity(service, id_emulator, sessions,
                                                                  caplog):
    caplog.set_level(logging.DEBUG)
    _, heard = service
    id_emulator.place_card(path="resident")
    started = heard.wait("session_started")[0]
    assert (started.source, started.device, started.attached) == ("idcard", "idcard", False)
    assert started.masked_id == "110101********1233"
    assert started.masked_name == "测***"
    session = sessions.current
    assert session is not None and session.session_id == started.session_id
    assert session.identity.id_number == RESIDENT_ID and session.identity.source == "idcard"
    assert len(session.identity.photo or b"") == 1024  # the photo came along, as a copy
    assert RESIDENT_ID not in caplog.text and RESIDENT_NAME not in caplog.text
    assert RESIDENT_ID not in repr(started) and RESIDENT_NAME not in repr(started)


def test_removing_the_card_ends_its_session_and_leaves_nothing(service, id_emulator, sessions):
    """With work in it, the session waits GRACE_S for the card, then is wiped all the same."""
    _, heard = service
    ended: list = []
    sessions.subscribe(lambda e: ended.append(e) if e.kind == "ended" else None)
    id_emulator.place_card(path="resident")
    sid = heard.wait("session_started")[0].session_id
    session = sessions.current
    session.add_scan(b"\xff\xd8 a scanned page", ".jpg")
    session.values["name"] = RESIDENT_NAME
    assert leftovers(sessions)
    id_emulator.remove_card()
    removed = heard.wait("card_removed")[0]
    assert (removed.session_id, removed.source, removed.grace_s) == (sid, "idcard", GRACE_S)
    assert wait_until(lambda: sessions.current is None, GRACE_S + 3)
    assert [(e.session_id, e.reason) for e in ended] == [(sid, EndReason.CARD_REMOVED)]
    assert leftovers(sessions) == [] and session.ended
    assert service[0].grace_left() is None


def test_a_card_lifted_with_nothing_entered_ends_its_session_at_once(service, id_emulator,
                                                                     sessions):
    svc, heard = service
    id_emulator.place_card(path="resident")
    sid = heard.wait("session_started")[0].session_id
    id_emulator.remove_card()
    removed = heard.wait("card_removed")[0]
    assert (removed.session_id, removed.grace_s) == (sid, None)
    assert sessions.current is None and svc.grace_left() is None


def test_the_same_card_put_back_within_the_grace_carries_on_the_same_session(
        service, id_emulator, sessions):
    svc, heard = service
    id_emulator.place_card(path="resident")
    sid = heard.wait("session_started")[0].session_id
    session = sessions.current
    session.values["reason"] = "lost"
    session.note_entered()
    id_emulator.remove_card()
    assert heard.wait("card_removed")[0].grace_s == GRACE_S
    left = svc.grace_left()
    assert left is not None and 0 < left <= GRACE_S
    assert sessions.current is session  # waiting, not ended
    id_emulator.place_card(path="resident")
    assert heard.wait("card_returned")[0].session_id == sid
    assert svc.grace_left() is None
    time.sleep(GRACE_S + 0.5)  # the grace's timer must not end it afterwards
    assert sessions.current is session and session.values == {"reason": "lost"}
    assert len(heard.of("session_started")) == 1  # nothing restarted
    id_emulator.remove_card()  # bound again: lifted again, it waits again
    assert heard.wait("card_removed", 2)[1].grace_s == GRACE_S


def test_another_persons_card_during_the_grace_ends_and_wipes_the_session(
        service, id_emulator, sessions):
    svc, heard = service
    ended: list = []
    sessions.subscribe(lambda e: ended.append(e) if e.kind == "ended" else None)
    id_emulator.place_card(path="resident")
    first = heard.wait("session_started")[0].session_id
    session = sessions.current
    session.add_scan(b"\xff\xd8 a scanned page", ".jpg")
    id_emulator.remove_card()
    heard.wait("card_removed")
    id_emulator.place_card(path="resident_longterm")  # somebody else, within the grace
    second = heard.wait("session_started", 2)[1]
    assert second.session_id != first and not heard.of("card_returned")
    assert session.ended and session.end_reason == EndReason.CARD_REMOVED
    assert [(e.session_id, e.reason) for e in ended] == [(first, EndReason.CARD_REMOVED)]
    current = sessions.current
    assert current.session_id == second.session_id and current.identity.id_number == OTHER_ID
    assert current.values == {} and current.scans == () and not current.has_unsaved_work
    assert svc.grace_left() is None


def test_a_second_card_ends_the_first_session_and_starts_its_own(service, id_emulator, sessions):
    _, heard = service
    id_emulator.place_card(path="resident")
    first = heard.wait("session_started")[0].session_id
    id_emulator.place_card(path="resident_longterm")  # swapped on the reader
    second = heard.wait("session_started", 2)[1]
    assert second.session_id != first and second.masked_id == "650102********0049"
    assert sessions.current.identity.id_number == OTHER_ID
    assert heard.of("card_removed")[0].session_id == first
    id_emulator.remove_card()  # the second card's removal ends the second session only
    assert heard.wait("card_removed", 2)[1].session_id == second.session_id
    assert sessions.current is None and leftovers(sessions) == []


def test_a_card_removed_late_does_not_end_the_next_citizens_session(service, id_emulator,
                                                                    sessions):
    _, heard = service
    id_emulator.place_card(path="resident")
    heard.wait("session_started")
    sessions.end("exit")  # the citizen pressed 退出 and left the card behind
    anonymous = sessions.start()  # the next citizen looks up progress without a card
    id_emulator.remove_card()
    assert heard.wait("card_removed")[0].session_id is None
    assert sessions.current is anonymous


def test_a_card_placed_in_an_anonymous_session_names_its_citizen(service, id_emulator, sessions):
    _, heard = service
    anonymous = sessions.start()
    anonymous.values["receipt_no"] = "kept"
    id_emulator.place_card(path="resident")
    event = heard.wait("session_started")[0]
    assert event.attached and event.session_id == anonymous.session_id
    assert sessions.current is anonymous and anonymous.identity.id_number == RESIDENT_ID
    assert anonymous.values["receipt_no"] == "kept"
    id_emulator.remove_card()  # the card now identifies that session: taking it ends it
    assert heard.wait("card_removed")[0].session_id == anonymous.session_id
    assert anonymous.ended


def test_checksum_errors_and_garbage_are_read_failures_and_the_service_keeps_serving(
        service, id_emulator, id_reader, sessions):
    _, heard = service
    id_emulator.corrupt_checksum(True, command="READ_BASE")
    id_emulator.send_garbage(64)
    id_emulator.place_card(path="resident")
    failed = heard.wait("read_failed")[0]
    assert (failed.reason, failed.source, failed.session_id) == ("card_unreadable", "idcard", None)
    assert sessions.current is None
    id_emulator.corrupt_checksum(False)
    id_emulator.remove_card()
    assert id_reader.wait_for(lambda s: s.state == "online", 3)
    id_emulator.send_garbage(64)
    id_emulator.place_card(path="resident")
    heard.wait("session_started")
    assert sessions.current.identity.id_number == RESIDENT_ID


def test_an_expired_card_starts_no_session(service, id_emulator, sessions):
    _, heard = service
    id_emulator.place_card(path="resident_expired")
    assert heard.wait("read_failed")[0].reason == "card_expired"
    assert sessions.current is None


def test_garbage_events_never_raise_out_of_the_callback(id_reader, qr_scanner, sessions, caplog):
    svc = IdentityService([id_reader, qr_scanner], sessions, PUBLIC_RAW)
    heard = Heard()
    svc.subscribe(heard)
    recorder = EventRecorder()  # a subscriber after ours: the driver would log if we raised
    id_reader.subscribe(recorder)
    # what a broken driver could hand over: wrong types, missing keys, a non-mapping payload
    id_reader._emit(EventKind.CARD_INSERTED, {"card": "110101199003071233"})
    id_reader._emit(EventKind.CARD_INSERTED, {})
    id_reader._emit(EventKind.STATUS_CHANGED, {"status": "garbage"})
    qr_scanner._emit(EventKind.CODE_SCANNED, {"text": 12345})
    qr_scanner._emit(EventKind.CODE_SCANNED, {"text": None, "refused": "bad_encoding"})
    assert [e.reason for e in heard.of("read_failed")] == ["bad_card_data", "bad_card_data"]
    assert [e.reason for e in heard.of("qr_refused")] == ["malformed", "unreadable"]
    assert len(recorder.items) == 3
    assert "event subscriber failed" not in caplog.text and "110101199003071233" not in caplog.text
    assert sessions.current is None
    svc.close()


def test_an_eid_qr_starts_a_session_and_a_tampered_one_is_refused(service, qr_emulator,
                                                                  sessions, caplog):
    caplog.set_level(logging.DEBUG)
    _, heard = service
    code = eid()
    payload, sig = code.rsplit(".", 1)
    tampered = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1] + "." + sig
    qr_emulator.scan(tampered)
    assert heard.wait("qr_refused")[0].reason == "bad_signature"
    assert sessions.current is None
    qr_emulator.scan(code)
    started = heard.wait("session_started")[0]
    assert (started.source, started.device) == ("qr", "qr_serial")
    assert sessions.current.identity.source == "qr"
    assert "电子样例" not in caplog.text and RESIDENT_ID not in caplog.text


def test_an_eid_code_is_one_use_held_in_view_it_keeps_its_session(service, qr_emulator,
                                                                    sessions):
    _, heard = service
    code = eid()
    qr_emulator.scan(code)
    sid = heard.wait("session_started")[0].session_id
    time.sleep(1.2)  # past the scanner's repeat suppression (1 s here)
    qr_emulator.scan(code)  # shown again by the same citizen: the same session, no refusal
    time.sleep(0.5)  # the scanner's line is read and handled
    assert sessions.current is not None and sessions.current.session_id == sid
    assert heard.of("qr_refused") == []
    sessions.end("exit")
    time.sleep(1.2)
    qr_emulator.scan(code)  # shown again after the citizen left: a replay
    assert heard.wait("qr_refused")[0].reason == "replayed"
    assert sessions.current is None


def test_an_eid_signed_with_another_key_is_refused(service, qr_emulator, sessions):
    _, heard = service
    qr_emulator.scan(eid(Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))))
    assert heard.wait("qr_refused")[0].reason == "bad_signature"
    assert sessions.current is None


def test_the_same_citizen_identifying_again_keeps_their_session(service, qr_emulator,
                                                                id_emulator, sessions):
    _, heard = service
    qr_emulator.scan(eid())
    sid = heard.wait("session_started")[0].session_id
    sessions.current.values["filled"] = "in"
    id_emulator.place_card(path="resident")  # same person's card: session kept, card bound
    assert wait_until(lambda: sessions.current.identity.source == "idcard", 3)
    assert sessions.current.session_id == sid and sessions.current.values["filled"] == "in"
    assert len(heard.of("session_started")) == 1
    id_emulator.remove_card()
    assert heard.wait("card_removed")[0].session_id == sid and sessions.current is None


def test_an_appointment_qr_is_announced_for_the_appointment_journey(service, qr_emulator,
                                                                   sessions):
    _, heard = service
    qr_emulator.scan(make_appointment_qr("042917"))
    event = heard.wait("appointment_scanned")[0]
    assert (event.booking_code, event.source) == ("042917", "qr")
    assert sessions.current is None


@pytest.mark.parametrize("text, reason", [("https://example.com/pay?x=1", "not_ours"),
                                          ("GOVKIOSK:APPT:1:12", "malformed")])
def test_other_codes_are_refused_with_a_stable_reason(service, qr_emulator, text, reason):
    _, heard = service
    qr_emulator.scan(text)
    assert heard.wait("qr_refused")[0].reason == reason


def test_the_eid_key_loads_from_raw_bytes_or_pem(tmp_path):
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    raw = tmp_path / "eid.key"
    raw.write_bytes(PUBLIC_RAW)
    pem = tmp_path / "eid.pem"
    pem.write_bytes(AUTHORITY.public_key().public_bytes(Encoding.PEM,
                                                        PublicFormat.SubjectPublicKeyInfo))
    assert load_eid_public_key(raw) == PUBLIC_RAW == load_eid_public_key(pem)
    assert load_eid_public_key("") is None
    (tmp_path / "bad").write_bytes(b"not a key")
    with pytest.raises(ValueError, match="bad"):
        load_eid_public_key(tmp_path / "bad")


def test_a_receipt_code_is_announced_for_the_progress_journey(service, qr_emulator, sessions):
    _, heard = service
    code = "GOVKIOSK:R:1:SL-20261123-000042:SIM-0001:AAAAAAAAAAAAAAAA"
    qr_emulator.scan(code)
    event = heard.wait("receipt_scanned")[0]
    assert (event.receipt_code, event.source) == (code, "qr")
    assert sessions.current is None
