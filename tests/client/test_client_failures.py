"""What goes wrong on the wire, and which of the four kinds (and how many tries) the caller gets."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from kiosk.client import (PlatformClient, PlatformUnreachable, RequestRefused,
                          ResponseMalformed, ServerFault)
from kiosk.client.http import parse_retry_after
from tests.client import samples
from tests.client.fake_platform import FakePlatform, Script

KEY = "6f1c2a9e-0b7d-4c1e-9a55-3c2e1d0f7a11"
HEARTBEAT = samples.HEARTBEAT

# One per kind of operation: (label, call, path suffix the platform sees)
GET: tuple[str, Callable[[PlatformClient], Any], str] = (
    "GET", lambda c: c.get_application("SL2026-000123"), "/applications/SL2026-000123")
POST_READ = ("POST read", lambda c: c.query_applications(samples.ID_NUMBER), "/applications/query")
KEYED = ("keyed POST", lambda c: c.create_application(samples.APPLICATION_CREATE, KEY),
         "/applications")
UNKEYED = ("POST without key", lambda c: c.post_heartbeat(HEARTBEAT), "/kiosk/heartbeat")
REPLY = {"GET": samples.APPLICATION, "POST read": {"items": []}, "keyed POST": samples.APPLICATION,
         "POST without key": samples.HEARTBEAT_ACK}


def fail_with(platform: FakePlatform, script: Script, times: int = 3) -> None:
    for _ in range(times):
        platform.reply(Script(**vars(script)))


# -- retries: only what is safe to repeat ---------------------------------------------------------

@pytest.mark.parametrize(("label", "call", "suffix", "tries"), [
    (*GET, 3), (*POST_READ, 3), (*KEYED, 3), (*UNKEYED, 1)], ids=["GET", "POST read", "keyed",
                                                                 "unkeyed"])
def test_server_faults_are_retried_only_where_repeating_is_safe(
        platform: FakePlatform, client: PlatformClient, label: str,
        call: Callable[[PlatformClient], Any], suffix: str, tries: int) -> None:
    fail_with(platform, Script(status=503, body=b"<h1>busy</h1>"))
    with pytest.raises(ServerFault) as caught:
        call(client)
    assert caught.value.status == 503 and caught.value.code == "http_503"
    assert platform.count(suffix) == tries  # retries=2 in the test config: 1 + 2
    keys = {r.headers.get("Idempotency-Key") for r in platform.requests}
    assert keys == ({KEY} if label == "keyed POST" else {None})


@pytest.mark.parametrize(("label", "call", "suffix"), [GET, POST_READ, KEYED],
                         ids=["GET", "POST read", "keyed"])
def test_a_passing_fault_is_ridden_out(platform: FakePlatform, client: PlatformClient,
                                       label: str, call: Callable[[PlatformClient], Any],
                                       suffix: str) -> None:
    platform.reply(Script(status=502, body=b"bad gateway"), Script(hang_up=True))
    platform.json(REPLY[label])
    call(client)
    assert platform.count(suffix) == 3


@pytest.mark.parametrize(("label", "call", "suffix", "tries"), [
    (*GET, 3), (*KEYED, 3), (*UNKEYED, 1)], ids=["GET", "keyed", "unkeyed"])
def test_a_truncated_reply_is_malformed_and_retried_only_where_safe(
        platform: FakePlatform, client: PlatformClient, label: str,
        call: Callable[[PlatformClient], Any], suffix: str, tries: int) -> None:
    fail_with(platform, Script(body=REPLY[label], headers={"Content-Type": "application/json"},
                               cut_after=10))
    with pytest.raises(ResponseMalformed) as caught:
        call(client)
    assert caught.value.code == "truncated"
    assert platform.count(suffix) == tries


def test_refusals_are_never_retried(platform: FakePlatform, client: PlatformClient) -> None:
    platform.problem(409, "already_collected", "已领取")
    with pytest.raises(RequestRefused) as caught:
        client.collect_certificate("C-1", KEY)
    assert (caught.value.status, caught.value.code) == (409, "already_collected")
    assert caught.value.retryable is False
    assert "已领取" in caught.value.detail
    platform.problem(404, "not_found")
    with pytest.raises(RequestRefused):
        client.get_payment("P-9")
    assert len(platform.requests) == 2


def test_a_4xx_that_is_not_the_platforms_problem_is_retried_not_refused(
        platform: FakePlatform, make_client: Callable[..., PlatformClient]) -> None:
    """Issue 20 item 5: a proxy's HTML 403, a gateway's own JSON 401: not the platform saying
    no, so not RequestRefused (which sets an outbox item aside for staff) but a fault to retry."""
    client = make_client(platform.url, retries=0)
    platform.reply(Script(status=403, body=b"<html>Forbidden by proxy</html>",
                          headers={"Content-Type": "text/html"}))
    with pytest.raises(ServerFault) as caught:
        client.health()
    assert caught.value.code == "gateway_403"
    platform.reply(Script(status=401, body=b'{"code": "unauthorized"}',
                          headers={"Content-Type": "application/json"}))
    with pytest.raises(ServerFault) as caught:
        client.health()
    assert caught.value.code == "gateway_401"


def test_problem_field_errors_reach_the_caller(platform: FakePlatform,
                                               client: PlatformClient) -> None:
    doc = {"type": "about:blank", "title": "Form invalid", "status": 422, "code": "form_invalid",
           "errors": [{"path": "/form/mobile", "message": "not a mobile number"}]}
    platform.json(doc, status=422)
    with pytest.raises(RequestRefused) as caught:
        client.create_application(samples.APPLICATION_CREATE, KEY)
    assert caught.value.code == "form_invalid"
    assert "/form/mobile: not a mobile number" in caught.value.detail


# -- Retry-After ------------------------------------------------------------------------------------

def test_429_waits_as_long_as_the_platform_asks(platform: FakePlatform,
                                                make_client: Callable[..., PlatformClient]) -> None:
    client = make_client(platform.url, timeout_s=2.0)  # waits up to timeout_s are ridden out
    platform.problem(429, "too_many_requests", headers={"Retry-After": "1"})
    platform.json(samples.HEALTH)
    started = time.monotonic()
    assert client.health().status == "ok"
    assert time.monotonic() - started >= 0.95
    assert platform.count("/health") == 2


def test_a_long_retry_after_goes_back_to_the_caller_at_once(platform: FakePlatform,
                                                            client: PlatformClient) -> None:
    platform.reply(Script(status=503, headers={"Retry-After": "120"}, body=b""))
    started = time.monotonic()
    with pytest.raises(ServerFault) as caught:
        client.health()
    assert caught.value.retry_after_s == 120
    assert time.monotonic() - started < 0.5
    assert platform.count("/health") == 1


def test_retry_after_forms() -> None:
    now = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
    later = (now + timedelta(seconds=30)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert parse_retry_after(later, now) == 30
    assert parse_retry_after("7") == 7
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now) == 0  # in the past
    assert parse_retry_after("99999999") == 86_400
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
    assert parse_retry_after("nan") is None


# -- nothing comes back -----------------------------------------------------------------------------

def test_connection_refused_is_unreachable(make_client: Callable[..., PlatformClient]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    client = make_client(f"http://127.0.0.1:{port}/api/v1", retries=0)
    with pytest.raises(PlatformUnreachable) as caught:
        client.health()
    assert caught.value.code == "unreachable" and "getHealth" in str(caught.value)


def test_a_hang_up_before_the_answer_is_unreachable(platform: FakePlatform,
                                                    client: PlatformClient) -> None:
    platform.reply(Script(hang_up=True))
    with pytest.raises(PlatformUnreachable):
        client.post_heartbeat(HEARTBEAT)
    assert platform.count() == 1


def test_a_slow_first_byte_times_out(platform: FakePlatform,
                                     make_client: Callable[..., PlatformClient]) -> None:
    client = make_client(platform.url, retries=0, timeout_s=0.3)
    platform.json(samples.HEALTH, delay_s=1.5)
    started = time.monotonic()
    with pytest.raises(PlatformUnreachable) as caught:
        client.health()
    assert caught.value.code == "timeout"
    assert time.monotonic() - started < 1.0


def test_a_trickling_body_stops_at_the_deadline(platform: FakePlatform,
                                                make_client: Callable[..., PlatformClient]) -> None:
    # Every piece arrives well within the read timeout; only the deadline (0.4 + 0.4 s) stops it.
    client = make_client(platform.url, retries=0, timeout_s=0.4, connect_timeout_s=0.4)
    body = {**samples.HEALTH, "padding": "x" * 400}
    platform.json(body, trickle_s=0.1, piece_bytes=20)  # ~2.1 s in all
    started = time.monotonic()
    with pytest.raises(PlatformUnreachable) as caught:
        client.health()
    elapsed = time.monotonic() - started
    assert caught.value.code == "deadline"
    assert 0.7 < elapsed < 1.3


def test_a_stalled_body_times_out(platform: FakePlatform,
                                  make_client: Callable[..., PlatformClient]) -> None:
    client = make_client(platform.url, retries=0, timeout_s=0.3, connect_timeout_s=2.0)
    platform.json({**samples.HEALTH, "padding": "x" * 100}, trickle_s=1.0, piece_bytes=60)
    with pytest.raises(PlatformUnreachable) as caught:
        client.health()
    assert caught.value.code == "timeout"


# -- something wrong comes back -----------------------------------------------------------------------

def test_an_oversized_declared_reply_is_refused_before_reading(
        platform: FakePlatform, client: PlatformClient) -> None:
    platform.reply(Script(body=b"{}", content_length=1 << 34, cut_after=2,
                          headers={"Content-Type": "application/json"}))
    started = time.monotonic()
    with pytest.raises(ResponseMalformed) as caught:
        client.post_heartbeat(HEARTBEAT)
    assert caught.value.code == "oversized"
    assert time.monotonic() - started < 0.5


def test_an_oversized_chunked_reply_is_cut_at_the_cap(platform: FakePlatform,
                                                      client: PlatformClient) -> None:
    platform.reply(Script(body=b" " * 200_000, chunked=True, trickle_s=0.001, piece_bytes=8192,
                          headers={"Content-Type": "application/json"}))
    with pytest.raises(ResponseMalformed) as caught:
        client.post_heartbeat(HEARTBEAT)
    assert caught.value.code == "oversized"


def test_an_oversized_pdf_is_refused(platform: FakePlatform, client: PlatformClient) -> None:
    fail_with(platform, Script(body=b"%PDF-" + b"0" * 60_000,
                               headers={"Content-Type": "application/pdf"}))
    with pytest.raises(ResponseMalformed) as caught:
        client.certificate_document("C-1")
    assert caught.value.code == "oversized"


def test_a_chunked_reply_cut_mid_chunk_is_truncated(platform: FakePlatform,
                                                   client: PlatformClient) -> None:
    platform.reply(Script(body=samples.HEARTBEAT_ACK, chunked=True, cut_after=5))
    with pytest.raises(ResponseMalformed) as caught:
        client.post_heartbeat(HEARTBEAT)
    assert caught.value.code == "truncated"


def test_a_chunked_reply_is_read_whole(platform: FakePlatform, client: PlatformClient) -> None:
    platform.reply(Script(body=samples.HEARTBEAT_ACK, chunked=True, trickle_s=0.001,
                          piece_bytes=7, headers={"Content-Type": "application/json"}))
    assert client.post_heartbeat(HEARTBEAT).server_time.year == 2026


@pytest.mark.parametrize(("body", "code"), [
    ({"hello": "world"}, "wrong_shape"),
    ({**samples.HEARTBEAT_ACK, "server_time": "yesterday"}, "wrong_shape"),
    ({"server_time": "2026-03-01T10:00:00"}, "wrong_shape"),  # no offset: the contract wants one
    (b'{"server_time": "2026', "not_json"),
    (b"<html>captive portal</html>", "not_json"),
    (b"\xff\xfe\x00garbage", "not_json"),
    ([samples.HEARTBEAT_ACK], "not_object"),
    (b"", "not_json"),
])
def test_a_reply_that_breaks_the_contract_is_malformed(platform: FakePlatform,
                                                       client: PlatformClient, body: Any,
                                                       code: str) -> None:
    platform.reply(Script(body=body, headers={"Content-Type": "application/json"}))
    with pytest.raises(ResponseMalformed) as caught:
        client.post_heartbeat(HEARTBEAT)
    assert caught.value.code == code
    assert caught.value.status == 200


def test_a_wrong_shape_read_is_retried_then_reported(platform: FakePlatform,
                                                     client: PlatformClient) -> None:
    fail_with(platform, Script(body=b'{"items": [{"slot_id": 1}]}'))
    with pytest.raises(ResponseMalformed) as caught:
        client.list_slots("id-card.renew", "2026-03-02", "2026-03-06")
    assert "items.0" in str(caught.value)
    assert platform.count("/appointments/slots") == 3


def test_a_redirect_is_not_followed(platform: FakePlatform, client: PlatformClient) -> None:
    platform.reply(Script(status=307, headers={"Location": "http://elsewhere.invalid/x"}))
    with pytest.raises(ResponseMalformed) as caught:
        client.post_heartbeat(HEARTBEAT)
    assert caught.value.code == "unexpected_status"
    assert platform.count() == 1


def test_a_document_that_is_not_a_pdf_is_malformed(platform: FakePlatform,
                                                   client: PlatformClient) -> None:
    fail_with(platform, Script(body=b"<html>login</html>", headers={"Content-Type": "text/html"}))
    with pytest.raises(ResponseMalformed) as caught:
        client.certificate_document("C-1")
    assert caught.value.code == "not_pdf"


def test_the_connection_is_usable_after_each_failure(platform: FakePlatform,
                                                     client: PlatformClient) -> None:
    platform.reply(Script(body=samples.HEARTBEAT_ACK, cut_after=4), Script(status=500))
    for _ in range(2):
        with pytest.raises((ResponseMalformed, ServerFault)):
            client.post_heartbeat(HEARTBEAT)
    platform.json(samples.HEARTBEAT_ACK)
    client.post_heartbeat(HEARTBEAT)
