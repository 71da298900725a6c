"""Named staff: a staff card on the real PC/SC stack (pcscd + vpcd + the project's card), proved
against the staff issuer's root, then its own PIN. Attacks first: a citizen card, forged staff
cards, a citizen guessing at the gesture, a card swapped between card and PIN, five wrong PINs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import tomli_w

from drivers.smartcard.card_auth import load_issuer_root
from drivers.smartcard.emulator import DEMO_STAFF, READER_NAME, STAFF_PIN_TRIES, SmartCardEmulator
from drivers.smartcard.reader import SmartCardReader
from kiosk.admin.service import AdminService, NotLoggedIn
from kiosk.admin.staff_card import StaffCardGate, StaffRefused
from kiosk.audit import AuditTrail
from kiosk.audit.recorder import AuditRecorder
from kiosk.config import load_config
from tests.support import wait_until

PIN_1, PIN_2 = DEMO_STAFF["S0001"][2], DEMO_STAFF["S0002"][2]


@pytest.fixture
def reader(emu: SmartCardEmulator) -> Iterator[SmartCardReader]:
    device = SmartCardReader("smartcard", reader=READER_NAME, poll_interval=0.05,
                             missed_polls_to_offline=3, apdu_timeout=1.0)
    device.start()
    assert device.wait_for(lambda s: s.usable, 5), device.status
    yield device
    device.stop()


def insert(emu: SmartCardEmulator, reader: SmartCardReader, control: str = "insert_staff_card",
           **kwargs: object) -> None:
    emu.remove_card()
    wait_until(lambda: reader.card is None, 3)
    emu.controls()[control](**kwargs)
    assert wait_until(lambda: reader.card is not None, 5), "the reader did not see the card"


@pytest.fixture
def gate(emu: SmartCardEmulator, reader: SmartCardReader) -> StaffCardGate:
    return StaffCardGate(reader, load_issuer_root(emu.staff_issuer.root_pem))


def test_a_staff_card_names_its_holder_and_its_own_pin_opens(emu, reader, gate) -> None:
    insert(emu, reader, staff_id="S0001")
    member = gate.authenticate()
    assert (member.staff_id, member.name, member.card_number) == ("S0001", "王工", "STAFF0001")
    wrong = gate.verify_pin(member, "000000")
    assert (wrong.ok, wrong.tries_left, wrong.blocked) == (False, STAFF_PIN_TRIES - 1, False)
    assert gate.verify_pin(member, PIN_1).ok


@pytest.mark.parametrize("forged, detail", [("other_issuer", "not_from_issuer"),
                                            ("no_key", "no_certificate")])
def test_a_forged_staff_card_is_refused_before_any_pin(emu, reader, gate, forged,
                                                       detail) -> None:
    insert(emu, reader, staff_id="S0001", forged=forged)
    with pytest.raises(StaffRefused) as refused:
        gate.authenticate()
    assert (refused.value.reason, refused.value.detail) == ("not_staff_card", detail)


def test_a_citizen_card_is_not_a_staff_card(emu, reader, gate) -> None:
    insert(emu, reader, "insert_card")  # genuine, from the citizens' card issuer
    with pytest.raises(StaffRefused) as refused:
        gate.authenticate()
    assert refused.value.detail == "not_from_issuer"
    # Even a site that named the citizens' issuer as its staff issuer by mistake lets no
    # citizen in: a staff certificate says so (OU=staff).
    careless = StaffCardGate(reader, load_issuer_root(emu.issuer.root_pem))
    with pytest.raises(StaffRefused) as refused:
        careless.authenticate()
    assert refused.value.detail == "not_staff"


def test_no_card_and_no_root_open_nothing(emu, reader, gate) -> None:
    emu.remove_card()
    wait_until(lambda: reader.card is None, 3)
    with pytest.raises(StaffRefused) as refused:
        gate.authenticate()
    assert refused.value.reason == "no_card"
    assert not StaffCardGate(reader, None).configured
    assert not StaffCardGate(None, load_issuer_root(emu.staff_issuer.root_pem)).configured


def test_five_wrong_pins_block_that_card_only(emu, reader, gate) -> None:
    insert(emu, reader, staff_id="S0003", pin="556677")  # a card of this test's own
    member = gate.authenticate()
    tries = [gate.verify_pin(member, "111111") for _ in range(STAFF_PIN_TRIES)]
    assert [t.tries_left for t in tries] == [4, 3, 2, 1, 0] and tries[-1].blocked
    assert gate.verify_pin(member, "556677").blocked  # the right PIN no longer helps
    insert(emu, reader, staff_id="S0003", pin="556677")  # out and in again: still blocked,
    with pytest.raises(StaffRefused) as refused:  # and said so before any PIN pad
        gate.authenticate()
    assert (refused.value.reason, refused.value.staff_id) == ("card_blocked", "S0003")
    insert(emu, reader, staff_id="S0002")  # another staff member is not locked out
    assert gate.verify_pin(gate.authenticate(), PIN_2).ok


def test_a_card_swapped_after_the_card_step_does_not_get_in(emu, reader, gate) -> None:
    insert(emu, reader, staff_id="S0001")
    first = gate.authenticate()
    insert(emu, reader, staff_id="S0002")  # someone else's card, and its PIN
    with pytest.raises(StaffRefused) as refused:
        gate.verify_pin(first, PIN_2)
    assert refused.value.detail == "bad_signature"  # not the key the first card proved


# ---- the admin service: who may sign in, and the trail names them --------------------------

@pytest.fixture
def admin(emu: SmartCardEmulator, reader: SmartCardReader,
          tmp_path: Path) -> Iterator[tuple[AdminService, AuditTrail]]:
    site = tmp_path / "site.toml"
    site.write_text(tomli_w.dumps({
        "terminal": {"data_dir": str(tmp_path / "data")},
        "admin": {"staff_issuer_root_file": str(emu.staff_issuer_root_file)}}),
        encoding="utf-8")
    trail = AuditTrail(tmp_path / "audit.sqlite3", key=bytes(range(32)))
    # the terminal's parts the admin service uses, real ones: the reader and the trail
    terminal = SimpleNamespace(config=load_config(site), devices=[reader],
                               audit=AuditRecorder(trail), link=None)
    service = AdminService(terminal)
    yield service, trail
    service.close()
    trail.close()


def test_a_citizen_at_the_gesture_cannot_lock_staff_out(emu, reader, admin) -> None:
    service, trail = admin
    assert service.configured
    insert(emu, reader, "insert_card")  # a citizen's own (genuine) card
    for _ in range(10):
        with pytest.raises(StaffRefused):
            service.read_staff_card()
        with pytest.raises(NotLoggedIn):  # no PIN pad: the PIN is never even tried
            service.login("000000")
    insert(emu, reader, staff_id="S0001")
    service.read_staff_card()
    assert service.login(PIN_1).ok and service.staff == "S0001"
    actions = [(e.actor_id, e.action) for e in trail.entries()]
    assert actions.count(("unknown", "admin.staff_card_refused")) == 10
    assert actions[-2:] == [("S0001", "admin.staff_card"), ("S0001", "admin.login")]


def test_every_staff_action_names_the_staff_member(emu, reader, admin) -> None:
    service, trail = admin
    with pytest.raises(NotLoggedIn):
        service.paper_replaced()
    insert(emu, reader, staff_id="S0002")
    service.read_staff_card()
    assert not service.login("000000").ok
    assert service.login(PIN_2).ok
    service.set_out_of_service("打印机卡纸，维修中", "3 号窗口")
    service.back_in_service()
    service.paper_replaced()
    emu.remove_card()  # the staff card leaves: its holder is signed out
    assert wait_until(lambda: service.staff is None, 3)
    with pytest.raises(NotLoggedIn):
        service.back_in_service()
    entries = [e for e in trail.entries() if e.actor_id == "S0002"]
    assert [e.action for e in entries] == [
        "admin.staff_card", "admin.login_failed", "admin.login", "admin.out_of_service",
        "admin.in_service", "admin.paper_replaced", "admin.logout"]
    assert entries[1].details["tries_left"] == STAFF_PIN_TRIES - 1
    assert entries[3].details["reason"] == "打印机卡纸，维修中"
    assert entries[-1].details["reason"] == "card_removed"
    assert all("王工" not in str(e.details) for e in trail.entries())  # names stay off the trail
