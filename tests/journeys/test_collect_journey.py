"""The collect journey (证照打印) against the real reference platform and the printer emulator:
the list, the preview, one print recorded once, a reprint only with a recorded reason, the QR
that anyone can check, and paper running out mid-certificate."""

from __future__ import annotations

import io
import sqlite3
import uuid
from typing import Any

import pytest
from PIL import Image

from kiosk.client.platform import PlatformClient
from kiosk.journeys.collect import CollectJourney, Step
from kiosk.journeys.problems import JourneyProblem
from kiosk.receipts.certificate import ThermalCertificatePrinter
from kiosk.refplatform import operator
from kiosk.refplatform.store import Store
from kiosk.session import Identity
from tests.journeys.conftest import APPLICANT, NAME, Terminal
from tests.support import wait_until
from tests.session.conftest import card_of

SERVICE = "social-insurance-certificate"  # no materials: filed and approved in one go


def issue_certificate(client: PlatformClient, store: Store) -> str:
    """A certificate for the resident: applied for through the API as on an earlier visit,
    then accepted, reviewed and approved by the back office. Its receipt number."""
    applicant = Identity.from_id_card(card_of("resident")).applicant()
    filed = client.create_application(
        {"service_id": SERVICE, "applicant": applicant, "materials": [],
         "form": {"insurance_type": "全部险种", "period_from": "2021-01", "period_to": "2026-10"},
         "client_reference": "K" + uuid.uuid4().hex[:8].upper()}, idempotency_key=str(uuid.uuid4()))
    for action in ("accept", "review", "approve"):
        operator.advance(store, filed.receipt_no, action)
    return filed.receipt_no


