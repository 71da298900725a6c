"""A citizen's session: everything of theirs wiped on every kind of end, nothing personal logged."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import pytest

from kiosk.session.identity import Identity
from kiosk.session.idle import IdleState
from kiosk.session.session import EndReason, SessionEnded, SessionEvent, SessionManager
from kiosk.session.workdir import SessionWorkdir
from tests.session.conftest import card_of, make_config

FORM_VALUE = "我家的猫叫橘子酱七号"  # distinctive: must never reach a log
MOBILE = "13912345678"


def everything_personal(ident: Identity) -> list[str]:
    return [ident.id_number, ident.name, ident.address or "", FORM_VALUE, MOBILE]


def log_text(caplog) -> str:
    """Every record as any handler could render it: message, raw args, exception text."""
    parts = []
    for r in caplog.records:
        parts += [r.getMessage(), repr(r.args), str(r.msg), r.exc_text or ""]
    return "\n".join(parts)


@pytest.mark.parametrize("reason", list(EndReason))
def test_every_end_leaves_nothing_behind(reason: EndReason, config, clock, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    manager = SessionManager(config, clock=clock)
    events: list[SessionEvent] = []
    manager.subscribe(events.append)
    ident = Identity.from_id_card(card_of("resident"))
    photo = ident.photo
    session = manager.start(ident)
    session.values.update(name=ident.name, id_number=ident.id_number, pet=FORM_VALUE,
                          mobile=MOBILE)
    scan = session.add_scan(b"\xff\xd8 scanned page of " + ident.id_number.encode(), ".jpg")
    session.add_scan(b"%PDF- " + FORM_VALUE.encode(), ".pdf")
    buffer = bytearray(b"camera frame")
    session.put("frame", buffer)
    session.put("step", "materials")
    assert scan.exists() and len(session.scans) == 2
    logging.getLogger("test.journey").debug("journey state %s, session %r", session.get("step"),
                                            session)
    if reason is EndReason.TIMEOUT:
        clock.advance(61)
        assert manager.tick().state is IdleState.EXPIRED
    else:
        assert manager.end(reason) is True
    assert manager.current is None and session.ended and session.end_reason is reason
    assert list(manager.sessions_dir.iterdir()) == []
    assert not scan.exists() and len(photo) == 0 and buffer == bytes(len(buffer))
    for accessor in ("identity", "values", "scans", "language", "elder_mode", "high_contrast",
                     "idle", "workdir", "started_at"):
        with pytest.raises(SessionEnded):
            getattr(session, accessor)
    for call in (lambda: session.get("step"), lambda: session.put("x", 1),
                 lambda: session.add_scan(b"x", ".jpg"), lambda: session.pop("step"),
                 lambda: session.attach_identity(ident)):
        with pytest.raises(SessionEnded):
            call()
    assert [(e.kind, e.reason, e.source) for e in events] == [
        ("started", None, "idcard"), ("ended", reason, None)]
    text = log_text(caplog) + repr(events)
    assert session.session_id in text and str(reason) in text
    for secret in everything_personal(ident):
        assert secret not in text, secret


def test_sessions_without_a_card_and_without_files(config, clock) -> None:
    manager = SessionManager(config, clock=clock)
    session = manager.start()  # e.g. a receipt QR progress look-up
    assert session.identity is None and session.language == "zh-CN"
    assert not manager.sessions_dir.exists() or list(manager.sessions_dir.iterdir()) == []
    session.attach_identity(Identity(id_kind="resident", id_number="110101199003071233",
                                     name="测试样例", source="qr"))
    assert session.identity.source == "qr"
    assert manager.end("exit") and not manager.end("exit")


def test_preferences_come_from_ui_config_and_can_change(tmp_path: Path, clock) -> None:
    manager = SessionManager(make_config(tmp_path, elder=True), clock=clock)
    session = manager.start()
    assert session.elder_mode and session.idle.state().seconds_left == 120
    session.language = "en"
    session.high_contrast = True
    session.elder_mode = False
    assert session.idle.state().seconds_left == 60
    assert (session.language, session.high_contrast) == ("en", True)
    with pytest.raises(ValueError):
        session.language = "fr"


def test_session_ids_are_random_not_derived_from_the_identity(config, clock) -> None:
    manager = SessionManager(config, clock=clock)
    ident = Identity.from_id_card(card_of("resident"))
    ids = {manager.start(ident).session_id for _ in range(20)}
    assert len(ids) == 20
    # six digits: a random hex id holds some 4-digit run of the number by chance ~1% of runs
    assert not any(part in sid for sid in ids for part in (ident.id_number[-6:], "110101"))


def test_starting_again_ends_the_running_session_first(config, clock) -> None:
    manager = SessionManager(config, clock=clock)
    events: list[SessionEvent] = []
    manager.subscribe(events.append)
    first = manager.start(Identity.from_id_card(card_of("hmt")))
    first.add_scan(b"page", ".jpg")
    second = manager.start(previous=EndReason.CARD_REMOVED)
    assert first.ended and first.end_reason is EndReason.CARD_REMOVED
    assert manager.current is second and not second.ended
    assert [(e.kind, e.session_id) for e in events] == [
        ("started", first.session_id), ("ended", first.session_id), ("started", second.session_id)]
    assert list(manager.sessions_dir.iterdir()) == []


def test_a_late_card_removal_does_not_end_the_next_citizens_session(config, clock) -> None:
    manager = SessionManager(config, clock=clock)
    first = manager.start()
    second = manager.start()
    assert manager.end(EndReason.CARD_REMOVED, session_id=first.session_id) is False
    assert manager.current is second
    assert manager.end(EndReason.CARD_REMOVED, session_id=second.session_id) is True


def test_idle_through_the_manager(config, clock) -> None:
    manager = SessionManager(config, clock=clock)
    assert manager.tick() is None and manager.touch() is None
    session = manager.start()
    clock.advance(50)
    assert manager.tick().state is IdleState.WARNING
    assert manager.touch().state is IdleState.ACTIVE  # extension 1 of 2
    clock.advance(50)
    manager.touch()  # extension 2
    clock.advance(50)
    assert manager.touch().state is IdleState.WARNING  # none left
    clock.advance(10)
    assert manager.tick().state is IdleState.EXPIRED
    assert session.end_reason is EndReason.TIMEOUT and manager.current is None


def test_a_session_ended_directly_is_let_go_by_the_manager(config, clock) -> None:
    manager = SessionManager(config, clock=clock)
    events: list[SessionEvent] = []
    manager.subscribe(events.append)
    session = manager.start()
    assert session.end("finished") and not session.end("exit")
    assert manager.current is None
    assert events[-1] == SessionEvent("ended", session.session_id, reason=EndReason.FINISHED)


def test_listeners_may_call_back_and_a_failing_one_does_not_stop_the_rest(config, clock,
                                                                          caplog) -> None:
    manager = SessionManager(config, clock=clock)
    heard: list[str] = []

    def attract_screen(event: SessionEvent) -> None:  # the UI may start over on its own
        heard.append(event.kind)
        if event.kind == "ended" and event.reason is EndReason.EXIT:
            manager.start()

    def broken(event: SessionEvent) -> None:
        raise RuntimeError("listener bug")

    manager.subscribe(broken)
    unsubscribe = manager.subscribe(attract_screen)
    manager.start()
    manager.end("exit")
    assert heard == ["started", "ended", "started"] and manager.current is not None
    assert "listener failed" in caplog.text
    unsubscribe()
    manager.close()
    assert heard == ["started", "ended", "started"]


def test_startup_sweeps_directories_left_by_a_crash(tmp_path: Path, clock) -> None:
    config = make_config(tmp_path, directory=str(tmp_path / "s"))
    crashed = SessionWorkdir(tmp_path / "s")
    crashed.write(b"a scan nobody wiped", ".jpg")
    manager = SessionManager(config, clock=clock)
    assert manager.sessions_dir == tmp_path / "s" and not crashed.path.exists()


def test_driver_threads_and_the_ui_at_once(config, clock) -> None:
    manager = SessionManager(config, clock=clock)
    events: list[SessionEvent] = []
    lock = threading.Lock()

    def record(event: SessionEvent) -> None:
        with lock:
            events.append(event)

    manager.subscribe(record)
    ident = Identity.from_id_card(card_of("resident"))
    errors: list[BaseException] = []

    def card_reader() -> None:
        for _ in range(40):
            s = manager.start(ident)
            try:
                s.add_scan(b"page", ".jpg")
                s.values["x"] = 1
            except SessionEnded:
                pass  # another thread ended it meanwhile: exactly what must be allowed
            manager.end(EndReason.CARD_REMOVED, s.session_id)

    def ui() -> None:
        for _ in range(200):
            manager.tick()
            manager.touch()
            if manager.current is not None:
                manager.end("exit")

    threads = [threading.Thread(target=_catching(f, errors)) for f in (card_reader, card_reader,
                                                                       ui)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    manager.close()
    assert manager.current is None and list(manager.sessions_dir.iterdir()) == []
    started = [e.session_id for e in events if e.kind == "started"]
    ended = [e.session_id for e in events if e.kind == "ended"]
    assert len(started) == 80 and sorted(started) == sorted(ended)
    for sid in started:  # each session's start is heard before its end
        kinds = [e.kind for e in events if e.session_id == sid]
        assert kinds == ["started", "ended"]


def _catching(fn, errors):
    def run() -> None:
        try:
            fn()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
    return run


def test_session_directory_is_private(config, clock) -> None:
    manager = SessionManager(config, clock=clock)
    session = manager.start()
    path = session.add_scan(b"page", ".jpg")
    assert os.stat(path.parent).st_mode & 0o777 == 0o700
    assert os.stat(path).st_mode & 0o777 == 0o600
    manager.close()
    assert session.end_reason is EndReason.SHUTDOWN


def test_unsaved_work_is_what_the_citizen_entered_or_captured(config, clock) -> None:
    manager = SessionManager(config, clock=clock)
    session = manager.start(Identity.from_id_card(card_of("resident")))
    session.values["name"] = "prefilled from the card"  # not the citizen's work
    assert not session.has_unsaved_work
    session.note_entered()
    assert session.has_unsaved_work
    session.work_saved()  # filed: leaving loses nothing
    assert not session.has_unsaved_work
    session.add_scan(b"\xff\xd8 a page", ".jpg")
    assert session.has_unsaved_work
    manager.end(EndReason.EXIT)
    with pytest.raises(SessionEnded):
        _ = session.has_unsaved_work
