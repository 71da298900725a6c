"""The card's own PIN as the holder's proof, end to end: a real pcscd with the virtual card,
the reader driver, the identity service, and a reference platform that requires citizen
sessions and trusts the simulated card issuer. The card checks its PIN and counts the tries;
the platform checks the card's signature over its nonce."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.smartcard.emulator import SAMPLE_CARD, SmartCardEmulator
from kiosk.client.errors import RequestRefused
from kiosk.client.platform import PlatformClient
from kiosk.refplatform.server import start_in_thread
from kiosk.refplatform.store import Store
from kiosk.services.holder import HolderCheck, HolderProblem
from kiosk.session import SessionManager
from kiosk.session.platform_citizen import citizen_client
from tests.smartcard.conftest import identity_service
from tests.support import enrolled_terminal_config

ID = SAMPLE_CARD["identity"]["id_number"]
PIN = SAMPLE_CARD["pin"]
KIOSK_ID = "CARD-PIN-01"


@pytest.fixture
def bench(emu: SmartCardEmulator, tmp_path: Path) -> Iterator[tuple]:
    db = tmp_path / "platform.sqlite3"
    handle = start_in_thread(db, validate_responses=True,
                             card_issuer_root=emu.issuer.root_pem)
    config = enrolled_terminal_config(tmp_path, handle.url, Store(db), KIOSK_ID)
    client = PlatformClient.from_config(config, retries=0)
    sessions = SessionManager(config)
    with identity_service(emu, sessions, apdu_timeout=1.0) as (reader, heard):
        yield emu, heard, sessions, client, HolderCheck(client, reader)
    sessions.close()
    client.close()
    handle.stop()
    assert not handle.app.extensions["refplatform"].violations


def test_the_card_pin_proves_the_holder_and_wrong_pins_count_down(bench) -> None:
    emu, heard, sessions, client, check = bench
    emu.insert_card()
    heard.wait("session_started", timeout=5)
    session = sessions.current
    assert check.card_pin_offered(session)
    with pytest.raises(RequestRefused):  # nothing personal before the proof
        citizen_client(session, client).query_applications(ID)
    with pytest.raises(HolderProblem) as wrong:
        check.verify_card_pin(session, "0000")
    assert wrong.value.code == "holder.pin_wrong" and wrong.value.tries_left == 2
    check.verify_card_pin(session, PIN)
    assert citizen_client(session, client).query_applications(ID) == []


def test_a_card_that_blocked_its_pin_says_so(bench) -> None:
    emu, heard, sessions, _client, check = bench
    emu.insert_card()
    heard.wait("session_started", timeout=5)
    session = sessions.current
    tries = []
    for _ in range(3):
        with pytest.raises(HolderProblem) as wrong:
            check.verify_card_pin(session, "9999")
        tries.append((wrong.value.code, wrong.value.tries_left))
    assert tries == [("holder.pin_wrong", 2), ("holder.pin_wrong", 1), ("holder.pin_blocked",
                                                                          None)]
    with pytest.raises(HolderProblem) as blocked:  # the card keeps its own count
        check.verify_card_pin(session, PIN)
    assert blocked.value.code == "holder.pin_blocked"


def test_the_platform_refuses_a_proof_signed_without_the_card(bench) -> None:
    """A terminal that claims the PIN was checked proves nothing: only the card's signature over
    the platform's nonce does."""
    emu, heard, sessions, client, check = bench
    emu.insert_card()
    heard.wait("session_started", timeout=5)
    session = sessions.current
    citizen = check.begin(session)
    with pytest.raises(RequestRefused) as refused:
        citizen.client().verify_holder(certificate=session.identity.card_certificate,
                                       signature=b"\x30" * 70)
    assert refused.value.code == "card_proof_invalid"