def collections(terminal: Terminal) -> list[dict[str, Any]]:
    conn = sqlite3.connect(terminal.platform_db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM collections ORDER BY id")]
    finally:
        conn.close()


def collect(terminal: Terminal, session=None, **options: Any) -> CollectJourney:
    printer = ThermalCertificatePrinter(terminal.printer, centre_name="测试政务服务中心")
    return CollectJourney(session or terminal.session(), terminal.client, printer,
                          terminal.config.platform.base_url, **options)


@pytest.fixture
def issued(running: Terminal) -> str:
    return issue_certificate(running.citizen_view(), Store(running.platform_db))


def test_a_certificate_prints_once_and_anyone_can_verify_it(running: Terminal,
                                                            issued: str) -> None:
    journey = collect(running)
    listed = journey.certificates()
    assert [c.receipt_no for c in listed] == [issued]
    assert not listed[0].collected
    preview = journey.choose(listed[0].certificate_id)
    picture = Image.open(io.BytesIO(preview.png))
    assert picture.width == 576 and picture.height > 600  # the 80 mm layout, drawn

    done = journey.print_certificate()
    assert (done.outcome, done.recorded, done.problem) == ("printed", True, None)
    assert done.certificate.collected and done.certificate.print_count == 1
    jobs = running.emulator.job_log()
    assert len(jobs) == 1 and jobs[0]["cut"] and not jobs[0]["truncated"]
    text = "\n".join(jobs[0]["lines"])
    assert issued in text and NAME not in text and APPLICANT not in text
    # the QR leads anyone to the platform's public check, which names this certificate
    (qr,) = jobs[0]["qr_codes"]
    code = qr.rsplit("/", 1)[1]
    assert code in text
    verified = running.client.verify_certificate(code)
    assert verified.status == "valid" and verified.title == listed[0].title["zh-CN"]
    assert [a["status"] for a in running.applications() if a["receipt_no"] == issued] \
        == ["collected"]
    # a second touch of "print" neither prints nor records again
    assert journey.print_certificate() == done
    assert len(running.emulator.job_log()) == 1 and len(collections(running)) == 1


def test_an_english_citizen_collects_a_certificate_named_in_english(running: Terminal,
                                                                    issued: str) -> None:
    """Contract 1.8's `title_words` and `issuer_words`: the list and the slip name it in
    English; the slip also carries the record's Chinese title, which the public check shows."""
    session = running.session()
    session.language = "en"
    journey = collect(running, session)
    [listed] = journey.certificates()
    assert listed.title == {"zh-CN": "社会保险参保缴费证明打印",
                            "en": "Printing of a social-insurance contribution certificate"}
    assert listed.issuer["en"] == "Municipal Human Resources and Social Security Bureau"
    journey.choose(listed.certificate_id)
    assert journey.print_certificate().outcome == "printed"
    text = " ".join(" ".join(running.emulator.job_log()[-1]["lines"]).split())  # unwrapped
    assert "Printing of a social-insurance contribution certificate" in text
    assert "Issued by: Municipal Human Resources and Social Security Bureau" in text
    assert "市人力资源和社会保障局" not in text
    code = running.emulator.job_log()[-1]["qr_codes"][0].rsplit("/", 1)[1]
    verified = running.client.verify_certificate(code)
    assert verified.title in text  # what a checker of the code reads is on the paper
    assert verified.title_words is not None and verified.title_words.en in text


def test_a_reprint_needs_a_reason_which_the_platform_records(running: Terminal,
                                                             issued: str) -> None:
    first = collect(running)
    cid = first.certificates()[0].certificate_id
    first.choose(cid)
    assert first.print_certificate().recorded
    # the same citizen, later: the certificate shows as collected
    again = collect(running)
    (listed,) = again.certificates()
    assert listed.collected
    with pytest.raises(JourneyProblem) as refused:
        again.choose(cid)
    assert refused.value.code == "journey.collect.reason_needed"
    assert "再次" in refused.value.text("zh-CN") or "之前" in refused.value.text("zh-CN")
    again.choose(cid, reprint_reason="lost")
    done = again.print_certificate()
    assert (done.outcome, done.recorded, done.certificate.print_count) == ("printed", True, 2)
    jobs = running.emulator.job_log()
    assert len(jobs) == 2 and "补打" in "\n".join(jobs[1]["lines"])
    assert [r["reprint_reason"] for r in collections(running)] == [None, "lost"]


def test_paper_out_mid_certificate_then_reload_prints_it_once_whole(running: Terminal,
                                                                    issued: str) -> None:
    journey = collect(running)
    journey.choose(journey.certificates()[0].certificate_id)
    running.emulator.paper_out(after_bytes=300)  # runs out part-way through the certificate
    cut_short = journey.print_certificate()
    assert (cut_short.outcome, cut_short.reason, cut_short.recorded) == \
        ("paper_out", "paper_out", False)
    assert cut_short.problem is not None and cut_short.problem.code == "printer.paper_out"
    jobs = running.emulator.job_log()
    assert len(jobs) == 1 and jobs[0]["truncated"] and not jobs[0]["cut"]  # the torn piece
    # the platform was told nothing: the certificate is still waiting to be collected
    assert collections(running) == []
    assert not running.citizen_view().query_certificates(APPLICANT)[0].collected_at
    running.emulator.reload_paper()
    assert running.printer.wait_for(lambda s: s.usable, 5.0)
    done = journey.print_certificate()
    assert (done.outcome, done.recorded, done.action_id) == ("printed", True, cut_short.action_id)
    jobs = running.emulator.job_log()
    assert len(jobs) == 2 and jobs[1]["cut"] and not jobs[1]["truncated"]
    assert jobs[1]["qr_codes"] and issued in "\n".join(jobs[1]["lines"])  # whole, QR and all
    assert len(collections(running)) == 1
    assert journey.print_certificate() == done and len(running.emulator.job_log()) == 2


def test_printed_but_platform_down_records_later_without_printing_again(
        running: Terminal, issued: str) -> None:
    journey = collect(running)
    journey.choose(journey.certificates()[0].certificate_id)
    running.platform_down()
    done = journey.print_certificate()
    assert (done.outcome, done.recorded) == ("printed", False)
    assert done.problem is not None and done.problem.code == "journey.collect.not_recorded"
    running.platform_up()
    again = journey.print_certificate()
    assert (again.outcome, again.recorded) == ("printed", True)
    assert len(running.emulator.job_log()) == 1 and len(collections(running)) == 1


def test_platform_down_at_the_list_is_told(running: Terminal, issued: str) -> None:
    journey = collect(running)
    running.platform_down()
    with pytest.raises(JourneyProblem) as problem:
        journey.certificates()
    assert problem.value.code == "platform.unreachable"
    assert journey.step == Step.LIST


def test_the_session_wipe_takes_the_list_and_the_log_names_nobody(
        running: Terminal, issued: str, caplog: pytest.LogCaptureFixture) -> None:
    session = running.session()
    journey = collect(running, session)
    journey.choose(journey.certificates()[0].certificate_id)
    journey.print_certificate()
    assert APPLICANT not in caplog.text and NAME not in caplog.text
    running.sessions.end("exit")
    assert session.ended
    with pytest.raises(Exception):
        journey.certificates()


def test_printed_but_platform_down_then_the_citizen_leaves_the_outbox_records_it_once(
        running: Terminal, issued: str) -> None:
    journey = collect(running, outbox=running.outbox)
    journey.choose(journey.certificates()[0].certificate_id)
    running.platform_down()
    done = journey.print_certificate()
    assert (done.outcome, done.recorded, done.queued, done.problem) == (
        "printed", False, True, None)  # the citizen is not told a failure: it will be recorded
    journey.finish()  # the citizen leaves with the certificate
    assert collections(running) == []
    running.platform_up()  # its sender is running: the outbox delivers the collection
    assert wait_until(lambda: len(collections(running)) == 1, timeout=30)
    assert len(running.emulator.job_log()) == 1  # printed once, recorded once
