"""The terminal proves the holder at a platform that requires citizen sessions: the code the
platform texted (read off its SMS gateway emulator) is typed, and only then does a journey's
client reach the citizen's data; the terminal session's end ends the platform's. Real
reference platform on loopback, real client, real terminal session from the resident card."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.client.errors import RequestRefused
from kiosk.client.platform import PlatformClient
from kiosk.refplatform.server import ServerHandle, start_in_thread
from kiosk.refplatform.store import Store
from kiosk.services.holder import HolderCheck, HolderProblem
from kiosk.session.platform_citizen import BAG_KEY, citizen_client, holder_verified
from kiosk.session import EndReason, Identity, SessionManager
from tests.session.conftest import card_of
from tests.support import enrolled_terminal_config, texted_code

KIOSK_ID = "HOLDER-0001"
ID_NUMBER = "110101199003071233"  # assets/cards/resident.json, known to the seed platform
MOBILE = "13800000001"  # the mobile the seed platform holds for that citizen


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[tuple[ServerHandle, Store]]:
    db = tmp_path / "platform.sqlite3"
    handle = start_in_thread(db, validate_responses=True, require_citizen_session=True)
    yield handle, Store(db)
    handle.stop()
    assert not handle.app.extensions["refplatform"].violations


@pytest.fixture
def terminal(platform: tuple[ServerHandle, Store], tmp_path: Path
             ) -> Iterator[tuple[PlatformClient, SessionManager]]:
    handle, store = platform
    config = enrolled_terminal_config(tmp_path, handle.url, store, KIOSK_ID)
    client = PlatformClient.from_config(config, retries=0)
    sessions = SessionManager(config)
    yield client, sessions
    sessions.close()
    client.close()


def test_nothing_personal_until_the_texted_code_is_typed(platform, terminal, caplog) -> None:
    _, store = platform
    client, sessions = terminal
    session = sessions.start(Identity.from_id_card(card_of("resident")))
    with pytest.raises(RequestRefused) as refused:
        citizen_client(session, client).query_applications(ID_NUMBER)
    assert refused.value.code == "citizen_session_required"

    check = HolderCheck(client)
    sent = check.send_code(session)
    assert sent.to == "138****0001" and sent.expires_in_s == 300
    with pytest.raises(RequestRefused) as unverified:
        session.get(BAG_KEY).client().query_applications(ID_NUMBER)
    assert unverified.value.code == "holder_not_verified"

    right = texted_code(store, MOBILE)
    with pytest.raises(HolderProblem) as wrong:
        check.verify(session, f"{(int(right) + 1) % 1_000_000:06d}")
    assert wrong.value.code == "holder.wrong_code" and wrong.value.tries_left == 4
    assert "code is not right" in wrong.value.text("en")
    check.verify(session, right)

    assert citizen_client(session, client).query_applications(ID_NUMBER) == []
    # a journey that takes only the card's PIN still wants it
    assert holder_verified(session, ("sms_code",)) and not holder_verified(session, ("card_pin",))
    citizen = session.get(BAG_KEY)
    assert citizen.filing_grant and citizen.filing_grant not in repr(citizen)
    secrets_seen = [right, citizen.filing_grant]
    assert not any(s in caplog.text for s in secrets_seen)


def test_the_end_of_the_terminal_session_ends_the_platform_session(platform, terminal) -> None:
    _, store = platform
    client, sessions = terminal
    session = sessions.start(Identity.from_id_card(card_of("resident")))
    check = HolderCheck(client)
    check.send_code(session)
    check.verify(session, texted_code(store, MOBILE))
    bound = session.get(BAG_KEY).client()
    sessions.end(EndReason.CARD_REMOVED)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with store.read() as conn:
            ended = conn.execute("SELECT ended_at FROM citizen_sessions").fetchone()[0]
        if ended:
            break
        time.sleep(0.05)
    assert ended, "the platform session was ended with the terminal's"
    with pytest.raises(RequestRefused) as late:
        bound.query_applications(ID_NUMBER)
    assert late.value.code == "citizen_session_invalid"


def test_a_wrong_shape_of_code_never_reaches_the_platform(platform, terminal) -> None:
    client, sessions = terminal
    session = sessions.start(Identity.from_id_card(card_of("resident")))
    check = HolderCheck(client)
    check.send_code(session)
    for typed in ("", "12345", "1234567", "12a456"):
        with pytest.raises(HolderProblem) as wrong:
            check.verify(session, typed)
        assert wrong.value.tries_left is None  # no try spent at the platform
