"""The identity service on a PC/SC reader: pcscd with vpcd and the project's virtual card.

Here, beside the reader's own tests, because it shares their session pcscd: pcsc-lite's client
keeps the first daemon's socket for the life of the test process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.smartcard.emulator import SAMPLE_CARD, SmartCardEmulator
from kiosk.session import SessionManager
from tests.services.conftest import Heard, make_config
from tests.smartcard.conftest import identity_service

ID = SAMPLE_CARD["identity"]["id_number"]


@pytest.fixture
def sessions(tmp_path) -> Iterator[SessionManager]:
    manager = SessionManager(make_config(tmp_path))
    yield manager
    manager.close()


@pytest.fixture
def smartcard(emu: SmartCardEmulator, sessions: SessionManager
              ) -> Iterator[tuple[SmartCardEmulator, Heard]]:
    with identity_service(emu, sessions) as (_reader, heard):
        yield emu, heard


def test_a_smart_card_starts_a_session_and_taking_it_out_ends_it(smartcard, sessions):
    emu, heard = smartcard
    emu.insert_card()
    started = heard.wait("session_started", timeout=5)[0]
    assert started.source == "smartcard" and started.masked_id == ID[:6] + "********" + ID[-4:]
    assert sessions.current.identity.id_number == ID
    emu.remove_card()
    assert heard.wait("card_removed", timeout=5)[0].session_id == started.session_id
    assert sessions.current is None


def test_a_dead_smart_card_is_a_read_failure(smartcard, sessions):
    emu, heard = smartcard
    emu.insert_card(mute=True)
    assert heard.wait("read_failed", timeout=5)[0].reason == "card_unreadable"
    assert sessions.current is None


@pytest.mark.parametrize("forged", ["no_key", "other_issuer"])
def test_a_forged_card_with_the_right_id_number_is_refused(smartcard, sessions, forged, caplog):
    """The card data is no secret: a card carrying the holder's ID number, name and card number,
    but no key the issuer certified (or one a forger's own issuer certified), proves nothing."""
    emu, heard = smartcard
    emu.insert_card(forged=forged)
    assert heard.wait("read_failed", timeout=5)[0].reason == "card_not_authentic"
    assert sessions.current is None
    assert ID not in caplog.text
